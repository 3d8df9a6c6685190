import { useState } from 'preact/hooks';
import { useEnv } from './context.js';

const ratings = [1, 2, 3, 4, 5] as const;

/** Satisfaction rating after a resolved conversation: five stars as a radio group, an optional comment. */
export function Csat({ rated }: { rated: boolean }) {
  const { controller, t } = useEnv();
  const [rating, setRating] = useState<(typeof ratings)[number] | null>(null);
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  if (rated) return <p class="status">{t('csatThanks')}</p>;
  const submit = async (event: Event) => {
    event.preventDefault();
    if (!rating) return;
    setBusy(true);
    await controller.rate(rating, comment).finally(() => setBusy(false));
  };
  return (
    <form class="csat" onSubmit={(e) => void submit(e)}>
      <fieldset>
        <legend>{t('csatQuestion')}</legend>
        <div class="stars">
          {ratings.map((value) => (
            <label key={value} class={rating !== null && value <= rating ? 'on' : ''}>
              <input type="radio" name="rating" value={value} checked={rating === value} onChange={() => setRating(value)} />
              <span aria-hidden="true">★</span>
              <span class="sr">{t('csatStar', { count: value })}</span>
            </label>
          ))}
        </div>
      </fieldset>
      <textarea aria-label={t('csatComment')} placeholder={t('csatComment')} maxLength={2000} value={comment} onInput={(e) => setComment(e.currentTarget.value)} rows={2} />
      <button type="submit" class="primary" disabled={!rating || busy}>
        {t('csatSubmit')}
      </button>
    </form>
  );
}
