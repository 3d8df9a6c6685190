import { useEffect, useRef, type KeyboardEvent } from 'react';
import { emoji } from '../../lib/emoji';
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
    const index = buttons.indexOf(document.activeElement as HTMLButtonElement);
    const step = ({ ArrowRight: 1, ArrowLeft: -1, ArrowDown: columns, ArrowUp: -columns } as Record<string, number>)[event.key];
    if (event.key === 'Escape') {
      event.stopPropagation();
      onClose();
    } else if (step !== undefined && index >= 0) {
      event.preventDefault();
      buttons[Math.min(buttons.length - 1, Math.max(0, index + step))]?.focus();
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
