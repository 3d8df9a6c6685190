import { linkify } from '@kefu/core';

/** Shopper- or agent-typed text: rendered as text; only http(s) and mailto become links. */
export function MessageText({ text }: { text: string }) {
  return (
    <>
      {linkify(text).map((token, i) =>
        token.kind === 'link' ? (
          <a key={i} href={token.href} target="_blank" rel="noopener noreferrer">
            {token.text}
          </a>
        ) : (
          <span key={i}>{token.text}</span>
        ),
      )}
    </>
  );
}
