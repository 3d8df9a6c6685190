/** The composer's emoji: the widget's set (packages/widget/src/frame/emoji.ts), common in support chats. */
export const emoji = [
  '😀', '😄', '😊', '🙂', '😉', '😍', '🥰', '😘', '😅', '😂', '🤣', '😇', '🤔', '😐', '😕', '😟',
  '😢', '😭', '😡', '😮', '😴', '🙏', '👍', '👎', '👌', '👏', '🙌', '💪', '👋', '🤝', '❤️', '💔',
  '🎉', '✨', '🔥', '⭐', '✅', '❌', '❓', '❗', '📦', '🚚', '💳', '🛒', '🎁', '📷', '📄', '⏰',
];
