//! The OpenAPI document is generated from the handlers; a snapshot makes every change to it visible.

use crate::helpers::{Backend, TestApp};

#[test]
fn the_openapi_document_matches_its_snapshot() {
    insta::assert_json_snapshot!("openapi", api::openapi());
}

#[tokio::test]
async fn the_served_document_and_docs_page_are_the_generated_ones() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let served = app
        .raw(reqwest::Method::GET, "/api/openapi.json", None, None)
        .await
        .expect(200);
    assert_eq!(served, serde_json::to_value(api::openapi()).unwrap());
    let paths = served["paths"].as_object().unwrap();
    for path in [
        "",
        "/list",
        "/{uuid}",
        "/{uuid}/start",
        "/{uuid}/stop",
        "/{uuid}/status",
        "/{uuid}/logs",
        "/batch-delete",
        "/preview",
        "/{uuid}/versions",
        "/{uuid}/runs",
        "/runs/{run_uuid}",
    ] {
        assert!(
            paths.contains_key(&format!("{}{path}", api::TASKS_PREFIX)),
            "{path} missing"
        );
    }
    let docs = app
        .client
        .get(format!("{}/api/docs/", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(docs.status(), 200);
    assert!(docs.text().await.unwrap().contains("swagger"));
}
