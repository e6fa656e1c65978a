/**
 * `npm start`: the gateway from the environment. With no KLING_BASE_URL and no DATABASE_URL it
 * runs on embedded defaults: the built-in simulator and PGlite under DATA_DIR.
 */
import { createApp } from './app.js';
import { ConfigError, parseConfig } from './config.js';
import { createLogger } from './observability/logger.js';

function loadConfig() {
  try {
    return parseConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}

const config = loadConfig();
const logger = createLogger(config.logLevel, {
  secrets: [
    process.env.KLING_SECRET_KEY,
    process.env.KLING_API_KEY,
    process.env.KLING_WEBHOOK_SECRET,
    process.env.AUTH_JWT_SECRET,
  ],
});
const app = createApp(config, { logger });

const { url } = await app.start();
logger.info(`GraphiQL: ${url}/graphql`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    app.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}
