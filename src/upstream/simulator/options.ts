/**
 * What a caller can tune, and the defaults that make the simulator behave like the provider
 * (../shared/kling-api.md). Resolved once at start so the rest of the simulator reads plain values.
 */
import { type BaseLogger, pino } from 'pino';
import type { KlingModelName, VideoMode } from '../capabilities.js';
import { promptsOf } from './json.js';

/** An official account signs HS256 JWTs (`iss` = accessKey); a reseller account sends a static key. */
export type SimulatorAccount = { accessKey: string; secretKey: string } | { apiKey: string };

/** Any pino logger fits; only these levels are used. */
export type SimulatorLogger = Pick<BaseLogger, 'debug' | 'info' | 'warn' | 'error'>;

export type SimulatedOutcome = { status: 'succeed' } | { status: 'failed'; message: string };

export interface SimulatorTimings {
  /** Time spent queued as `submitted`, in ms, drawn uniformly from [min, max]. */
  submittedMs: [number, number];
  /** Time spent `processing`, in ms, drawn uniformly from [min, max]. */
  processingMs: [number, number];
}

export interface SimulatorCallbackOptions {
  /** @default 'all' (submitted, processing and the end); 'terminal' sends the end only. */
  statuses?: 'all' | 'terminal' | undefined;
  /** Send every callback twice, as an at-least-once sender may. @default false */
  duplicate?: boolean | undefined;
  /** Wait before each delivery, in ms. @default 0 */
  delayMs?: number | undefined;
  /** @default true */
  enabled?: boolean | undefined;
}

export interface SimulatorOptions {
  /** @default 0 (a random free port) */
  port?: number | undefined;
  /** @default '127.0.0.1' */
  host?: string | undefined;
  /** @default one official account { accessKey: 'sim-access-key', secretKey: 'sim-secret-key' } */
  accounts?: SimulatorAccount[] | undefined;
  /** Reseller style, e.g. '/kling': every Kling route lives under it. @default '' */
  pathPrefix?: string | undefined;
  /** Tasks in flight (submitted or processing) per account before a create gets 1303. @default 5 */
  concurrencyLimit?: number | undefined;
  /** 1303 was observed both as HTTP 429 and as HTTP 200. @default 429 */
  concurrencyErrorHttpStatus?: 429 | 200 | undefined;
  /**
   * Lifecycle timings, or 'manual': tasks stay `submitted` until `advanceTask()`.
   * @default realistic per mode and duration (kling-api.md 7.2), multiplied by `timeScale`
   */
  timings?: SimulatorTimings | 'manual' | undefined;
  /** Multiplies the default timings only. @default 1 */
  timeScale?: number | undefined;
  /** Decides how a task ends. @default succeed, unless a prompt contains 'sim:fail' */
  outcome?: ((body: unknown) => SimulatedOutcome) | undefined;
  callbacks?: SimulatorCallbackOptions | undefined;
  /** @default silent */
  logger?: SimulatorLogger | undefined;
  /**
   * The clock, in ms, against which JWT `nbf` and `exp` are checked, so a test can move a client's
   * clock and the provider's together. @default Date.now
   */
  now?: (() => number) | undefined;
}

/** What the lifecycle needs to know about a task to pick its timings. */
export interface TimingInput {
  model: KlingModelName;
  mode: VideoMode;
  /** Seconds. */
  duration: number;
}

export interface ResolvedOptions {
  port: number;
  host: string;
  accounts: readonly SimulatorAccount[];
  pathPrefix: string;
  concurrencyLimit: number;
  concurrencyErrorHttpStatus: 429 | 200;
  timings: 'manual' | ((task: TimingInput) => SimulatorTimings);
  outcome: (body: unknown) => SimulatedOutcome;
  callbacks: { statuses: 'all' | 'terminal'; duplicate: boolean; delayMs: number; enabled: boolean };
  logger: SimulatorLogger;
  now: () => number;
}

export const DEFAULT_ACCOUNT = { accessKey: 'sim-access-key', secretKey: 'sim-secret-key' } as const;

/** Moderation-like wording, as real failed tasks carry in `task_status_msg`. */
export const MODERATION_FAILURE_MESSAGE = 'Failure to pass the risk control system';

export function resolveOptions(options: SimulatorOptions): ResolvedOptions {
  const timeScale = options.timeScale ?? 1;
  const timings = options.timings;
  return {
    port: options.port ?? 0,
    host: options.host ?? '127.0.0.1',
    accounts: options.accounts ?? [DEFAULT_ACCOUNT],
    pathPrefix: normalizePrefix(options.pathPrefix ?? ''),
    concurrencyLimit: options.concurrencyLimit ?? 5,
    concurrencyErrorHttpStatus: options.concurrencyErrorHttpStatus ?? 429,
    timings: timings === undefined ? (task) => defaultTimings(task, timeScale) : fixedTimings(timings),
    outcome: options.outcome ?? defaultOutcome,
    callbacks: {
      statuses: options.callbacks?.statuses ?? 'all',
      duplicate: options.callbacks?.duplicate ?? false,
      delayMs: options.callbacks?.delayMs ?? 0,
      enabled: options.callbacks?.enabled ?? true,
    },
    logger: options.logger ?? pino({ level: 'silent' }),
    now: options.now ?? Date.now,
  };
}

/** '/kling/' and 'kling' both mean '/kling'; '/' means no prefix. */
function normalizePrefix(prefix: string): string {
  const trimmed = prefix.replace(/^\/+|\/+$/g, '');
  return trimmed === '' ? '' : `/${trimmed}`;
}

function fixedTimings(timings: SimulatorTimings | 'manual'): ResolvedOptions['timings'] {
  return timings === 'manual' ? 'manual' : () => timings;
}

/**
 * Section 7.2: queued 1–20 s; processing std 5 s 40–90 s, pro 5 s 60–150 s, ×1.7 for 10 s clips
 * and up to ~5 min for 15 s. Models without a mode are priced and timed like pro.
 */
function defaultTimings(task: TimingInput, timeScale: number): SimulatorTimings {
  const [min, max] = task.mode === 'std' ? [40_000, 90_000] : [60_000, 150_000]; /* ms */
  const lengthFactor = 1 + 0.14 * (task.duration - 5);
  const scale = (ms: number) => Math.round(ms * timeScale);
  return {
    submittedMs: [scale(1_000), scale(20_000)],
    processingMs: [scale(min * lengthFactor), scale(max * lengthFactor)],
  };
}

/** Lets tests script a moderation failure through the prompt alone. */
function defaultOutcome(body: unknown): SimulatedOutcome {
  const failing = promptsOf(body).some((prompt) => prompt.includes('sim:fail'));
  return failing ? { status: 'failed', message: MODERATION_FAILURE_MESSAGE } : { status: 'succeed' };
}
