CREATE TABLE "provider_slot_holders" (
	"shard" integer PRIMARY KEY NOT NULL,
	"holders" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
-- Written by hand below (drizzle-kit has no triggers). Keep the predicate in step with
-- `holdsProviderSlot` in src/submission/claim.ts; test/provider-slot-holders.test.ts checks both agree.
CREATE FUNCTION "task_holds_provider_slot"("status" text, "create_may_have_succeeded" boolean) RETURNS boolean
	LANGUAGE sql IMMUTABLE
	AS $$ SELECT "status" IN ('SUBMITTED', 'PROCESSING') OR ("status" = 'PENDING' AND "create_may_have_succeeded") $$;
--> statement-breakpoint
-- A task's row on the count is the writing connection's (pg_backend_pid() % 32): one connection's
-- transactions never wait on another's row unless their pids fall together. search_path is pinned
-- to the schema the migration ran in, so a session with another search_path counts in the right table.
CREATE FUNCTION "count_provider_slot_holders"() RETURNS trigger
	LANGUAGE plpgsql SET search_path FROM CURRENT
	AS $$
DECLARE
	delta integer := 0;
BEGIN
	IF TG_OP IN ('UPDATE', 'DELETE') AND task_holds_provider_slot(OLD.status, OLD.create_may_have_succeeded) THEN
		delta := delta - 1;
	END IF;
	IF TG_OP IN ('INSERT', 'UPDATE') AND task_holds_provider_slot(NEW.status, NEW.create_may_have_succeeded) THEN
		delta := delta + 1;
	END IF;
	IF delta <> 0 THEN
		UPDATE provider_slot_holders SET holders = holders + delta WHERE shard = pg_backend_pid() % 32;
	END IF;
	RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE FUNCTION "reset_provider_slot_holders"() RETURNS trigger
	LANGUAGE plpgsql SET search_path FROM CURRENT
	AS $$
BEGIN
	UPDATE provider_slot_holders SET holders = 0;
	RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "tasks_count_provider_slot_holders_on_write" AFTER INSERT OR DELETE ON "tasks"
	FOR EACH ROW EXECUTE FUNCTION count_provider_slot_holders();
--> statement-breakpoint
-- Most updates (leases, schedules) move no task in or out of a slot: the WHEN clause skips them
-- without calling the function.
CREATE TRIGGER "tasks_count_provider_slot_holders_on_update" AFTER UPDATE OF "status", "create_may_have_succeeded" ON "tasks"
	FOR EACH ROW
	WHEN (task_holds_provider_slot(OLD.status, OLD.create_may_have_succeeded)
		IS DISTINCT FROM task_holds_provider_slot(NEW.status, NEW.create_may_have_succeeded))
	EXECUTE FUNCTION count_provider_slot_holders();
--> statement-breakpoint
CREATE TRIGGER "tasks_reset_provider_slot_holders_on_truncate" AFTER TRUNCATE ON "tasks"
	FOR EACH STATEMENT EXECUTE FUNCTION reset_provider_slot_holders();
--> statement-breakpoint
-- After the triggers: creating them locked out writers to "tasks", so this count misses no change
-- committed before and double-counts none made after.
INSERT INTO "provider_slot_holders" ("shard", "holders")
	SELECT shard, CASE WHEN shard = 0 THEN (
		SELECT count(*) FROM "tasks" WHERE task_holds_provider_slot("status", "create_may_have_succeeded")
	) ELSE 0 END
	FROM generate_series(0, 31) AS shard;
