// `npm start`: builds everything (turbo shows each step as it goes), then runs the kefu server and the
// web app side by side, prints where they are and how to sign in, and stops both on Ctrl-C.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1', TURBO_TELEMETRY_DISABLED: '1' };
const serverPort = env.KEFU_SERVER_PORT || '3001';
const webPort = env.KEFU_WEB_PORT || '3000';
const serverUrl = `http://localhost:${serverPort}`;
const webUrl = `http://localhost:${webPort}`;
const children = new Set();

function run(name, command, args, extraEnv, options = {}) {
  const child = spawn(command, args, { cwd: options.cwd ?? root, env: { ...env, ...extraEnv }, stdio: options.stdio ?? 'inherit', detached: options.detached ?? false });
  children.add(child);
  child.on('exit', () => children.delete(child));
  child.name = name;
  return child;
}

const exited = (child) => new Promise((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code ?? 1))));

console.log('kefu: building (first run takes a minute or two)…');
const build = run('build', process.execPath, [require.resolve('turbo/bin/turbo'), 'run', 'build', '--output-logs=new-only']);
if ((await exited(build)) !== 0) {
  console.error('kefu: the build failed (see above).');
  process.exit(1);
}

// Each service in its own process group: Ctrl-C reaches this script, which stops them in order.
const { serverNodeFlags } = await import('../apps/server/dist/node-flags.js');
const server = run('server', process.execPath, [...serverNodeFlags, 'apps/server/dist/main.js'], { PORT: serverPort, KEFU_WEB_ORIGINS: env.KEFU_WEB_ORIGINS || `${webUrl},http://127.0.0.1:${webPort}` }, { stdio: ['ignore', 'pipe', 'inherit'], detached: true });
const web = run('web', process.execPath, [require.resolve('next/dist/bin/next'), 'start'], { PORT: webPort, KEFU_PUBLIC_SERVER_URL: env.KEFU_PUBLIC_SERVER_URL || serverUrl }, { stdio: ['ignore', 'pipe', 'inherit'], detached: true, cwd: `${root}apps/web` });

const ready = { server: false, web: false, password: null };
readLines(server, (line) => {
  const entry = parseJson(line);
  if (!entry) return console.log(`[server] ${line}`);
  if (entry.generatedPassword) ready.password = entry.generatedPassword;
  if (entry.msg === 'kefu server listening') ready.server = true;
  console.log(`[server] ${levelName(entry.level)} ${entry.msg ?? ''}${extraFields(entry)}`);
  announce();
});
readLines(web, (line) => {
  if (/Ready in|✓ Ready/.test(line)) ready.web = true;
  console.log(`[web] ${line}`);
  announce();
});

let announced = false;
function announce() {
  if (announced || !ready.server || !ready.web) return;
  announced = true;
  const email = env.KEFU_ADMIN_EMAIL || 'admin@kefu.local';
  const password = ready.password ?? (env.KEFU_ADMIN_PASSWORD ? '(your KEFU_ADMIN_PASSWORD)' : '(the one printed at the first start; delete ./data to start over)');
  console.log(`
  kefu is running
    Demo shop with the chat widget:  ${webUrl}
    Server (API and sockets):        ${serverUrl}
    Admin sign-in:                   ${email}  password: ${password}
  Answer the demo shop's shoppers from a second terminal:  npm run demo -- --answer --password '<the admin password>'
  Press Ctrl-C to stop.
`);
}

let stopping = false;
async function stop(signal, code = 0) {
  if (stopping) return;
  stopping = true;
  console.log(`\nkefu: stopping (${signal})…`);
  for (const child of [web, server]) if (child.exitCode === null) process.kill(-child.pid, 'SIGTERM');
  await Promise.all([exited(web), exited(server)]);
  process.exit(code);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
// One dies on its own: stop the other too, and say so.
for (const child of [server, web]) {
  void exited(child).then((code) => {
    if (stopping) return;
    console.error(`kefu: the ${child.name} stopped (exit code ${code}); stopping the rest.`);
    void stop('exit', 1);
  });
}
process.on('exit', () => {
  for (const child of children) if (child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
});

function readLines(child, onLine) {
  createInterface({ input: child.stdout }).on('line', onLine);
}
function parseJson(line) {
  try {
    return JSON.parse(line);
  } catch {
    return null;
  }
}
function levelName(level) {
  return { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' }[level] ?? 'info';
}
function extraFields(entry) {
  const { level: _l, time: _t, pid: _p, hostname: _h, msg: _m, node: _n, ...rest } = entry;
  return Object.keys(rest).length ? ` ${JSON.stringify(rest)}` : '';
}
