import { Logger } from '@nestjs/common';
import { loadConfig } from './config';
import { createApp } from './create-app';

async function main(): Promise<void> {
  const config = loadConfig();
  if (config.database.profile === 'embedded' && config.app.logFormat === 'pretty') {
    // Before the logger exists: the first start creates the database, which takes a few seconds.
    process.stderr.write(`agent-ledger: opening the embedded PostgreSQL in ${config.database.dataDir} (a new one takes a few seconds)…\n`);
  }
  const app = await createApp(config);
  await app.listen({ port: config.app.port, host: config.app.host });
  const logger = new Logger('Main');

  const where = config.database.profile === 'embedded' ? `embedded PostgreSQL in ${config.database.dataDir}` : 'PostgreSQL at DATABASE_URL';
  logger.log(`agent-ledger listening on ${await app.getUrl()} (role ${config.app.role}, ${where}); API docs at /docs`);
  if (config.app.auth === 'off') {
    logger.warn(
      config.app.authDefaulted
        ? 'Authentication is off: the embedded profile on a loopback address defaults to AUTH=off. Set AUTH=apikey to require API keys.'
        : `Authentication is off (AUTH=off): every call acts as tenant "default". Allowed only because HOST ${config.app.host} is loopback.`,
    );
  }

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.log(`${signal} received: finishing in-flight work, then exiting`);
    const force = setTimeout(() => {
      logger.error(`Shutdown took longer than ${config.app.shutdownGraceMs} ms: exiting anyway`);
      process.exit(1);
    }, config.app.shutdownGraceMs);
    force.unref();
    app.close().then(
      () => process.exit(0),
      (error: Error) => {
        logger.error(`Shutdown failed: ${error.message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error: Error) => {
  // One line a person can act on; no stack for a configuration or environment problem.
  console.error(`agent-ledger could not start: ${error.message}`);
  process.exit(1);
});
