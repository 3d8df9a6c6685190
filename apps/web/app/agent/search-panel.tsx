import type { SearchHit } from '@kefu/protocol';
import { useRef, useState, type FormEvent } from 'react';
import type { DeskController } from '../../lib/desk-controller';
import { useI18n } from '../../lib/use-i18n';
import styles from './desk.module.css';

function Result({ hit, onOpen }: { hit: SearchHit; onOpen: () => void }) {
  const { t } = useI18n();
  const { conversation, match } = hit;
  const who = conversation.visitor.name ?? conversation.visitor.email ?? t('common.visitor', { number: conversation.number });
  // Names and messages are shoppers' text: rendered as text by React, never as HTML.
  return (
    <button type="button" onClick={onOpen}>
      <strong>{who}</strong>
      <span>{match.text}</span>
      <span className={styles.resultMeta}>
        #{conversation.number} · {t(`status.${conversation.status}`)} · {t(`search.field.${match.field}`)}
      </span>
    </button>
  );
}

/** Search by shopper name, email or message text (conversation:search), newest matches first. */
export function SearchPanel({ controller }: { controller: DeskController }) {
  const { t } = useI18n();
  const [query, setQuery] = useState('');
  const [hits, setHits] = useState<SearchHit[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const latest = useRef(0);
  const run = async (more: boolean) => {
    const request = ++latest.current;
    setError(null);
    try {
      const page = await controller.search(query, more ? (cursor ?? undefined) : undefined);
      if (request !== latest.current) return;
      setHits(more ? [...(hits ?? []), ...page.results] : page.results);
      setCursor(page.nextCursor);
    } catch (e) {
      if (request === latest.current) setError(e instanceof Error ? e.message : String(e));
    }
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (query.trim()) void run(false);
    else setHits(null);
  };
  return (
    <form className={styles.search} role="search" onSubmit={submit}>
      <input type="search" aria-label={t('search.label')} placeholder={t('search.placeholder')} value={query} onChange={(e) => setQuery(e.target.value)} />
      {error && <p role="alert">{error}</p>}
      {hits && (
        <ul className={styles.results} aria-label={t('search.results')}>
          {hits.length === 0 && <li>{t('search.none')}</li>}
          {hits.map((hit) => (
            <li key={`${hit.conversation.id}:${hit.match.field}:${hit.match.messageId ?? ''}`}>
              <Result hit={hit} onOpen={() => void controller.select(hit.conversation.id)} />
            </li>
          ))}
          {cursor && (
            <li>
              <button type="button" onClick={() => void run(true)}>
                {t('search.more')}
              </button>
            </li>
          )}
        </ul>
      )}
    </form>
  );
}
