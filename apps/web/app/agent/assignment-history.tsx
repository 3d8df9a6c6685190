import { useEffect, useState } from 'react';
import type { DeskController } from '../../lib/desk-controller';
import { useI18n } from '../../lib/use-i18n';
import styles from './desk.module.css';

type Verdict = { id: string; name: string; eligible: boolean; why: string | null };
type Record = { id: string; agentId: string | null; rule: string; reason: { summary: string; candidates?: Verdict[] }; createdAt: string };

/**
 * Why the conversation went where it went: each recorded assignment decision with its rule and
 * reason, from the admin API. Shown to admins (who explain routing); agents see who holds it.
 */
export function AssignmentHistory({ conversationId, assigneeId, controller }: { conversationId: string; assigneeId: string | null; controller: DeskController }) {
  const { t, dateTime } = useI18n();
  const [records, setRecords] = useState<Record[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let current = true;
    controller
      .adminApi()<{ assignments: Record[] }>('GET', `/api/admin/conversations/${encodeURIComponent(conversationId)}/assignments`)
      .then(
        (body) => current && setRecords(body.assignments),
        (e: Error) => current && setError(e.message),
      );
    return () => {
      current = false;
    };
    // Each change of assignee adds a record: read them again.
  }, [controller, conversationId, assigneeId]);
  return (
    <section aria-label={t('assignments.label')}>
      <h3>{t('assignments.heading')}</h3>
      {error && <p role="alert">{error}</p>}
      {records?.length === 0 && <p>{t('assignments.none')}</p>}
      <ol className={styles.history}>
        {records?.map((r) => (
          <li key={r.id}>
            {r.reason.summary}
            <small>
              {r.rule} · {dateTime(r.createdAt)}
            </small>
          </li>
        ))}
      </ol>
    </section>
  );
}
