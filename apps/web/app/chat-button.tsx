'use client';

/** Shows the widget's JS API: the host page opens the chat with kefu('open'). */
export function ChatButton({ label, className }: { label: string; className?: string | undefined }) {
  const open = () => (window as unknown as { kefu?: (command: string) => void }).kefu?.('open');
  return (
    <button type="button" className={className} onClick={open}>
      {label}
    </button>
  );
}
