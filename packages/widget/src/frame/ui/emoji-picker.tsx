import { useEffect, useRef } from 'preact/hooks';
import { emoji } from '../emoji.js';
import { useEnv } from './context.js';

/** A grid of emoji buttons; arrow keys move, Escape closes, a click inserts. */
export function EmojiPicker({ onPick, onClose }: { onPick: (symbol: string) => void; onClose: () => void }) {
  const { t } = useEnv();
  const grid = useRef<HTMLDivElement>(null);
  useEffect(() => grid.current?.querySelector('button')?.focus(), []);
  const columns = 8;
  const onKeyDown = (event: KeyboardEvent) => {
    const buttons = Array.from(grid.current?.querySelectorAll('button') ?? []);
    const index = buttons.indexOf(document.activeElement as HTMLButtonElement);
    const step = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: columns, ArrowUp: -columns }[event.key];
    if (event.key === 'Escape') {
      event.stopPropagation();
      onClose();
    } else if (step !== undefined && index >= 0) {
      event.preventDefault();
      buttons[Math.min(buttons.length - 1, Math.max(0, index + step))]?.focus();
    }
  };
  return (
    <div class="emoji" role="group" aria-label={t('emoji')} ref={grid} onKeyDown={onKeyDown}>
      {emoji.map((symbol) => (
        <button key={symbol} type="button" onClick={() => onPick(symbol)}>
          {symbol}
        </button>
      ))}
    </div>
  );
}
