import { isBridgeMessage, type FromFrame, type PageInfo, type ToFrame } from '../shared/bridge.js';
import { launcherStyles, chatIcon, closeIcon } from './styles.js';

type Command = 'open' | 'close' | 'toggle' | 'identify' | 'page';
type KefuFn = ((command: Command, argument?: unknown) => void) & { q?: ArrayLike<unknown>[] };

const labels = {
  en: { open: 'Open chat', close: 'Close chat', frame: 'Chat' },
  zh: { open: '打开聊天', close: '关闭聊天', frame: '在线客服' },
};

/**
 * The embed loader: a launcher in a shadow root (the host's CSS cannot reach it), and the chat
 * in an iframe on kefu's origin, created only when the shopper opens it or a conversation is already
 * in progress in this browser. Until then it requests nothing from the desk.
 */
export function startLoader(script: HTMLScriptElement): void {
  const inbox = script.dataset.inbox;
  if (!inbox) return console.warn('kefu: the widget script needs data-inbox="KEY"');
  const desk = new URL(script.src, location.href);
  const prefix = `kefu:${inbox}:`;
  const activeKey = `${prefix}active`;
  const title = { original: document.title, shown: '' };
  let frame: HTMLIFrameElement | null = null;
  let frameReady = false;
  let open = false;
  let text = navigator.language.toLowerCase().startsWith('zh') ? labels.zh : labels.en;
  const outbox: ToFrame[] = [];

  const host = document.createElement('div');
  const root = host.attachShadow({ mode: 'open' });
  root.innerHTML = `<style>${launcherStyles}</style><div class="panel" hidden></div><button class="launcher" type="button" aria-expanded="false"><span class="icon"></span><span class="badge" id="b" hidden></span></button>`;
  const panel = root.querySelector('.panel') as HTMLDivElement;
  const button = root.querySelector('button') as HTMLButtonElement;
  const badge = root.querySelector('.badge') as HTMLSpanElement;
  const icon = root.querySelector('.icon') as HTMLSpanElement;
  if (script.dataset.color && /^#[0-9a-f]{6}$/i.test(script.dataset.color)) host.style.setProperty('--kefu-accent', script.dataset.color);
  document.body.appendChild(host);

  const post = (message: ToFrame) => {
    if (frame?.contentWindow && frameReady) frame.contentWindow.postMessage(message, desk.origin);
    else outbox.push(message);
  };
  // The chat's saved state lives in the shop's own storage: browsers may block or wipe a third-party
  // frame's. Storage may be off altogether; the chat then lasts as long as the page.
  const save = (key: string, value: string | null) => {
    try {
      if (value === null) localStorage.removeItem(key);
      else localStorage.setItem(key, value);
    } catch {
      // ignored, see above
    }
  };
  const saved = (): Record<string, string> => {
    const items: Record<string, string> = {};
    try {
      for (let i = 0; i < localStorage.length; i++) {
        const key = localStorage.key(i);
        if (key?.startsWith(prefix) && key !== activeKey) items[key] = localStorage.getItem(key) ?? '';
      }
    } catch {
      // ignored, see above
    }
    return items;
  };

  const ensureFrame = () => {
    if (frame) return;
    frame = document.createElement('iframe');
    const src = new URL('/widget/frame', desk);
    src.searchParams.set('inbox', inbox);
    if (script.dataset.color) src.searchParams.set('color', script.dataset.color);
    frame.src = src.href;
    frame.title = text.frame;
    frame.allow = 'clipboard-write';
    panel.appendChild(frame);
    post({ kefu: 1, type: 'page', page: currentPage() });
  };

  const render = () => {
    panel.hidden = !open;
    button.setAttribute('aria-expanded', String(open));
    button.setAttribute('aria-label', open ? text.close : text.open);
    button.classList.toggle('is-open', open);
    icon.innerHTML = open ? closeIcon : chatIcon;
  };

  const setOpen = (next: boolean) => {
    if (next) ensureFrame();
    if (next === open) return;
    open = next;
    render();
    post({ kefu: 1, type: next ? 'open' : 'close' });
    if (next) frame?.focus();
    else button.focus();
  };

  const setUnread = (count: number) => {
    badge.hidden = count === 0;
    badge.textContent = count > 99 ? '99+' : String(count);
    // The shopper may be looking at another tab: the host page's title says there is news.
    if (document.title !== title.shown) title.original = document.title;
    title.shown = count > 0 ? `(${count}) ${title.original}` : title.original;
    document.title = title.shown;
  };

  const onFrameMessage = (event: MessageEvent) => {
    if (!frame || event.source !== frame.contentWindow || event.origin !== desk.origin || !isBridgeMessage(event.data)) return;
    const message = event.data as FromFrame;
    if (message.type === 'ready') {
      if (!frameReady) frame.contentWindow?.postMessage({ kefu: 1, type: 'storage', items: saved() } satisfies ToFrame, desk.origin);
      frameReady = true;
      text = message.lang.startsWith('zh') ? labels.zh : labels.en;
      render();
      for (const queued of outbox.splice(0)) frame.contentWindow?.postMessage(queued, desk.origin);
    } else if (message.type === 'close') setOpen(false);
    else if (message.type === 'unread') setUnread(message.count);
    else if (message.type === 'active') save(activeKey, message.active ? '1' : null);
    else if (message.type === 'store' && message.key.startsWith(prefix) && message.key !== activeKey) save(message.key, message.value);
  };

  const run = (command: Command, argument?: unknown) => {
    if (command === 'open' || command === 'close' || command === 'toggle') setOpen(command === 'toggle' ? !open : command === 'open');
    else if (command === 'identify') post({ kefu: 1, type: 'identify', identity: argument as never });
    else if (command === 'page') post({ kefu: 1, type: 'page', page: { ...currentPage(), ...(argument as Partial<PageInfo>) } });
  };

  window.addEventListener('message', onFrameMessage);
  window.addEventListener('storage', (event) => {
    if (event.key?.startsWith(prefix) && event.key !== activeKey) post({ kefu: 1, type: 'stored', key: event.key, value: event.newValue });
  });
  button.addEventListener('click', () => setOpen(!open));
  const trackPage = () => frame && post({ kefu: 1, type: 'page', page: currentPage() });
  window.addEventListener('popstate', trackPage);
  window.addEventListener('hashchange', trackPage);

  const kefu = window as unknown as { kefu?: KefuFn };
  const queued = Array.from(kefu.kefu?.q ?? []);
  kefu.kefu = Object.assign((command: Command, argument?: unknown) => run(command, argument), { q: [] });
  render();
  if (localStorageHas(activeKey)) ensureFrame();
  for (const args of queued) run(args[0] as Command, args[1]);
}

function localStorageHas(key: string): boolean {
  try {
    return localStorage.getItem(key) !== null;
  } catch {
    return false;
  }
}

function currentPage(): PageInfo {
  const page: PageInfo = { url: location.href.slice(0, 2048), title: document.title.slice(0, 500) };
  if (document.referrer) page.referrer = document.referrer.slice(0, 2048);
  return page;
}
