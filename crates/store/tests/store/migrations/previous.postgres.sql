-- A Sundial database at schema 0021 (the migration before the newest), holding the
-- rows of migrations::populate. Made by migrations::make_fixtures; see
-- crates/store/tests/store/migrations/mod.rs.
--
-- PostgreSQL database dump
--


-- Dumped from database version 15.18 (Debian 15.18-0+deb12u1)
-- Dumped by pg_dump version 15.18 (Debian 15.18-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- Name: btree_gin; Type: EXTENSION; Schema: -; Owner: -
--

CREATE EXTENSION IF NOT EXISTS btree_gin WITH SCHEMA public;


--
-- Name: pg_trgm; Type: EXTENSION; Schema: -; Owner: -
--

CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;


SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: _sqlx_migrations; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public._sqlx_migrations (
    version bigint NOT NULL,
    description text NOT NULL,
    installed_on timestamp with time zone DEFAULT now() NOT NULL,
    success boolean NOT NULL,
    checksum bytea NOT NULL,
    execution_time bigint NOT NULL
);


--
-- Name: audit_log; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.audit_log (
    id bigint NOT NULL,
    tenant_id bigint NOT NULL,
    task_id bigint NOT NULL,
    action text NOT NULL,
    actor text NOT NULL,
    at bigint NOT NULL,
    version bigint NOT NULL,
    detail text
);


--
-- Name: audit_log_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.audit_log ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.audit_log_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: deadline_misses; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.deadline_misses (
    id bigint NOT NULL,
    tenant_id bigint NOT NULL,
    task_id bigint NOT NULL,
    deadline_key text NOT NULL,
    spec text NOT NULL,
    due_at bigint NOT NULL,
    missed bigint NOT NULL,
    last_success_at bigint,
    recorded_at bigint NOT NULL
);


--
-- Name: deadline_misses_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.deadline_misses ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.deadline_misses_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: engine_leases; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.engine_leases (
    name text NOT NULL,
    owner text NOT NULL,
    expires_at bigint NOT NULL
);


--
-- Name: notify_channels; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.notify_channels (
    id bigint NOT NULL,
    uuid uuid NOT NULL,
    tenant_id bigint NOT NULL,
    name text NOT NULL,
    kind text NOT NULL,
    config text NOT NULL,
    secret text,
    previous_secret text,
    previous_secret_until bigint,
    created_at bigint NOT NULL,
    created_by text NOT NULL,
    updated_at bigint NOT NULL,
    deleted_at bigint
);


--
-- Name: notify_channels_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.notify_channels ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.notify_channels_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: notify_deliveries; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.notify_deliveries (
    id bigint NOT NULL,
    uuid uuid NOT NULL,
    tenant_id bigint NOT NULL,
    event_id bigint NOT NULL,
    channel_id bigint NOT NULL,
    rule_id bigint,
    status text NOT NULL,
    attempts bigint DEFAULT 0 NOT NULL,
    next_attempt_at bigint NOT NULL,
    lease_owner text,
    lease_expires_at bigint,
    response_code bigint,
    error text,
    created_at bigint NOT NULL,
    finished_at bigint,
    response text
);


--
-- Name: notify_deliveries_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.notify_deliveries ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.notify_deliveries_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: notify_email_counts; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.notify_email_counts (
    tenant_id bigint NOT NULL,
    hour_start bigint NOT NULL,
    sent bigint NOT NULL
);


--
-- Name: notify_events; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.notify_events (
    id bigint NOT NULL,
    uuid uuid NOT NULL,
    tenant_id bigint NOT NULL,
    task_id bigint NOT NULL,
    run_uuid uuid,
    kind text NOT NULL,
    payload text NOT NULL,
    occurred_at bigint NOT NULL,
    routed_at bigint
);


--
-- Name: notify_events_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.notify_events ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.notify_events_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: notify_rules; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.notify_rules (
    id bigint NOT NULL,
    uuid uuid NOT NULL,
    tenant_id bigint NOT NULL,
    task_id bigint,
    channel_id bigint NOT NULL,
    event text NOT NULL,
    threshold bigint,
    throttle_seconds bigint NOT NULL,
    created_at bigint NOT NULL,
    created_by text NOT NULL
);


--
-- Name: notify_rules_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.notify_rules ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.notify_rules_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: notify_throttle; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.notify_throttle (
    rule_id bigint NOT NULL,
    task_id bigint NOT NULL,
    last_notified_at bigint NOT NULL
);


--
-- Name: readiness_probe; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.readiness_probe (
    id integer NOT NULL,
    at bigint NOT NULL
);


--
-- Name: schedule_scan; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.schedule_scan (
    id bigint NOT NULL,
    scan_key text NOT NULL,
    at bigint NOT NULL
);


--
-- Name: scheduled_tasks; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.scheduled_tasks (
    id bigint NOT NULL,
    uuid uuid NOT NULL,
    tenant_id bigint NOT NULL,
    name text NOT NULL COLLATE pg_catalog."C",
    code text NOT NULL COLLATE pg_catalog."C",
    description text,
    type text NOT NULL,
    trigger_type text NOT NULL,
    trigger_config text NOT NULL,
    task_config text NOT NULL,
    inngest_function_id text NOT NULL,
    is_active boolean DEFAULT true NOT NULL,
    is_running boolean DEFAULT false NOT NULL,
    last_run_at bigint,
    last_run_status text,
    last_error text,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL,
    deleted_at bigint,
    next_run_at bigint,
    timezone text NOT NULL,
    retry_policy text NOT NULL,
    timeout_seconds bigint NOT NULL,
    overlap_policy text NOT NULL,
    misfire_policy text NOT NULL,
    misfire_grace_seconds bigint NOT NULL,
    start_at bigint,
    end_at bigint,
    jitter_seconds bigint DEFAULT 0 NOT NULL,
    version bigint NOT NULL,
    created_by text NOT NULL,
    updated_by text NOT NULL,
    search_text text NOT NULL,
    schedule_notice text,
    chain_slots bigint DEFAULT 0 NOT NULL,
    last_run_duration_ms bigint,
    recent_outcomes text DEFAULT ''::text NOT NULL
);


--
-- Name: scheduled_tasks_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.scheduled_tasks ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.scheduled_tasks_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: task_chains; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.task_chains (
    id bigint NOT NULL,
    tenant_id bigint NOT NULL,
    parent_task_id bigint NOT NULL,
    child_task_id bigint NOT NULL,
    slot integer NOT NULL,
    on_outcome text NOT NULL,
    created_at bigint NOT NULL
);


--
-- Name: task_chains_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.task_chains ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.task_chains_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: task_deadlines; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.task_deadlines (
    id bigint NOT NULL,
    tenant_id bigint NOT NULL,
    task_id bigint NOT NULL,
    "position" integer NOT NULL,
    deadline_key text NOT NULL,
    spec text NOT NULL,
    since bigint NOT NULL,
    checked_through bigint,
    last_met_at bigint,
    last_missed_at bigint,
    missed_count bigint DEFAULT 0 NOT NULL
);


--
-- Name: task_deadlines_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.task_deadlines ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.task_deadlines_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: task_run_logs; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.task_run_logs (
    id bigint NOT NULL,
    run_id bigint NOT NULL,
    attempt integer NOT NULL,
    seq bigint NOT NULL,
    ts bigint NOT NULL,
    stream text NOT NULL,
    line text NOT NULL
);


--
-- Name: task_run_logs_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.task_run_logs ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.task_run_logs_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: task_runs; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.task_runs (
    id bigint NOT NULL,
    uuid uuid NOT NULL,
    tenant_id bigint NOT NULL,
    task_id bigint NOT NULL,
    task_version bigint NOT NULL,
    trigger text NOT NULL,
    scheduled_for bigint NOT NULL,
    scheduled_until bigint,
    occurrences bigint DEFAULT 1 NOT NULL,
    status text NOT NULL,
    skip_reason text,
    attempt integer NOT NULL,
    max_attempts integer NOT NULL,
    not_before bigint NOT NULL,
    lease_owner text,
    lease_expires_at bigint,
    queued_at bigint NOT NULL,
    started_at bigint,
    finished_at bigint,
    duration_ms bigint,
    result text,
    error text,
    cancel_requested boolean DEFAULT false NOT NULL,
    rescues integer DEFAULT 0 NOT NULL,
    requeues integer DEFAULT 0 NOT NULL,
    log_bytes bigint DEFAULT 0 NOT NULL,
    logs_pruned_at bigint,
    args text,
    parent_run_id bigint,
    parent text
);


--
-- Name: task_runs_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.task_runs ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.task_runs_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: task_versions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.task_versions (
    id bigint NOT NULL,
    tenant_id bigint NOT NULL,
    task_id bigint NOT NULL,
    version bigint NOT NULL,
    action text NOT NULL,
    actor text NOT NULL,
    at bigint NOT NULL,
    definition text NOT NULL
);


--
-- Name: task_versions_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.task_versions ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.task_versions_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: tenant_settings; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.tenant_settings (
    tenant_id bigint NOT NULL,
    egress_allow text,
    updated_at bigint NOT NULL,
    updated_by text NOT NULL
);


--
-- Data for Name: _sqlx_migrations; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public._sqlx_migrations VALUES (1, 'tasks', '2026-12-07 09:11:43.636685+00', true, '\xa2a851b0f38c96654c2895b176d59c62e6f25bd7e4f076abd22baa13b0641f34b88b8a723061d7395c6c7918e2a4cd2e', 106569701);
INSERT INTO public._sqlx_migrations VALUES (2, 'engine', '2026-12-07 09:11:43.744545+00', true, '\x91b6a07d5c0b24f6c087c25f60dad53c73b0bdfe75dbd203c43aa8489cf221f0e5af04eecb14258afa33c24832cdaf7c', 2214979);
INSERT INTO public._sqlx_migrations VALUES (3, 'tenant settings', '2026-12-07 09:11:43.747132+00', true, '\xfa020034955d45e4a558024071e84a3283cd7358e4fc58d9b263f0e1b989a465eabd384dfb59e7ba84cc953d53552f69', 4827618);
INSERT INTO public._sqlx_migrations VALUES (4, 'maintenance', '2026-12-07 09:11:43.752612+00', true, '\xbe111ac30448c9f25fde04913bc75a9a076d23046fb7b760dc360e6b6fdf12f1d0596c436c78e579eb5715b917b2d8f3', 5501560);
INSERT INTO public._sqlx_migrations VALUES (5, 'claim', '2026-12-07 09:11:43.758627+00', true, '\x13bc4bd8b8a9b2cc797f0cf8501f45d4f337ec9ed6ed8abd3ead53128956483c0cc60eadd9b11cecd9683b63f9625cc1', 2567699);
INSERT INTO public._sqlx_migrations VALUES (6, 'faults', '2026-12-07 09:11:43.761677+00', true, '\x0129bcbe5bf16f4401a4f50c2ce65cdfa868377f80c079d78af75d58f0fdc0f61dd3dde63be40936ef4273c4248f81a0', 3224786);
INSERT INTO public._sqlx_migrations VALUES (7, 'schedule notice', '2026-12-07 09:11:43.765404+00', true, '\x702d6195ce0c9c3985e5577c8ae2fa4576f5c06991fb075f95a66de1596b7de095d7117a0fee4538e4dfe34fed79d9df', 785297);
INSERT INTO public._sqlx_migrations VALUES (8, 'storage', '2026-12-07 09:11:43.766696+00', true, '\x389ebb57956ba8e22957f5e9c0de5b068dac2d1c699e7c4748b63fcca05cff93782b2c270aff9e8e977d0247ea91ddf0', 4504417);
INSERT INTO public._sqlx_migrations VALUES (9, 'log paging', '2026-12-07 09:11:43.771783+00', true, '\xd8539f89ad0cb4af5fff31b75d5bfbaa4951852cc7d6c8011ab1e7fd8b5fb9079a488968335f636ebc3483a3ea929881', 2199660);
INSERT INTO public._sqlx_migrations VALUES (10, 'audit read', '2026-12-07 09:11:43.77446+00', true, '\x12cc619ee92668e2f5789e57441fe12e58e4bd433616123da5c35165508b3977e316984e48f4aeac75d3bea06d2dbe5e', 1862791);
INSERT INTO public._sqlx_migrations VALUES (11, 'run search', '2026-12-07 09:11:43.776828+00', true, '\xa9a760a9294e702bfe1a9733b3c298be978bc82728fb95f06380857bbca78ab43bc74b1a33a6c1b0a85a326bed65fd41', 2068645);
INSERT INTO public._sqlx_migrations VALUES (12, 'running indexes', '2026-12-07 09:11:43.7793+00', true, '\xb11957a1369d13b36d54fe5cd6d26b7a525e9d2338c2558fdfd68d8cc013d42cf7a0ab14be6f65af3331d350f1410d69', 2785194);
INSERT INTO public._sqlx_migrations VALUES (13, 'run args', '2026-12-07 09:11:43.782586+00', true, '\x4ff76fd6971989a8ac372fca11a524c573252f5681dd5ee15ff53984e807a4d679160616638049a8ad089d76c199c04f', 1113460);
INSERT INTO public._sqlx_migrations VALUES (14, 'notify', '2026-12-07 09:11:43.784118+00', true, '\x7775dd0796276ec201f903d73289f1787329682297cffe6ba149b0af27dbc7ac066dd5b7cb7bc070c94478bc57df2eb4', 31111401);
INSERT INTO public._sqlx_migrations VALUES (15, 'chains', '2026-12-07 09:11:43.815914+00', true, '\x4beccb21cf3982d97bcef5e3c51105b1d13b032536b8f94eb682b0921476e177aa8d18538e0e99f1b89339cfc6f0b2aa', 10685297);
INSERT INTO public._sqlx_migrations VALUES (16, 'deadlines', '2026-12-07 09:11:43.827059+00', true, '\x9d33c879c44ee355bb540a5f571d65a2cd4d679bbefa12044c3bb700f5adc244131e16952813197f29f42338f79da918', 11954358);
INSERT INTO public._sqlx_migrations VALUES (17, 'search', '2026-12-07 09:11:43.839482+00', true, '\xafa6e17ac95d3a797ce09ca7b913d5ff58bd79aec19e9c4d680d38d5e8aea314d4d05c11d6d44e672528deaeca5b8772', 16656424);
INSERT INTO public._sqlx_migrations VALUES (18, 'email', '2026-12-07 09:11:43.856843+00', true, '\x7998c29d98ae42a6922661e83088ae5a5695d133c90fec03ae21c79badbe0ab5f98e9900c5256a5480b272afca00fd07', 2583497);
INSERT INTO public._sqlx_migrations VALUES (19, 'alert producers', '2026-12-07 09:11:43.859844+00', true, '\x4c262931a897b29053688f409ac54e9112a83ded6e217ee527d35fc553a3583e2195d3413679ead6b8058fcd36b00418', 2748115);
INSERT INTO public._sqlx_migrations VALUES (20, 'search per tenant', '2026-12-07 09:11:43.862999+00', true, '\x3dd9a287e9f834add75ec4bc8dd0a7ba5d6096897ea89298768abc6e49c0d45cfbe89ba6b2827fd1bd0a683d39cbdad3', 25924502);
INSERT INTO public._sqlx_migrations VALUES (21, 'list columns', '2026-12-07 09:11:43.889505+00', true, '\x89239f6b10cb62bff2ee534962bdf44c36f2ef239d38dd85d3c07c407d81230355a08aa34b46d9a94951c26db0ccb0dc', 1316099);


--
-- Data for Name: audit_log; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.audit_log OVERRIDING SYSTEM VALUE VALUES (1, 1, 1, 'create', 'alice', 1893456000000, 1, NULL);
INSERT INTO public.audit_log OVERRIDING SYSTEM VALUE VALUES (2, 1, 2, 'create', 'alice', 1893456000010, 1, NULL);
INSERT INTO public.audit_log OVERRIDING SYSTEM VALUE VALUES (3, 1, 1, 'update', 'bob', 1893456001000, 2, NULL);
INSERT INTO public.audit_log OVERRIDING SYSTEM VALUE VALUES (4, 1, 2, 'stop', 'carol', 1893456002000, 2, '{"cancelled_runs":0}');
INSERT INTO public.audit_log OVERRIDING SYSTEM VALUE VALUES (5, 1, 3, 'create', 'alice', 1893456000020, 1, NULL);
INSERT INTO public.audit_log OVERRIDING SYSTEM VALUE VALUES (6, 2, 4, 'create', 'zhang', 1893456000030, 1, NULL);
INSERT INTO public.audit_log OVERRIDING SYSTEM VALUE VALUES (7, 3, 5, 'create', 'admin', 1893456000040, 1, NULL);
INSERT INTO public.audit_log OVERRIDING SYSTEM VALUE VALUES (8, 1, 3, 'delete', 'alice', 1893456003000, 2, '{"cancelled_runs":0}');


--
-- Data for Name: deadline_misses; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: engine_leases; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.engine_leases VALUES ('maintenance', '', 0);


--
-- Data for Name: notify_channels; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: notify_deliveries; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: notify_email_counts; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: notify_events; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: notify_rules; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: notify_throttle; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: readiness_probe; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.readiness_probe VALUES (1, 0);


--
-- Data for Name: schedule_scan; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.schedule_scan VALUES (1, '', 0);


--
-- Data for Name: scheduled_tasks; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.scheduled_tasks OVERRIDING SYSTEM VALUE VALUES (1, '01930000-0000-7000-8000-000000000001', 1, 'Nightly report (EU)', 'nightly-report', NULL, 'api_call', 'cron', '{"cron":"30 1 * * *","timezone":"Europe/Berlin"}', '{"method":"GET","url":"https://api.example.com/endpoint"}', 'scheduled-task-01930000-0000-7000-8000-000000000001', true, false, NULL, NULL, NULL, 1893456000000, 1893456001000, NULL, 1893547800000, 'Europe/Berlin', '{"max_retries":3,"retry_delay_seconds":60,"backoff":"fixed"}', 30, 'skip', 'fire_once', 60, NULL, NULL, 0, 2, 'alice', 'bob', 'nightly report (eu) nightly-report', NULL, 0, NULL, '');
INSERT INTO public.scheduled_tasks OVERRIDING SYSTEM VALUE VALUES (2, '01930000-0000-7000-8000-000000000002', 1, 'Python job', 'python-job', NULL, 'python_script', 'interval', '{"seconds":3600}', '{"args":{"n":1},"script":"print(''héllo'')\n"}', 'scheduled-task-01930000-0000-7000-8000-000000000002', false, false, NULL, NULL, NULL, 1893456000010, 1893456002000, NULL, NULL, 'UTC', '{"max_retries":2,"retry_delay_seconds":10,"backoff":"exponential","max_delay_seconds":300}', 120, 'queue_one', 'fire_all', 600, NULL, NULL, 0, 2, 'alice', 'carol', 'python job python-job', NULL, 0, NULL, '');
INSERT INTO public.scheduled_tasks OVERRIDING SYSTEM VALUE VALUES (4, '01930000-0000-7000-8000-000000000004', 2, '每日报表 Ünïcode', 'nightly-report', NULL, 'api_call', 'cron', '{"cron":"0 0 * * *","timezone":"UTC"}', '{"method":"GET","url":"https://api.example.com/endpoint"}', 'scheduled-task-01930000-0000-7000-8000-000000000004', true, false, NULL, NULL, NULL, 1893456000030, 1893456000030, NULL, 1893542400000, 'UTC', '{"max_retries":3,"retry_delay_seconds":60,"backoff":"fixed"}', 30, 'skip', 'fire_once', 60, NULL, NULL, 0, 1, 'zhang', 'zhang', '每日报表 ünïcode nightly-report', NULL, 0, NULL, '');
INSERT INTO public.scheduled_tasks OVERRIDING SYSTEM VALUE VALUES (5, '01930000-0000-7000-8000-000000000005', 3, 'Once', 'once', NULL, 'api_call', 'date', '{"at":"2030-06-01T12:00:00Z"}', '{"method":"GET","url":"https://api.example.com/endpoint"}', 'scheduled-task-01930000-0000-7000-8000-000000000005', true, false, NULL, NULL, NULL, 1893456000040, 1893456000040, NULL, 1906545600000, 'UTC', '{"max_retries":3,"retry_delay_seconds":60,"backoff":"fixed"}', 30, 'skip', 'fire_once', 60, NULL, NULL, 0, 1, 'admin', 'admin', 'once once', NULL, 0, NULL, '');
INSERT INTO public.scheduled_tasks OVERRIDING SYSTEM VALUE VALUES (3, '01930000-0000-7000-8000-000000000003', 1, 'Old job', 'old-job', NULL, 'api_call', 'cron', '{"cron":"0 0 * * *","timezone":"UTC"}', '{"method":"GET","url":"https://api.example.com/endpoint"}', 'scheduled-task-01930000-0000-7000-8000-000000000003', false, false, NULL, NULL, NULL, 1893456000020, 1893456003000, 1893456003000, NULL, 'UTC', '{"max_retries":3,"retry_delay_seconds":60,"backoff":"fixed"}', 30, 'skip', 'fire_once', 60, NULL, NULL, 0, 2, 'alice', 'alice', 'old job old-job', NULL, 0, NULL, '');


--
-- Data for Name: task_chains; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: task_deadlines; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: task_run_logs; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.task_run_logs OVERRIDING SYSTEM VALUE VALUES (1, 1, 1, 0, 1893456100100, 'system', 'POST https://api.example.com/');
INSERT INTO public.task_run_logs OVERRIDING SYSTEM VALUE VALUES (2, 1, 1, 1, 1893456100200, 'stderr', 'HTTP 503');
INSERT INTO public.task_run_logs OVERRIDING SYSTEM VALUE VALUES (3, 1, 2, 0, 1893456100600, 'stdout', 'HTTP 200 ok');
INSERT INTO public.task_run_logs OVERRIDING SYSTEM VALUE VALUES (4, 8, 1, 0, 1893456700150, 'stdout', 'héllo');
INSERT INTO public.task_run_logs OVERRIDING SYSTEM VALUE VALUES (5, 8, 1, 1, 1893456700250, 'system', 'wall 0.2 s, cpu 0.1 s');


--
-- Data for Name: task_runs; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.task_runs OVERRIDING SYSTEM VALUE VALUES (2, '01930000-0000-7000-8000-000000001002', 1, 1, 2, 'schedule', 1893456200000, NULL, 1, 'failed', NULL, 4, 4, 1893456200000, NULL, NULL, 1893456200000, 1893456200100, 1893456200200, 100, NULL, 'HTTP 500 from api.example.com', false, 0, 0, 0, NULL, NULL, NULL, NULL);
INSERT INTO public.task_runs OVERRIDING SYSTEM VALUE VALUES (3, '01930000-0000-7000-8000-000000001003', 1, 1, 2, 'schedule', 1893456300000, NULL, 5, 'skipped', 'misfire', 1, 4, 1893456300000, NULL, NULL, 1893456300000, NULL, NULL, NULL, NULL, NULL, false, 0, 0, 0, NULL, NULL, NULL, NULL);
INSERT INTO public.task_runs OVERRIDING SYSTEM VALUE VALUES (4, '01930000-0000-7000-8000-000000001004', 1, 1, 2, 'manual', 1893456400000, NULL, 1, 'queued', NULL, 1, 4, 1893456400000, NULL, NULL, 1893456400000, NULL, NULL, NULL, NULL, NULL, false, 0, 0, 0, NULL, NULL, NULL, NULL);
INSERT INTO public.task_runs OVERRIDING SYSTEM VALUE VALUES (5, '01930000-0000-7000-8000-000000001005', 1, 1, 2, 'schedule', 1893456500000, NULL, 1, 'running', NULL, 3, 6, 1893456500000, NULL, NULL, 1893456500000, 1893456500100, NULL, NULL, NULL, NULL, false, 1, 1, 0, NULL, NULL, NULL, NULL);
INSERT INTO public.task_runs OVERRIDING SYSTEM VALUE VALUES (6, '01930000-0000-7000-8000-000000001006', 1, 1, 2, 'catch_up', 1893456050000, NULL, 1, 'timed_out', NULL, 1, 4, 1893456050000, NULL, NULL, 1893456050000, NULL, NULL, NULL, NULL, 'timed out after 30 s', false, 0, 0, 0, NULL, NULL, NULL, NULL);
INSERT INTO public.task_runs OVERRIDING SYSTEM VALUE VALUES (7, '01930000-0000-7000-8000-000000001007', 1, 1, 2, 'schedule', 1893456600000, NULL, 1, 'cancelled', NULL, 1, 4, 1893456600000, NULL, NULL, 1893456600000, NULL, NULL, NULL, NULL, 'cancelled by bob', false, 0, 0, 0, NULL, NULL, NULL, NULL);
INSERT INTO public.task_runs OVERRIDING SYSTEM VALUE VALUES (9, '01930000-0000-7000-8000-000000001009', 1, 3, 1, 'schedule', 1893456800000, NULL, 1, 'succeeded', NULL, 1, 4, 1893456800000, NULL, NULL, 1893456800000, NULL, NULL, NULL, NULL, NULL, false, 0, 0, 0, NULL, NULL, NULL, NULL);
INSERT INTO public.task_runs OVERRIDING SYSTEM VALUE VALUES (10, '01930000-0000-7000-8000-00000000100a', 2, 4, 1, 'schedule', 1893456900000, NULL, 1, 'queued', NULL, 1, 4, 1893456900000, NULL, NULL, 1893456900000, NULL, NULL, NULL, NULL, NULL, false, 0, 0, 0, NULL, NULL, NULL, NULL);
INSERT INTO public.task_runs OVERRIDING SYSTEM VALUE VALUES (1, '01930000-0000-7000-8000-000000001001', 1, 1, 2, 'schedule', 1893456100000, NULL, 1, 'succeeded', NULL, 2, 4, 1893456100000, NULL, NULL, 1893456100000, 1893456100500, 1893456100900, 400, '{"body":"ok","status":200}', NULL, false, 0, 0, 51, NULL, NULL, NULL, NULL);
INSERT INTO public.task_runs OVERRIDING SYSTEM VALUE VALUES (8, '01930000-0000-7000-8000-000000001008', 1, 2, 1, 'schedule', 1893456700000, NULL, 1, 'succeeded', NULL, 1, 4, 1893456700000, NULL, NULL, 1893456700000, 1893456700100, 1893456700300, 200, '{"rows":[1,2,3]}', NULL, false, 0, 0, 29, NULL, NULL, NULL, NULL);


--
-- Data for Name: task_versions; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.task_versions OVERRIDING SYSTEM VALUE VALUES (1, 1, 1, 1, 'create', 'alice', 1893456000000, '{"code":"nightly-report","description":"Sends the daily report","is_active":true,"misfire_grace_seconds":60,"misfire_policy":"fire_once","name":"Nightly report","overlap_policy":"skip","retry_policy":{"backoff":"fixed","max_retries":3,"retry_delay_seconds":60},"task_config":{"method":"GET","url":"https://api.example.com/endpoint"},"timeout_seconds":30,"timezone":"UTC","trigger_config":{"cron":"0 0 * * *","timezone":"UTC"},"trigger_type":"cron","type":"api_call"}');
INSERT INTO public.task_versions OVERRIDING SYSTEM VALUE VALUES (2, 1, 2, 1, 'create', 'alice', 1893456000010, '{"code":"python-job","description":null,"is_active":true,"misfire_grace_seconds":600,"misfire_policy":"fire_all","name":"Python job","overlap_policy":"queue_one","retry_policy":{"backoff":"exponential","max_delay_seconds":300,"max_retries":2,"retry_delay_seconds":10},"task_config":{"args":{"n":1},"script":"print(''héllo'')\n"},"timeout_seconds":120,"timezone":"UTC","trigger_config":{"seconds":3600},"trigger_type":"interval","type":"python_script"}');
INSERT INTO public.task_versions OVERRIDING SYSTEM VALUE VALUES (3, 1, 1, 2, 'update', 'bob', 1893456001000, '{"code":"nightly-report","description":null,"is_active":true,"misfire_grace_seconds":60,"misfire_policy":"fire_once","name":"Nightly report (EU)","overlap_policy":"skip","retry_policy":{"backoff":"fixed","max_retries":3,"retry_delay_seconds":60},"task_config":{"method":"GET","url":"https://api.example.com/endpoint"},"timeout_seconds":30,"timezone":"Europe/Berlin","trigger_config":{"cron":"30 1 * * *","timezone":"Europe/Berlin"},"trigger_type":"cron","type":"api_call"}');
INSERT INTO public.task_versions OVERRIDING SYSTEM VALUE VALUES (4, 1, 2, 2, 'stop', 'carol', 1893456002000, '{"code":"python-job","description":null,"is_active":false,"misfire_grace_seconds":600,"misfire_policy":"fire_all","name":"Python job","overlap_policy":"queue_one","retry_policy":{"backoff":"exponential","max_delay_seconds":300,"max_retries":2,"retry_delay_seconds":10},"task_config":{"args":{"n":1},"script":"print(''héllo'')\n"},"timeout_seconds":120,"timezone":"UTC","trigger_config":{"seconds":3600},"trigger_type":"interval","type":"python_script"}');
INSERT INTO public.task_versions OVERRIDING SYSTEM VALUE VALUES (5, 1, 3, 1, 'create', 'alice', 1893456000020, '{"code":"old-job","description":null,"is_active":true,"misfire_grace_seconds":60,"misfire_policy":"fire_once","name":"Old job","overlap_policy":"skip","retry_policy":{"backoff":"fixed","max_retries":3,"retry_delay_seconds":60},"task_config":{"method":"GET","url":"https://api.example.com/endpoint"},"timeout_seconds":30,"timezone":"UTC","trigger_config":{"cron":"0 0 * * *","timezone":"UTC"},"trigger_type":"cron","type":"api_call"}');
INSERT INTO public.task_versions OVERRIDING SYSTEM VALUE VALUES (6, 2, 4, 1, 'create', 'zhang', 1893456000030, '{"code":"nightly-report","description":null,"is_active":true,"misfire_grace_seconds":60,"misfire_policy":"fire_once","name":"每日报表 Ünïcode","overlap_policy":"skip","retry_policy":{"backoff":"fixed","max_retries":3,"retry_delay_seconds":60},"task_config":{"method":"GET","url":"https://api.example.com/endpoint"},"timeout_seconds":30,"timezone":"UTC","trigger_config":{"cron":"0 0 * * *","timezone":"UTC"},"trigger_type":"cron","type":"api_call"}');
INSERT INTO public.task_versions OVERRIDING SYSTEM VALUE VALUES (7, 3, 5, 1, 'create', 'admin', 1893456000040, '{"code":"once","description":null,"is_active":true,"misfire_grace_seconds":60,"misfire_policy":"fire_once","name":"Once","overlap_policy":"skip","retry_policy":{"backoff":"fixed","max_retries":3,"retry_delay_seconds":60},"task_config":{"method":"GET","url":"https://api.example.com/endpoint"},"timeout_seconds":30,"timezone":"UTC","trigger_config":{"at":"2030-06-01T12:00:00Z"},"trigger_type":"date","type":"api_call"}');
INSERT INTO public.task_versions OVERRIDING SYSTEM VALUE VALUES (8, 1, 3, 2, 'delete', 'alice', 1893456003000, '{"code":"old-job","description":null,"is_active":false,"misfire_grace_seconds":60,"misfire_policy":"fire_once","name":"Old job","overlap_policy":"skip","retry_policy":{"backoff":"fixed","max_retries":3,"retry_delay_seconds":60},"task_config":{"method":"GET","url":"https://api.example.com/endpoint"},"timeout_seconds":30,"timezone":"UTC","trigger_config":{"cron":"0 0 * * *","timezone":"UTC"},"trigger_type":"cron","type":"api_call"}');


--
-- Data for Name: tenant_settings; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.tenant_settings VALUES (3, '10.0.0.0/8:443', 1893456004000, 'admin');


--
-- Name: audit_log_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.audit_log_id_seq', 8, true);


--
-- Name: deadline_misses_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.deadline_misses_id_seq', 1, false);


--
-- Name: notify_channels_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.notify_channels_id_seq', 1, false);


--
-- Name: notify_deliveries_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.notify_deliveries_id_seq', 1, false);


--
-- Name: notify_events_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.notify_events_id_seq', 1, false);


--
-- Name: notify_rules_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.notify_rules_id_seq', 1, false);


--
-- Name: scheduled_tasks_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.scheduled_tasks_id_seq', 5, true);


--
-- Name: task_chains_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.task_chains_id_seq', 1, false);


--
-- Name: task_deadlines_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.task_deadlines_id_seq', 1, false);


--
-- Name: task_run_logs_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.task_run_logs_id_seq', 5, true);


--
-- Name: task_runs_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.task_runs_id_seq', 10, true);


--
-- Name: task_versions_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.task_versions_id_seq', 8, true);


--
-- Name: _sqlx_migrations _sqlx_migrations_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public._sqlx_migrations
    ADD CONSTRAINT _sqlx_migrations_pkey PRIMARY KEY (version);


--
-- Name: audit_log audit_log_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.audit_log
    ADD CONSTRAINT audit_log_pkey PRIMARY KEY (id);


--
-- Name: deadline_misses deadline_misses_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.deadline_misses
    ADD CONSTRAINT deadline_misses_pkey PRIMARY KEY (id);


--
-- Name: engine_leases engine_leases_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.engine_leases
    ADD CONSTRAINT engine_leases_pkey PRIMARY KEY (name);


--
-- Name: notify_channels notify_channels_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.notify_channels
    ADD CONSTRAINT notify_channels_pkey PRIMARY KEY (id);


--
-- Name: notify_channels notify_channels_uuid_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.notify_channels
    ADD CONSTRAINT notify_channels_uuid_key UNIQUE (uuid);


--
-- Name: notify_deliveries notify_deliveries_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.notify_deliveries
    ADD CONSTRAINT notify_deliveries_pkey PRIMARY KEY (id);


--
-- Name: notify_deliveries notify_deliveries_uuid_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.notify_deliveries
    ADD CONSTRAINT notify_deliveries_uuid_key UNIQUE (uuid);


--
-- Name: notify_email_counts notify_email_counts_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.notify_email_counts
    ADD CONSTRAINT notify_email_counts_pkey PRIMARY KEY (tenant_id, hour_start);


--
-- Name: notify_events notify_events_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.notify_events
    ADD CONSTRAINT notify_events_pkey PRIMARY KEY (id);


--
-- Name: notify_events notify_events_uuid_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.notify_events
    ADD CONSTRAINT notify_events_uuid_key UNIQUE (uuid);


--
-- Name: notify_rules notify_rules_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.notify_rules
    ADD CONSTRAINT notify_rules_pkey PRIMARY KEY (id);


--
-- Name: notify_rules notify_rules_uuid_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.notify_rules
    ADD CONSTRAINT notify_rules_uuid_key UNIQUE (uuid);


--
-- Name: notify_throttle notify_throttle_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.notify_throttle
    ADD CONSTRAINT notify_throttle_pkey PRIMARY KEY (rule_id, task_id);


--
-- Name: readiness_probe readiness_probe_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.readiness_probe
    ADD CONSTRAINT readiness_probe_pkey PRIMARY KEY (id);


--
-- Name: schedule_scan schedule_scan_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.schedule_scan
    ADD CONSTRAINT schedule_scan_pkey PRIMARY KEY (id);


--
-- Name: scheduled_tasks scheduled_tasks_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.scheduled_tasks
    ADD CONSTRAINT scheduled_tasks_pkey PRIMARY KEY (id);


--
-- Name: scheduled_tasks scheduled_tasks_uuid_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.scheduled_tasks
    ADD CONSTRAINT scheduled_tasks_uuid_key UNIQUE (uuid);


--
-- Name: task_chains task_chains_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.task_chains
    ADD CONSTRAINT task_chains_pkey PRIMARY KEY (id);


--
-- Name: task_deadlines task_deadlines_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.task_deadlines
    ADD CONSTRAINT task_deadlines_pkey PRIMARY KEY (id);


--
-- Name: task_run_logs task_run_logs_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.task_run_logs
    ADD CONSTRAINT task_run_logs_pkey PRIMARY KEY (id);


--
-- Name: task_runs task_runs_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.task_runs
    ADD CONSTRAINT task_runs_pkey PRIMARY KEY (id);


--
-- Name: task_runs task_runs_uuid_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.task_runs
    ADD CONSTRAINT task_runs_uuid_key UNIQUE (uuid);


--
-- Name: task_versions task_versions_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.task_versions
    ADD CONSTRAINT task_versions_pkey PRIMARY KEY (id);


--
-- Name: tenant_settings tenant_settings_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tenant_settings
    ADD CONSTRAINT tenant_settings_pkey PRIMARY KEY (tenant_id);


--
-- Name: ix_audit_log_task; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_audit_log_task ON public.audit_log USING btree (task_id, id);


--
-- Name: ix_audit_log_tenant_actor; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_audit_log_tenant_actor ON public.audit_log USING btree (tenant_id, actor, at);


--
-- Name: ix_audit_log_tenant_at; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_audit_log_tenant_at ON public.audit_log USING btree (tenant_id, at);


--
-- Name: ix_deadline_misses_recorded; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_deadline_misses_recorded ON public.deadline_misses USING btree (recorded_at);


--
-- Name: ix_deadline_misses_tenant; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_deadline_misses_tenant ON public.deadline_misses USING btree (tenant_id, recorded_at DESC, id DESC);


--
-- Name: ix_notify_channels_tenant; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_notify_channels_tenant ON public.notify_channels USING btree (tenant_id, id) WHERE (deleted_at IS NULL);


--
-- Name: ix_notify_deliveries_due; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_notify_deliveries_due ON public.notify_deliveries USING btree (next_attempt_at) WHERE (status = 'pending'::text);


--
-- Name: ix_notify_deliveries_leases; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_notify_deliveries_leases ON public.notify_deliveries USING btree (lease_expires_at) WHERE (status = 'sending'::text);


--
-- Name: ix_notify_deliveries_tenant; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_notify_deliveries_tenant ON public.notify_deliveries USING btree (tenant_id, id);


--
-- Name: ix_notify_events_occurred; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_notify_events_occurred ON public.notify_events USING btree (occurred_at);


--
-- Name: ix_notify_events_unrouted; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_notify_events_unrouted ON public.notify_events USING btree (id) WHERE (routed_at IS NULL);


--
-- Name: ix_notify_rules_channel; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_notify_rules_channel ON public.notify_rules USING btree (channel_id);


--
-- Name: ix_notify_rules_event; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_notify_rules_event ON public.notify_rules USING btree (event, tenant_id, task_id, threshold);


--
-- Name: ix_notify_rules_task; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_notify_rules_task ON public.notify_rules USING btree (tenant_id, task_id);


--
-- Name: ix_scheduled_tasks_due; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_scheduled_tasks_due ON public.scheduled_tasks USING btree (next_run_at) WHERE ((deleted_at IS NULL) AND is_active AND (next_run_at IS NOT NULL));


--
-- Name: ix_scheduled_tasks_tenant_created; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_scheduled_tasks_tenant_created ON public.scheduled_tasks USING btree (tenant_id, created_at, id) WHERE (deleted_at IS NULL);


--
-- Name: ix_scheduled_tasks_tenant_last_run; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_scheduled_tasks_tenant_last_run ON public.scheduled_tasks USING btree (tenant_id, last_run_at, id) WHERE (deleted_at IS NULL);


--
-- Name: ix_scheduled_tasks_tenant_last_run_desc; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_scheduled_tasks_tenant_last_run_desc ON public.scheduled_tasks USING btree (tenant_id, last_run_at DESC NULLS LAST, id DESC) WHERE (deleted_at IS NULL);


--
-- Name: ix_scheduled_tasks_tenant_name; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_scheduled_tasks_tenant_name ON public.scheduled_tasks USING btree (tenant_id, name, id) WHERE (deleted_at IS NULL);


--
-- Name: ix_scheduled_tasks_tenant_next; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_scheduled_tasks_tenant_next ON public.scheduled_tasks USING btree (tenant_id, next_run_at, id) WHERE (deleted_at IS NULL);


--
-- Name: ix_scheduled_tasks_tenant_next_desc; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_scheduled_tasks_tenant_next_desc ON public.scheduled_tasks USING btree (tenant_id, next_run_at DESC NULLS LAST, id DESC) WHERE (deleted_at IS NULL);


--
-- Name: ix_scheduled_tasks_tenant_search; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_scheduled_tasks_tenant_search ON public.scheduled_tasks USING btree (tenant_id, search_text, code) WHERE (deleted_at IS NULL);


--
-- Name: ix_scheduled_tasks_tenant_search_trgm; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_scheduled_tasks_tenant_search_trgm ON public.scheduled_tasks USING gin (tenant_id, search_text public.gin_trgm_ops) WHERE (deleted_at IS NULL);


--
-- Name: ix_scheduled_tasks_tenant_updated; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_scheduled_tasks_tenant_updated ON public.scheduled_tasks USING btree (tenant_id, updated_at, id) WHERE (deleted_at IS NULL);


--
-- Name: ix_task_chains_child; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_task_chains_child ON public.task_chains USING btree (child_task_id);


--
-- Name: ix_task_run_logs_run_line; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_task_run_logs_run_line ON public.task_run_logs USING btree (run_id, id);


--
-- Name: ix_task_runs_finished; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_task_runs_finished ON public.task_runs USING btree (finished_at) WHERE (status <> ALL (ARRAY['queued'::text, 'running'::text]));


--
-- Name: ix_task_runs_leases; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_task_runs_leases ON public.task_runs USING btree (lease_expires_at) WHERE (status = 'running'::text);


--
-- Name: ix_task_runs_queued; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_task_runs_queued ON public.task_runs USING btree (not_before) WHERE (status = 'queued'::text);


--
-- Name: ix_task_runs_queued_tenant; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_task_runs_queued_tenant ON public.task_runs USING btree (tenant_id, not_before, id) WHERE (status = 'queued'::text);


--
-- Name: ix_task_runs_running_task; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_task_runs_running_task ON public.task_runs USING btree (task_id) WHERE (status = 'running'::text);


--
-- Name: ix_task_runs_running_tenant; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_task_runs_running_tenant ON public.task_runs USING btree (tenant_id) WHERE (status = 'running'::text);


--
-- Name: ix_task_runs_task_live; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_task_runs_task_live ON public.task_runs USING btree (task_id, status) WHERE (status = ANY (ARRAY['queued'::text, 'running'::text]));


--
-- Name: ix_task_runs_task_newest; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_task_runs_task_newest ON public.task_runs USING btree (task_id, scheduled_for DESC, id DESC);


--
-- Name: ix_task_runs_task_succeeded; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_task_runs_task_succeeded ON public.task_runs USING btree (task_id, finished_at) WHERE (status = 'succeeded'::text);


--
-- Name: ix_task_runs_tenant_logs; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_task_runs_tenant_logs ON public.task_runs USING btree (tenant_id, finished_at, id, log_bytes) WHERE (log_bytes > 0);


--
-- Name: ix_task_runs_tenant_newest; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_task_runs_tenant_newest ON public.task_runs USING btree (tenant_id, scheduled_for DESC, id DESC);


--
-- Name: uq_deadline_misses_due; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX uq_deadline_misses_due ON public.deadline_misses USING btree (task_id, deadline_key, due_at);


--
-- Name: uq_notify_deliveries_event_channel; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX uq_notify_deliveries_event_channel ON public.notify_deliveries USING btree (event_id, channel_id);


--
-- Name: uq_notify_events_run_kind; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX uq_notify_events_run_kind ON public.notify_events USING btree (run_uuid, kind) WHERE (run_uuid IS NOT NULL);


--
-- Name: uq_scheduled_tasks_tenant_code; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX uq_scheduled_tasks_tenant_code ON public.scheduled_tasks USING btree (tenant_id, code) WHERE (deleted_at IS NULL);


--
-- Name: uq_task_chains_link; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX uq_task_chains_link ON public.task_chains USING btree (parent_task_id, child_task_id);


--
-- Name: uq_task_chains_slot; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX uq_task_chains_slot ON public.task_chains USING btree (parent_task_id, slot);


--
-- Name: uq_task_deadlines_key; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX uq_task_deadlines_key ON public.task_deadlines USING btree (task_id, deadline_key);


--
-- Name: uq_task_run_logs_line; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX uq_task_run_logs_line ON public.task_run_logs USING btree (run_id, attempt, seq);


--
-- Name: uq_task_runs_chain; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX uq_task_runs_chain ON public.task_runs USING btree (parent_run_id, task_id) WHERE (parent_run_id IS NOT NULL);


--
-- Name: uq_task_runs_occurrence; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX uq_task_runs_occurrence ON public.task_runs USING btree (task_id, scheduled_for) WHERE (trigger <> ALL (ARRAY['manual'::text, 'chain'::text]));


--
-- Name: uq_task_versions_version; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX uq_task_versions_version ON public.task_versions USING btree (task_id, version);


--
-- Name: audit_log audit_log_task_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.audit_log
    ADD CONSTRAINT audit_log_task_id_fkey FOREIGN KEY (task_id) REFERENCES public.scheduled_tasks(id);


--
-- Name: deadline_misses deadline_misses_task_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.deadline_misses
    ADD CONSTRAINT deadline_misses_task_id_fkey FOREIGN KEY (task_id) REFERENCES public.scheduled_tasks(id) ON DELETE CASCADE;


--
-- Name: notify_deliveries notify_deliveries_channel_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.notify_deliveries
    ADD CONSTRAINT notify_deliveries_channel_id_fkey FOREIGN KEY (channel_id) REFERENCES public.notify_channels(id);


--
-- Name: notify_deliveries notify_deliveries_event_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.notify_deliveries
    ADD CONSTRAINT notify_deliveries_event_id_fkey FOREIGN KEY (event_id) REFERENCES public.notify_events(id) ON DELETE CASCADE;


--
-- Name: notify_events notify_events_task_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.notify_events
    ADD CONSTRAINT notify_events_task_id_fkey FOREIGN KEY (task_id) REFERENCES public.scheduled_tasks(id);


--
-- Name: notify_rules notify_rules_channel_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.notify_rules
    ADD CONSTRAINT notify_rules_channel_id_fkey FOREIGN KEY (channel_id) REFERENCES public.notify_channels(id);


--
-- Name: notify_rules notify_rules_task_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.notify_rules
    ADD CONSTRAINT notify_rules_task_id_fkey FOREIGN KEY (task_id) REFERENCES public.scheduled_tasks(id);


--
-- Name: notify_throttle notify_throttle_rule_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.notify_throttle
    ADD CONSTRAINT notify_throttle_rule_id_fkey FOREIGN KEY (rule_id) REFERENCES public.notify_rules(id) ON DELETE CASCADE;


--
-- Name: task_chains task_chains_child_task_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.task_chains
    ADD CONSTRAINT task_chains_child_task_id_fkey FOREIGN KEY (child_task_id) REFERENCES public.scheduled_tasks(id);


--
-- Name: task_chains task_chains_parent_task_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.task_chains
    ADD CONSTRAINT task_chains_parent_task_id_fkey FOREIGN KEY (parent_task_id) REFERENCES public.scheduled_tasks(id);


--
-- Name: task_deadlines task_deadlines_task_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.task_deadlines
    ADD CONSTRAINT task_deadlines_task_id_fkey FOREIGN KEY (task_id) REFERENCES public.scheduled_tasks(id) ON DELETE CASCADE;


--
-- Name: task_run_logs task_run_logs_run_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.task_run_logs
    ADD CONSTRAINT task_run_logs_run_id_fkey FOREIGN KEY (run_id) REFERENCES public.task_runs(id) ON DELETE CASCADE;


--
-- Name: task_runs task_runs_task_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.task_runs
    ADD CONSTRAINT task_runs_task_id_fkey FOREIGN KEY (task_id) REFERENCES public.scheduled_tasks(id);


--
-- Name: task_versions task_versions_task_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.task_versions
    ADD CONSTRAINT task_versions_task_id_fkey FOREIGN KEY (task_id) REFERENCES public.scheduled_tasks(id);


--
-- PostgreSQL database dump complete
--


