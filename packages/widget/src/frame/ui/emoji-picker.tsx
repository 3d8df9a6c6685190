import { useEffect, useRef } from 'preact/hooks';
import { emoji, gridMove } from '@kefu/core';
import { useEnv } from './context.js';

const columns = 8;

/** A grid of emoji buttons; arrow keys move, Escape closes, a click inserts. */
export function EmojiPicker({ onPick, onClose }: { onPick: (symbol: string) => void; onClose: () => void }) {
  const { t } = useEnv();
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
    <div class="emoji" role="group" aria-label={t('emoji')} ref={grid} onKeyDown={onKeyDown}>
      {emoji.map((symbol) => (
        <button key={symbol} type="button" onClick={() => onPick(symbol)}>
          {symbol}
        </button>
      ))}
    </div>
  );
}
