import type { Message } from '@kefu/protocol';
import type { DeskController } from '../../lib/desk-controller';
import { useI18n } from '../../lib/use-i18n';
import styles from './desk.module.css';
import supervision from './supervision.module.css';
import { MessageText } from './message-text';

/** Images inline, other files as links; names are text, URLs are the server's own upload paths. */
function Attachments({ message, controller }: { message: Message; controller: DeskController }) {
  if (message.attachments.length === 0) return null;
  return (
    <div className={styles.attachments}>
      {message.attachments.map((a) => {
        const href = controller.attachmentUrl(a.url);
        return (
          <a key={a.id} href={href} target="_blank" rel="noopener noreferrer">
            {a.mime.startsWith('image/') ? <img src={href} alt={a.name} width={a.width} height={a.height} loading="lazy" /> : `📄 ${a.name}`}
          </a>
        );
      })}
    </div>
  );
}

export function Bubble({ message, controller, seen }: { message: Message; controller: DeskController; seen: boolean }) {
  const { t, time } = useI18n();
  if (message.kind === 'event') return <p className={styles.event}>{message.body}</p>;
  const side = message.author.type === 'visitor' ? styles.theirs : message.whisperTo ? supervision.whisper : message.kind === 'note' ? styles.note : styles.ours;
  const label = message.whisperTo ? 'supervision.bubble' : 'bubble.note';
  return (
    <div className={`${styles.bubble} ${side}`}>
      <span className={styles.author}>
        {message.kind === 'note' ? t(label, { name: message.author.name ?? '' }) : (message.author.name ?? t('bubble.visitor'))}
      </span>
      {message.body && (
        <div className={styles.body}>
          <MessageText text={message.body} />
        </div>
      )}
      <Attachments message={message} controller={controller} />
      <time className={styles.time} dateTime={message.createdAt}>
        {seen ? t('bubble.seen', { time: time(message.createdAt) }) : time(message.createdAt)}
      </time>
    </div>
  );
}
