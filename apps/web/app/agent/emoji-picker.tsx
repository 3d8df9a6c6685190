import { useEffect, useRef, type KeyboardEvent } from 'react';
import { emoji, gridMove } from '@kefu/core';
import { useI18n } from '../../lib/use-i18n';
import styles from './desk.module.css';

const columns = 8;

/** A grid of emoji buttons (as in the widget): arrow keys move, Escape closes, a click inserts. */
export function EmojiPicker({ onPick, onClose }: { onPick: (symbol: string) => void; onClose: () => void }) {
  const { t } = useI18n();
  const grid = useRef<HTMLDivElement>(null);
  useEffect(() => grid.current?.querySelector('button')?.focus(), []);
  const onKeyDown = (event: KeyboardEvent) => {
    const buttons = Array.from(grid.current?.querySelectorAll('button') ?? []);
    const next = gridMove(event.key, buttons.indexOf(document.activeElement as HTMLButtonElement), buttons.length, columns);
    if (event.key === 'Escape') {
      event.stopPropagation();
      onClose();
    } else if (next !== undefined) {
      event.preventDefault();
      buttons[next]?.focus();
    }
  };
  return (
    <div className={styles.emoji} role="group" aria-label={t('composer.emoji')} ref={grid} onKeyDown={onKeyDown}>
      {emoji.map((symbol) => (
        <button key={symbol} type="button" onClick={() => onPick(symbol)}>
          {symbol}
        </button>
      ))}
    </div>
  );
}
