CREATE TABLE "task_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"task_id" uuid NOT NULL,
	"sequence" integer NOT NULL,
	"status" text NOT NULL,
	"message" text,
	"at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "task_events_status_known" CHECK ("task_events"."status" in ('PENDING', 'SUBMITTED', 'PROCESSING', 'SUCCEEDED', 'FAILED'))
);
--> statement-breakpoint
CREATE TABLE "tasks" (
	"id" uuid PRIMARY KEY NOT NULL,
	"owner" text NOT NULL,
	"external_task_id" text NOT NULL,
	"idempotency_key" text,
	"input_hash" text NOT NULL,
	"status" text DEFAULT 'PENDING' NOT NULL,
	"status_message" text,
	"failure_code" text,
	"provider_task_id" text,
	"model" text NOT NULL,
	"mode" text NOT NULL,
	"duration" integer NOT NULL,
	"prompt" text,
	"input" jsonb NOT NULL,
	"videos" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"units_charged" text,
	"provider_updated_at" bigint,
	"event_sequence" integer DEFAULT 0 NOT NULL,
	"submit_attempts" integer DEFAULT 0 NOT NULL,
	"create_may_have_succeeded" boolean DEFAULT false NOT NULL,
	"next_attempt_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"lease_owner" text,
	"lease_expires_at" timestamp (3) with time zone,
	"submitted_at" timestamp (3) with time zone,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "tasks_external_task_id_unique" UNIQUE("external_task_id"),
	CONSTRAINT "tasks_provider_task_id_unique" UNIQUE("provider_task_id"),
	CONSTRAINT "tasks_duration_positive" CHECK ("tasks"."duration" > 0),
	CONSTRAINT "tasks_status_known" CHECK ("tasks"."status" in ('PENDING', 'SUBMITTED', 'PROCESSING', 'SUCCEEDED', 'FAILED'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX "task_events_task_sequence" ON "task_events" USING btree ("task_id","sequence");--> statement-breakpoint
CREATE UNIQUE INDEX "tasks_owner_idempotency_key" ON "tasks" USING btree ("owner","idempotency_key");--> statement-breakpoint
CREATE INDEX "tasks_owner_created" ON "tasks" USING btree ("owner","created_at","id");--> statement-breakpoint
CREATE INDEX "tasks_work_queue" ON "tasks" USING btree ("status","next_attempt_at");