/**
 * LISTEN/NOTIFY on either database. A change is announced with `pg_notify` inside the transaction
 * that makes it, so the announcement is delivered exactly when the change commits, to every
 * instance sharing the database (PostgreSQL) or in-process (PGlite). A lost PostgreSQL connection
 * is re-established with backoff, and `onResync` tells listeners that announcements may have been
 * missed meanwhile.
 */
import type { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import type { Logger } from 'pino';
import { backoffDelayMs } from '../submission/backoff.js';

export interface NotificationHandlers {
  onMessage(payload: string): void;
  /** Announcements may have been lost (a reconnect); `since` is when the connection dropped. */
  onResync(since: Date): void;
}

export interface NotificationListener {
  close(): Promise<void>;
}

export async function listenPglite(
  client: PGlite,
  channel: string,
  handlers: NotificationHandlers,
): Promise<NotificationListener> {
  const unlisten = await client.listen(channel, handlers.onMessage);
  return { close: () => unlisten() };
}

const RECONNECT_BACKOFF = { baseMs: 200, maxMs: 10_000 };

export async function listenPostgres(
  url: string,
  channel: string,
  handlers: NotificationHandlers,
  logger: Logger,
): Promise<NotificationListener> {
  let client: pg.Client | undefined;
  let closed = false;
  let attempt = 0;
  let reconnectTimer: NodeJS.Timeout | undefined;

  const connect = async (): Promise<void> => {
    const next = new pg.Client({ connectionString: url });
    next.on('notification', (message) => {
      if (message.channel === channel && message.payload !== undefined) handlers.onMessage(message.payload);
    });
    next.on('error', () => {}); // surfaced through 'end', which schedules the reconnect
    await next.connect();
    await next.query(`listen "${channel}"`);
    client = next;
    attempt = 0;
    next.once('end', () => {
      if (closed) return;
      const droppedAt = new Date();
      logger.warn({ channel }, 'lost the database notification connection; reconnecting');
      scheduleReconnect(droppedAt);
    });
  };

  const scheduleReconnect = (droppedAt: Date): void => {
    attempt += 1;
    reconnectTimer = setTimeout(
      () => {
        connect().then(
          () => handlers.onResync(droppedAt),
          () => scheduleReconnect(droppedAt),
        );
      },
      backoffDelayMs(attempt, RECONNECT_BACKOFF),
    );
    reconnectTimer.unref();
  };

  await connect();
  return {
    async close() {
      closed = true;
      clearTimeout(reconnectTimer);
      await client?.end().catch(() => {});
    },
  };
}

/** One channel per schema, so deployments (and test runs) sharing a database do not cross-talk. */
export function taskEventsChannel(schema: string | undefined): string {
  return `kg_task_events_${schema ?? 'public'}`;
}
