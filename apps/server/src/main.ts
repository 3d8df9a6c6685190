import { startServer } from './app.js';
import { loadConfig } from './env.js';

/** The process entry: configuration, the server, and a graceful stop on SIGTERM / SIGINT. */
function main(): void {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    console.error((error as Error).message);
    process.exit(1);
  }
  const starting = startServer(config);
  starting.catch((error: unknown) => {
    console.error('kefu failed to start:', error instanceof Error ? error.message : error);
    process.exit(1);
  });
  // Installed before the server is up: a signal during startup stops it once it is, instead of killing it mid-migration.
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    void starting.then(async (server) => {
      server.ctx.log.info({ signal }, 'stopping');
      try {
        await server.close();
        process.exit(0);
      } catch (error) {
        server.ctx.log.error({ err: error }, 'unclean shutdown');
        process.exit(1);
      }
    });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  void starting.then((server) => process.on('unhandledRejection', (reason) => server.ctx.log.error({ err: reason }, 'unhandled rejection')));
}

main();
