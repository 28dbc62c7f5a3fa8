// Generated from Sundial's OpenAPI document by scripts/api-types.mjs (npm run api-types).
// Do not edit: change the API, then regenerate; CI fails when this file is stale.

export interface paths {
    "/api/tree-root/scheduled-tasks": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Create a task. */
        post: operations["create_task"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/tree-root/scheduled-tasks/{uuid}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get one task, with its version as `ETag`. */
        get: operations["get_task"];
        /**
         * Update a task: the fields given replace the stored ones, `null` resets an optional one to
         *     its default, and a `trigger_config` of the stored trigger type that does not mention
         *     `timezone` keeps the stored zone; the next occurrence is recomputed. The representation
         *     `GET` returns may be sent back as it is: the fields the server maintains are ignored, and a
         *     masked secret keeps the stored value. An update that changes nothing writes nothing and
         *     keeps the version.
         */
        put: operations["update_task"];
        post?: never;
        /** Delete a task (soft delete: its code becomes free, its history stays). */
        delete: operations["delete_task"];
        options?: never;
        head?: never;
        /**
         * Change a task with a JSON Merge Patch (RFC 7396, `application/merge-patch+json`): objects
         *     merge at every depth and `null` removes a field (an optional one takes its default, e.g.
         *     `{"task_config": {"headers": {"X-A": null}}}` removes one header); the result is validated
         *     like a `PUT`.
         */
        patch: operations["patch_task"];
        trace?: never;
    };
    "/api/tree-root/scheduled-tasks/{uuid}/chains": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A task's chains: the tasks its runs queue, and the tasks whose runs queue it. */
        get: operations["get_chains"];
        /**
         * Replace the tasks this task's runs queue. Each run that ends for good (after its last
         *     retry) with an outcome a link names queues one run of the linked task, exactly once,
         *     with trigger `chain`.
         */
        put: operations["put_chains"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/tree-root/scheduled-tasks/{uuid}/deadlines": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Show a task's dead-man deadlines and where each stands. */
        get: operations["get_deadlines"];
        /**
         * Set a task's dead-man deadlines (admins): `{"deadlines": [...]}` replaces them all (`[]`
         *     clears them). A deadline given again keeps its state and misses; a new one counts from now.
         */
        put: operations["put_deadlines"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/tree-root/scheduled-tasks/{uuid}/logs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Runs of a task, newest first, each with its newest log lines (at most 200, `logs_truncated`
         *     when it has more).
         */
        get: operations["task_logs"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/tree-root/scheduled-tasks/{uuid}/notify-rules": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A task's own rules. While a task has any, the tenant defaults do not apply to it. */
        get: operations["list_task_rules"];
        put?: never;
        /** Add a rule to a task (operators and admins). */
        post: operations["create_task_rule"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/tree-root/scheduled-tasks/{uuid}/restore": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Restore a deleted task: it is live again under its uuid and code, stopped (start it to
         *     have it fire), as a new version audited as `restore`. Its runs and history are as they
         *     were. Only tasks `GET /deleted` lists can be restored.
         */
        post: operations["restore_deleted"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/tree-root/scheduled-tasks/{uuid}/run": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Run a task now: queue a manual run at once, whatever its schedule and active state,
         *     optionally with arguments for that run in place of the task's own.
         */
        post: operations["run_now"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/tree-root/scheduled-tasks/{uuid}/runs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Runs of a task, newest first. */
        get: operations["task_runs"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/tree-root/scheduled-tasks/{uuid}/start": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Start a task: it fires again from now on (no catch-up of the stopped period). */
        post: operations["start_task"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/tree-root/scheduled-tasks/{uuid}/status": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Execution state of a task: next and last run, the current and latest run, counts by state. */
        get: operations["task_status"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/tree-root/scheduled-tasks/{uuid}/stop": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Stop a task: it no longer fires and its queued runs are cancelled; running runs finish, or
         *     are cancelled with `?cancel_running=true`.
         */
        post: operations["stop_task"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/tree-root/scheduled-tasks/{uuid}/versions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Version history of a task, newest first: the definition after each change, with who and when. */
        get: operations["task_versions"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/tree-root/scheduled-tasks/{uuid}/versions/{from}/diff/{to}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * What changed between two versions of a task, field by field (either order; secret values
         *     masked as in a task).
         */
        get: operations["version_diff"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/tree-root/scheduled-tasks/{uuid}/versions/{version}/restore": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Make an earlier version's definition the task's current one, as a new version (audited as
         *     `restore`, with `restored_from`). It is validated as an update of the current definition:
         *     a restored trigger must still have a future occurrence, a restored URL must pass today's
         *     egress policy. A version identical to the current definition writes nothing and answers the
         *     task as it is.
         */
        post: operations["restore_version"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/tree-root/scheduled-tasks/apply": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Create or update the tenant's tasks by `code`, all or nothing in one transaction: a code no
         *     live task has is created; a task whose definition differs is updated (one new version); an
         *     identical one is left alone (no version, no audit entry). An item's `chains`, `deadlines`
         *     and `notify_rules` (as `GET /export` writes them) replace the task's, children by code and
         *     channels by name; left out, they stay as they are. Each item is a whole definition,
         *     validated like `POST /` (fields left out take their defaults); a masked secret keeps the
         *     stored value (on a create it is a 422 naming the header). With `prune=true` the live tasks
         *     whose code is not in the request are deleted; with `dry_run=true` nothing is written.
         *     Errors name every problem, `tasks[i].<field>`.
         */
        post: operations["apply_tasks"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/tree-root/scheduled-tasks/audit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The tenant's audit log, newest first: every create, update, start, stop, delete, restore,
         *     run now and cancel, with who did it and when; filtered by task, actor, action and time.
         */
        get: operations["audit_log"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/tree-root/scheduled-tasks/batch-delete": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Delete several tasks. Uuids that are unknown (or another tenant's) are ignored. */
        post: operations["batch_delete"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/tree-root/scheduled-tasks/deadline-misses": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The tenant's recently missed deadlines (of one task with `task_uuid`), the most recently
         *     recorded first.
         */
        get: operations["deadline_misses"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/tree-root/scheduled-tasks/deleted": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List the tenant's deleted tasks that can still be restored (deleted within the
         *     run-retention period, `SUNDIAL_RUN_RETENTION_DAYS`), the most recently deleted first.
         */
        get: operations["deleted_tasks"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/tree-root/scheduled-tasks/export": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The tenant's definitions, ordered by code, a page at a time; each page is a body
         *     `POST /import` and `POST /apply` accept as it is. Secret header and query values are masked
         *     exactly as `GET /{uuid}` masks them: applying the export back keeps the stored secrets,
         *     while importing it elsewhere needs the real values put in. `X-Total-Count` gives the
         *     number of tasks; `Link` (`rel="next"`) the next page while there is one.
         */
        get: operations["export_tasks"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/tree-root/scheduled-tasks/import": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Create up to 1,000 tasks in one transaction: all of them, or none. Each is validated exactly
         *     like `POST /`; errors name the task, e.g. `tasks[3].trigger_config.seconds`. With
         *     `mode=apply` it is `POST /apply` (create or update by `code`).
         */
        post: operations["import_tasks"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/tree-root/scheduled-tasks/list": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List the tenant's tasks: paged, searched, filtered and sorted. */
        get: operations["list_tasks"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/tree-root/scheduled-tasks/preview": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** The next instants of any trigger, computed by the engine's own schedule code. */
        post: operations["preview"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/tree-root/scheduled-tasks/runs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Runs across the tenant's tasks, newest occurrence first, each with its task's code and
         *     name; filtered by state, task and a range of `scheduled_for`.
         */
        get: operations["search_runs"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/tree-root/scheduled-tasks/runs/{run_uuid}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One run with its newest log lines (at most 200, `logs_truncated` when it has more). */
        get: operations["get_run"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/tree-root/scheduled-tasks/runs/{run_uuid}/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Cancel a run: a queued run is cancelled at once; a running one is asked to stop (its worker
         *     cancels the attempt within a heartbeat) and is returned still `running`. A finished run is
         *     returned unchanged.
         */
        post: operations["cancel_run"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/tree-root/scheduled-tasks/runs/{run_uuid}/children": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The chained runs a run queued, oldest first: one per link of its task whose outcome
         *     matched, `queued` (or run since) or `skipped` (reason `stopped`) for a stopped child.
         */
        get: operations["run_children"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/tree-root/scheduled-tasks/runs/{run_uuid}/logs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The whole log of one run, a page at a time, in the order it was written. Start with no
         *     `after_seq` and pass each page's `next_after_seq` to the next request; to follow a live run,
         *     ask again with the same cursor until `status` is final and `has_more` is false.
         */
        get: operations["run_log_page"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/tree-root/scheduled-tasks/stats": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Counts of the tenant's runs per state per time bucket over a range (by `scheduled_for`),
         *     with each bucket's mean and longest duration. At most 1,000 buckets.
         */
        get: operations["run_stats"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/tree-root/tenant/notify/channels": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List your tenant's notification channels, oldest first. */
        get: operations["list_channels"];
        put?: never;
        /**
         * Create a notification channel (admins). A webhook's answer carries its signing key,
         *     shown this once.
         */
        post: operations["create_channel"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/tree-root/tenant/notify/channels/{uuid}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One of your tenant's channels. */
        get: operations["get_channel"];
        put?: never;
        post?: never;
        /**
         * Delete a channel (admins), and the rules that route to it (each task that loses rules gets
         *     a `notify_rules` audit entry); deliveries still pending to it are given up.
         */
        delete: operations["delete_channel"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/tree-root/tenant/notify/channels/{uuid}/rotate-secret": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Give a webhook channel a new signing key (admins), shown this once. Deliveries carry a
         *     signature with the new key and, for the grace period, a second one with the old key.
         */
        post: operations["rotate_secret"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/tree-root/tenant/notify/deliveries": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Your tenant's newest deliveries, optionally of one task or run. */
        get: operations["list_deliveries"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/tree-root/tenant/notify/rules": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Your tenant's default rules: they apply to every task that has no rules of its own. */
        get: operations["list_default_rules"];
        put?: never;
        /** Add a tenant default rule (admins). */
        post: operations["create_default_rule"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/tree-root/tenant/notify/rules/{uuid}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Delete a rule (a task's or a tenant default; operators may delete a task's, admins any). */
        delete: operations["delete_rule"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/tree-root/tenant/settings": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The settings of your tenant (defaults when never set). */
        get: operations["get_settings"];
        /**
         * Change the settings of your tenant (admins only); fields left out stay as they are.
         *     The egress allow-list only narrows what the deployment allows; it applies to every attempt
         *     that starts a few seconds after the change.
         */
        put: operations["put_settings"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/healthz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The same as `/readyz`. Needs no token. */
        get: operations["healthz"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/livez": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Whether the process and the engine's loops are alive; never looks at the database. Needs
         *     no token. A 503 means a loop stopped: restart the process.
         */
        get: operations["livez"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The service's counters and the python sandbox's status in the Prometheus text format. Needs
         *     no token: no label names a tenant, task or destination, and nothing says which sandbox
         *     layer is missing or where anything is on the host (the admin listener,
         *     `SUNDIAL_ADMIN_LISTEN`, has those; when it is set, this path answers 404 and `/metrics` is
         *     there).
         */
        get: operations["metrics"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/readyz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Whether the store accepts writes now (a write is made, bounded to under a second). Needs no
         *     token. A 503 means this node can neither fire nor record: send no traffic to it.
         */
        get: operations["readyz"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /** @description An HTTP call. Secret header and query values are masked in answers; a mask sent back keeps the stored value. */
        ApiCallConfig: {
            /** @description JSON body: at most 256 KiB as JSON and 32 levels deep. */
            data?: unknown;
            /** @description Status codes counted as success; default any 2xx. */
            expected_status?: number | number[] | null;
            /**
             * @description Follow up to 3 re-validated redirects (off: the 3xx is the result).
             * @default false
             */
            follow_redirects?: boolean | null;
            /** @description Request headers; no Host, hop-by-hop, framing or Idempotency-Key headers, no control characters in values. */
            headers?: {
                [key: string]: string;
            } | null;
            /** @description Default GET. */
            method?: components["schemas"]["HttpMethod"] | null;
            /** @description Query parameters appended to the URL. */
            query?: {
                [key: string]: string | number | boolean;
            } | null;
            /** @description The original design's place for the timeout; the task's own `timeout_seconds` wins. The deployment may allow less than the schema's maximum (`SUNDIAL_MAX_TIMEOUT_SECONDS`, default 3600). */
            timeout_seconds?: number | null;
            /**
             * Format: uri
             * @description Absolute http:// or https:// URL without credentials. A URL the egress policy refuses on its face is a 422.
             */
            url: string;
        };
        ApiCallTask: {
            task_config: components["schemas"]["ApiCallConfig"];
            /** @enum {string} */
            type: "api_call";
        };
        /**
         * @description What apply did, or would do, to one code.
         * @enum {string}
         */
        ApplyAction: "created" | "updated" | "unchanged" | "deleted";
        /** @description The outcome of an apply: per code, in request order, then the deleted tasks by code. */
        ApplyResponse: {
            /** @description Tasks created. */
            created: number;
            /** @description Tasks deleted. */
            deleted: number;
            /** @description Whether this was a dry run (nothing was written). */
            dry_run: boolean;
            /** @description Each code's outcome. */
            results: components["schemas"]["ApplyResult"][];
            /** @description Tasks left as they were. */
            unchanged: number;
            /** @description Tasks updated. */
            updated: number;
        };
        /** @description One code's outcome. */
        ApplyResult: {
            /** @description What happened to it. */
            action: components["schemas"]["ApplyAction"];
            /** @description The task's code. */
            code: string;
            /**
             * Format: uuid
             * @description The task; null for a dry run's `created` (no task exists yet).
             */
            uuid: string | null;
        };
        /**
         * @description The change a version records.
         * @enum {string}
         */
        AuditAction: "create" | "update" | "start" | "stop" | "delete" | "run_now" | "cancel" | "restore" | "chains" | "deadlines" | "notify_rules";
        /** @description One entry of the audit log. */
        AuditEntryResponse: {
            /** @description The change. */
            action: components["schemas"]["AuditAction"];
            /** @description Who did it (token subject). */
            actor: string;
            /**
             * Format: date-time
             * @description When.
             */
            at: string;
            /**
             * @description Extra facts: `cancelled_runs` (a stop or delete), `via: "apply"` (written by
             *     `POST /apply`), `restored_from` (a restore), `deleted_at` (a deleted task restored),
             *     `run_uuid` (a run action).
             */
            detail: Record<string, never> | null;
            /** @description The task's code (its current one; a deleted task's last). */
            task_code: string;
            /**
             * Format: uuid
             * @description The task it concerns.
             */
            task_uuid: string;
            /**
             * Format: int64
             * @description The task's version after it.
             */
            version: number;
        };
        /**
         * @description How the delay between attempts grows.
         * @enum {string}
         */
        Backoff: "fixed" | "exponential";
        /** @description Tasks to delete at once. */
        BatchDeleteRequest: {
            uuids: string[];
        };
        /**
         * @description How many of the requested tasks were deleted. Which ones is not said, so that the answer
         *     reveals nothing about uuids of other tenants.
         */
        BatchDeleteResponse: {
            /** @description Tasks deleted. */
            deleted: number;
        };
        /** @description A task at the other end of a link. */
        ChainedTaskResponse: {
            /** @description Its code. */
            code: string;
            /**
             * @description Whether it is active; a stopped child records a `skipped` chained run (reason
             *     `stopped`) instead of running.
             */
            is_active: boolean;
            /** @description Its name. */
            name: string;
            /** @description Which outcomes of the parent's runs the link follows. */
            on: string;
            /**
             * Format: uuid
             * @description The task.
             */
            task_uuid: string;
        };
        /** @description One link of `PUT /{uuid}/chains`. */
        ChainLinkRequest: {
            /**
             * @description Which outcomes of this task's runs queue it: `success`, `failure` (failed or timed out
             *     after the last retry) or `completion` (any end, cancelled included).
             * @example success
             */
            on: string;
            /**
             * @description The task to queue a run of: a live task of your tenant, not this one, and not one whose
             *     own chains lead back to this one.
             */
            task_uuid: string;
        };
        /**
         * @description Body of `PUT /{uuid}/chains`.
         * @example {
         *       "children": [
         *         {
         *           "on": "success",
         *           "task_uuid": "01938f5e-7a4b-7c3d-9e2f-0123456789ab"
         *         }
         *       ]
         *     }
         */
        ChainsRequest: {
            /** @description Every link from this task (at most 20), in order; `[]` removes them all. */
            children: components["schemas"]["ChainLinkRequest"][];
        };
        /** @description A task's chains both ways. */
        ChainsResponse: {
            /** @description The tasks this task's runs queue, in order. */
            children: components["schemas"]["ChainedTaskResponse"][];
            /** @description The tasks whose runs queue this one (deleting this task removes those links). */
            parents: components["schemas"]["ChainedTaskResponse"][];
        };
        /** @description A channel to create. */
        ChannelRequest: {
            /**
             * @description `webhook` or `email`.
             * @example webhook
             */
            kind: string;
            /** @description A name for people, 1-100 characters. */
            name: string;
            /**
             * @description Email: the recipients (1-20 addresses); refused (`kind`, code `email_unavailable`) when
             *     the deployment has no SMTP relay.
             */
            to?: string[] | null;
            /** @description Webhook: the http(s) URL events are `POST`ed to. */
            url?: string | null;
        };
        /** @description A channel; its signing key is only ever shown when created or rotated. */
        ChannelResponse: {
            /**
             * Format: date-time
             * @description When it was created.
             */
            created_at: string;
            /** @description Who created it. */
            created_by: string;
            /** @description `webhook` or `email`. */
            kind: string;
            /** @description Its name. */
            name: string;
            /**
             * Format: date-time
             * @description After a rotation: until when the previous key still signs too.
             */
            previous_secret_valid_until?: string | null;
            /**
             * @description Webhook, in the answer to create and rotate only: the signing key. Store it now; it is
             *     never shown again.
             */
            secret?: string | null;
            /** @description Email: the recipients. */
            to?: string[] | null;
            /**
             * Format: date-time
             * @description When it last changed.
             */
            updated_at: string;
            /** @description Webhook: the URL. */
            url?: string | null;
            /**
             * Format: uuid
             * @description Its id.
             */
            uuid: string;
        };
        CronTrigger: {
            trigger_config: components["schemas"]["CronTriggerConfig"];
            /** @enum {string} */
            trigger_type: "cron";
        };
        /** @description A cron trigger. */
        CronTriggerConfig: {
            /**
             * @description 5 fields, or 6 with leading seconds; `@daily`-style macros; `L`, `W`, `#`, `?`.
             * @example 0 9 * * MON-FRI
             */
            cron: string;
            /**
             * Format: date-time
             * @description No occurrence after this instant; after `start_at` and in the future when set. Between 1970-01-01T00:00:00Z and 2999-12-31T23:59:59Z.
             */
            end_at?: string | null;
            /** @description Upper bound of a deterministic delay per occurrence; less than the trigger's shortest period (an interval's `seconds`; for a cron, the smallest gap between two of its times of day). */
            jitter_seconds?: number | null;
            /**
             * Format: date-time
             * @description No occurrence before this instant. Between 1970-01-01T00:00:00Z and 2999-12-31T23:59:59Z.
             */
            start_at?: string | null;
            /**
             * @description IANA time zone the expression is evaluated in.
             * @default UTC
             * @example Asia/Shanghai
             */
            timezone?: string | null;
        };
        DateTrigger: {
            trigger_config: components["schemas"]["DateTriggerConfig"];
            /** @enum {string} */
            trigger_type: "date";
        };
        /** @description A one-shot trigger. */
        DateTriggerConfig: {
            /**
             * Format: date-time
             * @description The one instant it fires at; in the future when set.
             */
            at: string;
            /**
             * Format: date-time
             * @description No occurrence after this instant; after `start_at` and in the future when set. Between 1970-01-01T00:00:00Z and 2999-12-31T23:59:59Z.
             */
            end_at?: string | null;
            /** @description Upper bound of a deterministic delay per occurrence; less than the trigger's shortest period (an interval's `seconds`; for a cron, the smallest gap between two of its times of day). */
            jitter_seconds?: number | null;
            /**
             * Format: date-time
             * @description No occurrence before this instant. Between 1970-01-01T00:00:00Z and 2999-12-31T23:59:59Z.
             */
            start_at?: string | null;
        };
        /** @description `GET /deadline-misses` answer. */
        DeadlineMissesResponse: {
            /** @description The misses, the most recently recorded first. */
            items: components["schemas"]["DeadlineMissResponse"][];
        };
        /** @description A recorded miss. */
        DeadlineMissResponse: {
            /** @description The deadline missed, as given. */
            deadline: Record<string, never>;
            /**
             * Format: date-time
             * @description The latest due instant missed.
             */
            due_at: string;
            /**
             * Format: date-time
             * @description The task's latest success before `due_at`.
             */
            last_success_at?: string | null;
            /**
             * Format: int64
             * @description Due instants this record stands for: more than 1 when several passed before a check
             *     (after an outage, say); only the latest is recorded.
             */
            missed: number;
            /**
             * Format: date-time
             * @description When the miss was recorded.
             */
            recorded_at: string;
            /** @description The task's code. */
            task_code: string;
            /** @description The task. */
            task_uuid: string;
        };
        /** @description One deadline and where it stands. */
        DeadlineResponse: Record<string, never> & {
            /** @description Its canonical text, e.g. `every 3600s` or `by 07:00 Europe/Berlin on * * MON-FRI`. */
            key: string;
            /**
             * Format: date-time
             * @description The latest due instant a success met (`by` deadlines; an `every_seconds` deadline is
             *     met by each success, see `last_success_at`).
             */
            last_met_at?: string | null;
            /**
             * Format: date-time
             * @description The latest due instant missed.
             */
            last_missed_at?: string | null;
            /**
             * Format: date-time
             * @description The task's latest success.
             */
            last_success_at?: string | null;
            /**
             * Format: int64
             * @description Due instants missed since it was set.
             */
            missed_count: number;
            /**
             * Format: date-time
             * @description When it falls due next unless a run succeeds first.
             */
            next_due_at?: string | null;
            /**
             * Format: date-time
             * @description When it was set; nothing before it is due.
             */
            since: string;
        };
        /** @description A task's deadlines, as `GET` and `PUT /{uuid}/deadlines` answer. */
        DeadlinesResponse: {
            /** @description The deadlines in the order they were given. */
            deadlines: components["schemas"]["DeadlineResponse"][];
        };
        /** @description A deleted task: the task as it was deleted, and when and by whom. */
        DeletedTaskResponse: components["schemas"]["TaskResponse"] & {
            /**
             * Format: date-time
             * @description When it was deleted.
             */
            deleted_at: string;
            /** @description Who deleted it (token subject). */
            deleted_by: string;
        };
        /** @description One event sent (or being sent) to one channel. */
        DeliveryResponse: {
            /**
             * Format: int64
             * @description Tries so far (at most 5).
             */
            attempts: number;
            /**
             * Format: uuid
             * @description The channel.
             */
            channel: string;
            /**
             * Format: date-time
             * @description When the event was routed to the channel.
             */
            created_at: string;
            /** @description What went wrong last; for `skipped`, why it was not sent. */
            error?: string | null;
            /** @description The event kind. */
            event: string;
            /**
             * Format: uuid
             * @description The event's id (`id` in the body).
             */
            event_id: string;
            /**
             * Format: date-time
             * @description When it was delivered or given up.
             */
            finished_at?: string | null;
            /**
             * Format: date-time
             * @description While pending: when it is tried next.
             */
            next_attempt_at?: string | null;
            /** @description Email: the SMTP relay's last reply in words (e.g. `250 2.0.0 Ok: queued as 4F2C1`). */
            response?: string | null;
            /**
             * Format: int64
             * @description The receiver's last status: a webhook's HTTP status, or the SMTP relay's reply code.
             */
            response_code?: number | null;
            /** @description The run, if the event is about one. */
            run_uuid?: string | null;
            /**
             * @description `pending`, `sending`, `delivered`, `failed` or `skipped` (an email past the tenant's
             *     hourly cap: not sent).
             */
            status: string;
            /** @description The task. */
            task_uuid: string;
            /**
             * Format: uuid
             * @description Its id: the `Sundial-Delivery` header receivers de-duplicate on.
             */
            uuid: string;
        };
        /**
         * @description How a cron task behaves across DST changes: `fixed_time` (a local time skipped by the change fires once right after the gap; a repeated one fires once, on its first pass) or `every_match` (fires at every real instant that matches).
         * @enum {string}
         */
        DstPolicy: "fixed_time" | "every_match";
        /** @description A task definition as `GET /export` writes it and `POST /import` and `POST /apply` take it: a `TaskRequest` with the task's alert configuration, other tasks and channels named as they are in any tenant. A list left out (or `null`) leaves that part of the task as it is. */
        ExportedTask: {
            /** @description The tasks this task's runs queue (at most 20), in order, each by its code: a task the request creates or keeps, or a live task of the tenant. `[]` removes every link. */
            chains?: {
                /** @description `success`, `failure` or `completion`. */
                on: string;
                /** @description The child task's code. */
                task_code: string;
            }[] | null;
            /** @description Unique among the tenant's live tasks: letters, digits, `_`, `-` and `.`, starting with a letter or digit. */
            code: string;
            /** @description The task's dead-man deadlines (at most 10), as `PUT /{uuid}/deadlines` takes them. `[]` removes them. */
            deadlines?: {
                /** @description `HH:MM`. */
                by?: string;
                /** @description Day-of-month, month and day-of-week fields of a cron expression. */
                days?: string;
                every_seconds?: number;
                timezone?: string;
            }[] | null;
            /** @description Free text without NUL bytes; empty or null: none. */
            description?: string | null;
            /**
             * @description Whether the task fires.
             * @default true
             */
            is_active?: boolean | null;
            /** @description How late an occurrence may start before it counts as missed (default 60). */
            misfire_grace_seconds?: number | null;
            /** @description Default `fire_once`. */
            misfire_policy?: components["schemas"]["MisfirePolicy"] | null;
            /** @description Display name: 1-100 characters (surrounding white space is trimmed), no control characters. */
            name: string;
            /** @description The task's own notification rules, each channel by its name (a channel of the tenant). `[]` removes them. */
            notify_rules?: {
                channel_name: string;
                /** @description `run.failed`, `run.recovered`, `run.slow`, `occurrence.skipped` or `deadline.missed`. */
                event: string;
                /** @description As `POST /{uuid}/notify-rules` takes it. */
                threshold?: number | null;
                /** @description As `POST /{uuid}/notify-rules` takes it (default 900). */
                throttle_seconds?: number | null;
            }[] | null;
            /** @description Default `skip`. */
            overlap_policy?: components["schemas"]["OverlapPolicy"] | null;
            /** @description Retries after a failed attempt; null or absent: 3 retries 60 s apart. */
            retry_policy?: components["schemas"]["RetryPolicyRequest"] | null;
            /** @description Longest one attempt may run (default 30 for `api_call`, 60 for `python_script`). The deployment may allow less than the schema's maximum: at most `SUNDIAL_MAX_TIMEOUT_SECONDS` (default 3600), else 422 `out_of_range` naming that maximum. */
            timeout_seconds?: number | null;
        } & (components["schemas"]["Trigger"] & components["schemas"]["TaskWork"]);
        /** @description Task definitions, exactly as `POST /import` and `POST /apply` take them. */
        ExportResponse: {
            /**
             * @description The definitions, ordered by code. Secret header and query values are masked as in
             *     `GET /{uuid}`.
             */
            tasks: components["schemas"]["ExportedTask"][];
        };
        /** @description One field that differs. */
        FieldChange: {
            /** @description How it differs. */
            change: components["schemas"]["FieldChangeKind"];
            /**
             * @description The field's path in the definition, e.g. `trigger_config.cron` or
             *     `task_config.headers.authorization`.
             */
            field: string;
            /**
             * @description Its value in `from` (absent when added). Secret values are masked: a changed secret
             *     is listed even when both masks read the same.
             */
            from_value?: Record<string, never> | null;
            /** @description Its value in `to` (absent when removed), masked the same way. */
            to_value?: Record<string, never> | null;
        };
        /**
         * @description How one field differs between two versions.
         * @enum {string}
         */
        FieldChangeKind: "added" | "removed" | "changed";
        /**
         * @description The code of a field error:
         *     - `required`: The field is missing (or null where a value is required).
         *     - `invalid_type`: The value has the wrong JSON type; `expected` names the right one.
         *     - `too_short`: The text is shorter than `min` characters (`min` 1: it is empty or blank).
         *     - `too_long`: The text is longer than `max` characters (or bytes, as the message says).
         *     - `too_few`: The list or object has fewer than `min` items.
         *     - `too_many`: The list or object has more than `max` items.
         *     - `out_of_range`: The number or instant lies outside `min`..`max` (either may be absent).
         *     - `not_one_of`: The value is not one of `allowed`.
         *     - `invalid_format`: The text does not have the required form (a code's alphabet, an RFC 3339 instant, a URL, a header or variable name).
         *     - `invalid_cron`: The cron expression does not parse, or never matches.
         *     - `unknown_timezone`: The time zone is not an IANA zone name.
         *     - `in_the_past`: The instant has already passed.
         *     - `no_future_occurrence`: The trigger has no occurrence left (a date that has passed), so the task cannot be active.
         *     - `jitter_too_large`: `jitter_seconds` is not less than the trigger's shortest period, `period` seconds.
         *     - `too_frequent`: The trigger fires more often than the deployment's minimum interval, `min` seconds.
         *     - `egress_refused`: The URL is refused by the egress policy on its face.
         *     - `reserved`: The header or variable name is set by Sundial, or reserved for it.
         *     - `duplicate`: The name is given twice (header names are case-insensitive).
         *     - `masked_secret`: A masked placeholder (`••••…`) stands for no stored value; send the real value.
         *     - `unknown_field`: The field does not exist in this request (400).
         *     - `forbidden_field`: Only the server sets this field (400).
         *     - `duplicate_code`: A live task of the tenant has this code (409).
         *     - `args_not_accepted`: The task cannot take run arguments: an `api_call` gets them merged into its JSON body, so it needs method POST, PUT or PATCH and a `data` that is a JSON object (or none).
         *     - `unknown_task`: No live task of the tenant has this uuid (a chain's child).
         *     - `unknown_channel`: No channel of the tenant has this name (an import's or apply's rule) or uuid (a rule's `channel`).
         *     - `chain_cycle`: The chain would lead back to the task it starts from.
         *     - `email_unavailable`: The channel is an email channel, and the deployment has no SMTP relay to send it through.
         *     - `invalid`: Any other problem; the message says what.
         * @enum {string}
         */
        FieldErrorCode: "required" | "invalid_type" | "too_short" | "too_long" | "too_few" | "too_many" | "out_of_range" | "not_one_of" | "invalid_format" | "invalid_cron" | "unknown_timezone" | "in_the_past" | "no_future_occurrence" | "jitter_too_large" | "too_frequent" | "egress_refused" | "reserved" | "duplicate" | "masked_secret" | "unknown_field" | "forbidden_field" | "duplicate_code" | "args_not_accepted" | "unknown_task" | "unknown_channel" | "chain_cycle" | "email_unavailable" | "invalid";
        /** @description Up or down, nothing more: these routes need no token. */
        Health: {
            /** @description `ok`, or `unavailable` (with a 503). */
            status: string;
        };
        /**
         * @description The method of an `api_call` (read case-insensitively, answered in capitals).
         * @enum {string}
         */
        HttpMethod: "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD" | "OPTIONS";
        /** @description Tasks to create at once, all or nothing; the whole body stays under 1 MiB. */
        ImportRequest: {
            tasks: components["schemas"]["ExportedTask"][];
        };
        /** @description The tasks an import created. */
        ImportResponse: {
            /** @description How many. */
            created: number;
            /** @description Their uuids, in the order of the request. */
            uuids: string[];
        };
        IntervalTrigger: {
            trigger_config: components["schemas"]["IntervalTriggerConfig"];
            /** @enum {string} */
            trigger_type: "interval";
        };
        /** @description A fixed-rate trigger. */
        IntervalTriggerConfig: {
            /**
             * Format: date-time
             * @description No occurrence after this instant; after `start_at` and in the future when set. Between 1970-01-01T00:00:00Z and 2999-12-31T23:59:59Z.
             */
            end_at?: string | null;
            /** @description Upper bound of a deterministic delay per occurrence; less than the trigger's shortest period (an interval's `seconds`; for a cron, the smallest gap between two of its times of day). */
            jitter_seconds?: number | null;
            /** @description The period, at a fixed rate anchored at `start_at` (default: creation). The deployment may require a longer one (`SUNDIAL_TENANT_MIN_INTERVAL_SECONDS`). */
            seconds: number;
            /**
             * Format: date-time
             * @description No occurrence before this instant. Between 1970-01-01T00:00:00Z and 2999-12-31T23:59:59Z.
             */
            start_at?: string | null;
        };
        /**
         * @description How a task's latest run ended, in the original design's words: `success` (it succeeded), `failed` (it failed or timed out) or `cancelled`. The detail is in `last_run_outcome`.
         * @enum {string}
         */
        LastRunStatus: "success" | "failed" | "cancelled";
        /**
         * @description A `last_run_status` to filter by: the design's `success`, `failed` (failed or timed out) and `cancelled`, the detailed `succeeded` and `timed_out`, or `none` (no run has ended yet).
         * @enum {string}
         */
        LastRunStatusFilter: "success" | "failed" | "cancelled" | "succeeded" | "timed_out" | "none";
        /**
         * Format: int64
         * @description A position in a run's log: lines after it come next. Increasing, not contiguous.
         * @default 0
         */
        LogCursor: number;
        /** @description One line of a run's log. */
        LogLineResponse: {
            /**
             * Format: int32
             * @description Attempt that wrote it.
             */
            attempt: number;
            /** @description The text. */
            line: string;
            /**
             * Format: int64
             * @description Order within the attempt.
             */
            seq: number;
            /** @description Which output the line came from. */
            stream: components["schemas"]["LogStream"];
            /**
             * Format: date-time
             * @description When.
             */
            ts: string;
        };
        /**
         * @description Most lines per page.
         * @default 1000
         */
        LogPageLimit: number;
        /**
         * @description Which output a log line came from.
         * @enum {string}
         */
        LogStream: "stdout" | "stderr" | "system";
        /**
         * @description What happens to occurrences missed by more than `misfire_grace_seconds`: `fire_once` runs the most recent once (the default), `skip` skips them all, `fire_all` runs each (at most 100).
         * @enum {string}
         */
        MisfirePolicy: "fire_once" | "skip" | "fire_all";
        /** @description One instant a trigger fires at. */
        Occurrence: {
            /**
             * Format: date-time
             * @description The instant (UTC).
             */
            at: string;
            /** @description Whether the offset changes (a DST transition) during that local day. */
            dst_transition_day: boolean;
            /** @description The wall-clock time in the trigger's zone, e.g. `2026-03-08T03:00:00-04:00[America/New_York]`. */
            local: string;
            /** @description The offset from UTC in force then, e.g. `-04:00`. */
            utc_offset: string;
        };
        /**
         * @description What happens when an occurrence comes due while a run of the task is still running: `skip` records it as skipped (the default), `allow` runs both, `queue_one` keeps at most one waiting, `replace` cancels the running one.
         * @enum {string}
         */
        OverlapPolicy: "skip" | "allow" | "queue_one" | "replace";
        /**
         * @description Page, from 1.
         * @default 1
         */
        PageNumber: number;
        /** @description One page of a list. */
        PageResponse_AuditEntryResponse: {
            /** @description Rows of this page. */
            items: {
                /** @description The change. */
                action: components["schemas"]["AuditAction"];
                /** @description Who did it (token subject). */
                actor: string;
                /**
                 * Format: date-time
                 * @description When.
                 */
                at: string;
                /**
                 * @description Extra facts: `cancelled_runs` (a stop or delete), `via: "apply"` (written by
                 *     `POST /apply`), `restored_from` (a restore), `deleted_at` (a deleted task restored),
                 *     `run_uuid` (a run action).
                 */
                detail: Record<string, never> | null;
                /** @description The task's code (its current one; a deleted task's last). */
                task_code: string;
                /**
                 * Format: uuid
                 * @description The task it concerns.
                 */
                task_uuid: string;
                /**
                 * Format: int64
                 * @description The task's version after it.
                 */
                version: number;
            }[];
            /**
             * Format: int32
             * @description This page, from 1.
             */
            page: number;
            /**
             * Format: int32
             * @description Rows per page.
             */
            page_size: number;
            /**
             * Format: int64
             * @description Rows in the whole filtered list.
             */
            total: number;
        };
        /** @description One page of a list. */
        PageResponse_DeletedTaskResponse: {
            /** @description Rows of this page. */
            items: (components["schemas"]["TaskResponse"] & {
                /**
                 * Format: date-time
                 * @description When it was deleted.
                 */
                deleted_at: string;
                /** @description Who deleted it (token subject). */
                deleted_by: string;
            })[];
            /**
             * Format: int32
             * @description This page, from 1.
             */
            page: number;
            /**
             * Format: int32
             * @description Rows per page.
             */
            page_size: number;
            /**
             * Format: int64
             * @description Rows in the whole filtered list.
             */
            total: number;
        };
        /** @description One page of a list. */
        PageResponse_RunResponse: {
            /** @description Rows of this page. */
            items: {
                /**
                 * @description The arguments a manual run was started with (`POST /{uuid}/run {"args": …}`), which
                 *     its attempts execute in place of the task's own `args`; `null` for a run without.
                 */
                args: Record<string, never> | null;
                /**
                 * @description `true` when a page of runs left this run's `args` out (`null`) to stay within the
                 *     answer's size bound, after the results of older runs; `GET /runs/{run_uuid}` has them.
                 *     Absent otherwise.
                 */
                args_omitted?: boolean | null;
                /**
                 * Format: int32
                 * @description Current attempt, from 1.
                 */
                attempt: number;
                /**
                 * Format: int64
                 * @description Duration of the last attempt.
                 */
                duration_ms: number | null;
                /** @description Error of the last attempt. */
                error: string | null;
                /**
                 * Format: date-time
                 * @description End.
                 */
                finished_at: string | null;
                /**
                 * @description The run's newest log lines (at most 200), in the order they were written; in
                 *     `/{uuid}/logs` and `/runs/{run_uuid}` only.
                 */
                logs?: components["schemas"]["LogLineResponse"][] | null;
                /**
                 * Format: date-time
                 * @description When the tenant's stored log budget (`SUNDIAL_TENANT_LOG_BUDGET_BYTES`) deleted this
                 *     run's log, oldest runs first; its log then holds one system line saying so. `null`
                 *     while the run has its log.
                 */
                logs_pruned_at: string | null;
                /**
                 * @description Whether the run has older log lines than `logs` holds; the whole log is paged at
                 *     `GET /runs/{run_uuid}/logs`. Present with `logs` only.
                 */
                logs_truncated?: boolean | null;
                /**
                 * Format: int32
                 * @description Attempts allowed: the task's retries plus one, plus one per rescue and requeue (neither
                 *     uses up a retry).
                 */
                max_attempts: number;
                /**
                 * Format: date-time
                 * @description When the next attempt is due, for a run `queued` to be tried again after a failed
                 *     attempt (as its retry policy says) or after one lost with its node or handed back at
                 *     shutdown (at once); `null` for any other run.
                 */
                next_attempt_at: string | null;
                /**
                 * Format: int64
                 * @description Occurrences this row stands for (more than 1 for a collapsed range of skips).
                 */
                occurrences: number;
                parent: components["schemas"]["ParentRunResponse"] | null;
                /**
                 * Format: date-time
                 * @description Queue instant.
                 */
                queued_at: string;
                /**
                 * Format: int32
                 * @description Attempts a graceful shutdown handed back to the queue and run again.
                 */
                requeues: number;
                /**
                 * Format: int32
                 * @description Attempts lost with their node (killed, crashed) and run again; at most
                 *     `SUNDIAL_MAX_RESCUES`.
                 */
                rescues: number;
                /** @description Result of the last attempt (any JSON). */
                result: unknown;
                /**
                 * @description `true` when a page of runs left this run's `result` out (`null`) to stay within the
                 *     answer's size bound (older runs first); `GET /runs/{run_uuid}` has it. Absent otherwise.
                 */
                result_omitted?: boolean | null;
                /**
                 * Format: date-time
                 * @description The occurrence's scheduled instant.
                 */
                scheduled_for: string;
                /** @description Why it was skipped (null unless `skipped`). */
                skip_reason: components["schemas"]["SkipReason"] | null;
                /**
                 * Format: date-time
                 * @description Start of the current or last attempt.
                 */
                started_at: string | null;
                /** @description The run's state. */
                status: components["schemas"]["RunStatus"];
                /**
                 * Format: uuid
                 * @description The task.
                 */
                task_uuid: string;
                /**
                 * Format: int64
                 * @description Task version executed.
                 */
                task_version: number;
                /** @description Why the run exists. */
                trigger: components["schemas"]["RunTrigger"];
                /**
                 * Format: uuid
                 * @description Run id; also the `Idempotency-Key` of its HTTP calls.
                 */
                uuid: string;
            }[];
            /**
             * Format: int32
             * @description This page, from 1.
             */
            page: number;
            /**
             * Format: int32
             * @description Rows per page.
             */
            page_size: number;
            /**
             * Format: int64
             * @description Rows in the whole filtered list.
             */
            total: number;
        };
        /** @description One page of a list. */
        PageResponse_TaskResponse: {
            /** @description Rows of this page. */
            items: {
                /** @description Per-tenant unique code. */
                code: string;
                /**
                 * Format: date-time
                 * @description Creation instant.
                 */
                created_at: string;
                /** @description Creator (token subject). */
                created_by: string;
                /** @description Description. */
                description: string | null;
                /** @description How a cron task behaves across DST changes; null for interval and date triggers, which are absolute instants. */
                dst_policy: components["schemas"]["DstPolicy"] | null;
                /** @description Function id the task runs under. */
                inngest_function_id: string;
                /** @description Whether the task fires. */
                is_active: boolean;
                /** @description Whether a run of it is running now. */
                is_running: boolean;
                /** @description The latest run's error. */
                last_error: string | null;
                /**
                 * Format: date-time
                 * @description When the latest run started.
                 */
                last_run_at: string | null;
                /**
                 * Format: int64
                 * @description How long the attempt `last_run_outcome` describes ran, in milliseconds; null before the
                 *     first attempt ended.
                 */
                last_run_duration_ms: number | null;
                /** @description How the latest run ended, in detail; null before the first run ended. */
                last_run_outcome: components["schemas"]["RunOutcome"] | null;
                /** @description How the latest run ended, in the design's words: `success`, `failed` (failed or timed out) or `cancelled`; null before the first run ended. */
                last_run_status: components["schemas"]["LastRunStatus"] | null;
                /**
                 * Format: int32
                 * @description Misfire grace.
                 */
                misfire_grace_seconds: number;
                /** @description What happens to occurrences missed by more than the grace. */
                misfire_policy: components["schemas"]["MisfirePolicy"];
                /** @description Display name. */
                name: string;
                /**
                 * Format: date-time
                 * @description Next scheduled occurrence (RFC 3339, UTC).
                 */
                next_run_at: string | null;
                /** @description What happens when an occurrence comes due while a run is still running. */
                overlap_policy: components["schemas"]["OverlapPolicy"];
                /** @description How the task's latest runs ended, newest first: one entry per run that ended for good (a run waiting for its retry is not in it yet; skipped occurrences never are), at most 10. Kept from the runs that ended since the server had this field, even after retention deleted them. */
                recent_outcomes: components["schemas"]["RunOutcome"][];
                /** @description Retries after a failed attempt. */
                retry_policy: components["schemas"]["RetryPolicy"];
                schedule_notice: components["schemas"]["ScheduleNoticeResponse"] | null;
                /** @description Canonical task configuration, of the shape `type` names. Secret header and query values (names like Authorization, Cookie, *token*, *key*, *secret*, *password*, *auth*) are masked as `••••` plus, for values of 12 characters or more, their last two; sending a mask back in an update keeps the stored value. */
                task_config: components["schemas"]["TaskConfig"];
                /**
                 * Format: int64
                 * @description Owning tenant.
                 */
                tenant_id: number;
                /**
                 * Format: int32
                 * @description Timeout of one attempt.
                 */
                timeout_seconds: number;
                /** @description IANA zone the trigger computes in. */
                timezone: string;
                /** @description Canonical trigger configuration, of the shape `trigger_type` names. */
                trigger_config: components["schemas"]["TriggerConfig"];
                /** @description When the task fires. */
                trigger_type: components["schemas"]["TriggerType"];
                /** @description What the task does. */
                type: components["schemas"]["TaskType"];
                /**
                 * Format: date-time
                 * @description Last change instant.
                 */
                updated_at: string;
                /** @description Last editor (token subject). */
                updated_by: string;
                /**
                 * Format: uuid
                 * @description External id.
                 */
                uuid: string;
                /**
                 * Format: int64
                 * @description Bumped on every change.
                 */
                version: number;
            }[];
            /**
             * Format: int32
             * @description This page, from 1.
             */
            page: number;
            /**
             * Format: int32
             * @description Rows per page.
             */
            page_size: number;
            /**
             * Format: int64
             * @description Rows in the whole filtered list.
             */
            total: number;
        };
        /** @description One page of a list. */
        PageResponse_TaskRunResponse: {
            /** @description Rows of this page. */
            items: (components["schemas"]["RunResponse"] & {
                /** @description Its task's code. */
                task_code: string;
                /** @description Its task's name. */
                task_name: string;
            })[];
            /**
             * Format: int32
             * @description This page, from 1.
             */
            page: number;
            /**
             * Format: int32
             * @description Rows per page.
             */
            page_size: number;
            /**
             * Format: int64
             * @description Rows in the whole filtered list.
             */
            total: number;
        };
        /** @description One page of a list. */
        PageResponse_VersionResponse: {
            /** @description Rows of this page. */
            items: {
                /** @description The change. */
                action: components["schemas"]["AuditAction"];
                /** @description Who (token subject). */
                actor: string;
                /**
                 * Format: date-time
                 * @description When.
                 */
                at: string;
                /** @description The definition after the change, secret values masked as in a task. */
                definition: Record<string, never>;
                /**
                 * Format: int64
                 * @description Version produced by the change.
                 */
                version: number;
            }[];
            /**
             * Format: int32
             * @description This page, from 1.
             */
            page: number;
            /**
             * Format: int32
             * @description Rows per page.
             */
            page_size: number;
            /**
             * Format: int64
             * @description Rows in the whole filtered list.
             */
            total: number;
        };
        /**
         * @description Rows per page.
         * @default 20
         */
        PageSize: number;
        /** @description The run that queued a chained run. */
        ParentRunResponse: {
            /**
             * Format: uuid
             * @description The parent run.
             */
            run_uuid: string;
            /** @description The run's state. */
            status: components["schemas"]["RunStatus"];
            /**
             * Format: uuid
             * @description Its task.
             */
            task_uuid: string;
        };
        /** @description A trigger to preview. */
        PreviewRequest: {
            /**
             * @description How many instants.
             * @default 5
             */
            count?: number | null;
            /**
             * Format: date-time
             * @description Instants strictly after this one (default now); between 1970-01-01T00:00:00Z and 2999-12-31T23:59:59Z.
             */
            from?: string | null;
        } & components["schemas"]["Trigger"];
        /** @description The next instants of a trigger. */
        PreviewResponse: {
            /** @description The instants, earliest first. */
            occurrences: components["schemas"]["Occurrence"][];
            /** @description The zone the trigger computes in. */
            timezone: string;
        };
        /** @description A problem+json body (RFC 9457) with Sundial's stable `code` and, for validation, the fields. */
        Problem: {
            /** @description Stable machine-readable code. */
            code: string;
            /** @description What went wrong in this request. */
            detail: string;
            /** @description Invalid fields, for validation problems. */
            errors?: components["schemas"]["ProblemField"][];
            /**
             * @description The request's id (also in the `X-Request-Id` response header); quote it when reporting
             *     a problem, it names the request in the service's logs.
             */
            request_id?: string | null;
            /**
             * Format: int32
             * @description HTTP status code.
             */
            status: number;
            /** @description Short summary of the problem kind. */
            title: string;
            /** @description A URN naming the problem kind. */
            type: string;
        };
        /**
         * @description One invalid field of a request: a stable `code` and its parameters, so a client can say it in its own words, and the server's English `message`.
         * @example {
         *       "code": "too_long",
         *       "field": "name",
         *       "max": 100,
         *       "message": "must be at most 100 characters"
         *     }
         */
        ProblemField: {
            /** @description The values allowed (`not_one_of`). */
            allowed?: string[];
            code: components["schemas"]["FieldErrorCode"];
            /** @description The JSON type the value must have (`invalid_type`). */
            expected?: string;
            /** @description Dotted path of the field, e.g. `trigger_config.cron` or `tasks[3].name`; empty for the whole body. */
            field: string;
            /** @description The upper bound, as `min`. */
            max?: number | string;
            /** @description What is wrong, in English. */
            message: string;
            /** @description The lower bound: a number, length or count; an RFC 3339 instant for a range of instants. */
            min?: number | string;
            /** @description The trigger's shortest period in seconds (`jitter_too_large`). */
            period?: number;
        };
        /** @description A Python script run in the sandbox. */
        PythonScriptConfig: {
            /** @description JSON handed to the script in `SUNDIAL_CONTEXT`: at most 64 KiB and 32 levels deep. */
            args?: unknown;
            /** @description Non-secret environment variables; `SUNDIAL_*`, `PYTHON*` and `LD_*` are reserved. */
            env?: {
                [key: string]: string;
            } | null;
            /** @description Python source: not blank, at most 64 KiB of UTF-8, no NUL. */
            script: string;
            /** @description The original design's place for the timeout; the task's own `timeout_seconds` wins. The deployment may allow less than the schema's maximum (`SUNDIAL_MAX_TIMEOUT_SECONDS`, default 3600). */
            timeout_seconds?: number | null;
        };
        PythonScriptTask: {
            task_config: components["schemas"]["PythonScriptConfig"];
            /** @enum {string} */
            type: "python_script";
        };
        /** @description How often and how far apart a failed run is tried again. */
        RetryPolicy: {
            backoff: components["schemas"]["Backoff"];
            /** @description Upper bound of any one delay; not less than `retry_delay_seconds`. */
            max_delay_seconds?: number | null;
            /**
             * @description Retries after the first attempt (0: none).
             * @default 3
             */
            max_retries: number;
            /**
             * @description Delay before the first retry.
             * @default 60
             */
            retry_delay_seconds: number;
        };
        /** @description How often and how far apart a failed run is tried again; a field left out takes its default. */
        RetryPolicyRequest: {
            backoff?: components["schemas"]["Backoff"];
            /** @description Upper bound of any one delay; not less than `retry_delay_seconds`. */
            max_delay_seconds?: number | null;
            /**
             * @description Retries after the first attempt (0: none).
             * @default 3
             */
            max_retries?: number;
            /**
             * @description Delay before the first retry.
             * @default 60
             */
            retry_delay_seconds?: number;
        };
        /** @description A rotation of a webhook channel's signing key. */
        RotateRequest: {
            /**
             * Format: int64
             * @description How long the current key keeps signing alongside the new one, in seconds (default
             *     86400, at most 604800; 0 ends it at once).
             */
            grace_seconds?: number | null;
        };
        /** @description A rule to create. */
        RuleRequest: {
            /**
             * Format: uuid
             * @description The channel notices go to.
             */
            channel: string;
            /**
             * @description `run.failed`, `run.recovered`, `run.slow`, `occurrence.skipped` or `deadline.missed`.
             * @example run.failed
             */
            event: string;
            /**
             * Format: int64
             * @description `run.failed`: notify from this many consecutive failures on (1-1000, default 1);
             *     `run.slow`: the duration in milliseconds a run must exceed (required). Not allowed
             *     for the other events.
             */
            threshold?: number | null;
            /**
             * Format: int64
             * @description At most one notice per task and rule within this many seconds (60-604800, default
             *     900).
             */
            throttle_seconds?: number | null;
        };
        /**
         * @description A rule routing a task's (or, as a tenant default, every task's without rules of its own)
         *     events of one kind to a channel.
         */
        RuleResponse: {
            /**
             * Format: uuid
             * @description The channel.
             */
            channel: string;
            /**
             * Format: date-time
             * @description When it was created.
             */
            created_at: string;
            /** @description Who created it. */
            created_by: string;
            /** @description The event kind. */
            event: string;
            /** @description The task it is for; `null` for a tenant default. */
            task_uuid?: string | null;
            /**
             * Format: int64
             * @description See the request.
             */
            threshold?: number | null;
            /**
             * Format: int64
             * @description The throttle window.
             */
            throttle_seconds: number;
            /**
             * Format: uuid
             * @description Its id.
             */
            uuid: string;
        };
        /** @description The runs scheduled within one bucket of time. */
        RunBucketResponse: {
            /** @description How many runs are in each state (skipped occurrences each count). */
            counts: components["schemas"]["RunStatsResponse"];
            /**
             * Format: int64
             * @description Mean duration of the bucket's runs that ran (ended attempts), in milliseconds; null when
             *     none did.
             */
            duration_avg_ms: number | null;
            /**
             * Format: int64
             * @description Longest duration among them, in milliseconds.
             */
            duration_max_ms: number | null;
            /**
             * Format: date-time
             * @description Start of the bucket; it ends where the next begins.
             */
            start: string;
        };
        /** @description The chained runs a run queued. */
        RunChildrenResponse: {
            /** @description The runs, oldest first (each names this run as its `parent`). */
            items: components["schemas"]["RunResponse"][];
        };
        /** @description A page of one run's whole log. */
        RunLogPageResponse: {
            /** @description Whether more lines follow already; when false, a live run may still write more. */
            has_more: boolean;
            /** @description The lines after `after_seq`, in the order they were written. */
            lines: components["schemas"]["LogLineResponse"][];
            /**
             * Format: int64
             * @description Pass it as `after_seq` to read on after these lines (the same value when there are none).
             */
            next_after_seq: number;
            /**
             * Format: uuid
             * @description The run.
             */
            run_uuid: string;
            /** @description The run's state. */
            status: components["schemas"]["RunStatus"];
        };
        /**
         * @description Body of `POST /{uuid}/run`; leaving it out (or `{}`) runs the task as configured.
         * @example {
         *       "args": {
         *         "date": "2026-12-01",
         *         "dry_run": true
         *       }
         *     }
         */
        RunNowRequest: {
            /**
             * @description Arguments for this run only, in place of the task's own: a JSON object of at most
             *     65536 bytes serialized. A `python_script` reads them as `args` in `SUNDIAL_CONTEXT`; an
             *     `api_call` with method POST, PUT or PATCH gets them merged at the top level of its JSON
             *     body (`data`, which must then be an object or absent), a key in both taking the run's
             *     value. Other `api_call` methods send no body and refuse arguments (422
             *     `args_not_accepted`).
             */
            args?: Record<string, never> | null;
        };
        /**
         * @description How a run ended: `succeeded`, `failed`, `timed_out` or `cancelled`.
         * @enum {string}
         */
        RunOutcome: "succeeded" | "failed" | "timed_out" | "cancelled";
        /**
         * @description A `last_run_outcome` to filter by: `succeeded`, `failed`, `timed_out`, `cancelled`, or `none` (no run has ended yet).
         * @enum {string}
         */
        RunOutcomeFilter: "succeeded" | "failed" | "timed_out" | "cancelled" | "none";
        /** @description One run of a task. */
        RunResponse: {
            /**
             * @description The arguments a manual run was started with (`POST /{uuid}/run {"args": …}`), which
             *     its attempts execute in place of the task's own `args`; `null` for a run without.
             */
            args: Record<string, never> | null;
            /**
             * @description `true` when a page of runs left this run's `args` out (`null`) to stay within the
             *     answer's size bound, after the results of older runs; `GET /runs/{run_uuid}` has them.
             *     Absent otherwise.
             */
            args_omitted?: boolean | null;
            /**
             * Format: int32
             * @description Current attempt, from 1.
             */
            attempt: number;
            /**
             * Format: int64
             * @description Duration of the last attempt.
             */
            duration_ms: number | null;
            /** @description Error of the last attempt. */
            error: string | null;
            /**
             * Format: date-time
             * @description End.
             */
            finished_at: string | null;
            /**
             * @description The run's newest log lines (at most 200), in the order they were written; in
             *     `/{uuid}/logs` and `/runs/{run_uuid}` only.
             */
            logs?: components["schemas"]["LogLineResponse"][] | null;
            /**
             * Format: date-time
             * @description When the tenant's stored log budget (`SUNDIAL_TENANT_LOG_BUDGET_BYTES`) deleted this
             *     run's log, oldest runs first; its log then holds one system line saying so. `null`
             *     while the run has its log.
             */
            logs_pruned_at: string | null;
            /**
             * @description Whether the run has older log lines than `logs` holds; the whole log is paged at
             *     `GET /runs/{run_uuid}/logs`. Present with `logs` only.
             */
            logs_truncated?: boolean | null;
            /**
             * Format: int32
             * @description Attempts allowed: the task's retries plus one, plus one per rescue and requeue (neither
             *     uses up a retry).
             */
            max_attempts: number;
            /**
             * Format: date-time
             * @description When the next attempt is due, for a run `queued` to be tried again after a failed
             *     attempt (as its retry policy says) or after one lost with its node or handed back at
             *     shutdown (at once); `null` for any other run.
             */
            next_attempt_at: string | null;
            /**
             * Format: int64
             * @description Occurrences this row stands for (more than 1 for a collapsed range of skips).
             */
            occurrences: number;
            parent: components["schemas"]["ParentRunResponse"] | null;
            /**
             * Format: date-time
             * @description Queue instant.
             */
            queued_at: string;
            /**
             * Format: int32
             * @description Attempts a graceful shutdown handed back to the queue and run again.
             */
            requeues: number;
            /**
             * Format: int32
             * @description Attempts lost with their node (killed, crashed) and run again; at most
             *     `SUNDIAL_MAX_RESCUES`.
             */
            rescues: number;
            /** @description Result of the last attempt (any JSON). */
            result: unknown;
            /**
             * @description `true` when a page of runs left this run's `result` out (`null`) to stay within the
             *     answer's size bound (older runs first); `GET /runs/{run_uuid}` has it. Absent otherwise.
             */
            result_omitted?: boolean | null;
            /**
             * Format: date-time
             * @description The occurrence's scheduled instant.
             */
            scheduled_for: string;
            /** @description Why it was skipped (null unless `skipped`). */
            skip_reason: components["schemas"]["SkipReason"] | null;
            /**
             * Format: date-time
             * @description Start of the current or last attempt.
             */
            started_at: string | null;
            /** @description The run's state. */
            status: components["schemas"]["RunStatus"];
            /**
             * Format: uuid
             * @description The task.
             */
            task_uuid: string;
            /**
             * Format: int64
             * @description Task version executed.
             */
            task_version: number;
            /** @description Why the run exists. */
            trigger: components["schemas"]["RunTrigger"];
            /**
             * Format: uuid
             * @description Run id; also the `Idempotency-Key` of its HTTP calls.
             */
            uuid: string;
        };
        /** @description Run counts over time. */
        RunStatsOverTimeResponse: {
            /** @description The bucket width, as asked. */
            bucket: string;
            /** @description One entry per bucket from `from`, oldest first, empty buckets included. */
            buckets: components["schemas"]["RunBucketResponse"][];
            /**
             * Format: date-time
             * @description Start of the range (of the first bucket).
             */
            from: string;
            /**
             * Format: date-time
             * @description End of the range (exclusive).
             */
            to: string;
        };
        /** @description Counts of a task's runs by state. */
        RunStatsResponse: {
            /**
             * Format: int64
             * @description Cancelled.
             */
            cancelled: number;
            /**
             * Format: int64
             * @description Failed.
             */
            failed: number;
            /**
             * Format: int64
             * @description Waiting.
             */
            queued: number;
            /**
             * Format: int64
             * @description Running.
             */
            running: number;
            /**
             * Format: int64
             * @description Skipped.
             */
            skipped: number;
            /**
             * Format: int64
             * @description Succeeded.
             */
            succeeded: number;
            /**
             * Format: int64
             * @description Timed out.
             */
            timed_out: number;
            /**
             * Format: int64
             * @description All occurrences.
             */
            total: number;
        };
        /**
         * @description The state of a run.
         * @enum {string}
         */
        RunStatus: "queued" | "running" | "succeeded" | "failed" | "timed_out" | "cancelled" | "skipped";
        /**
         * @description Why a run exists.
         * @enum {string}
         */
        RunTrigger: "schedule" | "manual" | "catch_up" | "chain";
        /**
         * @description The reason of a [`ScheduleNoticeResponse`].
         * @enum {string}
         */
        ScheduleNoticeReason: "cron_rules_changed" | "out_of_bounds" | "timeout_capped";
        /** @description Why a task's schedule changed without an edit by its owner. */
        ScheduleNoticeResponse: {
            /** @description What changed, in words, for the task's owner. */
            message: string;
            /**
             * Format: date-time
             * @description The next occurrence as computed when noticed (RFC 3339, UTC; null: none).
             */
            next_run_at: string | null;
            /**
             * Format: date-time
             * @description When it was noticed.
             */
            noticed_at: string;
            /**
             * Format: date-time
             * @description The next occurrence stored before (RFC 3339, UTC; null: none).
             */
            previous_next_run_at: string | null;
            /**
             * @description `cron_rules_changed`: the next occurrence moved with the corrected (Vixie cron) day and
             *     fixed-time rules, and the task now follows the new one. `out_of_bounds`: an instant
             *     after the supported range or a jitter not shorter than the trigger's period; the task
             *     runs as stored, and an edit of its trigger must bring them within bounds.
             *     `timeout_capped`: `timeout_seconds` is above the deployment's maximum; runs stop at the
             *     maximum, and the next edit must bring it within.
             */
            reason: components["schemas"]["ScheduleNoticeReason"];
        };
        /**
         * @description Why an occurrence was skipped.
         * @enum {string}
         */
        SkipReason: "overlap" | "misfire" | "quota" | "stopped";
        /** @description Execution state of a task. */
        StatusResponse: {
            current_run: components["schemas"]["RunResponse"] | null;
            /** @description Whether it fires. */
            is_active: boolean;
            /** @description Whether a run is running. */
            is_running: boolean;
            /** @description Error of the latest run. */
            last_error: string | null;
            /**
             * Format: date-time
             * @description Start of the latest run.
             */
            last_run_at: string | null;
            /** @description How the latest run ended, in detail; null before the first run ended. */
            last_run_outcome: components["schemas"]["RunOutcome"] | null;
            /** @description How the latest run ended, in the design's words: `success`, `failed` (failed or timed out) or `cancelled`; null before the first run ended. */
            last_run_status: components["schemas"]["LastRunStatus"] | null;
            latest_run: components["schemas"]["RunResponse"] | null;
            /**
             * Format: date-time
             * @description Next occurrence.
             */
            next_run_at: string | null;
            /** @description Counts by state. */
            stats: components["schemas"]["RunStatsResponse"];
        };
        /** @description The task's configuration, of the shape its `type` names. */
        TaskConfig: components["schemas"]["ApiCallConfig"] | components["schemas"]["PythonScriptConfig"];
        /** @description An update. `PUT`: each field sent replaces the stored one and `null` resets an optional field to its default (a required one is a 422); a `trigger_config` of the stored trigger type that does not mention `timezone` keeps the stored zone, so `{"trigger_config": {"cron": "0 9 * * *"}}` does not move the task to UTC. `PATCH` (`application/merge-patch+json`, RFC 7396): objects merge at every depth and `null` removes. Either way the fields the server maintains are ignored, a masked secret keeps the stored value, the result is validated as a whole like a create (400 for fields it may not have, else 422 naming every invalid field), and an update that changes nothing writes nothing and keeps the version. */
        TaskPatch: {
            /** @description Unique among the tenant's live tasks: letters, digits, `_`, `-` and `.`, starting with a letter or digit. */
            code?: string | null;
            /** @description Maintained by the server and ignored here, so the representation `GET` returns can be sent back as it is. */
            created_at?: unknown;
            /** @description Maintained by the server and ignored here, so the representation `GET` returns can be sent back as it is. */
            created_by?: unknown;
            /** @description Free text without NUL bytes; empty or null: none. */
            description?: string | null;
            /** @description Maintained by the server and ignored here, so the representation `GET` returns can be sent back as it is. */
            dst_policy?: unknown;
            /** @description Maintained by the server and ignored here, so the representation `GET` returns can be sent back as it is. */
            inngest_function_id?: unknown;
            /**
             * @description Whether the task fires.
             * @default true
             */
            is_active?: boolean | null;
            /** @description Maintained by the server and ignored here, so the representation `GET` returns can be sent back as it is. */
            is_running?: unknown;
            /** @description Maintained by the server and ignored here, so the representation `GET` returns can be sent back as it is. */
            last_error?: unknown;
            /** @description Maintained by the server and ignored here, so the representation `GET` returns can be sent back as it is. */
            last_run_at?: unknown;
            /** @description Maintained by the server and ignored here, so the representation `GET` returns can be sent back as it is. */
            last_run_duration_ms?: unknown;
            /** @description Maintained by the server and ignored here, so the representation `GET` returns can be sent back as it is. */
            last_run_outcome?: unknown;
            /** @description Maintained by the server and ignored here, so the representation `GET` returns can be sent back as it is. */
            last_run_status?: unknown;
            /** @description How late an occurrence may start before it counts as missed (default 60). */
            misfire_grace_seconds?: number | null;
            /** @description Default `fire_once`. */
            misfire_policy?: components["schemas"]["MisfirePolicy"] | null;
            /** @description Display name: 1-100 characters (surrounding white space is trimmed), no control characters. */
            name?: string | null;
            /** @description Maintained by the server and ignored here, so the representation `GET` returns can be sent back as it is. */
            next_run_at?: unknown;
            /** @description Default `skip`. */
            overlap_policy?: components["schemas"]["OverlapPolicy"] | null;
            /** @description Maintained by the server and ignored here, so the representation `GET` returns can be sent back as it is. */
            recent_outcomes?: unknown;
            /** @description Retries after a failed attempt; null or absent: 3 retries 60 s apart. */
            retry_policy?: components["schemas"]["RetryPolicyRequest"] | null;
            /** @description Maintained by the server and ignored here, so the representation `GET` returns can be sent back as it is. */
            schedule_notice?: unknown;
            /** @description Of the shape of the new `type`, or of the stored one when it is not sent. */
            task_config?: components["schemas"]["TaskConfig"] | null;
            /** @description Ignored when it is the caller's tenant (or null); another one is a 400. */
            tenant_id?: unknown;
            /** @description Longest one attempt may run (default 30 for `api_call`, 60 for `python_script`). The deployment may allow less than the schema's maximum: at most `SUNDIAL_MAX_TIMEOUT_SECONDS` (default 3600), else 422 `out_of_range` naming that maximum. */
            timeout_seconds?: number | null;
            /** @description Maintained by the server and ignored here, so the representation `GET` returns can be sent back as it is. */
            timezone?: unknown;
            /** @description Of the shape of the new `trigger_type`, or of the stored one when it is not sent. */
            trigger_config?: components["schemas"]["TriggerConfig"] | null;
            trigger_type?: components["schemas"]["TriggerType"] | null;
            type?: components["schemas"]["TaskType"] | null;
            /** @description Maintained by the server and ignored here, so the representation `GET` returns can be sent back as it is. */
            updated_at?: unknown;
            /** @description Maintained by the server and ignored here, so the representation `GET` returns can be sent back as it is. */
            updated_by?: unknown;
            /** @description Ignored when it is the task's own uuid (or null); another one is a 400. */
            uuid?: unknown;
            /** @description The version last read: the update applies only if the task is still at it (409 otherwise). */
            version?: number | null;
        };
        /**
         * @description A task definition. Only `name`, `code`, `type`, `trigger_type`, `trigger_config` and `task_config` are required; a field the server maintains (`uuid`, `tenant_id`, `next_run_at`, …) is a 400.
         * @example {
         *       "code": "daily-report",
         *       "description": "Posts the daily report",
         *       "is_active": true,
         *       "misfire_grace_seconds": 60,
         *       "misfire_policy": "fire_once",
         *       "name": "Daily report",
         *       "overlap_policy": "skip",
         *       "retry_policy": {
         *         "backoff": "fixed",
         *         "max_retries": 3,
         *         "retry_delay_seconds": 60
         *       },
         *       "task_config": {
         *         "data": {
         *           "key": "value"
         *         },
         *         "headers": {
         *           "Content-Type": "application/json"
         *         },
         *         "method": "POST",
         *         "url": "https://api.example.com/endpoint"
         *       },
         *       "timeout_seconds": 30,
         *       "trigger_config": {
         *         "cron": "0 0 * * *",
         *         "timezone": "Asia/Shanghai"
         *       },
         *       "trigger_type": "cron",
         *       "type": "api_call"
         *     }
         */
        TaskRequest: {
            /** @description Unique among the tenant's live tasks: letters, digits, `_`, `-` and `.`, starting with a letter or digit. */
            code: string;
            /** @description Free text without NUL bytes; empty or null: none. */
            description?: string | null;
            /**
             * @description Whether the task fires.
             * @default true
             */
            is_active?: boolean | null;
            /** @description How late an occurrence may start before it counts as missed (default 60). */
            misfire_grace_seconds?: number | null;
            /** @description Default `fire_once`. */
            misfire_policy?: components["schemas"]["MisfirePolicy"] | null;
            /** @description Display name: 1-100 characters (surrounding white space is trimmed), no control characters. */
            name: string;
            /** @description Default `skip`. */
            overlap_policy?: components["schemas"]["OverlapPolicy"] | null;
            /** @description Retries after a failed attempt; null or absent: 3 retries 60 s apart. */
            retry_policy?: components["schemas"]["RetryPolicyRequest"] | null;
            /** @description Longest one attempt may run (default 30 for `api_call`, 60 for `python_script`). The deployment may allow less than the schema's maximum: at most `SUNDIAL_MAX_TIMEOUT_SECONDS` (default 3600), else 422 `out_of_range` naming that maximum. */
            timeout_seconds?: number | null;
        } & (components["schemas"]["Trigger"] & components["schemas"]["TaskWork"]);
        /** @description A task as the API returns it. */
        TaskResponse: {
            /** @description Per-tenant unique code. */
            code: string;
            /**
             * Format: date-time
             * @description Creation instant.
             */
            created_at: string;
            /** @description Creator (token subject). */
            created_by: string;
            /** @description Description. */
            description: string | null;
            /** @description How a cron task behaves across DST changes; null for interval and date triggers, which are absolute instants. */
            dst_policy: components["schemas"]["DstPolicy"] | null;
            /** @description Function id the task runs under. */
            inngest_function_id: string;
            /** @description Whether the task fires. */
            is_active: boolean;
            /** @description Whether a run of it is running now. */
            is_running: boolean;
            /** @description The latest run's error. */
            last_error: string | null;
            /**
             * Format: date-time
             * @description When the latest run started.
             */
            last_run_at: string | null;
            /**
             * Format: int64
             * @description How long the attempt `last_run_outcome` describes ran, in milliseconds; null before the
             *     first attempt ended.
             */
            last_run_duration_ms: number | null;
            /** @description How the latest run ended, in detail; null before the first run ended. */
            last_run_outcome: components["schemas"]["RunOutcome"] | null;
            /** @description How the latest run ended, in the design's words: `success`, `failed` (failed or timed out) or `cancelled`; null before the first run ended. */
            last_run_status: components["schemas"]["LastRunStatus"] | null;
            /**
             * Format: int32
             * @description Misfire grace.
             */
            misfire_grace_seconds: number;
            /** @description What happens to occurrences missed by more than the grace. */
            misfire_policy: components["schemas"]["MisfirePolicy"];
            /** @description Display name. */
            name: string;
            /**
             * Format: date-time
             * @description Next scheduled occurrence (RFC 3339, UTC).
             */
            next_run_at: string | null;
            /** @description What happens when an occurrence comes due while a run is still running. */
            overlap_policy: components["schemas"]["OverlapPolicy"];
            /** @description How the task's latest runs ended, newest first: one entry per run that ended for good (a run waiting for its retry is not in it yet; skipped occurrences never are), at most 10. Kept from the runs that ended since the server had this field, even after retention deleted them. */
            recent_outcomes: components["schemas"]["RunOutcome"][];
            /** @description Retries after a failed attempt. */
            retry_policy: components["schemas"]["RetryPolicy"];
            schedule_notice: components["schemas"]["ScheduleNoticeResponse"] | null;
            /** @description Canonical task configuration, of the shape `type` names. Secret header and query values (names like Authorization, Cookie, *token*, *key*, *secret*, *password*, *auth*) are masked as `••••` plus, for values of 12 characters or more, their last two; sending a mask back in an update keeps the stored value. */
            task_config: components["schemas"]["TaskConfig"];
            /**
             * Format: int64
             * @description Owning tenant.
             */
            tenant_id: number;
            /**
             * Format: int32
             * @description Timeout of one attempt.
             */
            timeout_seconds: number;
            /** @description IANA zone the trigger computes in. */
            timezone: string;
            /** @description Canonical trigger configuration, of the shape `trigger_type` names. */
            trigger_config: components["schemas"]["TriggerConfig"];
            /** @description When the task fires. */
            trigger_type: components["schemas"]["TriggerType"];
            /** @description What the task does. */
            type: components["schemas"]["TaskType"];
            /**
             * Format: date-time
             * @description Last change instant.
             */
            updated_at: string;
            /** @description Last editor (token subject). */
            updated_by: string;
            /**
             * Format: uuid
             * @description External id.
             */
            uuid: string;
            /**
             * Format: int64
             * @description Bumped on every change.
             */
            version: number;
        };
        /** @description A run with the task it belongs to. */
        TaskRunResponse: components["schemas"]["RunResponse"] & {
            /** @description Its task's code. */
            task_code: string;
            /** @description Its task's name. */
            task_name: string;
        };
        /**
         * @description A field to sort by, `-` in front for descending.
         * @enum {string}
         */
        TaskSort: "created_at" | "-created_at" | "updated_at" | "-updated_at" | "name" | "-name" | "code" | "-code" | "next_run_at" | "-next_run_at" | "last_run_at" | "-last_run_at";
        /**
         * @description What a task does.
         * @enum {string}
         */
        TaskType: "api_call" | "python_script";
        /** @description `type` and the `task_config` of that type. */
        TaskWork: components["schemas"]["ApiCallTask"] | components["schemas"]["PythonScriptTask"];
        /**
         * @description A change to the caller's tenant's settings; fields left out stay as they are.
         * @example {
         *       "egress_allow": [
         *         "api.partner.example",
         *         "10.20.0.0/16:8443"
         *       ]
         *     }
         */
        TenantSettingsRequest: {
            /** @description The tenant's own egress allow-list: entries in the `SUNDIAL_EGRESS_ALLOW` syntax (a CIDR or host name with an optional port). It only narrows what the deployment allows. `null` removes the list; `[]` refuses every destination. */
            egress_allow?: string[] | null;
        };
        /** @description The caller's tenant's settings. */
        TenantSettingsResponse: {
            /** @description The tenant's egress allow-list in canonical form, or `null` when it has none. */
            egress_allow: string[] | null;
            /**
             * Format: int64
             * @description The tenant.
             */
            tenant_id: number;
            /**
             * Format: date-time
             * @description Last change (`null` if never set).
             */
            updated_at: string | null;
            /** @description Who made it (token subject). */
            updated_by: string | null;
        };
        /** @description `trigger_type` and the `trigger_config` of that type. */
        Trigger: components["schemas"]["CronTrigger"] | components["schemas"]["IntervalTrigger"] | components["schemas"]["DateTrigger"];
        /** @description The trigger's configuration, of the shape its `trigger_type` names. */
        TriggerConfig: components["schemas"]["CronTriggerConfig"] | components["schemas"]["IntervalTriggerConfig"] | components["schemas"]["DateTriggerConfig"];
        /**
         * @description When a task fires.
         * @enum {string}
         */
        TriggerType: "cron" | "interval" | "date";
        /** @description The difference between two versions of a task's definition. */
        VersionDiffResponse: {
            /** @description Every field that differs, by path; empty when the definitions are the same. */
            changes: components["schemas"]["FieldChange"][];
            /** @description The version compared from. */
            from: components["schemas"]["VersionSummary"];
            /** @description The version compared to. */
            to: components["schemas"]["VersionSummary"];
        };
        /** @description One entry of a task's version history. */
        VersionResponse: {
            /** @description The change. */
            action: components["schemas"]["AuditAction"];
            /** @description Who (token subject). */
            actor: string;
            /**
             * Format: date-time
             * @description When.
             */
            at: string;
            /** @description The definition after the change, secret values masked as in a task. */
            definition: Record<string, never>;
            /**
             * Format: int64
             * @description Version produced by the change.
             */
            version: number;
        };
        /** @description Who made a version and when. */
        VersionSummary: {
            /** @description The change. */
            action: components["schemas"]["AuditAction"];
            /** @description Who (token subject). */
            actor: string;
            /**
             * Format: date-time
             * @description When.
             */
            at: string;
            /**
             * Format: int64
             * @description The version.
             */
            version: number;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    create_task: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["TaskRequest"];
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TaskResponse"];
                };
            };
            /** @description Malformed JSON or a field that may not be sent */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Duplicate code */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Payload Too Large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Invalid task; `errors` names each field */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The tenant is at its task quota (`quota_exceeded`), or too many requests (`rate_limited`, with `Retry-After`) */
            429: {
                headers: {
                    /** @description Whole seconds until a request would be let through (at least 1) */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    get_task: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Task uuid */
                uuid: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    /** @description The task's version, quoted: `"3"`; send it as `If-Match` to make a write conditional */
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TaskResponse"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such task in your tenant */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests (`rate_limited`): of the tenant, the client, or the address of a request without a valid token; retry after `Retry-After` seconds */
            429: {
                headers: {
                    /** @description Whole seconds until a request would be let through (at least 1) */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    update_task: {
        parameters: {
            query?: never;
            header?: {
                /** @description Apply only if the task is at this `ETag` (or `*`); 412 otherwise */
                "If-Match"?: string | null;
            };
            path: {
                /** @description Task uuid */
                uuid: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["TaskPatch"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    /** @description The task's version after the update, quoted */
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TaskResponse"];
                };
            };
            /** @description Malformed JSON, an unknown field, or a `tenant_id` or `uuid` of another task */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Duplicate code or stale body `version` */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description `If-Match` names another version */
            412: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The updated task would be invalid; `errors` names each field */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests (`rate_limited`): of the tenant, the client, or the address of a request without a valid token; retry after `Retry-After` seconds */
            429: {
                headers: {
                    /** @description Whole seconds until a request would be let through (at least 1) */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    delete_task: {
        parameters: {
            query?: never;
            header?: {
                /** @description Delete only if the task is at this `ETag` (or `*`); 412 otherwise */
                "If-Match"?: string | null;
            };
            path: {
                /** @description Task uuid */
                uuid: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description `If-Match` names another version */
            412: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests (`rate_limited`): of the tenant, the client, or the address of a request without a valid token; retry after `Retry-After` seconds */
            429: {
                headers: {
                    /** @description Whole seconds until a request would be let through (at least 1) */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    patch_task: {
        parameters: {
            query?: never;
            header?: {
                /** @description Apply only if the task is at this `ETag` (or `*`); 412 otherwise */
                "If-Match"?: string | null;
            };
            path: {
                /** @description Task uuid */
                uuid: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/merge-patch+json": components["schemas"]["TaskPatch"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    /** @description The task's version after the update, quoted */
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TaskResponse"];
                };
            };
            /** @description Malformed JSON, an unknown field, or a `tenant_id` or `uuid` of another task */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Duplicate code or stale body `version` */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description `If-Match` names another version */
            412: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is not `application/merge-patch+json` (or `application/json`) */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The patched task would be invalid; `errors` names each field */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests (`rate_limited`): of the tenant, the client, or the address of a request without a valid token; retry after `Retry-After` seconds */
            429: {
                headers: {
                    /** @description Whole seconds until a request would be let through (at least 1) */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    get_chains: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Task uuid */
                uuid: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ChainsResponse"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests (`rate_limited`): of the tenant, the client, or the address of a request without a valid token; retry after `Retry-After` seconds */
            429: {
                headers: {
                    /** @description Whole seconds until a request would be let through (at least 1) */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    put_chains: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Task uuid */
                uuid: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ChainsRequest"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ChainsResponse"];
                };
            };
            /** @description Malformed JSON or an unknown field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A child that is not a live task of your tenant (`unknown_task`), one given twice (`duplicate`), one that would close a cycle (`chain_cycle`), an unknown `on`, more than 20 links */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests (`rate_limited`): of the tenant, the client, or the address of a request without a valid token; retry after `Retry-After` seconds */
            429: {
                headers: {
                    /** @description Whole seconds until a request would be let through (at least 1) */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    get_deadlines: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Task uuid */
                uuid: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DeadlinesResponse"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests (`rate_limited`): of the tenant, the client, or the address of a request without a valid token; retry after `Retry-After` seconds */
            429: {
                headers: {
                    /** @description Whole seconds until a request would be let through (at least 1) */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    put_deadlines: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Task uuid */
                uuid: string;
            };
            cookie?: never;
        };
        /** @description `{"deadlines": [{"every_seconds": 3600}, {"by": "07:00", "timezone": "Europe/Berlin", "days": "* * MON-FRI"}]}` */
        requestBody: {
            content: {
                "application/json": Record<string, never>;
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DeadlinesResponse"];
                };
            };
            /** @description Malformed JSON or an unknown field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description An invalid deadline; each error names its field, e.g. `deadlines[1].days` */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests (`rate_limited`): of the tenant, the client, or the address of a request without a valid token; retry after `Retry-After` seconds */
            429: {
                headers: {
                    /** @description Whole seconds until a request would be let through (at least 1) */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    task_logs: {
        parameters: {
            query?: {
                /** @description Page, from 1 (default 1). */
                page?: components["schemas"]["PageNumber"];
                /** @description Rows per page, 1-100 (default 20). */
                page_size?: components["schemas"]["PageSize"];
                /** @description Only this run. */
                run_uuid?: string;
                /** @description Only runs in this state. */
                status?: components["schemas"]["RunStatus"];
            };
            header?: never;
            path: {
                /** @description Task uuid */
                uuid: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PageResponse_RunResponse"];
                };
            };
            /** @description Bad Request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests (`rate_limited`): of the tenant, the client, or the address of a request without a valid token; retry after `Retry-After` seconds */
            429: {
                headers: {
                    /** @description Whole seconds until a request would be let through (at least 1) */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    list_task_rules: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Uuid of the task */
                uuid: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RuleResponse"][];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests (`rate_limited`): of the tenant, the client, or the address of a request without a valid token; retry after `Retry-After` seconds */
            429: {
                headers: {
                    /** @description Whole seconds until a request would be let through (at least 1) */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    create_task_rule: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Uuid of the task */
                uuid: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RuleRequest"];
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RuleResponse"];
                };
            };
            /** @description Malformed JSON or an unknown field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description An invalid field; `errors` names it (a channel that is not a live channel of your tenant: `channel`, code `unknown_channel`) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests (`rate_limited`): of the tenant, the client, or the address of a request without a valid token; retry after `Retry-After` seconds */
            429: {
                headers: {
                    /** @description Whole seconds until a request would be let through (at least 1) */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    restore_deleted: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Uuid of the deleted task */
                uuid: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The task, live and stopped */
            200: {
                headers: {
                    /** @description The task's version, quoted */
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TaskResponse"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No task of your tenant deleted within the retention period has this uuid (a live task included) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A live task has taken the deleted task's code (`duplicate_code`): rename or delete that one first */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The tenant already has its quota of live tasks (`quota_exceeded`), or too many requests (`rate_limited`, with `Retry-After`) */
            429: {
                headers: {
                    /** @description Whole seconds until a request would be let through (at least 1) */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    run_now: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Task uuid */
                uuid: string;
            };
            cookie?: never;
        };
        /** @description Optional; no body or `{}` runs the task as configured */
        requestBody?: {
            content: {
                "application/json": components["schemas"]["RunNowRequest"] | null;
            };
        };
        responses: {
            /** @description Queued */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RunResponse"];
                };
            };
            /** @description Malformed JSON or a field other than `args` */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Payload Too Large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description `args` is not a JSON object, is too large, or the task cannot take arguments */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests (`rate_limited`): of the tenant, the client, or the address of a request without a valid token; retry after `Retry-After` seconds */
            429: {
                headers: {
                    /** @description Whole seconds until a request would be let through (at least 1) */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    task_runs: {
        parameters: {
            query?: {
                /** @description Page, from 1 (default 1). */
                page?: components["schemas"]["PageNumber"];
                /** @description Rows per page, 1-100 (default 20). */
                page_size?: components["schemas"]["PageSize"];
                /** @description Only this run. */
                run_uuid?: string;
                /** @description Only runs in this state. */
                status?: components["schemas"]["RunStatus"];
            };
            header?: never;
            path: {
                /** @description Task uuid */
                uuid: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PageResponse_RunResponse"];
                };
            };
            /** @description Bad Request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests (`rate_limited`): of the tenant, the client, or the address of a request without a valid token; retry after `Retry-After` seconds */
            429: {
                headers: {
                    /** @description Whole seconds until a request would be let through (at least 1) */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    start_task: {
        parameters: {
            query?: never;
            header?: {
                /** @description Start only if the task is at this `ETag` (or `*`); 412 otherwise */
                "If-Match"?: string | null;
            };
            path: {
                /** @description Task uuid */
                uuid: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    /** @description The task's version, quoted */
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TaskResponse"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description `If-Match` names another version */
            412: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The trigger has no future occurrence */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests (`rate_limited`): of the tenant, the client, or the address of a request without a valid token; retry after `Retry-After` seconds */
            429: {
                headers: {
                    /** @description Whole seconds until a request would be let through (at least 1) */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    task_status: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Task uuid */
                uuid: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["StatusResponse"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests (`rate_limited`): of the tenant, the client, or the address of a request without a valid token; retry after `Retry-After` seconds */
            429: {
                headers: {
                    /** @description Whole seconds until a request would be let through (at least 1) */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    stop_task: {
        parameters: {
            query?: {
                /** @description `true`: also ask the task's running runs to stop (they end `cancelled`); `false`: running runs finish. */
                cancel_running?: boolean;
            };
            header?: {
                /** @description Stop only if the task is at this `ETag` (or `*`); 412 otherwise */
                "If-Match"?: string | null;
            };
            path: {
                /** @description Task uuid */
                uuid: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    /** @description The task's version, quoted */
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TaskResponse"];
                };
            };
            /** @description Invalid query parameter */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description `If-Match` names another version */
            412: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests (`rate_limited`): of the tenant, the client, or the address of a request without a valid token; retry after `Retry-After` seconds */
            429: {
                headers: {
                    /** @description Whole seconds until a request would be let through (at least 1) */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    task_versions: {
        parameters: {
            query?: {
                /** @description Page, from 1 (default 1). */
                page?: components["schemas"]["PageNumber"];
                /** @description Rows per page, 1-100 (default 20). */
                page_size?: components["schemas"]["PageSize"];
            };
            header?: never;
            path: {
                /** @description Task uuid */
                uuid: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PageResponse_VersionResponse"];
                };
            };
            /** @description Bad Request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests (`rate_limited`): of the tenant, the client, or the address of a request without a valid token; retry after `Retry-After` seconds */
            429: {
                headers: {
                    /** @description Whole seconds until a request would be let through (at least 1) */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    version_diff: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The version to compare from */
                from: number;
                /** @description The version to compare to */
                to: number;
                /** @description Task uuid */
                uuid: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["VersionDiffResponse"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such task in your tenant, or it has no such version (never had it, or no longer keeps it) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests (`rate_limited`): of the tenant, the client, or the address of a request without a valid token; retry after `Retry-After` seconds */
            429: {
                headers: {
                    /** @description Whole seconds until a request would be let through (at least 1) */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    restore_version: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Task uuid */
                uuid: string;
                /** @description The version to restore */
                version: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The task after the restore */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TaskResponse"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such task in your tenant, or it has no such version */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The version's code is now another live task's, or the task changed meanwhile */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The version's definition is no longer valid (e.g. its date is past); `errors` names each field */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests (`rate_limited`): of the tenant, the client, or the address of a request without a valid token; retry after `Retry-After` seconds */
            429: {
                headers: {
                    /** @description Whole seconds until a request would be let through (at least 1) */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    apply_tasks: {
        parameters: {
            query?: {
                /** @description `true`: answer what would happen, change nothing (default `false`). */
                dry_run?: boolean;
                /**
                 * @description `true`: also delete the live tasks whose code is not in the request (default `false`:
                 *     they are left alone).
                 */
                prune?: boolean;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ImportRequest"];
            };
        };
        responses: {
            /** @description Applied (or, with `dry_run=true`, what would be) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApplyResponse"];
                };
            };
            /** @description Malformed JSON, a field that may not be sent, or an invalid query parameter */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A task changed while the apply ran, or a code was taken meanwhile; nothing was written */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Payload Too Large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Invalid definitions; `errors` names each `tasks[i].field` */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The creates would take the tenant past its task quota (`quota_exceeded`), or too many requests (`rate_limited`, with `Retry-After`) */
            429: {
                headers: {
                    /** @description Whole seconds until a request would be let through (at least 1) */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    audit_log: {
        parameters: {
            query?: {
                /** @description The change. */
                action?: components["schemas"]["AuditAction"];
                /** @description Only entries by this actor (token subject), exactly. */
                actor?: string;
                /** @description Page, from 1 (default 1). */
                page?: components["schemas"]["PageNumber"];
                /** @description Rows per page, 1-100 (default 20). */
                page_size?: components["schemas"]["PageSize"];
                /** @description Only entries at or after this instant (RFC 3339). */
                since?: string;
                /** @description Only entries of this task (deleted tasks included). */
                task_uuid?: string;
                /** @description Only entries before this instant (RFC 3339). */
                until?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PageResponse_AuditEntryResponse"];
                };
            };
            /** @description Invalid query parameter; `errors` names each */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests (`rate_limited`): of the tenant, the client, or the address of a request without a valid token; retry after `Retry-After` seconds */
            429: {
                headers: {
                    /** @description Whole seconds until a request would be let through (at least 1) */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    batch_delete: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["BatchDeleteRequest"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BatchDeleteResponse"];
                };
            };
            /** @description Bad Request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unprocessable Entity */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests (`rate_limited`): of the tenant, the client, or the address of a request without a valid token; retry after `Retry-After` seconds */
            429: {
                headers: {
                    /** @description Whole seconds until a request would be let through (at least 1) */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    deadline_misses: {
        parameters: {
            query?: {
                /** @description How many, 1-500 (default 50). */
                limit?: string;
                /** @description Only this task's misses. */
                task_uuid?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DeadlineMissesResponse"];
                };
            };
            /** @description Invalid query parameter */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description `task_uuid` names no task of your tenant */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests (`rate_limited`): of the tenant, the client, or the address of a request without a valid token; retry after `Retry-After` seconds */
            429: {
                headers: {
                    /** @description Whole seconds until a request would be let through (at least 1) */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    deleted_tasks: {
        parameters: {
            query?: {
                /** @description Page, from 1 (default 1). */
                page?: components["schemas"]["PageNumber"];
                /** @description Rows per page, 1-100 (default 20). */
                page_size?: components["schemas"]["PageSize"];
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PageResponse_DeletedTaskResponse"];
                };
            };
            /** @description Invalid query parameter */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests (`rate_limited`): of the tenant, the client, or the address of a request without a valid token; retry after `Retry-After` seconds */
            429: {
                headers: {
                    /** @description Whole seconds until a request would be let through (at least 1) */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    export_tasks: {
        parameters: {
            query?: {
                /** @description Only the task with this code. */
                code?: string;
                /** @description Page, from 1 (default 1). */
                page?: number;
                /** @description Tasks per page, 1-1000 (default 1000: the most one import or apply takes). */
                page_size?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    /** @description `<…>; rel="next"`: the next page, while there is one */
                    Link?: string;
                    /** @description Tasks in the whole export */
                    "X-Total-Count"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ExportResponse"];
                };
            };
            /** @description Invalid query parameter */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests (`rate_limited`): of the tenant, the client, or the address of a request without a valid token; retry after `Retry-After` seconds */
            429: {
                headers: {
                    /** @description Whole seconds until a request would be let through (at least 1) */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    import_tasks: {
        parameters: {
            query?: {
                /** @description With `mode=apply`: as `POST /apply`'s. */
                dry_run?: boolean;
                /**
                 * @description `create` (the default): create every task. `apply`: create or update by `code`, exactly
                 *     as `POST /apply` (which also takes `dry_run` and `prune` then).
                 */
                mode?: string;
                /** @description With `mode=apply`: as `POST /apply`'s. */
                prune?: boolean;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ImportRequest"];
            };
        };
        responses: {
            /** @description With `mode=apply`: applied (or, with `dry_run=true`, what would be) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApplyResponse"];
                };
            };
            /** @description Created, uuids in request order */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ImportResponse"];
                };
            };
            /** @description Malformed JSON or a field that may not be sent */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A code is taken, in the tenant or twice in the request */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Payload Too Large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description An invalid task; `errors` names each `tasks[i].field` */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The tasks would take the tenant past its task quota (`quota_exceeded`), or too many requests (`rate_limited`, with `Retry-After`) */
            429: {
                headers: {
                    /** @description Whole seconds until a request would be let through (at least 1) */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    list_tasks: {
        parameters: {
            query?: {
                /** @description Code equals this. */
                code?: string;
                /** @description Only active or only inactive tasks. */
                is_active?: boolean;
                /** @description Name or code contains this, case-insensitively. */
                keyword?: string;
                /** @description Only tasks whose latest run ended exactly so; `none`: only tasks none of whose runs has ended yet. */
                last_run_outcome?: components["schemas"]["RunOutcomeFilter"];
                /** @description Only tasks whose latest run ended so: `success`, `failed` (failed or timed out) or `cancelled`; the detailed `succeeded` and `timed_out` are accepted too; `none`: only tasks none of whose runs has ended yet. */
                last_run_status?: components["schemas"]["LastRunStatusFilter"];
                /** @description Name contains this, case-insensitively. */
                name?: string;
                /** @description Page, from 1 (default 1). */
                page?: components["schemas"]["PageNumber"];
                /** @description Rows per page, 1-100 (default 20). */
                page_size?: components["schemas"]["PageSize"];
                /** @description A field to sort by, `-` in front for descending (default `-created_at`). */
                sort?: components["schemas"]["TaskSort"];
                /** @description Only tasks with this trigger type. */
                trigger_type?: components["schemas"]["TriggerType"];
                /** @description Only tasks of this type. */
                type?: components["schemas"]["TaskType"];
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PageResponse_TaskResponse"];
                };
            };
            /** @description Invalid query parameter */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests (`rate_limited`): of the tenant, the client, or the address of a request without a valid token; retry after `Retry-After` seconds */
            429: {
                headers: {
                    /** @description Whole seconds until a request would be let through (at least 1) */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    preview: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PreviewRequest"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PreviewResponse"];
                };
            };
            /** @description Bad Request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unprocessable Entity */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests (`rate_limited`): of the tenant, the client, or the address of a request without a valid token; retry after `Retry-After` seconds */
            429: {
                headers: {
                    /** @description Whole seconds until a request would be let through (at least 1) */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    search_runs: {
        parameters: {
            query?: {
                /** @description Only runs scheduled for this instant or later (RFC 3339). */
                from?: string;
                /** @description Page, from 1 (default 1). */
                page?: components["schemas"]["PageNumber"];
                /** @description Rows per page, 1-100 (default 20). */
                page_size?: components["schemas"]["PageSize"];
                /** @description Only runs in this state. */
                status?: components["schemas"]["RunStatus"];
                /** @description Only runs of the task with this code (instead of `task_uuid`). */
                task_code?: string;
                /** @description Only runs of the task with this uuid (none when the tenant has no such task). */
                task_uuid?: string;
                /** @description Only runs scheduled for before this instant (RFC 3339). */
                to?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PageResponse_TaskRunResponse"];
                };
            };
            /** @description Invalid query parameter */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description `to` is not later than `from` */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests (`rate_limited`): of the tenant, the client, or the address of a request without a valid token; retry after `Retry-After` seconds */
            429: {
                headers: {
                    /** @description Whole seconds until a request would be let through (at least 1) */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    get_run: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Run uuid */
                run_uuid: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RunResponse"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests (`rate_limited`): of the tenant, the client, or the address of a request without a valid token; retry after `Retry-After` seconds */
            429: {
                headers: {
                    /** @description Whole seconds until a request would be let through (at least 1) */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    cancel_run: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Run uuid */
                run_uuid: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RunResponse"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests (`rate_limited`): of the tenant, the client, or the address of a request without a valid token; retry after `Retry-After` seconds */
            429: {
                headers: {
                    /** @description Whole seconds until a request would be let through (at least 1) */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    run_children: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Run uuid */
                run_uuid: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RunChildrenResponse"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests (`rate_limited`): of the tenant, the client, or the address of a request without a valid token; retry after `Retry-After` seconds */
            429: {
                headers: {
                    /** @description Whole seconds until a request would be let through (at least 1) */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    run_log_page: {
        parameters: {
            query?: {
                /** @description Return the lines after this cursor: 0 (the default) for the start of the log, else the `next_after_seq` of the page before. */
                after_seq?: components["schemas"]["LogCursor"];
                /** @description Most lines to return, 1-10000 (default 1000). */
                limit?: components["schemas"]["LogPageLimit"];
            };
            header?: never;
            path: {
                /** @description Run uuid */
                run_uuid: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RunLogPageResponse"];
                };
            };
            /** @description `after_seq` or `limit` is invalid; `errors` names it */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests (`rate_limited`): of the tenant, the client, or the address of a request without a valid token; retry after `Retry-After` seconds */
            429: {
                headers: {
                    /** @description Whole seconds until a request would be let through (at least 1) */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    run_stats: {
        parameters: {
            query?: {
                /** @description Bucket width: `1m`, `5m`, `15m`, `1h` (default), `6h` or `1d`; buckets start at `from`. */
                bucket?: string;
                /** @description Start of the range (RFC 3339; default 24 hours before `to`). */
                from?: string;
                /** @description Only runs of the task with this code (instead of `task_uuid`). */
                task_code?: string;
                /** @description Only runs of the task with this uuid. */
                task_uuid?: string;
                /** @description End of the range, exclusive (RFC 3339; default now). */
                to?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RunStatsOverTimeResponse"];
                };
            };
            /** @description Invalid query parameter */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description `to` is not later than `from`, or the range holds more than 1,000 buckets */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests (`rate_limited`): of the tenant, the client, or the address of a request without a valid token; retry after `Retry-After` seconds */
            429: {
                headers: {
                    /** @description Whole seconds until a request would be let through (at least 1) */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    list_channels: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ChannelResponse"][];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests (`rate_limited`): of the tenant, the client, or the address of a request without a valid token; retry after `Retry-After` seconds */
            429: {
                headers: {
                    /** @description Whole seconds until a request would be let through (at least 1) */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    create_channel: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ChannelRequest"];
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ChannelResponse"];
                };
            };
            /** @description Malformed JSON or an unknown field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description An invalid field; `errors` names it (a URL the egress policy refuses included; an email channel where the deployment has no SMTP relay: `kind`, code `email_unavailable`) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests (`rate_limited`): of the tenant, the client, or the address of a request without a valid token; retry after `Retry-After` seconds */
            429: {
                headers: {
                    /** @description Whole seconds until a request would be let through (at least 1) */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    get_channel: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Uuid of the channel */
                uuid: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ChannelResponse"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests (`rate_limited`): of the tenant, the client, or the address of a request without a valid token; retry after `Retry-After` seconds */
            429: {
                headers: {
                    /** @description Whole seconds until a request would be let through (at least 1) */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    delete_channel: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Uuid of the channel */
                uuid: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests (`rate_limited`): of the tenant, the client, or the address of a request without a valid token; retry after `Retry-After` seconds */
            429: {
                headers: {
                    /** @description Whole seconds until a request would be let through (at least 1) */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    rotate_secret: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Uuid of the webhook channel */
                uuid: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RotateRequest"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ChannelResponse"];
                };
            };
            /** @description Malformed JSON or an unknown field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No webhook channel of your tenant has this uuid */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description `grace_seconds` out of range */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests (`rate_limited`): of the tenant, the client, or the address of a request without a valid token; retry after `Retry-After` seconds */
            429: {
                headers: {
                    /** @description Whole seconds until a request would be let through (at least 1) */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    list_deliveries: {
        parameters: {
            query?: {
                /** @description How many, newest first (1-200, default 50). */
                limit?: string;
                /** @description Only deliveries about this run. */
                run_uuid?: string;
                /** @description Only deliveries about this task. */
                task_uuid?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DeliveryResponse"][];
                };
            };
            /** @description Invalid query parameter */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests (`rate_limited`): of the tenant, the client, or the address of a request without a valid token; retry after `Retry-After` seconds */
            429: {
                headers: {
                    /** @description Whole seconds until a request would be let through (at least 1) */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    list_default_rules: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RuleResponse"][];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests (`rate_limited`): of the tenant, the client, or the address of a request without a valid token; retry after `Retry-After` seconds */
            429: {
                headers: {
                    /** @description Whole seconds until a request would be let through (at least 1) */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    create_default_rule: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RuleRequest"];
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RuleResponse"];
                };
            };
            /** @description Malformed JSON or an unknown field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description An invalid field; `errors` names it (a channel that is not a live channel of your tenant: `channel`, code `unknown_channel`) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests (`rate_limited`): of the tenant, the client, or the address of a request without a valid token; retry after `Retry-After` seconds */
            429: {
                headers: {
                    /** @description Whole seconds until a request would be let through (at least 1) */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    delete_rule: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Uuid of the rule */
                uuid: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests (`rate_limited`): of the tenant, the client, or the address of a request without a valid token; retry after `Retry-After` seconds */
            429: {
                headers: {
                    /** @description Whole seconds until a request would be let through (at least 1) */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    get_settings: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TenantSettingsResponse"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests (`rate_limited`): of the tenant, the client, or the address of a request without a valid token; retry after `Retry-After` seconds */
            429: {
                headers: {
                    /** @description Whole seconds until a request would be let through (at least 1) */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    put_settings: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["TenantSettingsRequest"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TenantSettingsResponse"];
                };
            };
            /** @description Malformed JSON or an unknown field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description An invalid entry; `errors` names it, e.g. `egress_allow[2]` */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests (`rate_limited`): of the tenant, the client, or the address of a request without a valid token; retry after `Retry-After` seconds */
            429: {
                headers: {
                    /** @description Whole seconds until a request would be let through (at least 1) */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    healthz: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Health"];
                };
            };
            /** @description Service Unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Health"];
                };
            };
        };
    };
    livez: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Health"];
                };
            };
            /** @description Service Unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Health"];
                };
            };
        };
    };
    metrics: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Counters such as `sundial_egress_refused_total{reason="address"}` */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/plain; version=0.0.4": string;
                };
            };
            /** @description The admin listener serves `/metrics` */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests (`rate_limited`): of the tenant, the client, or the address of a request without a valid token; retry after `Retry-After` seconds */
            429: {
                headers: {
                    /** @description Whole seconds until a request would be let through (at least 1) */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    readyz: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Health"];
                };
            };
            /** @description Service Unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Health"];
                };
            };
        };
    };
}
