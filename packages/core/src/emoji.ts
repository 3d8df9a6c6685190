/** The emoji pickers' set (the shopper's widget and the agent's composer): the ones common in support chats. */
export const emoji = [
  '😀', '😄', '😊', '🙂', '😉', '😍', '🥰', '😘', '😅', '😂', '🤣', '😇', '🤔', '😐', '😕', '😟',
  '😢', '😭', '😡', '😮', '😴', '🙏', '👍', '👎', '👌', '👏', '🙌', '💪', '👋', '🤝', '❤️', '💔',
  '🎉', '✨', '🔥', '⭐', '✅', '❌', '❓', '❗', '📦', '🚚', '💳', '🛒', '🎁', '📷', '📄', '⏰',
];

const steps: Record<string, (columns: number) => number> = {
  ArrowRight: () => 1,
  ArrowLeft: () => -1,
  ArrowDown: (columns) => columns,
  ArrowUp: (columns) => -columns,
};

/**
 * Arrow-key movement in a grid of `count` cells, `columns` wide: the index to focus after `key`
 * pressed on cell `index` (clamped to the grid), or undefined when the key does not move.
 */
export function gridMove(key: string, index: number, count: number, columns: number): number | undefined {
  const step = steps[key]?.(columns);
  if (step === undefined || index < 0) return undefined;
  return Math.min(count - 1, Math.max(0, index + step));
}
