//! The real binary: first start on SQLite, generated secret and console link, tokens, restarts,
//! PostgreSQL, and refusing a weak secret.

use std::os::unix::fs::PermissionsExt;
use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};
use tokio::process::Command;

use crate::common;
use common::{BIN, Node, Sink, TestDb, api_task, engine_env, poll};

fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn task(code: &str) -> Value {
    json!({"name": code, "code": code, "type": "api_call", "trigger_type": "cron",
           "trigger_config": {"cron": "*/5 * * * *"}, "task_config": {"url": "https://example.com/"}})
}

#[tokio::test]
async fn first_start_generates_a_secret_and_prints_a_working_console_link() {
    let data = tempfile::tempdir().unwrap();
    let mut server = Node::start(data.path(), &[]).await;
    let has_link = |lines: Vec<String>| lines.into_iter().find(|l| l.contains("#token="));
    poll("the console link", Duration::from_secs(10), || async {
        has_link(server.printed()).is_some()
    })
    .await;
    let link = has_link(server.printed()).expect("a console link is printed");
    let console_token = link.split("#token=").nth(1).unwrap().trim().to_owned();
    assert!(link.contains(&format!("{}/#token=", server.base)), "{link}");
    let secret = data.path().join("jwt-secret");
    assert_eq!(
        std::fs::metadata(&secret).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert!(data.path().join("sundial.db").exists());

    let (status, created) = server
        .call_as(&console_token, Method::POST, "/", Some(task("first")))
        .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["tenant_id"], 1);

    let viewer = server
        .token(&["--tenant", "1", "--role", "viewer", "--ttl", "10m"])
        .await;
    assert_eq!(
        server.call_as(&viewer, Method::GET, "/list", None).await.1["total"],
        1
    );
    assert_eq!(
        server
            .call_as(&viewer, Method::POST, "/", Some(task("second")))
            .await
            .0,
        403
    );
    let other = server.token(&["--tenant", "7"]).await;
    assert_eq!(
        server.call_as(&other, Method::GET, "/list", None).await.1["total"],
        0
    );
    server.kill9().await;

    // The generated secret and the data survive a restart: the old token still works.
    let mut server = Node::start(data.path(), &[]).await;
    let (status, list) = server
        .call_as(&console_token, Method::GET, "/list", None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(list["items"][0]["code"], "first");
    server.kill9().await;
}

#[tokio::test]
async fn a_configured_secret_prints_no_link_and_a_weak_one_is_refused() {
    let data = tempfile::tempdir().unwrap();
    let secret = env(&[(
        "SUNDIAL_JWT_SECRET",
        "0123456789abcdef0123456789abcdef-strong",
    )]);
    let mut server = Node::start(data.path(), &secret).await;
    assert!(!data.path().join("jwt-secret").exists());
    let admin = server.token(&["--tenant", "3"]).await;
    assert_eq!(
        server
            .call_as(&admin, Method::POST, "/", Some(task("x")))
            .await
            .0,
        201
    );
    server.kill9().await;
    let printed = server.printed_until_exit().await;
    assert!(
        !printed.iter().any(|l| l.contains("#token=")),
        "{printed:?}"
    );

    let output = Command::new(BIN)
        .arg("serve")
        .env_clear()
        .env("SUNDIAL_DATA_DIR", data.path())
        .env("SUNDIAL_JWT_SECRET", "short")
        .output()
        .await
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("at least 32 bytes"));
}

#[tokio::test]
async fn serves_from_postgresql_and_keeps_tasks_across_restarts() {
    let data = tempfile::tempdir().unwrap();
    let mut env = TestDb::postgres().await.env();
    env.extend(self::env(&[(
        "SUNDIAL_JWT_SECRET",
        "0123456789abcdef0123456789abcdef-pg",
    )]));

    let mut server = Node::start(data.path(), &env).await;
    let admin_token = server.token.clone();
    assert_eq!(
        server
            .call_as(&admin_token, Method::POST, "/", Some(task("pg")))
            .await
            .0,
        201
    );
    server.kill9().await;
    assert!(
        !data.path().join("sundial.db").exists(),
        "no SQLite file when PostgreSQL is configured"
    );

    let mut server = Node::start(data.path(), &env).await;
    let (_, list) = server
        .call_as(&admin_token, Method::GET, "/list", None)
        .await;
    assert_eq!(list["items"][0]["code"], "pg");
    server.kill9().await;
}

#[tokio::test]
async fn openapi_prints_the_document() {
    // It reads no configuration: a variable that would fail `serve` (CI's test harness exports
    // SUNDIAL_TEST_DATABASE_URL) changes nothing.
    let output = Command::new(BIN)
        .arg("openapi")
        .env_clear()
        .env("SUNDIAL_TEST_DATABASE_URL", "postgres://127.0.0.1/unused")
        .output()
        .await
        .unwrap();
    assert!(output.status.success());
    let doc: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(
        doc["paths"]
            .as_object()
            .unwrap()
            .contains_key("/api/tree-root/scheduled-tasks/list")
    );
    // The api tests hold `/api/openapi.json` to this same document, which CI validates.
    assert_eq!(doc, api::openapi());
}

#[tokio::test]
async fn a_backup_taken_while_serving_restores_every_task_and_run() {
    let sink = Sink::start().await;
    let env = engine_env(&TestDb::sqlite(), &sink);
    let data = tempfile::tempdir().unwrap();
    let mut server = Node::start(data.path(), &env).await;
    let mut runs = Vec::new();
    let mut tasks = Vec::new();
    for i in 0..3 {
        let task = server
            .create(api_task(
                &format!("backed-up-{i}"),
                "interval",
                json!({"seconds": 3600}),
                &sink.url(&format!("/b{i}")),
            ))
            .await;
        for _ in 0..2 {
            let run = server
                .ok(Method::POST, &format!("/{task}/run"), None, 202)
                .await;
            runs.push(run["uuid"].as_str().unwrap().to_owned());
        }
        tasks.push(task);
    }
    let mut settled = Vec::new();
    for task in &tasks {
        settled.extend(server.settled_runs(task).await);
    }

    let backups = tempfile::tempdir().unwrap();
    let file = backups.path().join("sundial-backup.db");
    let backup = |file: std::path::PathBuf| {
        Command::new(BIN)
            .arg("backup")
            .arg(file)
            .env_clear()
            .env("SUNDIAL_DATA_DIR", data.path())
            .envs(env.iter().map(|(k, v)| (k, v)))
            .output()
    };
    let output = backup(file.clone()).await.unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
        0o600,
        "the copy holds tenants' secrets"
    );
    let before = std::fs::read(&file).unwrap();
    let again = backup(file.clone()).await.unwrap();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
    assert_eq!(
        std::fs::read(&file).unwrap(),
        before,
        "an existing file is left alone"
    );
    // The service kept serving during the copy.
    server.ok(Method::GET, "/list", None, 200).await;
    server.kill9().await;

    let restored = tempfile::tempdir().unwrap();
    std::fs::copy(&file, restored.path().join("sundial.db")).unwrap();
    let mut server = Node::start(restored.path(), &env).await;
    let list = server
        .ok(Method::GET, "/list?page_size=100", None, 200)
        .await;
    let mut codes: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["code"].as_str().unwrap())
        .collect();
    codes.sort_unstable();
    assert_eq!(codes, ["backed-up-0", "backed-up-1", "backed-up-2"]);
    let mut found = Vec::new();
    for task in &tasks {
        found.extend(server.runs(task).await);
    }
    let key = |runs: &[Value]| {
        let mut keyed: Vec<(String, String)> = runs
            .iter()
            .map(|r| (r["uuid"].to_string(), r["status"].to_string()))
            .collect();
        keyed.sort();
        keyed
    };
    assert_eq!(key(&found), key(&settled));
    for run in &runs {
        assert!(found.iter().any(|r| r["uuid"] == run.as_str()), "{run}");
    }
    server.kill9().await;
}

#[tokio::test]
async fn backup_of_postgresql_points_to_pg_dump_without_showing_the_password() {
    let data = tempfile::tempdir().unwrap();
    let file = data.path().join("never-written.db");
    let output = Command::new(BIN)
        .arg("backup")
        .arg(&file)
        .env_clear()
        .env("SUNDIAL_DATA_DIR", data.path())
        .env(
            "SUNDIAL_DATABASE_URL",
            "postgres://sundial:hunter2@127.0.0.1:1/sundial",
        )
        .output()
        .await
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("pg_dump") && !stderr.contains("hunter2"),
        "{stderr}"
    );
    assert!(!file.exists());
}

#[tokio::test]
async fn secrets_come_from_files_and_never_from_both() {
    let data = tempfile::tempdir().unwrap();
    let secrets = tempfile::tempdir().unwrap();
    let secret_file = secrets.path().join("jwt-secret");
    std::fs::write(&secret_file, "0123456789abcdef0123456789abcdef-from-file\n").unwrap();
    let url_file = secrets.path().join("database-url");
    let url = format!("sqlite://{}", data.path().join("elsewhere.db").display());
    std::fs::write(&url_file, format!("{url}\n")).unwrap();
    let files = env(&[
        ("SUNDIAL_JWT_SECRET_FILE", secret_file.to_str().unwrap()),
        ("SUNDIAL_DATABASE_URL_FILE", url_file.to_str().unwrap()),
    ]);
    let mut server = Node::start(data.path(), &files).await;
    assert!(
        !data.path().join("jwt-secret").exists(),
        "no secret is generated"
    );
    assert_eq!(
        server.ok(Method::POST, "/", Some(task("filed")), 201).await["code"],
        "filed"
    );
    assert!(data.path().join("elsewhere.db").exists());
    // The file's content without its line break is the secret: the same value given directly
    // mints a token the server accepts.
    let plain = common::mint(
        data.path(),
        &env(&[(
            "SUNDIAL_JWT_SECRET",
            "0123456789abcdef0123456789abcdef-from-file",
        )]),
        &["--tenant", "1"],
    )
    .await;
    assert_eq!(
        server.call_as(&plain, Method::GET, "/list", None).await.0,
        200
    );
    server.kill9().await;

    let output = Command::new(BIN)
        .arg("serve")
        .env_clear()
        .env("SUNDIAL_DATA_DIR", data.path())
        .env("SUNDIAL_JWT_SECRET_FILE", &secret_file)
        .env(
            "SUNDIAL_JWT_SECRET",
            "0123456789abcdef0123456789abcdef-plain-one",
        )
        .output()
        .await
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("SUNDIAL_JWT_SECRET and SUNDIAL_JWT_SECRET_FILE are both set"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("plain-one") && !stderr.contains("from-file"),
        "{stderr}"
    );
}

/// `sundial <args>` with only these variables; its exit status and standard error.
async fn sundial(args: &[&str], env: &[(String, String)]) -> (bool, String) {
    let output = Command::new(BIN)
        .args(args)
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k, v)))
        .output()
        .await
        .unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[tokio::test]
async fn an_identity_providers_tokens_are_accepted_and_no_secret_is_generated() {
    use aws_lc_rs::signature::Ed25519KeyPair;
    use jsonwebtoken::{Algorithm, EncodingKey, Header};

    let data = tempfile::tempdir().unwrap();
    let idp = tempfile::tempdir().unwrap();
    let pkcs8 = Ed25519KeyPair::generate_pkcs8v1(&aws_lc_rs::rand::SystemRandom::new()).unwrap();
    let key = EncodingKey::from_ed_der(pkcs8.as_ref());
    let mut jwk = jsonwebtoken::jwk::Jwk::from_encoding_key(&key, Algorithm::EdDSA).unwrap();
    jwk.common.key_id = Some("idp-1".into());
    let jwks = idp.path().join("jwks.json");
    std::fs::write(&jwks, json!({"keys": [jwk]}).to_string()).unwrap();
    let port = common::free_port();
    let base = format!("http://127.0.0.1:{port}");
    let env = env(&[
        ("SUNDIAL_DATA_DIR", data.path().to_str().unwrap()),
        ("SUNDIAL_LISTEN", &format!("127.0.0.1:{port}")),
        ("SUNDIAL_JWT_JWKS_FILE", jwks.to_str().unwrap()),
        ("SUNDIAL_JWT_ISSUER", "https://id.example.test/"),
        ("SUNDIAL_JWT_TENANT_CLAIM", "org"),
    ]);
    let mut server = Command::new(BIN)
        .arg("serve")
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdout(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let client = reqwest::Client::new();
    poll("the server to answer", Duration::from_secs(30), || async {
        client.get(format!("{base}/healthz")).send().await.is_ok()
    })
    .await;
    let now = jiff::Timestamp::now().as_second();
    let sign = |claims: Value| {
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some("idp-1".into());
        jsonwebtoken::encode(&header, &claims, &key).unwrap()
    };
    let good = sign(
        json!({"org": 4, "sub": "ada", "iss": "https://id.example.test/",
                           "iat": now, "exp": now + 300, "roles": "admin"}),
    );
    let created = client
        .post(format!("{base}{}/", common::TASKS))
        .bearer_auth(&good)
        .json(&task("from-idp"))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    assert_eq!(created.json::<Value>().await.unwrap()["tenant_id"], 4);
    let foreign = sign(
        json!({"org": 4, "sub": "ada", "iss": "https://other.example.test/",
                              "iat": now, "exp": now + 300, "roles": "admin"}),
    );
    let refused = client
        .get(format!("{base}{}/list", common::TASKS))
        .header("Authorization", format!("bearer {foreign}"))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
    assert!(
        !data.path().join("jwt-secret").exists(),
        "no secret was generated"
    );
    let (minted, stderr) = sundial(&["token", "--tenant", "1"], &env).await;
    assert!(!minted && stderr.contains("no token secret"), "{stderr}");
    server.kill().await.unwrap();

    let mut both = env.clone();
    both.push((
        "SUNDIAL_JWT_JWKS_URL".into(),
        "http://127.0.0.1:1/jwks".into(),
    ));
    let (started, stderr) = sundial(&["serve"], &both).await;
    assert!(!started && stderr.contains("are both set"), "{stderr}");
    let unreachable: Vec<(String, String)> = env
        .iter()
        .filter(|(k, _)| k != "SUNDIAL_JWT_JWKS_FILE")
        .cloned()
        .chain([(
            "SUNDIAL_JWT_JWKS_URL".into(),
            "http://127.0.0.1:1/jwks".into(),
        )])
        .collect();
    let (started, stderr) = sundial(&["serve"], &unreachable).await;
    assert!(!started && stderr.contains("fetching the JWKS"), "{stderr}");
}

/// The next UTC midnight strictly after `now` whose date satisfies `matches`.
fn next_midnight(
    now: jiff::Timestamp,
    matches: impl Fn(jiff::civil::Date) -> bool,
) -> jiff::Timestamp {
    let mut day = now.to_zoned(jiff::tz::TimeZone::UTC).date();
    loop {
        day = day.tomorrow().unwrap();
        if matches(day) {
            return day.to_zoned(jiff::tz::TimeZone::UTC).unwrap().timestamp();
        }
    }
}

#[tokio::test]
async fn start_up_flags_tasks_whose_schedule_changed_until_they_are_edited() {
    let data = tempfile::tempdir().unwrap();
    let mut server = Node::start(data.path(), &[]).await;
    let admin = server.token.clone();
    let mut moved = task("odd-mondays");
    moved["trigger_config"] = json!({"cron": "0 0 */2 * 1", "timezone": "UTC"});
    let (status, moved) = server.call_as(&admin, Method::POST, "/", Some(moved)).await;
    assert_eq!(status, 201, "{moved}");
    let mut jittery = task("jittery");
    jittery["trigger_config"] = json!({"cron": "*/5 * * * *", "timezone": "UTC"});
    let (status, jittery) = server
        .call_as(&admin, Method::POST, "/", Some(jittery))
        .await;
    assert_eq!(status, 201, "{jittery}");
    let (status, steady) = server
        .call_as(&admin, Method::POST, "/", Some(task("steady")))
        .await;
    assert_eq!(status, 201, "{steady}");
    server.kill9().await;

    // What the previous version stored: the OR of the day fields (odd days or Mondays) for
    // `0 0 */2 * 1`, and a jitter it did not bound (longer than the 5 minutes of `*/5`).
    let now = jiff::Timestamp::now();
    let odd = |d: jiff::civil::Date| d.day() % 2 == 1;
    let monday = |d: jiff::civil::Date| d.weekday() == jiff::civil::Weekday::Monday;
    let old = next_midnight(now, |d| (odd(d) || monday(d)) && !(odd(d) && monday(d)));
    let new = next_midnight(now, |d| odd(d) && monday(d));
    let db = data.path().join("sundial.db");
    let mut conn = <sqlx::SqliteConnection as sqlx::Connection>::connect(&format!(
        "sqlite://{}",
        db.display()
    ))
    .await
    .unwrap();
    sqlx::query("UPDATE scheduled_tasks SET next_run_at = $1 WHERE code = 'odd-mondays'")
        .bind(old.as_millisecond())
        .execute(&mut conn)
        .await
        .unwrap();
    let long_jitter = json!({"cron": "*/5 * * * *", "timezone": "UTC", "jitter_seconds": 600});
    sqlx::query(
        "UPDATE scheduled_tasks SET trigger_config = $1, jitter_seconds = 600 WHERE code = 'jittery'",
    )
    .bind(long_jitter.to_string())
    .execute(&mut conn)
    .await
    .unwrap();

    // The first start recorded its complete scan, so a start with the same rules skips it.
    let mut server = Node::start(data.path(), &[]).await;
    let get = |uuid: &Value| format!("/{}", uuid.as_str().unwrap());
    let (_, unscanned) = server
        .call_as(&admin, Method::GET, &get(&moved["uuid"]), None)
        .await;
    assert_eq!(unscanned["schedule_notice"], Value::Null, "{unscanned}");
    assert_eq!(unscanned["next_run_at"], old.to_string());
    server.kill9().await;

    // A database the previous version left holds no scan: the next start scans.
    sqlx::query("UPDATE schedule_scan SET scan_key = ''")
        .execute(&mut conn)
        .await
        .unwrap();
    drop(conn);
    let mut server = Node::start(data.path(), &[]).await;
    let (_, flagged) = server
        .call_as(&admin, Method::GET, &get(&moved["uuid"]), None)
        .await;
    let notice = &flagged["schedule_notice"];
    assert_eq!(notice["reason"], "cron_rules_changed", "{flagged}");
    assert_eq!(notice["previous_next_run_at"], old.to_string());
    assert_eq!(notice["next_run_at"], new.to_string());
    assert_eq!(
        flagged["next_run_at"],
        new.to_string(),
        "the old instant must not fire"
    );
    assert_eq!(flagged["version"], 1);
    assert!(
        notice["message"].as_str().unwrap().contains("0 0 */2 * 1"),
        "{notice}"
    );

    let (_, out_of_bounds) = server
        .call_as(&admin, Method::GET, &get(&jittery["uuid"]), None)
        .await;
    let notice = &out_of_bounds["schedule_notice"];
    assert_eq!(notice["reason"], "out_of_bounds", "{out_of_bounds}");
    assert!(
        notice["message"]
            .as_str()
            .unwrap()
            .contains("jitter_seconds"),
        "{notice}"
    );
    assert_eq!(notice["next_run_at"], out_of_bounds["next_run_at"]);
    assert_eq!(notice["previous_next_run_at"], out_of_bounds["next_run_at"]);

    let (_, unchanged) = server
        .call_as(&admin, Method::GET, &get(&steady["uuid"]), None)
        .await;
    assert_eq!(unchanged["schedule_notice"], Value::Null, "{unchanged}");
    let (_, list) = server.call_as(&admin, Method::GET, "/list", None).await;
    let flagged_codes: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| !t["schedule_notice"].is_null())
        .map(|t| t["code"].as_str().unwrap())
        .collect();
    assert_eq!(flagged_codes.len(), 2, "{list}");

    // The long jitter keeps running; it is refused when the trigger is edited (sending it
    // back unchanged is no edit), and any save clears the flag.
    let mut still_long = long_jitter.clone();
    still_long["jitter_seconds"] = json!(599);
    let (status, refused) = server
        .call_as(
            &admin,
            Method::PUT,
            &get(&jittery["uuid"]),
            Some(json!({"trigger_config": still_long})),
        )
        .await;
    assert_eq!(status, 422, "{refused}");
    let (status, edited) = server
        .call_as(
            &admin,
            Method::PUT,
            &get(&moved["uuid"]),
            Some(json!({"description": "seen"})),
        )
        .await;
    assert_eq!(status, 200, "{edited}");
    assert_eq!(edited["schedule_notice"], Value::Null);
    assert_eq!(edited["next_run_at"], new.to_string());

    // A second start changes nothing more: the corrected instant agrees with the rules.
    server.kill9().await;
    let mut server = Node::start(data.path(), &[]).await;
    let (_, again) = server
        .call_as(&admin, Method::GET, &get(&moved["uuid"]), None)
        .await;
    assert_eq!(again["schedule_notice"], Value::Null, "{again}");
    assert_eq!(again["next_run_at"], new.to_string());
    server.kill9().await;
}

/// With `SUNDIAL_LOG_FORMAT=json`, every engine line about a run carries its tenant, task, run
/// and attempt (the `attempt` span).
#[tokio::test]
async fn json_logs_of_a_run_carry_its_ids() {
    let data = tempfile::tempdir().unwrap();
    let sink = Sink::start().await;
    let mut vars = engine_env(&TestDb::sqlite(), &sink);
    vars.extend(env(&[
        ("SUNDIAL_LOG_FORMAT", "json"),
        // The attempt's start and end are logged at debug level.
        ("SUNDIAL_LOG", "info,engine=debug"),
    ]));
    let node = Node::start_logging_to_stdout(data.path(), &vars).await;
    let task = node
        .create(api_task(
            "logged",
            "interval",
            json!({"seconds": 3600}),
            &sink.url("/logged"),
        ))
        .await;
    let run = node
        .ok(Method::POST, &format!("/{task}/run"), None, 202)
        .await;
    let run = run["uuid"].as_str().unwrap().to_owned();
    let of_the_run = |lines: Vec<String>| -> Vec<Value> {
        lines
            .iter()
            .filter(|line| line.contains(&run))
            .map(|line| serde_json::from_str(line).unwrap_or_else(|_| panic!("{line}")))
            .collect()
    };
    poll(
        "the attempt's end in the log",
        Duration::from_secs(30),
        || {
            let ended = of_the_run(node.printed())
                .iter()
                .any(|e| e["fields"]["message"] == "attempt ended");
            async move { ended }
        },
    )
    .await;
    let events = of_the_run(node.printed());
    let messages: Vec<&str> = events
        .iter()
        .filter_map(|e| e["fields"]["message"].as_str())
        .collect();
    for message in ["attempt started", "attempt ended"] {
        assert!(messages.contains(&message), "{message} in {messages:?}");
    }
    for event in &events {
        let span = &event["span"];
        assert_eq!(span["name"], "attempt", "{event}");
        assert_eq!(span["tenant"], 1, "{event}");
        assert_eq!(span["task"], task.as_str(), "{event}");
        assert_eq!(span["run"], run.as_str(), "{event}");
        assert_eq!(span["attempt"], 1, "{event}");
    }
}

/// `SUNDIAL_LOG_FORMAT=json` writes one JSON object per log line, and a request's lines carry
/// its `X-Request-Id`; an unknown format stops start-up naming the variable.
#[tokio::test]
async fn json_logs_carry_the_request_id() {
    let data = tempfile::tempdir().unwrap();
    let vars = env(&[
        ("SUNDIAL_JWT_SECRET", common::SECRET),
        ("SUNDIAL_LOG_FORMAT", "json"),
        // tower_http's per-request lines are at debug level: the access log.
        ("SUNDIAL_LOG", "info,tower_http=debug"),
    ]);
    let node = Node::start_logging_to_stdout(data.path(), &vars).await;
    let id = format!("e2e-{}", uuid::Uuid::new_v4().simple());
    let response = reqwest::Client::new()
        .get(format!("{}{}/no-such-task", node.base, common::TASKS))
        .header("X-Request-Id", &id)
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-request-id"], id.as_str());
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["request_id"], id.as_str(), "{problem}");

    let finished = |lines: Vec<String>| {
        lines.into_iter().find_map(|line| {
            let event: Value = serde_json::from_str(&line).ok()?;
            (event["span"]["request_id"] == id.as_str()
                && event["fields"]["message"] == "finished processing request")
                .then_some(event)
        })
    };
    poll("the request's log line", Duration::from_secs(10), || {
        let found = finished(node.printed()).is_some();
        async move { found }
    })
    .await;
    let event = finished(node.printed()).unwrap();
    assert_eq!(event["span"]["name"], "request", "{event}");
    assert_eq!(event["span"]["method"], "GET", "{event}");
    assert_eq!(
        event["span"]["uri"],
        format!("{}/no-such-task", common::TASKS),
        "{event}"
    );
    assert_eq!(event["fields"]["status"], 401, "{event}");
    for line in node.printed() {
        let event: Value = serde_json::from_str(&line).unwrap_or_else(|_| panic!("{line}"));
        assert!(
            event["level"].is_string() && event["timestamp"].is_string(),
            "{line}"
        );
    }

    let (started, stderr) = sundial(
        &["serve"],
        &env(&[
            ("SUNDIAL_JWT_SECRET", common::SECRET),
            ("SUNDIAL_LOG_FORMAT", "logfmt"),
        ]),
    )
    .await;
    assert!(!started, "{stderr}");
    assert!(
        stderr.contains("SUNDIAL_LOG_FORMAT must be `text` or `json`, not `logfmt`"),
        "{stderr}"
    );
}
