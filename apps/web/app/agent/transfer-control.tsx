import type { AgentConversation, AgentProfile } from '@kefu/protocol';
import { useEffect, useState } from 'react';
import type { DeskController } from '../../lib/desk-controller';
import { useI18n, type I18n } from '../../lib/use-i18n';
import styles from './desk.module.css';

const labelOf = (t: I18n['t'], agent: AgentProfile) =>
  t('transfer.option', { name: agent.name, status: t(`presence.${agent.status}`), load: agent.load, capacity: agent.capacity });

/**
 * Hands the conversation to a colleague of its inbox. The list (with each one's status and load)
 * is read when the conversation opens and again whenever the agent opens the list, so it is fresh.
 */
export function TransferControl({ conversation, controller, me }: { conversation: AgentConversation; controller: DeskController; me: string }) {
  const { t } = useI18n();
  const [agents, setAgents] = useState<AgentProfile[]>([]);
  const [target, setTarget] = useState('');
  const [error, setError] = useState<string | null>(null);
  const load = () => {
    controller.colleagues(conversation.inboxId).then(
      (list) => setAgents(list.filter((a) => a.id !== me && a.id !== conversation.assigneeId)),
      (e: Error) => setError(e.message),
    );
  };
  useEffect(load, [conversation.id, conversation.assigneeId, conversation.inboxId]);
  const transfer = async () => {
    setError(null);
    try {
      await controller.assign(target);
      setTarget('');
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <div className={styles.transfer}>
      <label>
        {t('transfer.to')}{' '}
        <select value={target} onFocus={load} onChange={(e) => setTarget(e.target.value)}>
          <option value="">{t('transfer.choose')}</option>
          {agents.map((a) => (
            <option key={a.id} value={a.id}>
              {labelOf(t, a)}
            </option>
          ))}
        </select>
      </label>
      <button type="button" disabled={!target} onClick={() => void transfer()}>
        {t('transfer.submit')}
      </button>
      {error && <span role="alert">{error}</span>}
    </div>
  );
}
