'use client';

import { useEffect, useState } from 'react';
import type { DeskController, DeskState } from '../../lib/desk-controller';
import { useI18n } from '../../lib/use-i18n';

const soundKey = 'kefu:notify';

/** Desktop notifications and a short chime for new conversations and shopper messages; off by choice. */
export function useNotifications(controller: DeskController, ready: boolean): [boolean, (on: boolean) => void] {
  const { t } = useI18n();
  const [enabled, setEnabled] = useState(false);
  useEffect(() => setEnabled(localStorage.getItem(soundKey) === 'on'), []);
  useEffect(() => {
    if (!ready || !enabled) return;
    return controller.onAttention(({ kind, name, body }) => {
      chime();
      const title =
        kind === 'created' ? t('desk.notifyNew') : kind === 'whisper' ? t('supervision.from', { name: name ?? t('supervision.anAdmin') }) : (name ?? t('desk.notifyShopper'));
      if ('Notification' in window && Notification.permission === 'granted') new Notification(title, { body: body.slice(0, 140), tag: 'kefu' });
    });
  }, [controller, ready, enabled, t]);
  const toggle = (on: boolean) => {
    localStorage.setItem(soundKey, on ? 'on' : 'off');
    setEnabled(on);
    if (on && 'Notification' in window && Notification.permission === 'default') void Notification.requestPermission();
  };
  return [enabled, toggle];
}

function chime(): void {
  const audio = new AudioContext();
  const tone = audio.createOscillator();
  const gain = audio.createGain();
  tone.frequency.value = 880;
  gain.gain.setValueAtTime(0.15, audio.currentTime);
  gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.4);
  tone.connect(gain).connect(audio.destination);
  tone.start();
  tone.stop(audio.currentTime + 0.4);
  tone.onended = () => void audio.close();
}

/** The tab's title counts what is unread in the list on screen. */
export function useUnreadTitle(state: DeskState | null): void {
  const { t } = useI18n();
  const unread = state?.conversations.reduce((sum, c) => sum + c.unread, 0) ?? 0;
  useEffect(() => {
    document.title = unread > 0 ? t('desk.titleUnread', { count: unread }) : t('desk.title');
  }, [unread, t]);
}

/** Alt+↓ / Alt+↑: next / previous conversation; Alt+R: resolve; Alt+M: the message field. */
export function useShortcuts(controller: DeskController): void {
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (!event.altKey) return;
      const actions: Record<string, () => void> = {
        ArrowDown: () => controller.selectNext(1),
        ArrowUp: () => controller.selectNext(-1),
        r: () => void controller.setStatus('resolved'),
        m: () => document.getElementById('composer')?.focus(),
      };
      const action = actions[event.key.length === 1 ? event.key.toLowerCase() : event.key];
      if (!action) return;
      event.preventDefault();
      action();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [controller]);
}
