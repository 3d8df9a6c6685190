import { render } from 'preact';
import { isBridgeMessage, type FromFrame, type ToFrame } from '../shared/bridge.js';
import { ChatController } from './chat-controller.js';
import type { ChatState } from './chat-state.js';
import { mirroredStore, safeLocalStorage, widgetStorage } from './storage.js';
import { countUnread, textOn } from './timeline.js';
import { App } from './ui/app.js';
import './frame.css';

/** The chat frame: reads its settings from the page kefu's web app served, then talks to the loader. */
function boot(): void {
  const serverUrl = document.querySelector<HTMLMetaElement>('meta[name="kefu-server"]')?.content ?? location.origin;
  const params = new URLSearchParams(location.search);
  const inboxKey = params.get('inbox') ?? '';
  const inFrame = window.parent !== window;
  const host = hostOrigin();
  const toHost = (message: FromFrame) => inFrame && window.parent.postMessage(message, host ?? '*');
  const mirror = mirroredStore((key, value) => toHost({ kefu: 1, type: 'store', key, value }));
  const storage = widgetStorage(inboxKey, inFrame ? mirror : safeLocalStorage());
  const controller = new ChatController({ serverUrl, inboxKey, hostOrigin: host, storage });
  // In a frame the saved state comes from the host page first; without an answer, start afresh.
  let started = false;
  const start = () => {
    if (!started) controller.start();
    started = true;
  };
  // The shopper sees the chat when the host page shows it and this tab is in front.
  let shown = !inFrame;
  const showChat = (next: boolean) => controller.setOpen((shown = next) && !document.hidden);

  applyAccent(params.get('color'));
  let unread = -1;
  let active: boolean | null = null;
  controller.subscribe((state: ChatState) => {
    if (state.inbox) applyAccent(state.inbox.widgetColor ?? null);
    const count = state.open ? 0 : countUnread(state.messages, state.readSeq);
    if (count !== unread) toHost({ kefu: 1, type: 'unread', count: (unread = count) });
    const inProgress = state.conversation !== null && state.conversation.status !== 'resolved';
    // Before the session nothing is known yet: say nothing rather than "no conversation".
    if (state.phase !== 'connecting' && inProgress !== active) toHost({ kefu: 1, type: 'active', active: (active = inProgress) });
  });

  window.addEventListener('message', (event) => {
    if (event.source !== window.parent || !isBridgeMessage(event.data)) return;
    const message = event.data as ToFrame;
    if (message.type === 'open' || message.type === 'close') {
      showChat(message.type === 'open');
      if (message.type === 'open') document.querySelector<HTMLTextAreaElement>('textarea')?.focus();
    } else if (message.type === 'identify') controller.identify(message.identity);
    else if (message.type === 'page') controller.trackPage(message.page);
    else if (message.type === 'storage') {
      for (const [key, value] of Object.entries(message.items)) mirror.apply(key, value);
      start();
    } else if (message.type === 'stored') {
      mirror.apply(message.key, message.value);
      changedElsewhere(message.key);
    }
  });
  // The shop's other tabs share this visitor, their read marks and their conversation.
  const changedElsewhere = (key: string | null) => {
    if (key === storage.tokenKey) controller.adoptToken(storage.token());
    const conversation = controller.state.conversation;
    if (conversation && key === storage.readKey(conversation.id)) controller.readElsewhere(storage.readSeq(conversation.id));
  };
  if (!inFrame) window.addEventListener('storage', (event) => changedElsewhere(event.key));
  document.addEventListener('visibilitychange', () => showChat(shown));

  const root = document.getElementById('kefu');
  if (!root) return;
  render(<App controller={controller} serverUrl={serverUrl} close={() => toHost({ kefu: 1, type: 'close' })} onLang={(lang) => toHost({ kefu: 1, type: 'ready', lang })} />, root);
  showChat(shown);
  if (inFrame) setTimeout(start, 3_000);
  else start();
}

/** The page around the iframe, as the browser reports it (the host page cannot forge ancestorOrigins). */
function hostOrigin(): string | undefined {
  const ancestors = (location as Location & { ancestorOrigins?: DOMStringList }).ancestorOrigins;
  if (ancestors && ancestors.length > 0) return ancestors[0] ?? undefined;
  try {
    return document.referrer ? new URL(document.referrer).origin : undefined;
  } catch {
    return undefined;
  }
}

function applyAccent(color: string | null): void {
  if (!color || !/^#[0-9a-f]{6}$/i.test(color)) return;
  document.documentElement.style.setProperty('--accent', color);
  document.documentElement.style.setProperty('--on-accent', textOn(color));
}

boot();
