//! `api_call`: one HTTP request through the egress guard.
//!
//! The executor turns an [`ApiCallConfig`] into an [`EgressRequest`], runs it under the
//! attempt's deadline and cancellation token, writes the log (method and redacted URL, masked
//! headers, redirects, status and timing, a capped excerpt of the body, the error) and
//! classifies the outcome: a status outside `expected_status` (any 2xx when empty) is a
//! retryable failure; an egress policy refusal fails the attempt for good. Whatever the target
//! sends back is shown with the request's secret values masked (a target may echo them) and
//! bidirectional controls escaped.

use std::time::Instant;

use domain::{ApiCallConfig, HttpMethod};
use hyper::header::{self, HeaderMap, HeaderName, HeaderValue};
use hyper::{Method, StatusCode};
use serde_json::{Map, Value, json};

use crate::egress::redact::{EchoMask, header_for_display, redact_url};
use crate::egress::{EgressClient, EgressPolicy, EgressRequest, EgressResponse, Hop};
use crate::{Attempt, AttemptResult, LogSink};

/// Response headers copied into the result: the ones that help explain what happened.
const RESULT_HEADERS: &[&str] = &[
    "content-type",
    "content-length",
    "content-encoding",
    "location",
    "retry-after",
    "etag",
    "last-modified",
    "x-request-id",
    "request-id",
    "x-correlation-id",
];

/// How much of the body goes into the log (the result keeps the client's excerpt, 4 KiB).
const LOG_EXCERPT_BYTES: usize = 1024;

/// Runs `api_call` attempts. Holds the egress client, so keep-alive connections are shared by
/// all attempts (one pool per destination).
#[derive(Debug, Clone)]
pub struct ApiCallExecutor {
    client: EgressClient,
}

impl ApiCallExecutor {
    /// An executor with the system resolver and default limits.
    pub fn new(policy: EgressPolicy) -> Self {
        Self::with_client(EgressClient::new(policy))
    }

    /// An executor over a configured client (injected resolver, other limits).
    pub fn with_client(client: EgressClient) -> Self {
        Self { client }
    }

    /// The egress client, to share it with other senders (failure webhooks).
    pub fn client(&self) -> &EgressClient {
        &self.client
    }

    /// How many requests the egress policy refused since start (for a metric).
    pub fn refused_requests(&self) -> u64 {
        self.client.refused_count()
    }

    /// Runs one attempt of `config`.
    pub async fn execute(
        &self,
        config: &ApiCallConfig,
        attempt: &Attempt,
        logs: &LogSink,
    ) -> AttemptResult {
        let started = Instant::now();
        let with_args;
        let config = match &attempt.args {
            None => config,
            Some(args) => match config.with_run_args(args) {
                Ok(applied) => {
                    with_args = applied;
                    logs.system(format!(
                        "{} run argument(s) merged into the body",
                        args.as_map().len()
                    ))
                    .await;
                    &with_args
                }
                // The API refused such arguments when the run was asked for: the task changed
                // since, and trying again changes nothing.
                Err(refused) => {
                    let message = format!("run arguments {refused}");
                    logs.system(format!("error: {message}")).await;
                    return AttemptResult::refused(message);
                }
            },
        };
        let with_parent;
        let config = match &attempt.parent {
            None => config,
            Some(parent) => match config.with_parent(parent) {
                Some(merged) => {
                    with_parent = merged;
                    logs.system(format!(
                        "parent run {} merged into the body",
                        parent.run_uuid.0
                    ))
                    .await;
                    &with_parent
                }
                None => {
                    logs.system(format!(
                        "parent run {} not sent: the call has no JSON object body",
                        parent.run_uuid.0
                    ))
                    .await;
                    config
                }
            },
        };
        let request = match build_request(config, attempt) {
            Ok(request) => request,
            Err(message) => {
                logs.system(format!("error: {message}")).await;
                return AttemptResult::refused(message);
            }
        };
        // The request is one line of the run's log, its headers (secrets masked) with it: a
        // row per line is written for every execution, so the routine lines stay few.
        let mut line = format!("{} {}", request.method, redact_url(&request.url));
        let shown: Vec<String> = request
            .sundial_headers
            .iter()
            .chain(request.tenant_headers.iter())
            .map(|(name, value)| {
                let value = String::from_utf8_lossy(value.as_bytes());
                format!("{name}: {}", header_for_display(name.as_str(), &value))
            })
            .collect();
        if !shown.is_empty() {
            line.push_str(&format!("; request headers: {}", shown.join(", ")));
        }
        logs.system(line).await;

        let mut trace = Vec::new();
        let deadline = tokio::time::Instant::from_std(started + attempt.timeout);
        let sent = tokio::select! {
            biased;
            () = attempt.cancel.cancelled() => None,
            sent = tokio::time::timeout_at(deadline, self.client.send(attempt.tenant, request, &mut trace)) => Some(sent),
        };
        let echoes = EchoMask::new(
            config
                .headers
                .iter()
                .chain(config.query.iter())
                .map(|(name, value)| (name.as_str(), value.as_str())),
        );
        log_redirects(&trace, &echoes, logs).await;
        let elapsed = started.elapsed();
        let result = match sent {
            None => {
                logs.system(format!("cancelled after {} ms", elapsed.as_millis()))
                    .await;
                return AttemptResult::cancelled();
            }
            Some(Err(_)) => {
                logs.system(format!(
                    "timed out after {} ms (timeout {} s)",
                    elapsed.as_millis(),
                    attempt.timeout.as_secs_f64()
                ))
                .await;
                return AttemptResult::timed_out(attempt.timeout);
            }
            Some(Ok(result)) => result,
        };
        let response = match result {
            Ok(response) => response,
            Err(error) => {
                let message = error.to_string();
                logs.system(format!("error after {} ms: {message}", elapsed.as_millis()))
                    .await;
                // Policy refusals, unusable configurations and rejected certificates are not
                // retried: nothing changes by trying again.
                return if error.is_retryable() {
                    AttemptResult::failed(message, None)
                } else {
                    AttemptResult::refused(message)
                };
            }
        };
        let duration_ms = elapsed.as_millis() as u64;
        log_response(&response, &echoes, duration_ms, logs).await;
        let value = result_json(&response, &echoes, duration_ms);
        if status_expected(response.status, &config.expected_status) {
            AttemptResult::succeeded(Some(value))
        } else {
            let expected = if config.expected_status.is_empty() {
                "2xx".to_owned()
            } else {
                config
                    .expected_status
                    .iter()
                    .map(u16::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let message = format!(
                "unexpected status {} (expected {expected})",
                status_text(response.status)
            );
            logs.system(format!("error: {message}")).await;
            AttemptResult::failed(message, Some(value))
        }
    }
}

fn method(method: HttpMethod) -> Method {
    match method {
        HttpMethod::Get => Method::GET,
        HttpMethod::Post => Method::POST,
        HttpMethod::Put => Method::PUT,
        HttpMethod::Patch => Method::PATCH,
        HttpMethod::Delete => Method::DELETE,
        HttpMethod::Head => Method::HEAD,
        HttpMethod::Options => Method::OPTIONS,
    }
}

fn build_request(config: &ApiCallConfig, attempt: &Attempt) -> Result<EgressRequest, String> {
    let mut url = config.url.clone();
    if !config.query.is_empty() {
        url.query_pairs_mut().extend_pairs(config.query.iter());
    }
    let mut sundial_headers = HeaderMap::new();
    // The run's uuid: every attempt of one occurrence carries the same key, so the receiver
    // can drop a retry of a request it already processed.
    sundial_headers.insert(
        HeaderName::from_static("idempotency-key"),
        HeaderValue::from_str(&attempt.run.to_string()).map_err(|e| e.to_string())?,
    );
    let mut tenant_headers = HeaderMap::new();
    for (name, value) in &config.headers {
        // The domain parser already refused bad names and values; this only re-checks.
        let name =
            HeaderName::from_bytes(name.as_bytes()).map_err(|e| format!("header `{name}`: {e}"))?;
        let value = HeaderValue::from_str(value).map_err(|e| format!("header `{name}`: {e}"))?;
        tenant_headers.insert(name, value);
    }
    let body = match &config.data {
        None => None,
        Some(data) => {
            if !tenant_headers.contains_key(header::CONTENT_TYPE) {
                sundial_headers.insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json"),
                );
            }
            Some(
                serde_json::to_vec(data)
                    .map_err(|e| format!("data: {e}"))?
                    .into(),
            )
        }
    };
    Ok(EgressRequest {
        method: method(config.method),
        url,
        tenant_headers,
        sundial_headers,
        body,
        follow_redirects: config.follow_redirects,
    })
}

fn status_expected(status: StatusCode, expected: &[u16]) -> bool {
    if expected.is_empty() {
        status.is_success()
    } else {
        expected.contains(&status.as_u16())
    }
}

fn status_text(status: StatusCode) -> String {
    match status.canonical_reason() {
        Some(reason) => format!("{} {reason}", status.as_u16()),
        None => status.as_u16().to_string(),
    }
}

/// The longest prefix of `bytes` that is whole UTF-8, lossily decoded (a cut in the middle of
/// a character is dropped rather than shown as a replacement character).
fn excerpt_text(bytes: &[u8]) -> String {
    let end = match std::str::from_utf8(bytes) {
        Ok(_) => bytes.len(),
        Err(e) if e.error_len().is_none() => e.valid_up_to(),
        Err(_) => bytes.len(),
    };
    String::from_utf8_lossy(&bytes[..end]).into_owned()
}

/// `text` on one log line: line breaks, other control characters and bidirectional controls
/// escaped, the rest as is.
fn one_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() || domain::text::is_bidi_control(c) => {
                out.extend(c.escape_unicode())
            }
            c => out.push(c),
        }
    }
    out
}

/// What the target sent as it may be shown: echoed secrets masked, bidirectional controls
/// escaped. `cut`: `text` is the start of something longer.
fn shown(text: &str, echoes: &EchoMask, cut: bool) -> String {
    domain::escape_bidi(&echoes.apply(text, cut)).into_owned()
}

fn result_json(response: &EgressResponse, echoes: &EchoMask, duration_ms: u64) -> Value {
    let mut headers = Map::new();
    for name in RESULT_HEADERS {
        if let Some(value) = response.headers.get(*name) {
            let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
            let value = match *name {
                "location" => url::Url::parse(&value)
                    .or_else(|_| response.url.join(&value))
                    .map(|u| redact_url(&u))
                    .unwrap_or(value),
                _ => header_for_display(name, &value),
            };
            headers.insert(
                (*name).to_owned(),
                Value::String(shown(&value, echoes, false)),
            );
        }
    }
    json!({
        "status": response.status.as_u16(),
        "headers": headers,
        "body_excerpt": shown(&excerpt_text(&response.body_excerpt), echoes, excerpt_cut(response)),
        "truncated": response.truncated,
        "duration_ms": duration_ms,
    })
}

/// Whether the body went on after its excerpt.
fn excerpt_cut(response: &EgressResponse) -> bool {
    (response.body_excerpt.len() as u64) < response.body_bytes || response.truncated
}

async fn log_redirects(trace: &[Hop], echoes: &EchoMask, logs: &LogSink) {
    for pair in trace.windows(2) {
        logs.system(format!(
            "redirect: {} → {} {}",
            status_text(pair[0].status),
            pair[1].method,
            shown(&redact_url(&pair[1].url), echoes, false)
        ))
        .await;
    }
}

async fn log_response(
    response: &EgressResponse,
    echoes: &EchoMask,
    duration_ms: u64,
    logs: &LogSink,
) {
    let size = if response.truncated {
        format!(
            "body over the cap, closed after {} bytes",
            response.body_bytes
        )
    } else {
        format!("{} bytes", response.body_bytes)
    };
    let mut line = format!(
        "{} in {duration_ms} ms, {size}",
        status_text(response.status)
    );
    // Masked over the whole excerpt before it is cut for the log, so a secret across the cut
    // is masked whole.
    let masked = echoes.apply(&excerpt_text(&response.body_excerpt), excerpt_cut(response));
    let mut end = masked.len().min(LOG_EXCERPT_BYTES);
    while !masked.is_char_boundary(end) {
        end -= 1;
    }
    let text = &masked[..end];
    if !text.is_empty() {
        let more = if end < masked.len() || excerpt_cut(response) {
            " …"
        } else {
            ""
        };
        line.push_str(&format!("; response: {}{more}", one_line(text)));
    }
    logs.system(line).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_end_on_a_character_boundary() {
        assert_eq!(excerpt_text("héllo".as_bytes()), "héllo");
        assert_eq!(excerpt_text(&"hé".as_bytes()[..2]), "h");
        assert_eq!(excerpt_text(b"a\xffb"), "a\u{fffd}b");
    }

    #[test]
    fn log_excerpts_stay_on_one_line() {
        assert_eq!(one_line("a\n\"b\"\r\tc\u{0}"), "a\\n\"b\"\\r\\tc\\u{0}");
    }

    #[test]
    fn empty_expected_status_means_2xx() {
        assert!(status_expected(StatusCode::OK, &[]));
        assert!(status_expected(StatusCode::NO_CONTENT, &[]));
        assert!(!status_expected(StatusCode::FOUND, &[]));
        assert!(status_expected(StatusCode::FOUND, &[302]));
        assert!(!status_expected(StatusCode::OK, &[201]));
    }
}
