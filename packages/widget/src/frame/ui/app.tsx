import { useEffect, useState } from 'preact/hooks';
import type { ChatController } from '../chat-controller.js';
import { viewOf, type ChatState } from '../chat-state.js';
import { pickLang, translator } from '../i18n.js';
import { AwayForm } from './away-form.js';
import { Composer } from './composer.js';
import { EnvContext, type Env } from './context.js';
import { Header } from './header.js';
import { MessageList } from './message-list.js';

type AppProps = { controller: ChatController; serverUrl: string; close: () => void; onLang: (lang: string) => void };

export function App({ controller, serverUrl, close, onLang }: AppProps) {
  const [state, setState] = useState<ChatState>(controller.state);
  useEffect(() => controller.subscribe(setState), [controller]);
  const lang = pickLang(state.inbox?.language, navigator.languages);
  useEffect(() => {
    document.documentElement.lang = lang;
    onLang(lang);
  }, [lang]);
  const env: Env = { controller, serverUrl, lang, t: translator(lang), close };
  const view = viewOf(state);
  const { t } = env;
  return (
    <EnvContext.Provider value={env}>
      <div class="chat" onKeyDown={(e) => e.key === 'Escape' && close()}>
        <Header state={state} />
        {state.phase !== 'ready' && (
          <div class="banner" role="status">
            {state.phase === 'refused' ? t('unreachable') : state.phase === 'reconnecting' ? t('reconnecting') : t('connecting')}
          </div>
        )}
        {view === 'away-form' ? <AwayForm /> : view === 'chat' && <MessageList state={state} />}
        {state.inbox?.livePreview && view === 'chat' && <p class="notice">{t('livePreview')}</p>}
        {view === 'chat' && <Composer maxLength={state.inbox?.maxMessageLength ?? 5000} canAttach={state.visitor !== null} />}
      </div>
    </EnvContext.Provider>
  );
}
