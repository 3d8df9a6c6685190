import type { Viewer, WhisperReceived } from '@kefu/protocol';
import { Fragment, useEffect } from 'react';
import { nameList } from '../../lib/collision';
import type { DeskController } from '../../lib/desk-controller';
import { useI18n } from '../../lib/use-i18n';
import styles from './supervision.module.css';

/** Who else has this conversation open, live across server nodes, and whether they are writing. */
export function ViewersBar({ viewers }: { viewers: Viewer[] }) {
  const { t } = useI18n();
  if (viewers.length === 0) return null;
  return (
    <p className={styles.viewers} role="status" aria-label={t('collision.alsoHereLabel')}>
      {t('collision.alsoHere')}{' '}
      {viewers.map((v, i) => {
        const name = v.role === 'admin' ? t('collision.admin', { name: v.name }) : v.name;
        return (
          <Fragment key={v.agentId}>
            {i > 0 && ', '}
            <span className={v.typing ? styles.typingViewer : undefined}>{v.typing ? t('collision.typing', { name }) : name}</span>
          </Fragment>
        );
      })}
    </p>
  );
}

/** Asked before a reply goes out on top of a colleague's: send anyway, or go back and read it. */
export function MeanwhileConfirm({ names, onSend, onCancel }: { names: string[]; onSend: () => void; onCancel: () => void }) {
  const { t, lang } = useI18n();
  return (
    <div className={styles.meanwhile} role="alertdialog" aria-label={t('collision.meanwhileLabel')}>
      <p>{t('collision.meanwhile', { names: nameList(names, lang) })}</p>
      <button type="button" onClick={onSend}>
        {t('collision.sendAnyway')}
      </button>
      <button type="button" onClick={onCancel} autoFocus>
        {t('collision.review')}
      </button>
    </div>
  );
}

/** An admin's whispers pop up over whatever the agent is doing, until opened or dismissed. */
export function WhisperToasts({ whispers, controller }: { whispers: WhisperReceived[]; controller: DeskController }) {
  const { t } = useI18n();
  if (whispers.length === 0) return null;
  return (
    <div className={styles.toasts}>
      {whispers.map(({ message, conversation }) => {
        const name = message.author.name ?? t('supervision.anAdmin');
        const about = conversation.visitor.name ?? conversation.visitor.email ?? t('common.visitor', { number: conversation.number });
        return (
          <div key={message.id} className={styles.toast} role="alert" aria-label={t('supervision.from', { name })}>
            <strong>{t('supervision.about', { name, about })}</strong>
            <p className={styles.toastBody}>{message.body}</p>
            <button type="button" onClick={() => void controller.select(conversation.id)}>
              {t('supervision.open')}
            </button>
            <button type="button" onClick={() => controller.dismissWhisper(message.id)}>
              {t('supervision.dismiss')}
            </button>
          </div>
        );
      })}
    </div>
  );
}
/** `/agent?c=<id>` (the admin console's "Watch") opens that conversation once the desk is connected. */
export function useOpenFromLink(controller: DeskController, ready: boolean): void {
  useEffect(() => {
    const id = new URLSearchParams(window.location.search).get('c');
    if (!ready || !id) return;
    void controller.select(id).catch(() => undefined);
    window.history.replaceState(null, '', window.location.pathname);
  }, [controller, ready]);
}
