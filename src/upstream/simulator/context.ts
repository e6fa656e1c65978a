/** What every Kling route handler gets: the simulator's state and one authenticated request. */
import type { KlingReply } from './http.js';
import type { Lifecycle } from './lifecycle.js';
import type { ResolvedOptions } from './options.js';
import type { TaskStore } from './store.js';
import type { VoiceStore } from './voices.js';

export interface SimulatorContext {
  readonly options: ResolvedOptions;
  readonly store: TaskStore;
  readonly voices: VoiceStore;
  readonly lifecycle: Lifecycle;
  readonly newId: () => string;
  /** `http://host:port`, known once the server listens. */
  readonly origin: () => string;
}

export interface KlingRequest {
  /** The accessKey or apiKey that authenticated. */
  account: string;
  body: unknown;
  query: Record<string, string>;
  /** The `{id}` path segment, decoded. */
  id: string | undefined;
}

/** Returns the answer, or throws a Refusal for a business error. */
export type KlingHandler = (ctx: SimulatorContext, request: KlingRequest) => KlingReply;
