import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { ChatController } from '../chat-controller.js';
import { translator, type Lang, type Translate } from '../i18n.js';

export type Env = { controller: ChatController; serverUrl: string; lang: Lang; t: Translate; close: () => void };

export const EnvContext = createContext<Env>({
  controller: null as unknown as ChatController,
  serverUrl: '',
  lang: 'en',
  t: translator('en'),
  close: () => undefined,
});

export const useEnv = (): Env => useContext(EnvContext);
