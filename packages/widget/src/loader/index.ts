import { startLoader } from './loader.js';

// An async script has document.currentScript while it runs; the attribute lookup covers the rest.
const script = (document.currentScript as HTMLScriptElement | null) ?? document.querySelector<HTMLScriptElement>('script[data-inbox][src*="widget.js"]');
if (script && !(window as { __kefuLoaded?: boolean }).__kefuLoaded) {
  (window as { __kefuLoaded?: boolean }).__kefuLoaded = true;
  startLoader(script);
}
