//! Every shell example of docs/api.md (its ```sh blocks), run with bash, curl and jq against
//! the real API with `BASE`, `TOKEN`, `UUID` and `RUN_UUID` set as the page says.
//!
//! Each example gets a fresh task at version 3 (the `If-Match: "3"` example needs one) with a
//! queued run. Every request it makes must succeed (2xx), and bash must exit 0 (`pipefail`:
//! a `jq` that fails fails the example); where the block's comment shows the answer
//! (`# 200 with ETag: "4", or 412 …`), its last request must answer the first status shown.

use std::process::Command;

use domain::Role;
use reqwest::Method;
use serde_json::json;

use store::on_both_databases;

use crate::helpers::{TestApp, cron_task};

const API_MD: &str = include_str!("../../../../docs/api.md");

/// The body of each ```sh block, with the line it starts on.
fn shell_examples(markdown: &str) -> Vec<(usize, String)> {
    let mut examples = Vec::new();
    let mut current: Option<(usize, String)> = None;
    for (n, line) in markdown.lines().enumerate() {
        match current.as_mut() {
            None if line.trim_end() == "```sh" => current = Some((n + 2, String::new())),
            None => {}
            Some(_) if line.trim_end() == "```" => examples.extend(current.take()),
            Some((_, body)) => {
                body.push_str(line);
                body.push('\n');
            }
        }
    }
    assert!(current.is_none(), "an unclosed ```sh block in docs/api.md");
    examples
}

/// The status a block's comment shows, e.g. 200 in `# 200 with ETag: "4", or 412 …`.
fn shown_status(example: &str) -> Option<u16> {
    example
        .lines()
        .filter_map(|line| line.trim_start().strip_prefix("# "))
        .find_map(|comment| comment.get(..3)?.parse().ok())
}

/// A task at version 3 with a queued run: its uuid and the run's.
async fn task_at_version_3(app: &TestApp, code: &str) -> (String, String) {
    let mut body = cron_task(code);
    body["description"] = json!("A report for the EU team");
    body["task_config"]["headers"] = json!({"X-Debug": "1", "Accept": "application/json"});
    let task = app.create(1, body).await;
    let uuid = task["uuid"].as_str().unwrap().to_owned();
    for timeout in [31, 32] {
        app.call(
            1,
            Method::PATCH,
            &format!("/{uuid}"),
            Some(json!({"timeout_seconds": timeout})),
        )
        .await
        .expect(200);
    }
    let run = app
        .call(1, Method::POST, &format!("/{uuid}/run"), None)
        .await
        .expect(202);
    (uuid, run["uuid"].as_str().unwrap().to_owned())
}

async fn every_shell_example_of_the_api_page_works(app: TestApp) {
    let examples = shell_examples(API_MD);
    assert!(examples.len() >= 5, "found {} examples", examples.len());
    for (index, (line, example)) in examples.into_iter().enumerate() {
        let (uuid, run) = task_at_version_3(&app, &format!("example-{index}")).await;
        let version = app
            .call(1, Method::GET, &format!("/{uuid}"), None)
            .await
            .expect(200)["version"]
            .clone();
        assert_eq!(version, 3);
        // curl writes each answer's status to stderr, where it does not mix with the bodies
        // a pipe passes on.
        let script = format!(
            "set -eo pipefail\n\
             curl() {{ command curl -sS -w '%{{stderr}}HTTP %{{http_code}}\\n' \"$@\"; }}\n\
             {example}"
        );
        let mut command = Command::new("bash");
        command
            .arg("-c")
            .arg(script)
            .env("BASE", &app.base)
            .env("TOKEN", app.token(1, Role::Admin))
            .env("UUID", &uuid)
            .env("RUN_UUID", &run);
        let output = tokio::task::spawn_blocking(move || command.output())
            .await
            .unwrap()
            .expect("bash, curl and jq are installed (scripts/test installs them)");
        let stderr = String::from_utf8_lossy(&output.stderr);
        let stdout = String::from_utf8_lossy(&output.stdout);
        let context =
            format!("docs/api.md line {line}:\n{example}\nstdout: {stdout}\nstderr: {stderr}");
        assert!(output.status.success(), "{context}");
        let statuses: Vec<u16> = stderr
            .lines()
            .filter_map(|l| l.strip_prefix("HTTP ")?.parse().ok())
            .collect();
        assert!(!statuses.is_empty(), "no request made; {context}");
        let (last, earlier) = statuses.split_last().unwrap();
        for status in earlier {
            assert!((200..300).contains(status), "{context}");
        }
        match shown_status(&example) {
            Some(shown) => assert_eq!(*last, shown, "{context}"),
            None => assert!((200..300).contains(last), "{context}"),
        }
    }
}

on_both_databases!(every_shell_example_of_the_api_page_works);

#[test]
fn blocks_and_shown_statuses_are_read() {
    let page =
        "text\n```sh\ncurl a\n# 412 {\"code\": …}\n```\n```json\n{}\n```\n```sh\ncurl b\n```\n";
    let examples = shell_examples(page);
    assert_eq!(
        examples,
        [
            (3, "curl a\n# 412 {\"code\": …}\n".to_owned()),
            (10, "curl b\n".to_owned())
        ]
    );
    assert_eq!(shown_status(&examples[0].1), Some(412));
    assert_eq!(shown_status(&examples[1].1), None);
}
