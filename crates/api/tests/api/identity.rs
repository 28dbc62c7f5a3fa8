//! Tokens of an identity provider: RS256, ES256 and EdDSA keys the tests generate, published
//! as a JWKS on a loopback server (or in a file) that rotates; issuer, audience and lifetime
//! checks; algorithm confusion; the scheme's case.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use api::Auth;
use api::auth::{Jwks, JwksOptions, JwksSource, TokenPolicy};
use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, Ed25519KeyPair};
use domain::SystemClock;
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Reply, TestApp, cron_task};

/// A signing key of the identity provider, with its public half as a JWK.
struct IdpKey {
    kid: String,
    alg: Algorithm,
    encoding: EncodingKey,
    jwk: Value,
}

impl IdpKey {
    fn generate(alg: Algorithm, kid: &str) -> IdpKey {
        let rng = SystemRandom::new();
        let encoding = match alg {
            Algorithm::RS256 => {
                let pair =
                    aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).unwrap();
                let pkcs8 = AsDer::<aws_lc_rs::encoding::Pkcs8V1Der>::as_der(&pair).unwrap();
                EncodingKey::from_rsa_der(pkcs1_of(pkcs8.as_ref()))
            }
            Algorithm::ES256 => EncodingKey::from_ec_der(
                EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
                    .unwrap()
                    .as_ref(),
            ),
            Algorithm::EdDSA => {
                EncodingKey::from_ed_der(Ed25519KeyPair::generate_pkcs8v1(&rng).unwrap().as_ref())
            }
            other => panic!("no test key for {other:?}"),
        };
        let mut jwk = Jwk::from_encoding_key(&encoding, alg).unwrap();
        jwk.common.key_id = Some(kid.to_owned());
        IdpKey {
            kid: kid.to_owned(),
            alg,
            encoding,
            jwk: serde_json::to_value(jwk).unwrap(),
        }
    }

    fn sign(&self, claims: &Value) -> String {
        let mut header = Header::new(self.alg);
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, claims, &self.encoding).unwrap()
    }
}

/// The RSAPrivateKey (PKCS#1) inside a PKCS#8 PrivateKeyInfo: the content of its third element,
/// an OCTET STRING after the version and the algorithm.
fn pkcs1_of(pkcs8: &[u8]) -> &[u8] {
    fn element(input: &[u8]) -> (&[u8], &[u8]) {
        let (len, header) = match input[1] {
            short if short < 0x80 => (short as usize, 2),
            long => {
                let bytes = (long & 0x7f) as usize;
                let len = input[2..2 + bytes]
                    .iter()
                    .fold(0usize, |acc, b| (acc << 8) | *b as usize);
                (len, 2 + bytes)
            }
        };
        (&input[header..header + len], &input[header + len..])
    }
    let (info, _) = element(pkcs8);
    let (_version, rest) = element(info);
    let (_algorithm, rest) = element(rest);
    assert_eq!(rest[0], 0x04, "an OCTET STRING holds the private key");
    element(rest).0
}

fn jwks(keys: &[&IdpKey]) -> Value {
    json!({"keys": keys.iter().map(|k| k.jwk.clone()).collect::<Vec<_>>()})
}

/// A JWKS served on loopback, which the test can change, counting the fetches.
struct JwksServer {
    url: String,
    document: Arc<Mutex<Value>>,
    fetches: Arc<AtomicUsize>,
}

impl JwksServer {
    async fn start(document: Value) -> JwksServer {
        let document = Arc::new(Mutex::new(document));
        let fetches = Arc::new(AtomicUsize::new(0));
        let app = axum::Router::new().route(
            "/.well-known/jwks.json",
            axum::routing::get({
                let document = document.clone();
                let fetches = fetches.clone();
                move || async move {
                    fetches.fetch_add(1, Ordering::SeqCst);
                    axum::Json(document.lock().unwrap().clone())
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!(
            "http://{}/.well-known/jwks.json",
            listener.local_addr().unwrap()
        );
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        JwksServer {
            url,
            document,
            fetches,
        }
    }

    fn publish(&self, document: Value) {
        *self.document.lock().unwrap() = document;
    }

    fn fetches(&self) -> usize {
        self.fetches.load(Ordering::SeqCst)
    }
}

fn now() -> i64 {
    jiff::Timestamp::now().as_second()
}

fn claims(tenant: i64) -> Value {
    json!({"tenant_id": tenant, "sub": "idp-user", "iat": now(), "exp": now() + 600, "roles": ["admin"]})
}

/// An app accepting the test's HS256 secret and the keys of `source`.
async fn app_with(source: JwksSource, options: JwksOptions, policy: TokenPolicy) -> TestApp {
    let jwks = Jwks::load(source, options).await.expect("the JWKS loads");
    TestApp::spawn_with_auth(move |secret| {
        Auth::new(Some(secret), Some(jwks), policy, Arc::new(SystemClock)).unwrap()
    })
    .await
}

async fn list(app: &TestApp, token: &str) -> Reply {
    let path = format!("{}/list", api::TASKS_PREFIX);
    app.raw(Method::GET, &path, Some(token), None).await
}

/// A 401 problem with the stable code, whose detail is one of ours, not a library's.
#[track_caller]
fn assert_refused(reply: Reply, case: &str) {
    assert_eq!(reply.status.as_u16(), 401, "{case}: {:#}", reply.body);
    let body = reply.problem(401, "unauthorized");
    let detail = body["detail"].as_str().unwrap();
    assert!(
        !detail.contains("Error") && !detail.contains("Kind") && !detail.contains("kid-"),
        "{case}: {detail}"
    );
}

#[tokio::test]
async fn rs256_es256_and_eddsa_tokens_verify_against_a_served_jwks() {
    let keys = [
        IdpKey::generate(Algorithm::RS256, "kid-rsa"),
        IdpKey::generate(Algorithm::ES256, "kid-ec"),
        IdpKey::generate(Algorithm::EdDSA, "kid-ed"),
    ];
    let server = JwksServer::start(jwks(&keys.iter().collect::<Vec<_>>())).await;
    let app = app_with(
        JwksSource::Url(server.url.clone()),
        JwksOptions::default(),
        TokenPolicy::default(),
    )
    .await;
    for (tenant, key) in (1..).zip(&keys) {
        let token = key.sign(&claims(tenant));
        let path = format!("{}/", api::TASKS_PREFIX);
        let body = serde_json::to_vec(&cron_task(&format!("t{tenant}"))).unwrap();
        let created = app
            .raw(Method::POST, &path, Some(&token), Some(body))
            .await
            .expect(201);
        assert_eq!(created["tenant_id"], tenant, "{:?}", key.alg);
        assert_eq!(list(&app, &token).await.expect(200)["total"], 1);
    }
    // A token without roles gets the default role, viewer: it reads but cannot create.
    let mut viewer = claims(1);
    viewer.as_object_mut().unwrap().remove("roles");
    let token = keys[0].sign(&viewer);
    assert_eq!(list(&app, &token).await.expect(200)["total"], 1);
    let body = serde_json::to_vec(&cron_task("nope")).unwrap();
    app.raw(
        Method::POST,
        &format!("{}/", api::TASKS_PREFIX),
        Some(&token),
        Some(body),
    )
    .await
    .problem(403, "forbidden");
    // The deployment's own HS256 tokens keep working beside the provider's.
    let minted = app.token(1, domain::Role::Viewer);
    assert_eq!(list(&app, &minted).await.expect(200)["total"], 1);
    assert_eq!(server.fetches(), 1, "known keys are not fetched again");
}

#[tokio::test]
async fn a_rotated_url_jwks_is_fetched_for_a_new_kid_and_the_old_key_stops_working() {
    let old = IdpKey::generate(Algorithm::ES256, "kid-old");
    let new = IdpKey::generate(Algorithm::ES256, "kid-new");
    let server = JwksServer::start(jwks(&[&old])).await;
    let options = JwksOptions {
        cooldown: Duration::ZERO,
        ..JwksOptions::default()
    };
    let app = app_with(
        JwksSource::Url(server.url.clone()),
        options,
        TokenPolicy::default(),
    )
    .await;
    list(&app, &old.sign(&claims(1))).await.expect(200);
    assert_refused(list(&app, &new.sign(&claims(1))).await, "not published yet");
    server.publish(jwks(&[&new]));
    list(&app, &new.sign(&claims(1))).await.expect(200);
    assert_refused(list(&app, &old.sign(&claims(1))).await, "withdrawn");
}

#[tokio::test]
async fn the_periodic_refresh_drops_withdrawn_keys_and_a_failed_one_keeps_the_known_keys() {
    let old = IdpKey::generate(Algorithm::RS256, "kid-old");
    let new = IdpKey::generate(Algorithm::RS256, "kid-new");
    let server = JwksServer::start(jwks(&[&old])).await;
    let options = JwksOptions {
        refresh: Duration::ZERO,
        cooldown: Duration::from_secs(3600),
        ..JwksOptions::default()
    };
    let app = app_with(
        JwksSource::Url(server.url.clone()),
        options,
        TokenPolicy::default(),
    )
    .await;
    list(&app, &old.sign(&claims(1))).await.expect(200);
    server.publish(json!({"not": "a key set"}));
    list(&app, &old.sign(&claims(1))).await.expect(200);
    server.publish(jwks(&[&new]));
    assert_refused(list(&app, &old.sign(&claims(1))).await, "withdrawn");
    list(&app, &new.sign(&claims(1))).await.expect(200);
}

#[tokio::test]
async fn unknown_kids_cause_at_most_one_fetch_per_cooldown() {
    let known = IdpKey::generate(Algorithm::EdDSA, "kid-known");
    let server = JwksServer::start(jwks(&[&known])).await;
    let options = JwksOptions {
        cooldown: Duration::from_secs(3600),
        ..JwksOptions::default()
    };
    let app = app_with(
        JwksSource::Url(server.url.clone()),
        options,
        TokenPolicy::default(),
    )
    .await;
    assert_eq!(server.fetches(), 1);
    let later = IdpKey::generate(Algorithm::EdDSA, "kid-later");
    for i in 0..5 {
        let stranger = IdpKey::generate(Algorithm::EdDSA, &format!("kid-stranger-{i}"));
        assert_refused(list(&app, &stranger.sign(&claims(1))).await, "unknown kid");
    }
    assert_eq!(server.fetches(), 2, "one fetch for five unknown kids");
    server.publish(jwks(&[&known, &later]));
    assert_refused(
        list(&app, &later.sign(&claims(1))).await,
        "within the cooldown the set is not fetched again",
    );
    assert_eq!(server.fetches(), 2);
    list(&app, &known.sign(&claims(1))).await.expect(200);
}

#[tokio::test]
async fn a_jwks_file_is_reread_when_it_changes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("jwks.json");
    let first = IdpKey::generate(Algorithm::RS256, "kid-first");
    let second = IdpKey::generate(Algorithm::RS256, "kid-second");
    std::fs::write(&path, jwks(&[&first]).to_string()).unwrap();
    let options = JwksOptions {
        file_check: Duration::ZERO,
        ..JwksOptions::default()
    };
    let app = app_with(
        JwksSource::File(path.clone()),
        options,
        TokenPolicy::default(),
    )
    .await;
    list(&app, &first.sign(&claims(1))).await.expect(200);
    // Replaced the way deployment tools do it: a new file renamed over the old one.
    let next = dir.path().join("jwks.json.new");
    std::fs::write(&next, jwks(&[&second]).to_string()).unwrap();
    std::fs::rename(&next, &path).unwrap();
    list(&app, &second.sign(&claims(1))).await.expect(200);
    assert_refused(
        list(&app, &first.sign(&claims(1))).await,
        "removed from the file",
    );
}

#[tokio::test]
async fn issuer_audience_and_lifetime_are_enforced() {
    let key = IdpKey::generate(Algorithm::RS256, "kid-rsa");
    let server = JwksServer::start(jwks(&[&key])).await;
    let policy = TokenPolicy {
        issuer: Some("https://id.example.test/".into()),
        audience: Some("sundial".into()),
        max_lifetime: Duration::from_secs(3600),
        ..TokenPolicy::default()
    };
    let app = app_with(
        JwksSource::Url(server.url.clone()),
        JwksOptions::default(),
        policy,
    )
    .await;
    let with = |extra: Value| {
        let mut claims = claims(1);
        claims["iss"] = json!("https://id.example.test/");
        claims["aud"] = json!("sundial");
        for (name, value) in extra.as_object().unwrap() {
            if value.is_null() {
                claims.as_object_mut().unwrap().remove(name);
            } else {
                claims[name] = value.clone();
            }
        }
        key.sign(&claims)
    };
    list(&app, &with(json!({}))).await.expect(200);
    list(&app, &with(json!({"aud": ["other", "sundial"]})))
        .await
        .expect(200);
    for (case, extra) in [
        ("no iss", json!({"iss": null})),
        ("wrong iss", json!({"iss": "https://evil.example.test/"})),
        ("no aud", json!({"aud": null})),
        ("wrong aud", json!({"aud": "other"})),
        ("expired", json!({"iat": now() - 1200, "exp": now() - 600})),
        ("no exp", json!({"exp": null})),
        (
            "lives too long from iat",
            json!({"iat": now(), "exp": now() + 3601}),
        ),
        (
            "lives too long from now",
            json!({"iat": null, "exp": now() + 7200}),
        ),
        ("exp = 2^64-1", json!({"iat": null, "exp": u64::MAX})),
        (
            "issued in the future",
            json!({"iat": now() + 600, "exp": now() + 1200}),
        ),
    ] {
        assert_refused(list(&app, &with(extra)).await, case);
    }
}

#[tokio::test]
async fn a_token_signed_with_a_public_key_as_an_hmac_secret_is_refused() {
    let key = IdpKey::generate(Algorithm::RS256, "kid-rsa");
    let oct_secret = b"a symmetric key published in the JWKS, 32+ bytes";
    let mut document = jwks(&[&key]);
    document["keys"].as_array_mut().unwrap().push(json!({
        "kty": "oct", "kid": "kid-oct", "alg": "HS256",
        "k": base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, oct_secret),
    }));
    let server = JwksServer::start(document).await;
    let app = app_with(
        JwksSource::Url(server.url.clone()),
        JwksOptions::default(),
        TokenPolicy::default(),
    )
    .await;
    let public = &key.jwk;
    let candidates: Vec<Vec<u8>> = vec![
        serde_json::to_vec(public).unwrap(),
        public["n"].as_str().unwrap().as_bytes().to_vec(),
        oct_secret.to_vec(),
    ];
    for (i, secret) in candidates.iter().enumerate() {
        for kid in ["kid-rsa", "kid-oct"] {
            let mut header = Header::new(Algorithm::HS256);
            header.kid = Some(kid.into());
            let token = jsonwebtoken::encode(
                &header,
                &claims(1),
                &EncodingKey::from_secret(secret).unwrap(),
            )
            .unwrap();
            assert_refused(
                list(&app, &token).await,
                &format!("HS256 with key bytes #{i}, {kid}"),
            );
        }
    }
    let mut header = Header::new(Algorithm::RS384);
    header.kid = Some("kid-rsa".into());
    let rs384 = jsonwebtoken::encode(&header, &claims(1), &key.encoding).unwrap();
    assert_refused(list(&app, &rs384).await, "RS384 with the RS256 key");
    list(&app, &key.sign(&claims(1))).await.expect(200);
}

#[tokio::test]
async fn the_bearer_scheme_is_case_insensitive() {
    let app = TestApp::spawn_with_auth(|secret| Auth::hs256(secret).unwrap()).await;
    let token = app.token(1, domain::Role::Viewer);
    let url = format!("{}{}/list", app.base, api::TASKS_PREFIX);
    for scheme in ["Bearer", "bearer", "BEARER", "bEaReR"] {
        let response = app
            .client
            .get(&url)
            .header("authorization", format!("{scheme} {token}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{scheme}");
    }
    let response = app
        .client
        .get(&url)
        .header("authorization", format!("Token {token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
}
