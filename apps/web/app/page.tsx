import { webEnv } from '../lib/env';
import { ChatButton } from './chat-button';
import styles from './page.module.css';

export const dynamic = 'force-dynamic';

const products = [
  { name: 'Longjing green tea', zh: '龙井', price: '¥128', colour: '#d9f99d', icon: '🍵' },
  { name: 'Tieguanyin oolong', zh: '铁观音', price: '¥98', colour: '#fde68a', icon: '🫖' },
  { name: 'Pu-erh cake, 357 g', zh: '普洱', price: '¥260', colour: '#fed7aa', icon: '🟤' },
  { name: 'Celadon tea cups (4)', zh: '青瓷茶杯', price: '¥188', colour: '#bae6fd', icon: '🏺' },
];

// The stub lets the page call kefu('open') before widget.js has loaded; the loader replays the queue.
const stub = 'window.kefu=window.kefu||function(){(window.kefu.q=window.kefu.q||[]).push(arguments)};';

/** A demo shop that embeds the widget exactly as a customer's site would: one script tag. */
export default function DemoShop() {
  const { demoInbox } = webEnv();
  return (
    <>
      <script dangerouslySetInnerHTML={{ __html: stub }} />
      <header className={styles.top}>
        <span className={styles.brand}>
          Demo Shop<small>茶 Tea &amp; Co.</small>
        </span>
        <nav className={styles.nav} aria-label="Shop">
          <a href="#teas">Teas</a>
          <a href="#about">About</a>
        </nav>
      </header>
      <main>
        <section className={styles.hero}>
          <h1>Fine teas from Hangzhou</h1>
          <p>Questions about an order, a parcel or which tea to choose? Our team answers in the chat, in English or 中文.</p>
          <ChatButton label="Chat with us" className={styles.chat} />
        </section>
        <section id="teas" className={styles.grid} aria-label="Products">
          {products.map((p) => (
            <article key={p.name} className={styles.card}>
              <div className={styles.picture} style={{ background: p.colour }} aria-hidden="true">
                {p.icon}
              </div>
              <h2>
                {p.name} · {p.zh}
              </h2>
              <p>
                <span className={styles.price}>{p.price}</span>
              </p>
            </article>
          ))}
        </section>
        <section id="about" className={styles.about}>
          <p>
            This page is kefu&apos;s demo shop. The chat button in the corner is the kefu widget, embedded with one tag:{' '}
            <code>{`<script src="/widget.js" data-inbox="${demoInbox}" async></script>`}</code>
          </p>
        </section>
      </main>
      <script src="/widget.js" data-inbox={demoInbox} async />
    </>
  );
}
