ALTER TABLE "tasks" ADD COLUMN "callback_token" text;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "stale_flagged_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_callback_token_unique" UNIQUE("callback_token");