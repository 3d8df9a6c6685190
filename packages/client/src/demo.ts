/**
 * `npm run demo`: proves to a newcomer that kefu works, across two nodes if you give it two URLs.
 * A visitor on --visitor-url writes, the admin (as an agent) on --agent-url receives it and replies,
 * and the visitor receives the reply. Node-only CLI: the one file of this package that may use node:.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import type { AgentConversation, Message } from '@kefu/protocol';
import { connectAgent, connectVisitor, KefuClientError, type AgentClient, type VisitorClient } from './index.js';

const usage = `Usage: npm run demo -- [options]

  --visitor-url URL   node the visitor connects to        (default http://localhost:3001)
  --agent-url URL     node the agent connects to          (default http://localhost:3001)
  --email EMAIL       admin who answers as the agent      (default admin@kefu.local)
  --password PASS     that admin's password               (default $KEFU_ADMIN_PASSWORD)
  --inbox KEY         inbox key the visitor writes to     (default demo)
  --timeout MS        give up after this long             (default 15000)
  --answer            stay online as the admin and answer every shopper of the widget
                      (the demo shop at http://localhost:3000) until Ctrl-C

Start two nodes (e.g. docker compose up, or two servers with PORT=3001 and PORT=3002 sharing
KEFU_DATABASE_URL and KEFU_REDIS_URL), then: npm run demo -- --agent-url http://localhost:3002`;

type Options = { visitorUrl: string; agentUrl: string; email: string; password: string; inbox: string; timeoutMs: number; answer: boolean };

class DemoFailure extends Error {}

function readOptions(argv: string[]): Options | null {
  const { values } = parseArgs({
    args: argv,
    options: {
      'visitor-url': { type: 'string', default: 'http://localhost:3001' },
      'agent-url': { type: 'string', default: 'http://localhost:3001' },
      email: { type: 'string', default: 'admin@kefu.local' },
      password: { type: 'string' },
      inbox: { type: 'string', default: 'demo' },
      timeout: { type: 'string', default: '15000' },
      answer: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return null;
  const password = values.password ?? process.env.KEFU_ADMIN_PASSWORD;
  if (!password) throw new DemoFailure('no admin password: pass --password or set KEFU_ADMIN_PASSWORD');
  const timeoutMs = Number(values.timeout);
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new DemoFailure(`--timeout must be a positive number of ms, got ${values.timeout}`);
  return {
    visitorUrl: values['visitor-url'].replace(/\/+$/, ''),
    agentUrl: values['agent-url'].replace(/\/+$/, ''),
    email: values.email,
    password,
    inbox: values.inbox,
    timeoutMs,
    answer: values.answer,
  };
}

/** One line per step, prefixed with the node (URL) it went through. */
const step = (node: string, text: string) => console.log(`✓ [${node}] ${text}`);

/** Awaits `work`, or fails naming the step that did not happen in time. */
async function within<T>(deadline: number, what: string, work: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DemoFailure(`timed out waiting for ${what}`)), Math.max(0, deadline - Date.now()));
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function login(options: Options): Promise<string> {
  let response: Response;
  try {
    response = await fetch(`${options.agentUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: options.email, password: options.password }),
      signal: AbortSignal.timeout(options.timeoutMs),
    });
  } catch (error) {
    throw new DemoFailure(`cannot reach ${options.agentUrl} (${causeOf(error)}); is the server running? Try \`npm start\` or \`docker compose up\``);
  }
  const body = (await response.json().catch(() => null)) as { token?: string; error?: { message?: string } } | null;
  if (response.status !== 200 || !body?.token) {
    throw new DemoFailure(`login of ${options.email} at ${options.agentUrl} failed (HTTP ${response.status}: ${body?.error?.message ?? 'no details'}); check --email / --password`);
  }
  return body.token;
}

/** Waits for the first message that `matches`, from the raw event or from the ordered stream. */
function nextMessage<T = Message>(subscribe: (listener: (message: T) => void) => () => void, matches: (message: T) => boolean): Promise<T> {
  return new Promise((resolve) => {
    const off = subscribe((message) => {
      if (!matches(message)) return;
      off();
      resolve(message);
    });
  });
}

async function connected<T>(client: { ready(): Promise<T> }, deadline: number, what: string, url: string): Promise<T> {
  try {
    return await within(deadline, `${what} to connect to ${url}`, client.ready());
  } catch (error) {
    // ready() keeps waiting through transport failures (the SDK keeps retrying), so an unreachable
    // node shows up as this timeout rather than as a rejection.
    if (error instanceof DemoFailure) throw new DemoFailure(`${error.message}; is the server running there?`);
    if (error instanceof KefuClientError) {
      const hint = error.code === 'unavailable' ? 'is the server running there?' : `the server refused it: ${error.code}`;
      throw new DemoFailure(`${what} could not connect to ${url} (${error.message}); ${hint}`);
    }
    throw error;
  }
}

async function runDemo(options: Options, clients: { close(): void }[]): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  const runId = randomBytes(3).toString('hex');
  console.log(`kefu demo ${runId}: visitor via ${options.visitorUrl}, agent via ${options.agentUrl}`);
  if (options.visitorUrl === options.agentUrl) console.log('  (one node for both; pass --agent-url of a second node to see events cross nodes)');

  const token = await within(deadline, 'the login', login(options));
  step(options.agentUrl, `logged in as ${options.email} over HTTP`);

  const agent: AgentClient = connectAgent({ url: options.agentUrl, token });
  clients.push(agent);
  const agentSession = await connected(agent, deadline, 'the agent', options.agentUrl);
  step(options.agentUrl, `agent ${agentSession.agent.name} connected (status ${agentSession.agent.status})`);

  const visitor: VisitorClient = connectVisitor({ url: options.visitorUrl, inboxKey: options.inbox });
  clients.push(visitor);
  const visitorSession = await connected(visitor, deadline, 'the visitor', options.visitorUrl);
  step(options.visitorUrl, `visitor connected to inbox "${visitorSession.inbox.name}" (agents online: ${visitorSession.inbox.online ? 'yes' : 'no'})`);

  const question = `Hello from the kefu demo ${runId}: is anyone there?`;
  // Every agent of the inbox hears of a new conversation; its messages go to those who follow it (open it).
  const agentSaw = nextMessage<AgentConversation>((fn) => agent.on('conversation:created', fn), (c) => c.lastMessage?.body === question);
  const sent = await within(deadline, 'the ack of the visitor message', visitor.send({ body: question }));
  const conversationId = sent.message.conversationId;
  step(options.visitorUrl, `visitor sent "${question}" (stored as seq ${sent.message.seq})`);

  const seen = await within(deadline, `the agent to hear of the new conversation on ${options.agentUrl}`, agentSaw);
  const opened = await within(deadline, 'opening the conversation', agent.open(seen.id));
  const received = opened.messages.find((m) => m.body === question);
  if (!received) throw new DemoFailure('the opened conversation does not hold the visitor message');
  step(options.agentUrl, `agent received it (seq ${received.seq})`);

  const answer = `Yes! Agent ${agentSession.agent.name} here (demo ${runId}).`;
  const visitorGot = nextMessage((fn) => visitor.onMessage(fn), (m) => m.conversationId === conversationId && m.body === answer);
  const reply = await within(deadline, 'the ack of the agent reply', agent.send({ conversationId, body: answer }));
  step(options.agentUrl, `agent replied "${answer}" (seq ${reply.message.seq})`);

  const back = await within(deadline, `the visitor to receive the reply on ${options.visitorUrl}`, visitorGot);
  step(options.visitorUrl, `visitor received the reply (seq ${back.seq})`);

  // Leave nothing open behind: repeated demos must not fill the admin's capacity.
  await within(deadline, 'resolving the demo conversation', agent.call('conversation:set-status', { conversationId, status: 'resolved' }));
  step(options.agentUrl, 'conversation resolved (the demo leaves nothing open)');
  console.log(`kefu works: messages went both ways between ${options.visitorUrl} and ${options.agentUrl}.`);
}

/** `--answer`: the admin, online, replies to each shopper message until Ctrl-C. */
async function runAnswerer(options: Options, clients: { close(): void }[]): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  const token = await within(deadline, 'the login', login(options));
  const agent: AgentClient = connectAgent({ url: options.agentUrl, token });
  clients.push(agent);
  const session = await connected(agent, deadline, 'the agent', options.agentUrl);
  await agent.call('agent:set-status', { status: 'online' });
  step(options.agentUrl, `${session.agent.name} is online and answers every shopper; open the demo shop and chat. Ctrl-C stops.`);
  agent.on('message:created', (message) => {
    if (message.author.type !== 'visitor') return;
    const name = message.author.name ?? 'a shopper';
    step(options.agentUrl, `${name} wrote: ${message.body}`);
    const body = `Thanks for your message! You wrote: "${message.body.slice(0, 200)}" (an automatic answer from npm run demo -- --answer)`;
    agent.send({ conversationId: message.conversationId, body }).catch((error: unknown) => console.error(`✗ could not answer: ${causeOf(error)}`));
  });
  await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
}

function causeOf(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  return cause instanceof Error ? cause.message : String(cause);
}

async function main(): Promise<number> {
  const clients: { close(): void }[] = [];
  try {
    const options = readOptions(process.argv.slice(2));
    if (!options) {
      console.log(usage);
      return 0;
    }
    await (options.answer ? runAnswerer(options, clients) : runDemo(options, clients));
    return 0;
  } catch (error) {
    const message = error instanceof DemoFailure || error instanceof KefuClientError ? error.message : causeOf(error);
    console.error(`✗ kefu demo failed: ${message}`);
    return 1;
  } finally {
    for (const client of clients) client.close();
  }
}

// Exit explicitly: sockets and timers of a failed step must not keep the process alive.
void main().then((code) => process.exit(code));
