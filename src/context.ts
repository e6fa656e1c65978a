/**
 * What every operation sees, built the same way for HTTP and WebSocket.
 */
import type { AppConfig } from './config.js';
import type { Database } from './db/connection.js';
import type { GatewayMetrics } from './observability/metrics.js';
import type { FinishedTaskCache } from './resolvers/finished-task-cache.js';
import type { PresetVoiceCatalog } from './resolvers/preset-voices.js';
import type { SubscriptionSlots } from './security/subscription-slots.js';
import type { Submitter } from './submission/submitter.js';
import type { TaskEventBus } from './tasks/task-events.js';
import type { CallbackReceiver } from './tracking/callbacks.js';
import type { KlingClient } from './upstream/client.js';

/** The tenant on whose behalf an operation runs. */
export interface Viewer {
  /** The token's `sub`; `local` in development mode without auth. */
  readonly id: string;
}

/** Long-lived services, shared by every operation of one gateway process. */
export interface GatewayServices {
  readonly config: AppConfig;
  readonly db: Database;
  /** LISTEN/NOTIFY channel of task changes. */
  readonly taskEventsChannel: string;
  readonly kling: KlingClient;
  readonly events: TaskEventBus;
  readonly submitter: Submitter;
  readonly presetVoices: PresetVoiceCatalog;
  readonly subscriptionSlots: SubscriptionSlots;
  readonly callbacks: CallbackReceiver;
  readonly metrics: GatewayMetrics;
  readonly finishedTasks: FinishedTaskCache;
}

export interface GatewayContext extends GatewayServices {
  readonly viewer: Viewer;
}
