//! Every response carries `X-Request-Id`: the client's own when usable, a fresh UUID v7
//! otherwise; problem+json bodies quote it as `request_id`.

use reqwest::header::HeaderMap;
use serde_json::Value;

use store::test_support::Database;

use crate::helpers::TestApp;

/// GETs `path` (no token) with these `X-Request-Id` headers and returns the response's id and
/// JSON body.
async fn get(app: &TestApp, path: &str, sent: &[&[u8]]) -> (String, Value) {
    let mut headers = HeaderMap::new();
    for value in sent {
        headers.append(
            "x-request-id",
            reqwest::header::HeaderValue::from_bytes(value).unwrap(),
        );
    }
    let response = app
        .client
        .get(format!("{}{path}", app.base))
        .headers(headers)
        .send()
        .await
        .unwrap();
    let ids: Vec<_> = response.headers().get_all("x-request-id").iter().collect();
    assert_eq!(ids.len(), 1, "exactly one id: {ids:?}");
    let id = ids[0].to_str().unwrap().to_owned();
    let body = response.json().await.unwrap_or(Value::Null);
    (id, body)
}

fn is_uuid_v7(id: &str) -> bool {
    uuid::Uuid::parse_str(id).is_ok_and(|u| u.get_version_num() == 7)
}

#[tokio::test]
async fn a_usable_client_id_is_echoed_and_quoted_in_problems() {
    let app = TestApp::spawn(Database::Sqlite).await;
    let (id, _) = get(&app, "/livez", &[b"client-id_42.retry:1"]).await;
    assert_eq!(id, "client-id_42.retry:1");

    let longest = "r".repeat(128);
    let (id, body) = get(&app, api::TASKS_PREFIX, &[longest.as_bytes()]).await;
    assert_eq!(id, longest);
    assert_eq!(body["code"], "method_not_allowed", "{body}");
    assert_eq!(body["request_id"], longest.as_str(), "{body}");
}

#[tokio::test]
async fn without_a_usable_client_id_one_is_generated() {
    let app = TestApp::spawn(Database::Sqlite).await;
    let (first, _) = get(&app, "/livez", &[]).await;
    let (second, _) = get(&app, "/livez", &[]).await;
    assert!(
        is_uuid_v7(&first) && is_uuid_v7(&second),
        "{first} {second}"
    );
    assert_ne!(first, second);

    let too_long = "r".repeat(129);
    for bad in [
        too_long.as_bytes(),
        b"two words".as_slice(),
        b"".as_slice(),
        "caf\u{e9}".as_bytes(),
    ] {
        let (id, body) = get(&app, "/no/such/path", &[bad]).await;
        assert!(is_uuid_v7(&id), "{bad:?} replaced by a fresh id: {id}");
        assert_eq!(body["code"], "not_found", "{body}");
        assert_eq!(body["request_id"], id.as_str(), "{body}");
    }
}
