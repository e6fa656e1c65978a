import type { Logger } from 'pino';

/** Longest error message logged: a failed insert's message can carry a whole 10 MB input. */
const LOGGED_MESSAGE_MAX = 2_000;

/**
 * Yoga's logger interface over pino, so its messages share the gateway's structured log. Errors
 * go under `err` (pino serializes them), with their messages cut short.
 */
export function yogaLogger(logger: Logger) {
  const child = logger.child({ component: 'yoga' });
  const fields = (args: unknown[]) => {
    const error = args.find((arg) => arg instanceof Error);
    if (error === undefined) return { args };
    const message = error.message.slice(0, LOGGED_MESSAGE_MAX);
    return { err: { type: error.name, message, stack: error.stack?.slice(0, LOGGED_MESSAGE_MAX) } };
  };
  return {
    debug: (...args: unknown[]) => child.debug(fields(args), 'yoga'),
    info: (...args: unknown[]) => child.info(fields(args), 'yoga'),
    warn: (...args: unknown[]) => child.warn(fields(args), 'yoga'),
    error: (...args: unknown[]) => child.error(fields(args), 'yoga'),
  };
}
