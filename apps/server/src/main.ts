import { startServer } from './app.js';
import { loadConfig } from './env.js';

/** The process entry: configuration, the server, and a graceful stop on SIGTERM / SIGINT. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    console.error((error as Error).message);
    process.exit(1);
  }
  const server = await startServer(config);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    server.ctx.log.info({ signal }, 'stopping');
    server
      .close()
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        server.ctx.log.error({ err: error }, 'unclean shutdown');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('unhandledRejection', (reason) => server.ctx.log.error({ err: reason }, 'unhandled rejection'));
}

main().catch((error: unknown) => {
  console.error('kefu failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
