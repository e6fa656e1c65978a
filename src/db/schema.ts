/**
 * One PostgreSQL-dialect schema for both the embedded PGlite default and PostgreSQL. Migrations in
 * `drizzle/` are generated from this file by drizzle-kit (`npm run db:generate`).
 */
import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import type { ImageToVideoRequest } from '../resolvers/image-to-video-request.js';
import { TASK_FAILURE_CODES } from '../tasks/task-status.js';
import type { KlingModelName, VideoMode } from '../upstream/capabilities.js';

/** Gateway statuses; Kling's `submitted | processing | succeed | failed` are translated at the boundary. */
export const TASK_STATUSES = ['PENDING', 'SUBMITTED', 'PROCESSING', 'SUCCEEDED', 'FAILED'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];
const statusList = sql.raw(TASK_STATUSES.map((status) => `'${status}'`).join(', '));

/** A finished video as the provider reported it; `duration` in seconds. */
export interface StoredVideo {
  id: string;
  url: string;
  watermarkUrl: string | null;
  duration: number;
}

// Timestamps keep milliseconds (precision 3), as JavaScript dates do, so a cursor made from a
// row's createdAt compares equal to the stored value.
export const tasks = pgTable(
  'tasks',
  {
    id: uuid('id').primaryKey(),
    /** The tenant (`sub`) that created the task. */
    owner: text('owner').notNull(),
    /** Derived by the gateway before the first create (`kg-<uuid>`), stable across retries. */
    externalTaskId: text('external_task_id').notNull().unique(),
    idempotencyKey: text('idempotency_key'),
    /** SHA-256 of the normalized input, to tell a replay from a conflicting reuse of a key. */
    inputHash: text('input_hash').notNull(),
    // Text with a check rather than a PostgreSQL enum: drizzle-kit qualifies enum types with
    // "public", which would tie every migration to one schema (tests run in fresh schemas).
    status: text('status', { enum: TASK_STATUSES }).notNull().default('PENDING'),
    statusMessage: text('status_message'),
    /** Typed reason of a FAILED task (see `TaskFailureCode`). */
    failureCode: text('failure_code', { enum: TASK_FAILURE_CODES }),
    providerTaskId: text('provider_task_id').unique(),
    model: text('model').$type<KlingModelName>().notNull(),
    mode: text('mode').$type<VideoMode>().notNull(),
    /** Seconds. */
    duration: integer('duration').notNull(),
    prompt: text('prompt'),
    /** The whole validated input with defaults applied: what is sent on every (re)submission. */
    input: jsonb('input').$type<ImageToVideoRequest>().notNull(),
    videos: jsonb('videos').$type<StoredVideo[]>().notNull().default([]),
    /** Resource-pack units charged, a decimal string as Kling sends it. */
    unitsCharged: text('units_charged'),
    /** Unguessable token in the task's callback URL; a callback names its task only through it. */
    callbackToken: text('callback_token').unique(),
    /** Kling's `updated_at` (ms) of the last provider state applied. */
    providerUpdatedAt: bigint('provider_updated_at', { mode: 'number' }),
    /** Sequence number of the task's latest event; events count up from 1. */
    eventSequence: integer('event_sequence').notNull().default(0),
    submitAttempts: integer('submit_attempts').notNull().default(0),
    /**
     * Set before a create is sent and cleared only by a definite refusal: while true the provider
     * may hold the task, so it is looked up by external id before any resubmission.
     */
    createMayHaveSucceeded: boolean('create_may_have_succeeded').notNull().default(false),
    /** When the submitter (PENDING) or the poller (in flight) may next work on the task. */
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true, mode: 'date', precision: 3 })
      .notNull()
      .defaultNow(),
    /** Which gateway instance holds the task's work lease, and until when. */
    leaseOwner: text('lease_owner'),
    leaseExpiresAt: timestamp('lease_expires_at', { withTimezone: true, mode: 'date', precision: 3 }),
    /** When the task was flagged as in flight for far longer than any real generation. */
    staleFlaggedAt: timestamp('stale_flagged_at', { withTimezone: true, mode: 'date', precision: 3 }),
    submittedAt: timestamp('submitted_at', { withTimezone: true, mode: 'date', precision: 3 }),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date', precision: 3 })
      .notNull()
      .defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date', precision: 3 })
      .notNull()
      .defaultNow(),
  },
  (table) => [
    uniqueIndex('tasks_owner_idempotency_key').on(table.owner, table.idempotencyKey),
    index('tasks_owner_created').on(table.owner, table.createdAt, table.id),
    index('tasks_work_queue').on(table.status, table.nextAttemptAt),
    // Tenant quotas count a tenant's unfinished tasks on every create.
    index('tasks_owner_unfinished')
      .on(table.owner)
      .where(sql`${table.status} not in ('SUCCEEDED', 'FAILED')`),
    check('tasks_duration_positive', sql`${table.duration} > 0`),
    check('tasks_status_known', sql`${table.status} in (${statusList})`),
  ],
);

export type TaskRow = typeof tasks.$inferSelect;

export const taskEvents = pgTable(
  'task_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    // No foreign key: drizzle-kit qualifies references with "public", which would pin the
    // migrations to one schema. Events are written only in the same transaction as their task.
    taskId: uuid('task_id').notNull(),
    /** 1, 2, 3… per task, so subscribers can drop duplicates and resume. */
    sequence: integer('sequence').notNull(),
    status: text('status', { enum: TASK_STATUSES }).notNull(),
    message: text('message'),
    at: timestamp('at', { withTimezone: true, mode: 'date', precision: 3 }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex('task_events_task_sequence').on(table.taskId, table.sequence),
    check('task_events_status_known', sql`${table.status} in (${statusList})`),
  ],
);

export type TaskEventRow = typeof taskEvents.$inferSelect;

/**
 * How many tasks hold, or may hold, a provider slot (`tasks_hold_provider_slot` in drizzle/0003),
 * kept by triggers on `tasks` in the transaction that changes a task, so a claim reads the count in
 * constant time instead of scanning every task in flight. The count is spread over a few rows, each
 * written by the connections whose backend pid falls on it, so concurrent creates rarely wait on
 * one another's row. Only the sum means anything: a task counted on one row when claimed may be
 * discounted on another when it settles, so a single row may go below zero.
 */
export const providerSlotHolders = pgTable('provider_slot_holders', {
  shard: integer('shard').primaryKey(),
  holders: integer('holders').notNull().default(0),
});
