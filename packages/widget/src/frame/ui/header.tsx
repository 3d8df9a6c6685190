import type { ChatState } from '../chat-state.js';
import { Avatar } from './bubble.js';
import { useEnv } from './context.js';

export function Header({ state }: { state: ChatState }) {
  const { t, close } = useEnv();
  const online = state.inbox?.online ?? false;
  const assignee = state.conversation?.status !== 'resolved' ? state.conversation?.assignee : null;
  return (
    <header class="header">
      <Avatar name={assignee?.name ?? state.inbox?.name ?? 'kefu'} url={assignee?.avatarUrl} />
      <div class="title">
        <h1>{state.inbox?.name ?? ''}</h1>
        <p>
          <span class={online ? 'dot on' : 'dot'} aria-hidden="true" />
          {assignee ? t('assigned', { name: assignee.name }) : online ? t('online') : t('away')}
        </p>
      </div>
      <button type="button" class="icon-button close" aria-label={t('close')} onClick={close}>
        ×
      </button>
    </header>
  );
}
