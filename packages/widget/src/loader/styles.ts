/** The launcher's own CSS, inside its shadow root. The accent comes from data-color (--kefu-accent). */
export const launcherStyles = `
:host{all:initial}
.launcher{position:fixed;right:20px;bottom:20px;z-index:2147483647;width:56px;height:56px;border:0;border-radius:50%;
background:var(--kefu-accent,#2563eb);color:#fff;cursor:pointer;box-shadow:0 4px 14px rgba(0,0,0,.25);
display:flex;align-items:center;justify-content:center;padding:0;transition:transform .15s ease}
.launcher:hover{transform:scale(1.06)}
.launcher:focus-visible{outline:3px solid #111;outline-offset:3px}
.icon{display:flex}
.badge{position:absolute;top:-4px;right:-4px;min-width:20px;height:20px;padding:0 5px;box-sizing:border-box;border-radius:10px;
background:#dc2626;color:#fff;font:600 12px/20px system-ui,sans-serif;text-align:center}
.badge[hidden],.panel[hidden]{display:none}
.panel{position:fixed;right:20px;bottom:88px;z-index:2147483646;width:380px;height:min(640px,calc(100vh - 108px));
border-radius:14px;overflow:hidden;box-shadow:0 12px 40px rgba(0,0,0,.28);background:#fff;animation:kefu-in .18s ease-out}
.panel iframe{width:100%;height:100%;border:0;display:block}
@keyframes kefu-in{from{opacity:0;transform:translateY(12px)}to{opacity:1;transform:none}}
@media (max-width:480px){.panel{inset:0;width:100%;height:100%;border-radius:0}.launcher.is-open{display:none}}
@media (prefers-reduced-motion:reduce){.panel{animation:none}.launcher{transition:none}.launcher:hover{transform:none}}
`;

export const chatIcon =
  '<svg width="28" height="28" viewBox="0 0 24 24" fill="none" aria-hidden="true"><path d="M4 5h16v11H8l-4 4z" fill="currentColor"/></svg>';
export const closeIcon =
  '<svg width="24" height="24" viewBox="0 0 24 24" aria-hidden="true"><path d="M6 6l12 12M18 6L6 18" stroke="currentColor" stroke-width="2.5" stroke-linecap="round"/></svg>';
