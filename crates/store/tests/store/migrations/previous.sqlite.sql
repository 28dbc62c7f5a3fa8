-- A Sundial database at schema 0021 (the migration before the newest), holding the
-- rows of migrations::populate. Made by migrations::make_fixtures; see
-- crates/store/tests/store/migrations/mod.rs.
PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE _sqlx_migrations (
    version BIGINT PRIMARY KEY,
    description TEXT NOT NULL,
    installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    success BOOLEAN NOT NULL,
    checksum BLOB NOT NULL,
    execution_time BIGINT NOT NULL
);
INSERT INTO _sqlx_migrations VALUES(1,'tasks','2026-12-07 09:11:42',1,X'10a38af1474e5e6df28d7be0760817d31fa1937bacd897f582c1d8c860a362a1230bc009fd9e4b7cae8005f341c2df89',4119868);
INSERT INTO _sqlx_migrations VALUES(2,'engine','2026-12-07 09:11:42',1,X'91b6a07d5c0b24f6c087c25f60dad53c73b0bdfe75dbd203c43aa8489cf221f0e5af04eecb14258afa33c24832cdaf7c',2851939);
INSERT INTO _sqlx_migrations VALUES(3,'tenant settings','2026-12-07 09:11:42',1,X'fa020034955d45e4a558024071e84a3283cd7358e4fc58d9b263f0e1b989a465eabd384dfb59e7ba84cc953d53552f69',16133217);
INSERT INTO _sqlx_migrations VALUES(4,'maintenance','2026-12-07 09:11:42',1,X'be111ac30448c9f25fde04913bc75a9a076d23046fb7b760dc360e6b6fdf12f1d0596c436c78e579eb5715b917b2d8f3',24193858);
INSERT INTO _sqlx_migrations VALUES(5,'claim','2026-12-07 09:11:42',1,X'13bc4bd8b8a9b2cc797f0cf8501f45d4f337ec9ed6ed8abd3ead53128956483c0cc60eadd9b11cecd9683b63f9625cc1',9329763);
INSERT INTO _sqlx_migrations VALUES(6,'faults','2026-12-07 09:11:42',1,X'0129bcbe5bf16f4401a4f50c2ce65cdfa868377f80c079d78af75d58f0fdc0f61dd3dde63be40936ef4273c4248f81a0',14295813);
INSERT INTO _sqlx_migrations VALUES(7,'schedule notice','2026-12-07 09:11:42',1,X'702d6195ce0c9c3985e5577c8ae2fa4576f5c06991fb075f95a66de1596b7de095d7117a0fee4538e4dfe34fed79d9df',10858380);
INSERT INTO _sqlx_migrations VALUES(8,'storage','2026-12-07 09:11:42',1,X'74b30c910364a8f1e1741d81d607b3e8db496dd9fafaf8d247839e607267052426e7ee860f01a0d2ba037ede1eb70d20',13135629);
INSERT INTO _sqlx_migrations VALUES(9,'log paging','2026-12-07 09:11:42',1,X'd8539f89ad0cb4af5fff31b75d5bfbaa4951852cc7d6c8011ab1e7fd8b5fb9079a488968335f636ebc3483a3ea929881',7955041);
INSERT INTO _sqlx_migrations VALUES(10,'audit read','2026-12-07 09:11:42',1,X'12cc619ee92668e2f5789e57441fe12e58e4bd433616123da5c35165508b3977e316984e48f4aeac75d3bea06d2dbe5e',19717935);
INSERT INTO _sqlx_migrations VALUES(11,'run search','2026-12-07 09:11:42',1,X'a9a760a9294e702bfe1a9733b3c298be978bc82728fb95f06380857bbca78ab43bc74b1a33a6c1b0a85a326bed65fd41',2913534);
INSERT INTO _sqlx_migrations VALUES(12,'running indexes','2026-12-07 09:11:42',1,X'b11957a1369d13b36d54fe5cd6d26b7a525e9d2338c2558fdfd68d8cc013d42cf7a0ab14be6f65af3331d350f1410d69',2649411);
INSERT INTO _sqlx_migrations VALUES(13,'run args','2026-12-07 09:11:42',1,X'4ff76fd6971989a8ac372fca11a524c573252f5681dd5ee15ff53984e807a4d679160616638049a8ad089d76c199c04f',2732867);
INSERT INTO _sqlx_migrations VALUES(14,'notify','2026-12-07 09:11:42',1,X'63031245e03a0e4f5d589cf6119aef3e61c45eab64d1bbfdaa0fafc1fb979d2c460f22014792f0e75016b45bdb0793bd',4067521);
INSERT INTO _sqlx_migrations VALUES(15,'chains','2026-12-07 09:11:42',1,X'164f09b69b155a2a34c0d1cf16af54ef81cbbc626313c2744da79421bee05d8082d65e2d6161b3312d88be287b390ac6',5093257);
INSERT INTO _sqlx_migrations VALUES(16,'deadlines','2026-12-07 09:11:42',1,X'81c55a7d3febf556d53cb64304f9a014143f221a7ee120c5b96e0eda94a9a692f815fc41665d6caf17e9344c79139ea0',3616087);
INSERT INTO _sqlx_migrations VALUES(17,'search','2026-12-07 09:11:42',1,X'b5bf92590399f1816937b9c30179d7ebd502bca689f6f61e5aeb03ad1b9086a9e2adcda3754af147af6cec272127859d',2599397);
INSERT INTO _sqlx_migrations VALUES(18,'email','2026-12-07 09:11:42',1,X'7998c29d98ae42a6922661e83088ae5a5695d133c90fec03ae21c79badbe0ab5f98e9900c5256a5480b272afca00fd07',3924243);
INSERT INTO _sqlx_migrations VALUES(19,'alert producers','2026-12-07 09:11:42',1,X'4c262931a897b29053688f409ac54e9112a83ded6e217ee527d35fc553a3583e2195d3413679ead6b8058fcd36b00418',3175865);
INSERT INTO _sqlx_migrations VALUES(20,'search per tenant','2026-12-07 09:11:42',1,X'8fdc19c6b23d0630b9a55bf777833c144869e6884ad549d844c15e59069fbc6858d84094de8675c651acede3241c68b5',2566386);
INSERT INTO _sqlx_migrations VALUES(21,'list columns','2026-12-07 09:11:42',1,X'd0d8fb4cfd2a2f2670ac2789f5efd4cff7089d34b7734d642674b7dc2a94dbe89a28578953c51e822b19df59cc545fbe',4188487);
CREATE TABLE scheduled_tasks (
    id                    INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid                  BLOB    NOT NULL UNIQUE,
    tenant_id             BIGINT  NOT NULL,
    name                  TEXT    NOT NULL,
    code                  TEXT    NOT NULL,
    description           TEXT,
    type                  TEXT    NOT NULL,
    trigger_type          TEXT    NOT NULL,
    trigger_config        TEXT    NOT NULL,
    task_config           TEXT    NOT NULL,
    inngest_function_id   TEXT    NOT NULL,
    is_active             BOOLEAN NOT NULL DEFAULT TRUE,
    is_running            BOOLEAN NOT NULL DEFAULT FALSE,
    last_run_at           BIGINT,
    last_run_status       TEXT,
    last_error            TEXT,
    created_at            BIGINT  NOT NULL,
    updated_at            BIGINT  NOT NULL,
    deleted_at            BIGINT,
    next_run_at           BIGINT,
    timezone              TEXT    NOT NULL,
    retry_policy          TEXT    NOT NULL,
    timeout_seconds       BIGINT  NOT NULL,
    overlap_policy        TEXT    NOT NULL,
    misfire_policy        TEXT    NOT NULL,
    misfire_grace_seconds BIGINT  NOT NULL,
    start_at              BIGINT,
    end_at                BIGINT,
    jitter_seconds        BIGINT  NOT NULL DEFAULT 0,
    version               BIGINT  NOT NULL,
    created_by            TEXT    NOT NULL,
    updated_by            TEXT    NOT NULL,
    -- Rust's Unicode to_lowercase(name) || ' ' || to_lowercase(code), for case-insensitive
    -- search with plain LIKE (SQLite's LOWER and LIKE only fold ASCII). Codes are ASCII without
    -- spaces, so the name part is everything but the last LENGTH(code) + 1 characters; the name
    -- filter relies on that (see src/sql.rs).
    search_text           TEXT    NOT NULL
, schedule_notice TEXT, chain_slots BIGINT NOT NULL DEFAULT 0, last_run_duration_ms INTEGER, recent_outcomes TEXT NOT NULL DEFAULT '');
INSERT INTO scheduled_tasks VALUES(1,X'01930000000070008000000000000001',1,'Nightly report (EU)','nightly-report',NULL,'api_call','cron','{"cron":"30 1 * * *","timezone":"Europe/Berlin"}','{"method":"GET","url":"https://api.example.com/endpoint"}','scheduled-task-01930000-0000-7000-8000-000000000001',1,0,NULL,NULL,NULL,1893456000000,1893456001000,NULL,1893547800000,'Europe/Berlin','{"max_retries":3,"retry_delay_seconds":60,"backoff":"fixed"}',30,'skip','fire_once',60,NULL,NULL,0,2,'alice','bob','nightly report (eu) nightly-report',NULL,0,NULL,'');
INSERT INTO scheduled_tasks VALUES(2,X'01930000000070008000000000000002',1,'Python job','python-job',NULL,'python_script','interval','{"seconds":3600}','{"args":{"n":1},"script":"print(''héllo'')\n"}','scheduled-task-01930000-0000-7000-8000-000000000002',0,0,NULL,NULL,NULL,1893456000010,1893456002000,NULL,NULL,'UTC','{"max_retries":2,"retry_delay_seconds":10,"backoff":"exponential","max_delay_seconds":300}',120,'queue_one','fire_all',600,NULL,NULL,0,2,'alice','carol','python job python-job',NULL,0,NULL,'');
INSERT INTO scheduled_tasks VALUES(3,X'01930000000070008000000000000003',1,'Old job','old-job',NULL,'api_call','cron','{"cron":"0 0 * * *","timezone":"UTC"}','{"method":"GET","url":"https://api.example.com/endpoint"}','scheduled-task-01930000-0000-7000-8000-000000000003',0,0,NULL,NULL,NULL,1893456000020,1893456003000,1893456003000,NULL,'UTC','{"max_retries":3,"retry_delay_seconds":60,"backoff":"fixed"}',30,'skip','fire_once',60,NULL,NULL,0,2,'alice','alice','old job old-job',NULL,0,NULL,'');
INSERT INTO scheduled_tasks VALUES(4,X'01930000000070008000000000000004',2,'每日报表 Ünïcode','nightly-report',NULL,'api_call','cron','{"cron":"0 0 * * *","timezone":"UTC"}','{"method":"GET","url":"https://api.example.com/endpoint"}','scheduled-task-01930000-0000-7000-8000-000000000004',1,0,NULL,NULL,NULL,1893456000030,1893456000030,NULL,1893542400000,'UTC','{"max_retries":3,"retry_delay_seconds":60,"backoff":"fixed"}',30,'skip','fire_once',60,NULL,NULL,0,1,'zhang','zhang','每日报表 ünïcode nightly-report',NULL,0,NULL,'');
INSERT INTO scheduled_tasks VALUES(5,X'01930000000070008000000000000005',3,'Once','once',NULL,'api_call','date','{"at":"2030-06-01T12:00:00Z"}','{"method":"GET","url":"https://api.example.com/endpoint"}','scheduled-task-01930000-0000-7000-8000-000000000005',1,0,NULL,NULL,NULL,1893456000040,1893456000040,NULL,1906545600000,'UTC','{"max_retries":3,"retry_delay_seconds":60,"backoff":"fixed"}',30,'skip','fire_once',60,NULL,NULL,0,1,'admin','admin','once once',NULL,0,NULL,'');
CREATE TABLE task_runs (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid             BLOB    NOT NULL UNIQUE,
    tenant_id        BIGINT  NOT NULL,
    task_id          BIGINT  NOT NULL REFERENCES scheduled_tasks (id),
    task_version     BIGINT  NOT NULL,
    trigger          TEXT    NOT NULL,
    scheduled_for    BIGINT  NOT NULL,
    -- A run of consecutive skipped occurrences may be one row: scheduled_for is the first,
    -- scheduled_until the last, occurrences the count.
    scheduled_until  BIGINT,
    occurrences      BIGINT  NOT NULL DEFAULT 1,
    status           TEXT    NOT NULL,
    skip_reason      TEXT,
    attempt          INTEGER NOT NULL,
    max_attempts     INTEGER NOT NULL,
    not_before       BIGINT  NOT NULL,
    lease_owner      TEXT,
    lease_expires_at BIGINT,
    queued_at        BIGINT  NOT NULL,
    started_at       BIGINT,
    finished_at      BIGINT,
    duration_ms      BIGINT,
    result           TEXT,
    error            TEXT
, cancel_requested BOOLEAN NOT NULL DEFAULT FALSE, rescues INTEGER NOT NULL DEFAULT 0, requeues INTEGER NOT NULL DEFAULT 0, log_bytes BIGINT NOT NULL DEFAULT 0, logs_pruned_at BIGINT, args TEXT, parent_run_id BIGINT, parent TEXT);
INSERT INTO task_runs VALUES(1,X'01930000000070008000000000001001',1,1,2,'schedule',1893456100000,NULL,1,'succeeded',NULL,2,4,1893456100000,NULL,NULL,1893456100000,1893456100500,1893456100900,400,'{"body":"ok","status":200}',NULL,0,0,0,51,NULL,NULL,NULL,NULL);
INSERT INTO task_runs VALUES(2,X'01930000000070008000000000001002',1,1,2,'schedule',1893456200000,NULL,1,'failed',NULL,4,4,1893456200000,NULL,NULL,1893456200000,1893456200100,1893456200200,100,NULL,'HTTP 500 from api.example.com',0,0,0,0,NULL,NULL,NULL,NULL);
INSERT INTO task_runs VALUES(3,X'01930000000070008000000000001003',1,1,2,'schedule',1893456300000,NULL,5,'skipped','misfire',1,4,1893456300000,NULL,NULL,1893456300000,NULL,NULL,NULL,NULL,NULL,0,0,0,0,NULL,NULL,NULL,NULL);
INSERT INTO task_runs VALUES(4,X'01930000000070008000000000001004',1,1,2,'manual',1893456400000,NULL,1,'queued',NULL,1,4,1893456400000,NULL,NULL,1893456400000,NULL,NULL,NULL,NULL,NULL,0,0,0,0,NULL,NULL,NULL,NULL);
INSERT INTO task_runs VALUES(5,X'01930000000070008000000000001005',1,1,2,'schedule',1893456500000,NULL,1,'running',NULL,3,6,1893456500000,NULL,NULL,1893456500000,1893456500100,NULL,NULL,NULL,NULL,0,1,1,0,NULL,NULL,NULL,NULL);
INSERT INTO task_runs VALUES(6,X'01930000000070008000000000001006',1,1,2,'catch_up',1893456050000,NULL,1,'timed_out',NULL,1,4,1893456050000,NULL,NULL,1893456050000,NULL,NULL,NULL,NULL,'timed out after 30 s',0,0,0,0,NULL,NULL,NULL,NULL);
INSERT INTO task_runs VALUES(7,X'01930000000070008000000000001007',1,1,2,'schedule',1893456600000,NULL,1,'cancelled',NULL,1,4,1893456600000,NULL,NULL,1893456600000,NULL,NULL,NULL,NULL,'cancelled by bob',0,0,0,0,NULL,NULL,NULL,NULL);
INSERT INTO task_runs VALUES(8,X'01930000000070008000000000001008',1,2,1,'schedule',1893456700000,NULL,1,'succeeded',NULL,1,4,1893456700000,NULL,NULL,1893456700000,1893456700100,1893456700300,200,'{"rows":[1,2,3]}',NULL,0,0,0,29,NULL,NULL,NULL,NULL);
INSERT INTO task_runs VALUES(9,X'01930000000070008000000000001009',1,3,1,'schedule',1893456800000,NULL,1,'succeeded',NULL,1,4,1893456800000,NULL,NULL,1893456800000,NULL,NULL,NULL,NULL,NULL,0,0,0,0,NULL,NULL,NULL,NULL);
INSERT INTO task_runs VALUES(10,X'0193000000007000800000000000100a',2,4,1,'schedule',1893456900000,NULL,1,'queued',NULL,1,4,1893456900000,NULL,NULL,1893456900000,NULL,NULL,NULL,NULL,NULL,0,0,0,0,NULL,NULL,NULL,NULL);
CREATE TABLE task_run_logs (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id  BIGINT  NOT NULL REFERENCES task_runs (id) ON DELETE CASCADE,
    attempt INTEGER NOT NULL,
    seq     BIGINT  NOT NULL,
    ts      BIGINT  NOT NULL,
    stream  TEXT    NOT NULL,
    line    TEXT    NOT NULL
);
INSERT INTO task_run_logs VALUES(1,1,1,0,1893456100100,'system','POST https://api.example.com/');
INSERT INTO task_run_logs VALUES(2,1,1,1,1893456100200,'stderr','HTTP 503');
INSERT INTO task_run_logs VALUES(3,1,2,0,1893456100600,'stdout','HTTP 200 ok');
INSERT INTO task_run_logs VALUES(4,8,1,0,1893456700150,'stdout','héllo');
INSERT INTO task_run_logs VALUES(5,8,1,1,1893456700250,'system','wall 0.2 s, cpu 0.1 s');
CREATE TABLE task_versions (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id  BIGINT  NOT NULL,
    task_id    BIGINT  NOT NULL REFERENCES scheduled_tasks (id),
    version    BIGINT  NOT NULL,
    action     TEXT    NOT NULL,
    actor      TEXT    NOT NULL,
    at         BIGINT  NOT NULL,
    definition TEXT    NOT NULL
);
INSERT INTO task_versions VALUES(1,1,1,1,'create','alice',1893456000000,'{"code":"nightly-report","description":"Sends the daily report","is_active":true,"misfire_grace_seconds":60,"misfire_policy":"fire_once","name":"Nightly report","overlap_policy":"skip","retry_policy":{"backoff":"fixed","max_retries":3,"retry_delay_seconds":60},"task_config":{"method":"GET","url":"https://api.example.com/endpoint"},"timeout_seconds":30,"timezone":"UTC","trigger_config":{"cron":"0 0 * * *","timezone":"UTC"},"trigger_type":"cron","type":"api_call"}');
INSERT INTO task_versions VALUES(2,1,2,1,'create','alice',1893456000010,'{"code":"python-job","description":null,"is_active":true,"misfire_grace_seconds":600,"misfire_policy":"fire_all","name":"Python job","overlap_policy":"queue_one","retry_policy":{"backoff":"exponential","max_delay_seconds":300,"max_retries":2,"retry_delay_seconds":10},"task_config":{"args":{"n":1},"script":"print(''héllo'')\n"},"timeout_seconds":120,"timezone":"UTC","trigger_config":{"seconds":3600},"trigger_type":"interval","type":"python_script"}');
INSERT INTO task_versions VALUES(3,1,1,2,'update','bob',1893456001000,'{"code":"nightly-report","description":null,"is_active":true,"misfire_grace_seconds":60,"misfire_policy":"fire_once","name":"Nightly report (EU)","overlap_policy":"skip","retry_policy":{"backoff":"fixed","max_retries":3,"retry_delay_seconds":60},"task_config":{"method":"GET","url":"https://api.example.com/endpoint"},"timeout_seconds":30,"timezone":"Europe/Berlin","trigger_config":{"cron":"30 1 * * *","timezone":"Europe/Berlin"},"trigger_type":"cron","type":"api_call"}');
INSERT INTO task_versions VALUES(4,1,2,2,'stop','carol',1893456002000,'{"code":"python-job","description":null,"is_active":false,"misfire_grace_seconds":600,"misfire_policy":"fire_all","name":"Python job","overlap_policy":"queue_one","retry_policy":{"backoff":"exponential","max_delay_seconds":300,"max_retries":2,"retry_delay_seconds":10},"task_config":{"args":{"n":1},"script":"print(''héllo'')\n"},"timeout_seconds":120,"timezone":"UTC","trigger_config":{"seconds":3600},"trigger_type":"interval","type":"python_script"}');
INSERT INTO task_versions VALUES(5,1,3,1,'create','alice',1893456000020,'{"code":"old-job","description":null,"is_active":true,"misfire_grace_seconds":60,"misfire_policy":"fire_once","name":"Old job","overlap_policy":"skip","retry_policy":{"backoff":"fixed","max_retries":3,"retry_delay_seconds":60},"task_config":{"method":"GET","url":"https://api.example.com/endpoint"},"timeout_seconds":30,"timezone":"UTC","trigger_config":{"cron":"0 0 * * *","timezone":"UTC"},"trigger_type":"cron","type":"api_call"}');
INSERT INTO task_versions VALUES(6,2,4,1,'create','zhang',1893456000030,'{"code":"nightly-report","description":null,"is_active":true,"misfire_grace_seconds":60,"misfire_policy":"fire_once","name":"每日报表 Ünïcode","overlap_policy":"skip","retry_policy":{"backoff":"fixed","max_retries":3,"retry_delay_seconds":60},"task_config":{"method":"GET","url":"https://api.example.com/endpoint"},"timeout_seconds":30,"timezone":"UTC","trigger_config":{"cron":"0 0 * * *","timezone":"UTC"},"trigger_type":"cron","type":"api_call"}');
INSERT INTO task_versions VALUES(7,3,5,1,'create','admin',1893456000040,'{"code":"once","description":null,"is_active":true,"misfire_grace_seconds":60,"misfire_policy":"fire_once","name":"Once","overlap_policy":"skip","retry_policy":{"backoff":"fixed","max_retries":3,"retry_delay_seconds":60},"task_config":{"method":"GET","url":"https://api.example.com/endpoint"},"timeout_seconds":30,"timezone":"UTC","trigger_config":{"at":"2030-06-01T12:00:00Z"},"trigger_type":"date","type":"api_call"}');
INSERT INTO task_versions VALUES(8,1,3,2,'delete','alice',1893456003000,'{"code":"old-job","description":null,"is_active":false,"misfire_grace_seconds":60,"misfire_policy":"fire_once","name":"Old job","overlap_policy":"skip","retry_policy":{"backoff":"fixed","max_retries":3,"retry_delay_seconds":60},"task_config":{"method":"GET","url":"https://api.example.com/endpoint"},"timeout_seconds":30,"timezone":"UTC","trigger_config":{"cron":"0 0 * * *","timezone":"UTC"},"trigger_type":"cron","type":"api_call"}');
CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id BIGINT  NOT NULL,
    task_id   BIGINT  NOT NULL REFERENCES scheduled_tasks (id),
    action    TEXT    NOT NULL,
    actor     TEXT    NOT NULL,
    at        BIGINT  NOT NULL,
    version   BIGINT  NOT NULL,
    detail    TEXT
);
INSERT INTO audit_log VALUES(1,1,1,'create','alice',1893456000000,1,NULL);
INSERT INTO audit_log VALUES(2,1,2,'create','alice',1893456000010,1,NULL);
INSERT INTO audit_log VALUES(3,1,1,'update','bob',1893456001000,2,NULL);
INSERT INTO audit_log VALUES(4,1,2,'stop','carol',1893456002000,2,'{"cancelled_runs":0}');
INSERT INTO audit_log VALUES(5,1,3,'create','alice',1893456000020,1,NULL);
INSERT INTO audit_log VALUES(6,2,4,'create','zhang',1893456000030,1,NULL);
INSERT INTO audit_log VALUES(7,3,5,'create','admin',1893456000040,1,NULL);
INSERT INTO audit_log VALUES(8,1,3,'delete','alice',1893456003000,2,'{"cancelled_runs":0}');
CREATE TABLE tenant_settings (
    tenant_id   BIGINT PRIMARY KEY,
    -- The tenant's own egress allow-list in its canonical form (the SUNDIAL_EGRESS_ALLOW
    -- syntax); NULL means none: the deployment's policy alone applies. It can only narrow.
    egress_allow TEXT,
    updated_at  BIGINT NOT NULL,
    updated_by  TEXT   NOT NULL
);
INSERT INTO tenant_settings VALUES(3,'10.0.0.0/8:443',1893456004000,'admin');
CREATE TABLE engine_leases (
    name       TEXT   PRIMARY KEY,
    owner      TEXT   NOT NULL,
    expires_at BIGINT NOT NULL
);
INSERT INTO engine_leases VALUES('maintenance','',0);
CREATE TABLE readiness_probe (
    id INTEGER PRIMARY KEY,
    at BIGINT  NOT NULL
);
INSERT INTO readiness_probe VALUES(1,0);
CREATE TABLE notify_channels (
    id                    INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid                  BLOB    NOT NULL UNIQUE,
    tenant_id             BIGINT  NOT NULL,
    name                  TEXT    NOT NULL,
    -- webhook | email
    kind                  TEXT    NOT NULL,
    -- What the kind needs, as JSON: webhook {"url": …}, email {"to": […]}.
    config                TEXT    NOT NULL,
    -- The webhook's HMAC-SHA256 key. After a rotation the previous key still signs (as a
    -- second signature) until previous_secret_until, so receivers can switch without a gap.
    secret                TEXT,
    previous_secret       TEXT,
    previous_secret_until BIGINT,
    created_at            BIGINT  NOT NULL,
    created_by            TEXT    NOT NULL,
    updated_at            BIGINT  NOT NULL,
    -- Deleted channels stay for the deliveries that name them; nothing routes to them.
    deleted_at            BIGINT
);
CREATE TABLE notify_rules (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid             BLOB    NOT NULL UNIQUE,
    tenant_id        BIGINT  NOT NULL,
    -- NULL: a tenant default, applying to each task of the tenant without rules of its own.
    task_id          BIGINT  REFERENCES scheduled_tasks (id),
    channel_id       BIGINT  NOT NULL REFERENCES notify_channels (id),
    -- The event kind it routes (run.failed, run.recovered, run.slow, occurrence.skipped,
    -- deadline.missed).
    event            TEXT    NOT NULL,
    -- run.failed: notify from this many consecutive failures on; run.slow: the duration in
    -- milliseconds a run must exceed. NULL for the other kinds.
    threshold        BIGINT,
    -- At most one notice per task and rule within this many seconds.
    throttle_seconds BIGINT  NOT NULL,
    created_at       BIGINT  NOT NULL,
    created_by       TEXT    NOT NULL
);
CREATE TABLE notify_throttle (
    rule_id          BIGINT  NOT NULL REFERENCES notify_rules (id) ON DELETE CASCADE,
    task_id          BIGINT  NOT NULL,
    last_notified_at BIGINT  NOT NULL,
    PRIMARY KEY (rule_id, task_id)
);
CREATE TABLE notify_events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid        BLOB    NOT NULL UNIQUE,
    tenant_id   BIGINT  NOT NULL,
    task_id     BIGINT  NOT NULL REFERENCES scheduled_tasks (id),
    -- The run it is about; not a foreign key, so run retention is free to prune the run.
    run_uuid    BLOB,
    kind        TEXT    NOT NULL,
    payload     TEXT    NOT NULL,
    occurred_at BIGINT  NOT NULL,
    routed_at   BIGINT
);
CREATE TABLE notify_deliveries (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    -- Also the `Sundial-Delivery` header, for receivers to de-duplicate retries.
    uuid             BLOB    NOT NULL UNIQUE,
    tenant_id        BIGINT  NOT NULL,
    event_id         BIGINT  NOT NULL REFERENCES notify_events (id) ON DELETE CASCADE,
    channel_id       BIGINT  NOT NULL REFERENCES notify_channels (id),
    rule_id          BIGINT,
    -- pending | sending | delivered | failed
    status           TEXT    NOT NULL,
    attempts         BIGINT  NOT NULL DEFAULT 0,
    next_attempt_at  BIGINT  NOT NULL,
    lease_owner      TEXT,
    lease_expires_at BIGINT,
    response_code    BIGINT,
    error            TEXT,
    created_at       BIGINT  NOT NULL,
    finished_at      BIGINT
, response TEXT);
CREATE TABLE task_chains (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id      BIGINT  NOT NULL,
    parent_task_id BIGINT  NOT NULL REFERENCES scheduled_tasks (id),
    child_task_id  BIGINT  NOT NULL REFERENCES scheduled_tasks (id),
    slot           INTEGER NOT NULL,
    on_outcome     TEXT    NOT NULL,
    created_at     BIGINT  NOT NULL
);
CREATE TABLE task_deadlines (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id       BIGINT  NOT NULL,
    task_id         BIGINT  NOT NULL REFERENCES scheduled_tasks (id) ON DELETE CASCADE,
    position        INTEGER NOT NULL,
    deadline_key    TEXT    NOT NULL,
    spec            TEXT    NOT NULL,
    since           BIGINT  NOT NULL,
    checked_through BIGINT,
    last_met_at     BIGINT,
    last_missed_at  BIGINT,
    missed_count    BIGINT  NOT NULL DEFAULT 0
);
CREATE TABLE deadline_misses (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id       BIGINT  NOT NULL,
    task_id         BIGINT  NOT NULL REFERENCES scheduled_tasks (id) ON DELETE CASCADE,
    deadline_key    TEXT    NOT NULL,
    spec            TEXT    NOT NULL,
    due_at          BIGINT  NOT NULL,
    missed          BIGINT  NOT NULL,
    last_success_at BIGINT,
    recorded_at     BIGINT  NOT NULL
);
CREATE TABLE schedule_scan (
    id       BIGINT NOT NULL PRIMARY KEY,
    scan_key TEXT   NOT NULL,
    at       BIGINT NOT NULL
);
INSERT INTO schedule_scan VALUES(1,'',0);
CREATE TABLE notify_email_counts (
    tenant_id  BIGINT NOT NULL,
    -- The hour's first instant, in epoch milliseconds.
    hour_start BIGINT NOT NULL,
    sent       BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, hour_start)
);
DELETE FROM sqlite_sequence;
INSERT INTO sqlite_sequence VALUES('scheduled_tasks',5);
INSERT INTO sqlite_sequence VALUES('task_runs',10);
INSERT INTO sqlite_sequence VALUES('task_run_logs',5);
INSERT INTO sqlite_sequence VALUES('task_versions',8);
INSERT INTO sqlite_sequence VALUES('audit_log',8);
INSERT INTO sqlite_sequence VALUES('deadline_misses',0);
INSERT INTO sqlite_sequence VALUES('notify_channels',0);
INSERT INTO sqlite_sequence VALUES('notify_deliveries',0);
INSERT INTO sqlite_sequence VALUES('notify_events',0);
INSERT INTO sqlite_sequence VALUES('notify_rules',0);
INSERT INTO sqlite_sequence VALUES('task_chains',0);
INSERT INTO sqlite_sequence VALUES('task_deadlines',0);
CREATE UNIQUE INDEX uq_scheduled_tasks_tenant_code ON scheduled_tasks (tenant_id, code) WHERE deleted_at IS NULL;
CREATE INDEX ix_scheduled_tasks_due ON scheduled_tasks (next_run_at) WHERE deleted_at IS NULL AND is_active AND next_run_at IS NOT NULL;
CREATE INDEX ix_scheduled_tasks_tenant_created ON scheduled_tasks (tenant_id, created_at, id, search_text, code, deleted_at) WHERE deleted_at IS NULL;
CREATE INDEX ix_scheduled_tasks_tenant_updated ON scheduled_tasks (tenant_id, updated_at, id, search_text, code, deleted_at) WHERE deleted_at IS NULL;
CREATE INDEX ix_scheduled_tasks_tenant_name ON scheduled_tasks (tenant_id, name, id, search_text, code, deleted_at) WHERE deleted_at IS NULL;
CREATE INDEX ix_scheduled_tasks_tenant_next ON scheduled_tasks (tenant_id, next_run_at, id, search_text, code, deleted_at) WHERE deleted_at IS NULL;
CREATE INDEX ix_scheduled_tasks_tenant_last_run ON scheduled_tasks (tenant_id, last_run_at, id, search_text, code, deleted_at) WHERE deleted_at IS NULL;
CREATE INDEX ix_task_runs_task_newest ON task_runs (task_id, scheduled_for DESC, id DESC);
CREATE INDEX ix_task_runs_queued ON task_runs (not_before) WHERE status = 'queued';
CREATE INDEX ix_task_runs_leases ON task_runs (lease_expires_at) WHERE status = 'running';
CREATE UNIQUE INDEX uq_task_run_logs_line ON task_run_logs (run_id, attempt, seq);
CREATE UNIQUE INDEX uq_task_versions_version ON task_versions (task_id, version);
CREATE INDEX ix_audit_log_tenant_at ON audit_log (tenant_id, at);
CREATE INDEX ix_audit_log_task ON audit_log (task_id, id);
CREATE INDEX ix_task_runs_task_live ON task_runs (task_id, status) WHERE status IN ('queued', 'running');
CREATE INDEX ix_task_runs_finished ON task_runs (finished_at) WHERE status NOT IN ('queued', 'running');
CREATE INDEX ix_task_runs_queued_tenant ON task_runs (tenant_id, not_before, id) WHERE status = 'queued';
CREATE INDEX ix_task_runs_tenant_logs ON task_runs (tenant_id, finished_at, id, log_bytes) WHERE log_bytes > 0;
CREATE INDEX ix_task_run_logs_run_line ON task_run_logs (run_id, id);
CREATE INDEX ix_audit_log_tenant_actor ON audit_log (tenant_id, actor, at);
CREATE INDEX ix_task_runs_tenant_newest ON task_runs (tenant_id, scheduled_for DESC, id DESC);
CREATE INDEX ix_task_runs_running_tenant ON task_runs (tenant_id) WHERE status = 'running';
CREATE INDEX ix_task_runs_running_task ON task_runs (task_id) WHERE status = 'running';
CREATE INDEX ix_notify_channels_tenant ON notify_channels (tenant_id, id) WHERE deleted_at IS NULL;
CREATE INDEX ix_notify_rules_task ON notify_rules (tenant_id, task_id);
CREATE INDEX ix_notify_rules_channel ON notify_rules (channel_id);
CREATE INDEX ix_notify_events_unrouted ON notify_events (id) WHERE routed_at IS NULL;
CREATE UNIQUE INDEX uq_notify_events_run_kind ON notify_events (run_uuid, kind) WHERE run_uuid IS NOT NULL;
CREATE INDEX ix_notify_events_occurred ON notify_events (occurred_at);
CREATE UNIQUE INDEX uq_notify_deliveries_event_channel ON notify_deliveries (event_id, channel_id);
CREATE INDEX ix_notify_deliveries_due ON notify_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX ix_notify_deliveries_leases ON notify_deliveries (lease_expires_at) WHERE status = 'sending';
CREATE INDEX ix_notify_deliveries_tenant ON notify_deliveries (tenant_id, id);
CREATE UNIQUE INDEX uq_task_chains_slot ON task_chains (parent_task_id, slot);
CREATE UNIQUE INDEX uq_task_chains_link ON task_chains (parent_task_id, child_task_id);
CREATE INDEX ix_task_chains_child ON task_chains (child_task_id);
CREATE UNIQUE INDEX uq_task_runs_chain ON task_runs (parent_run_id, task_id) WHERE parent_run_id IS NOT NULL;
CREATE UNIQUE INDEX uq_task_runs_occurrence ON task_runs (task_id, scheduled_for) WHERE trigger NOT IN ('manual', 'chain');
CREATE UNIQUE INDEX uq_task_deadlines_key ON task_deadlines (task_id, deadline_key);
CREATE UNIQUE INDEX uq_deadline_misses_due ON deadline_misses (task_id, deadline_key, due_at);
CREATE INDEX ix_deadline_misses_tenant ON deadline_misses (tenant_id, recorded_at DESC, id DESC);
CREATE INDEX ix_task_runs_task_succeeded ON task_runs (task_id, finished_at) WHERE status = 'succeeded';
CREATE INDEX ix_notify_rules_event ON notify_rules (event, tenant_id, task_id, threshold);
CREATE INDEX ix_deadline_misses_recorded ON deadline_misses (recorded_at);
COMMIT;
