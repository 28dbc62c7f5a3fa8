//! `sundial tasks …`: a client of the task API for scripts and GitOps. It speaks to a running
//! server over HTTP with a token, exactly as any other client does.

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Subcommand};
use reqwest::Method;
use serde_json::{Value, json};

/// The task API's path prefix.
const TASKS: &str = api::TASKS_PREFIX;
/// How long `--follow` waits before asking a live run for more lines.
const FOLLOW_PAUSE: Duration = Duration::from_millis(500);

/// Where the server is and who is asking.
#[derive(Debug, Args)]
pub struct Connection {
    /// The server's base URL.
    #[arg(long, env = "SUNDIAL_SERVER", default_value = "http://127.0.0.1:8080")]
    server: String,
    /// A token for the API (`sundial token` mints one).
    #[arg(long, env = "SUNDIAL_TOKEN", hide_env_values = true)]
    token: String,
}

/// What `sundial tasks` does.
#[derive(Debug, Subcommand)]
pub enum TasksCommand {
    /// List the tenant's tasks: uuid, code, state, next run and last outcome, one per line.
    List {
        /// Only tasks whose name or code contains this.
        #[arg(long)]
        keyword: Option<String>,
        /// Print the tasks as a JSON array instead.
        #[arg(long)]
        json: bool,
    },
    /// Print one task as JSON.
    Get {
        /// Its uuid or code.
        task: String,
    },
    /// Print every definition of the tenant as one body `tasks apply` takes.
    Export {
        /// Only the task with this code.
        #[arg(long)]
        code: Option<String>,
        /// Write to this file instead of stdout.
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Create or update the tasks of a file by code (the server's `POST /apply`).
    Apply {
        /// A JSON file `{"tasks": [...]}`, e.g. an export; `-` reads stdin.
        #[arg(short, long)]
        file: PathBuf,
        /// Also delete the tasks whose code is not in the file.
        #[arg(long)]
        prune: bool,
        /// Say what would change, change nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Run a task now; print the run's uuid.
    Run {
        /// Its uuid or code.
        task: String,
        /// Then print the run's log as it is written, until it ends; exit 1 unless it
        /// succeeded.
        #[arg(long)]
        follow: bool,
    },
    /// Print the log of a task's newest run (or of `--run`).
    Logs {
        /// The task's uuid or code.
        #[arg(required_unless_present = "run")]
        task: Option<String>,
        /// This run of it instead of the newest.
        #[arg(long)]
        run: Option<String>,
        /// Keep printing lines until the run ends.
        #[arg(long)]
        follow: bool,
    },
}

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The server could not be reached or answered something that is not JSON.
    #[error("{0}")]
    Http(#[from] reqwest::Error),
    /// The server refused the request.
    #[error("{0}")]
    Refused(String),
    /// A local file could not be read or written.
    #[error("{path}: {source}")]
    File {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        source: std::io::Error,
    },
    /// A file is not JSON.
    #[error("{path}: not JSON: {source}")]
    Json {
        /// The file.
        path: PathBuf,
        /// Where it stops being JSON.
        source: serde_json::Error,
    },
    /// The task or run does not exist.
    #[error("{0}")]
    NotFound(String),
    /// A followed run ended other than `succeeded`.
    #[error("the run ended {0}")]
    RunFailed(String),
}

/// A client of one server with one token.
struct Client {
    http: reqwest::Client,
    base: String,
    token: String,
}

/// A problem+json answer as one message: its title, detail and every field error.
fn problem_text(status: reqwest::StatusCode, body: &Value) -> String {
    let mut text = format!(
        "{} {}",
        status.as_u16(),
        body["title"].as_str().unwrap_or("request refused")
    );
    if let Some(detail) = body["detail"].as_str() {
        text.push_str(": ");
        text.push_str(detail);
    }
    for error in body["errors"].as_array().into_iter().flatten() {
        text.push_str(&format!(
            "\n  {}: {}",
            error["field"].as_str().unwrap_or(""),
            error["message"].as_str().unwrap_or("")
        ));
    }
    text
}

impl Client {
    fn new(connection: Connection) -> Self {
        Self {
            http: reqwest::Client::new(),
            base: connection.server.trim_end_matches('/').to_owned(),
            token: connection.token,
        }
    }

    /// Calls the task API; the JSON answer, or the server's problem as an error.
    async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<(Value, reqwest::header::HeaderMap), ClientError> {
        let mut request = self
            .http
            .request(method, format!("{}{TASKS}{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await?;
        let status = response.status();
        let headers = response.headers().clone();
        let body: Value = if status == reqwest::StatusCode::NO_CONTENT {
            Value::Null
        } else {
            response.json().await?
        };
        if status.is_success() {
            Ok((body, headers))
        } else {
            Err(ClientError::Refused(problem_text(status, &body)))
        }
    }

    async fn get(&self, path: &str) -> Result<Value, ClientError> {
        Ok(self.call(Method::GET, path, None).await?.0)
    }

    /// A task by uuid, or else by code.
    async fn task(&self, task: &str) -> Result<Value, ClientError> {
        if uuid::Uuid::parse_str(task).is_ok() {
            return self.get(&format!("/{task}")).await;
        }
        let query = serde_urlencoded::to_string([("code", task)]).unwrap_or_default();
        let page = self.get(&format!("/list?{query}")).await?;
        page["items"]
            .get(0)
            .cloned()
            .ok_or_else(|| ClientError::NotFound(format!("no task with uuid or code {task}")))
    }

    /// Every task of the list, a page at a time.
    async fn list(&self, keyword: Option<&str>) -> Result<Vec<Value>, ClientError> {
        let mut items = Vec::new();
        for page in 1.. {
            let mut query = vec![
                ("page", page.to_string()),
                ("page_size", "100".to_owned()),
                ("sort", "code".to_owned()),
            ];
            if let Some(keyword) = keyword {
                query.push(("keyword", keyword.to_owned()));
            }
            let query = serde_urlencoded::to_string(&query).unwrap_or_default();
            let answer = self.get(&format!("/list?{query}")).await?;
            let batch = answer["items"].as_array().cloned().unwrap_or_default();
            let done = batch.len() < 100;
            items.extend(batch);
            if done {
                break;
            }
        }
        Ok(items)
    }

    /// Every definition, following the export's pages.
    async fn export(&self, code: Option<&str>) -> Result<Value, ClientError> {
        let mut tasks = Vec::new();
        let mut query = vec![("page", "1".to_owned())];
        if let Some(code) = code {
            query.push(("code", code.to_owned()));
        }
        let mut path = format!(
            "/export?{}",
            serde_urlencoded::to_string(&query).unwrap_or_default()
        );
        loop {
            let (page, headers) = self.call(Method::GET, &path, None).await?;
            tasks.extend(page["tasks"].as_array().cloned().unwrap_or_default());
            let next = headers
                .get(reqwest::header::LINK)
                .and_then(|v| v.to_str().ok())
                .and_then(|link| link.strip_prefix('<'))
                .and_then(|link| link.split_once('>'))
                .and_then(|(url, _)| url.strip_prefix(TASKS).map(str::to_owned));
            match next {
                Some(next) => path = next,
                None => return Ok(json!({ "tasks": tasks })),
            }
        }
    }

    /// Prints a run's log from the start; with `follow`, until the run has ended. The run's
    /// final status.
    async fn print_log(
        &self,
        run: &str,
        follow: bool,
        out: &mut impl Write,
    ) -> Result<String, ClientError> {
        let mut after = 0;
        loop {
            let page = self
                .get(&format!("/runs/{run}/logs?after_seq={after}"))
                .await?;
            for line in page["lines"].as_array().into_iter().flatten() {
                let _ = writeln!(
                    out,
                    "{} {} {}",
                    line["ts"].as_str().unwrap_or(""),
                    line["stream"].as_str().unwrap_or(""),
                    line["line"].as_str().unwrap_or("")
                );
            }
            let _ = out.flush();
            after = page["next_after_seq"].as_i64().unwrap_or(after);
            let status = page["status"].as_str().unwrap_or("").to_owned();
            let live = matches!(status.as_str(), "queued" | "running");
            let more = page["has_more"].as_bool().unwrap_or(false);
            if more {
                continue;
            }
            if !follow || !live {
                return Ok(status);
            }
            tokio::time::sleep(FOLLOW_PAUSE).await;
        }
    }
}

/// Pretty JSON, as printed.
fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default()
}

/// Reads a JSON file, or stdin for `-`.
fn read_json(path: &PathBuf) -> Result<Value, ClientError> {
    let text = if path.as_os_str() == "-" {
        std::io::read_to_string(std::io::stdin())
    } else {
        std::fs::read_to_string(path)
    }
    .map_err(|source| ClientError::File {
        path: path.clone(),
        source,
    })?;
    serde_json::from_str(&text).map_err(|source| ClientError::Json {
        path: path.clone(),
        source,
    })
}

/// Runs one `sundial tasks` command, printing on stdout.
pub async fn run(connection: Connection, command: TasksCommand) -> Result<(), ClientError> {
    let client = Client::new(connection);
    let mut out = std::io::stdout().lock();
    match command {
        TasksCommand::List { keyword, json } => {
            let tasks = client.list(keyword.as_deref()).await?;
            if json {
                let _ = writeln!(out, "{}", pretty(&Value::Array(tasks)));
            } else {
                for task in tasks {
                    let text = |field: &str| task[field].as_str().unwrap_or("-").to_owned();
                    let state = if task["is_active"] == true {
                        "active"
                    } else {
                        "inactive"
                    };
                    let _ = writeln!(
                        out,
                        "{}\t{}\t{state}\t{}\t{}",
                        text("uuid"),
                        text("code"),
                        text("next_run_at"),
                        text("last_run_status")
                    );
                }
            }
        }
        TasksCommand::Get { task } => {
            let _ = writeln!(out, "{}", pretty(&client.task(&task).await?));
        }
        TasksCommand::Export { code, output } => {
            let text = pretty(&client.export(code.as_deref()).await?) + "\n";
            match output {
                Some(path) => std::fs::write(&path, text)
                    .map_err(|source| ClientError::File { path, source })?,
                None => {
                    let _ = out.write_all(text.as_bytes());
                }
            }
        }
        TasksCommand::Apply {
            file,
            prune,
            dry_run,
        } => {
            let body = read_json(&file)?;
            let query = serde_urlencoded::to_string([
                ("prune", prune.to_string()),
                ("dry_run", dry_run.to_string()),
            ])
            .unwrap_or_default();
            let (answer, _) = client
                .call(Method::POST, &format!("/apply?{query}"), Some(&body))
                .await?;
            for result in answer["results"].as_array().into_iter().flatten() {
                let _ = writeln!(
                    out,
                    "{}\t{}\t{}",
                    result["action"].as_str().unwrap_or(""),
                    result["code"].as_str().unwrap_or(""),
                    result["uuid"].as_str().unwrap_or("-")
                );
            }
            let _ = writeln!(
                out,
                "{}{} created, {} updated, {} unchanged, {} deleted",
                if dry_run { "dry run: " } else { "" },
                answer["created"],
                answer["updated"],
                answer["unchanged"],
                answer["deleted"]
            );
        }
        TasksCommand::Run { task, follow } => {
            let uuid = client.task(&task).await?["uuid"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            let (run, _) = client
                .call(Method::POST, &format!("/{uuid}/run"), None)
                .await?;
            let run = run["uuid"].as_str().unwrap_or_default().to_owned();
            let _ = writeln!(out, "{run}");
            if follow {
                let status = client.print_log(&run, true, &mut out).await?;
                if status != "succeeded" {
                    return Err(ClientError::RunFailed(status));
                }
            }
        }
        TasksCommand::Logs { task, run, follow } => {
            let run = match (run, task) {
                (Some(run), _) => run,
                (None, task) => {
                    let task = task.unwrap_or_default();
                    let uuid = client.task(&task).await?["uuid"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned();
                    let runs = client.get(&format!("/{uuid}/runs?page_size=1")).await?;
                    runs["items"][0]["uuid"]
                        .as_str()
                        .map(str::to_owned)
                        .ok_or_else(|| ClientError::NotFound(format!("task {task} has no run")))?
                }
            };
            client.print_log(&run, follow, &mut out).await?;
        }
    }
    Ok(())
}
