//! Bearer-token authentication: the tenant and role come from a verified JWT and nowhere else.
//!
//! Tokens are HS256 with the deployment's secret, or RS256 / ES256 / EdDSA with a public key of
//! the identity provider's JWKS ([`Jwks`]). Which key verifies a token follows from its header's
//! `alg`, and only that one algorithm is accepted with that key, so an HS256 token "signed" with
//! a public key's bytes is checked against the secret and fails.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use domain::{Actor, Clock, Role, SystemClock, TenantId};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde_json::{Map, Value};

use crate::{ApiError, AppState};

mod jwks;

pub use jwks::{Jwks, JwksError, JwksOptions, JwksSource};

/// Longest token accepted; anything longer is rejected before it is parsed.
const MAX_TOKEN_BYTES: usize = 8 * 1024;
/// Clock skew tolerated on `exp`, `nbf` and `iat`.
const LEEWAY_SECONDS: i64 = 30;
/// Shortest HS256 secret accepted (bytes): shorter ones can be brute-forced.
pub const MIN_SECRET_BYTES: usize = 32;
/// Longest token lifetime accepted unless the deployment says otherwise.
pub const DEFAULT_MAX_LIFETIME: Duration = Duration::from_secs(24 * 3600);

/// What a token must satisfy besides its signature, and where its claims are.
#[derive(Debug, Clone)]
pub struct TokenPolicy {
    /// The only `iss` accepted; when set, tokens without `iss` are refused.
    pub issuer: Option<String>,
    /// The `aud` that must be among the token's audiences; when set, tokens without `aud` are
    /// refused. When unset, a token naming any audience is accepted.
    pub audience: Option<String>,
    /// The claim holding the tenant id (a positive integer); a dotted name reaches into objects.
    pub tenant_claim: String,
    /// The claim holding the roles (a list of strings, or one space-separated string).
    pub roles_claim: String,
    /// The role of a token without the roles claim.
    pub default_role: Role,
    /// The longest a token may be valid: `exp` at most this far from `iat`, or from now when the
    /// token has no `iat`.
    pub max_lifetime: Duration,
}

impl Default for TokenPolicy {
    fn default() -> Self {
        Self {
            issuer: None,
            audience: None,
            tenant_claim: "tenant_id".into(),
            roles_claim: "roles".into(),
            default_role: Role::Viewer,
            max_lifetime: DEFAULT_MAX_LIFETIME,
        }
    }
}

/// Verifies tokens (HS256 secret and/or JWKS public keys) and mints HS256 ones.
#[derive(Clone)]
pub struct Auth {
    inner: Arc<Inner>,
}

struct Inner {
    secret: Option<(DecodingKey, EncodingKey)>,
    jwks: Option<Jwks>,
    policy: TokenPolicy,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Auth")
            .field("hs256", &self.inner.secret.is_some())
            .field("jwks", &self.inner.jwks)
            .field("policy", &self.inner.policy)
            .finish()
    }
}

/// Why an authenticator could not be built.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// The HS256 secret is too short.
    #[error("the JWT secret must be at least {MIN_SECRET_BYTES} bytes long")]
    WeakSecret,
    /// Neither a secret nor a JWKS: no token could ever be accepted.
    #[error("no way to verify tokens: configure a JWT secret or a JWKS")]
    NoKeys,
}

/// Why a token could not be minted.
#[derive(Debug, thiserror::Error)]
pub enum MintError {
    /// Minting needs the HS256 secret, and this deployment verifies only JWKS tokens.
    #[error("no JWT secret is configured, so no token can be minted here")]
    NoSecret,
    /// The lifetime asked for is longer than tokens may live.
    #[error("a token may live at most {max} seconds (SUNDIAL_JWT_MAX_LIFETIME), not {asked}")]
    TooLong {
        /// The lifetime asked for, in seconds.
        asked: u64,
        /// The longest lifetime accepted, in seconds.
        max: u64,
    },
}

fn refused(detail: &'static str) -> ApiError {
    ApiError::Unauthorized(detail)
}

const MALFORMED: &str = "The bearer token is missing or malformed.";
const INVALID: &str = "The bearer token is invalid.";

impl Auth {
    /// An authenticator for this HS256 secret with the default policy and the system clock.
    pub fn hs256(secret: &[u8]) -> Result<Self, AuthError> {
        Self::new(
            Some(secret),
            None,
            TokenPolicy::default(),
            Arc::new(SystemClock),
        )
    }

    /// An authenticator accepting HS256 tokens signed with `secret` (if any) and tokens signed
    /// with a key of `jwks` (if any), judged by `policy` against `clock`.
    pub fn new(
        secret: Option<&[u8]>,
        jwks: Option<Jwks>,
        policy: TokenPolicy,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, AuthError> {
        let secret = match secret {
            Some(secret) if secret.len() < MIN_SECRET_BYTES => return Err(AuthError::WeakSecret),
            Some(secret) => Some((
                DecodingKey::from_secret(secret).map_err(|_| AuthError::WeakSecret)?,
                EncodingKey::from_secret(secret).map_err(|_| AuthError::WeakSecret)?,
            )),
            None => None,
        };
        if secret.is_none() && jwks.is_none() {
            return Err(AuthError::NoKeys);
        }
        Ok(Self {
            inner: Arc::new(Inner {
                secret,
                jwks,
                policy,
                clock,
            }),
        })
    }

    /// The policy tokens are judged by.
    pub fn policy(&self) -> &TokenPolicy {
        &self.inner.policy
    }

    /// A signed HS256 token for `tenant` with `role`, valid for `ttl_seconds` from `now` (epoch
    /// seconds), carrying the configured claim names, issuer and audience so it verifies here.
    pub fn mint(
        &self,
        tenant: TenantId,
        subject: &str,
        role: Role,
        now: u64,
        ttl_seconds: u64,
    ) -> Result<String, MintError> {
        let (_, encoding) = self.inner.secret.as_ref().ok_or(MintError::NoSecret)?;
        let policy = &self.inner.policy;
        let max = policy.max_lifetime.as_secs();
        if ttl_seconds > max {
            return Err(MintError::TooLong {
                asked: ttl_seconds,
                max,
            });
        }
        let mut claims = Map::new();
        claims.insert(policy.tenant_claim.clone(), tenant.get().into());
        claims.insert("sub".into(), subject.into());
        claims.insert("iat".into(), now.into());
        claims.insert("exp".into(), (now + ttl_seconds).into());
        // Always explicit: a token without roles would get the default role, not admin.
        claims.insert(policy.roles_claim.clone(), vec![role_name(role)].into());
        if let Some(issuer) = &policy.issuer {
            claims.insert("iss".into(), issuer.as_str().into());
        }
        if let Some(audience) = &policy.audience {
            claims.insert("aud".into(), audience.as_str().into());
        }
        Ok(
            jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, encoding)
                .expect("HS256 signing with a valid key cannot fail"),
        )
    }

    /// The caller a bearer token stands for.
    pub async fn verify(&self, token: &str) -> Result<Actor, ApiError> {
        if token.is_empty() || token.len() > MAX_TOKEN_BYTES {
            return Err(refused(MALFORMED));
        }
        let header = jsonwebtoken::decode_header(token).map_err(|_| refused(MALFORMED))?;
        let key = match header.alg {
            Algorithm::HS256 => match &self.inner.secret {
                Some((decoding, _)) => decoding.clone(),
                None => return Err(refused("HS256 tokens are not accepted here.")),
            },
            Algorithm::RS256 | Algorithm::ES256 | Algorithm::EdDSA => match &self.inner.jwks {
                Some(jwks) => jwks.key_for(header.kid.as_deref(), header.alg).await?,
                None => return Err(refused("Only HS256 tokens are accepted here.")),
            },
            _ => {
                return Err(refused(
                    "The token's algorithm is not accepted (use HS256, RS256, ES256 or EdDSA).",
                ));
            }
        };
        let claims =
            jsonwebtoken::decode::<Map<String, Value>>(token, &key, &self.validation(header.alg))
                .map_err(|e| refused(refusal_detail(e.kind())))?
                .claims;
        self.actor(&claims)
    }

    /// Signature, `sub`, `iss` and `aud` are checked by the library; the times are checked here
    /// against the injected clock.
    fn validation(&self, alg: Algorithm) -> Validation {
        let policy = &self.inner.policy;
        let mut validation = Validation::new(alg);
        validation.validate_exp = false;
        validation.validate_nbf = false;
        let mut required = vec!["exp", "sub"];
        if let Some(issuer) = &policy.issuer {
            validation.set_issuer(&[issuer]);
            required.push("iss");
        }
        match &policy.audience {
            Some(audience) => {
                validation.set_audience(&[audience]);
                required.push("aud");
            }
            None => validation.validate_aud = false,
        }
        validation.set_required_spec_claims(&required);
        validation
    }

    fn actor(&self, claims: &Map<String, Value>) -> Result<Actor, ApiError> {
        let policy = &self.inner.policy;
        let now = self.inner.clock.now().as_second() as f64;
        let leeway = LEEWAY_SECONDS as f64;
        let time = |name: &str| -> Result<Option<f64>, ApiError> {
            match claims.get(name) {
                None => Ok(None),
                Some(value) => value
                    .as_f64()
                    .filter(|t| t.is_finite())
                    .map(Some)
                    .ok_or(refused(
                        "The token's exp, nbf and iat must be numbers of seconds.",
                    )),
            }
        };
        let exp = time("exp")?.ok_or(refused("The token has no exp claim."))?;
        if exp < now - leeway {
            return Err(refused("The bearer token has expired."));
        }
        if time("nbf")?.is_some_and(|nbf| nbf > now + leeway) {
            return Err(refused("The bearer token is not valid yet."));
        }
        let iat = time("iat")?;
        if iat.is_some_and(|iat| iat > now + leeway) {
            return Err(refused("The bearer token was issued in the future."));
        }
        if exp - iat.unwrap_or(now) > policy.max_lifetime.as_secs_f64() {
            return Err(refused(
                "The bearer token lives longer than this service accepts.",
            ));
        }
        let tenant = claim(claims, &policy.tenant_claim)
            .and_then(Value::as_i64)
            .and_then(TenantId::new)
            .ok_or(refused(
                "The token's tenant claim must be a positive integer.",
            ))?;
        let subject = claims
            .get("sub")
            .and_then(Value::as_str)
            .ok_or(refused("The token's sub must be a string."))?;
        let role = match claim(claims, &policy.roles_claim) {
            None | Some(Value::Null) => policy.default_role,
            Some(Value::String(roles)) => strongest_role(roles.split_whitespace()),
            Some(Value::Array(roles)) if roles.iter().all(Value::is_string) => {
                strongest_role(roles.iter().filter_map(Value::as_str))
            }
            Some(_) => {
                return Err(refused(
                    "The token's roles claim must be a list of strings.",
                ));
            }
        };
        Ok(Actor {
            tenant,
            subject: subject.to_owned(),
            role,
        })
    }
}

/// A claim by name; a name with dots that is not itself a claim reaches into nested objects
/// (`realm_access.roles`).
fn claim<'a>(claims: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    if let Some(value) = claims.get(name) {
        return Some(value);
    }
    let mut parts = name.split('.');
    let mut value = claims.get(parts.next()?)?;
    for part in parts {
        value = value.as_object()?.get(part)?;
    }
    Some(value)
}

/// What a client is told about a token the library refused; never the library's own text.
fn refusal_detail(kind: &ErrorKind) -> &'static str {
    match kind {
        ErrorKind::InvalidIssuer => "The token's issuer is not accepted.",
        ErrorKind::InvalidAudience => "The token's audience is not accepted.",
        ErrorKind::MissingRequiredClaim(claim) => match claim.as_str() {
            "exp" => "The token has no exp claim.",
            "sub" => "The token's sub must be a string.",
            "iss" => "The token has no iss claim.",
            "aud" => "The token has no aud claim.",
            _ => INVALID,
        },
        ErrorKind::InvalidClaimFormat(_) => "A claim of the token has the wrong type.",
        ErrorKind::InvalidSignature => "The bearer token's signature is invalid.",
        _ => INVALID,
    }
}

/// The name a role has in the roles claim.
pub fn role_name(role: Role) -> &'static str {
    match role {
        Role::Admin => "admin",
        Role::Operator => "operator",
        Role::Viewer => "viewer",
    }
}

/// A role from its name in the roles claim (`admin`, `operator`, `viewer`).
pub fn parse_role(name: &str) -> Option<Role> {
    match name {
        "admin" => Some(Role::Admin),
        "operator" => Some(Role::Operator),
        "viewer" => Some(Role::Viewer),
        _ => None,
    }
}

/// A roles claim grants its strongest known role; a claim of only unknown roles grants read
/// access, never more.
fn strongest_role<'a>(roles: impl Iterator<Item = &'a str>) -> Role {
    roles
        .filter_map(parse_role)
        .max_by_key(|role| match role {
            Role::Viewer => 0,
            Role::Operator => 1,
            Role::Admin => 2,
        })
        .unwrap_or(Role::Viewer)
}

/// The token of an `Authorization` header value: the `Bearer` scheme in any case, then the token.
pub(crate) fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim_start().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|token| !token.is_empty())
}

/// The authenticated caller of a request; extracting it is what makes a handler authenticated.
#[derive(Debug, Clone)]
pub struct Caller(pub Actor);

impl Caller {
    /// Fails with 403 unless the caller may edit task definitions (admin).
    pub fn require_admin(&self) -> Result<(), ApiError> {
        if self.0.role == Role::Admin {
            Ok(())
        } else {
            Err(ApiError::Forbidden)
        }
    }

    /// Fails with 403 unless the caller may operate tasks: start, stop, run, cancel.
    pub fn require_operator(&self) -> Result<(), ApiError> {
        if self.0.role.can_write() {
            Ok(())
        } else {
            Err(ApiError::Forbidden)
        }
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        // The rate limiter verified the token already.
        if let Some(caller) = parts.extensions.get::<Caller>() {
            return Ok(caller.clone());
        }
        let header = parts.headers.get(AUTHORIZATION).ok_or(refused(
            "An `Authorization: Bearer <token>` header is required.",
        ))?;
        let token = header.to_str().ok().and_then(bearer_token).ok_or(refused(
            "The Authorization header must be `Bearer <token>`.",
        ))?;
        state.auth.verify(token).await.map(Caller)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::ManualClock;

    fn at(seconds: i64) -> Arc<ManualClock> {
        Arc::new(ManualClock::new(
            jiff::Timestamp::from_second(seconds).unwrap(),
        ))
    }

    const NOW: i64 = 1_800_000_000;

    fn sign(secret: &[u8], claims: Value) -> String {
        jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &EncodingKey::from_secret(secret).unwrap(),
        )
        .unwrap()
    }

    #[test]
    fn short_secrets_are_refused_and_some_key_is_required() {
        assert!(matches!(
            Auth::hs256(b"too short"),
            Err(AuthError::WeakSecret)
        ));
        assert!(Auth::hs256(&[7; MIN_SECRET_BYTES]).is_ok());
        let none = Auth::new(None, None, TokenPolicy::default(), at(NOW));
        assert!(matches!(none, Err(AuthError::NoKeys)));
    }

    #[test]
    fn roles_resolve_to_the_strongest_known_one() {
        let role = |names: &[&str]| strongest_role(names.iter().copied());
        assert_eq!(role(&["viewer", "operator"]), Role::Operator);
        assert_eq!(role(&["admin", "viewer"]), Role::Admin);
        assert_eq!(role(&["superuser"]), Role::Viewer);
        assert_eq!(role(&[]), Role::Viewer);
    }

    #[test]
    fn the_bearer_scheme_is_case_insensitive() {
        assert_eq!(bearer_token("Bearer abc"), Some("abc"));
        assert_eq!(bearer_token("bearer abc "), Some("abc"));
        assert_eq!(bearer_token("BEARER  abc"), Some("abc"));
        assert_eq!(bearer_token("Basic abc"), None);
        assert_eq!(bearer_token("Bearer "), None);
        assert_eq!(bearer_token("Bearerabc"), None);
    }

    #[tokio::test]
    async fn a_minted_token_verifies_to_its_claims_and_says_its_role() {
        let auth = Auth::new(Some(&[1; 32]), None, TokenPolicy::default(), at(NOW)).unwrap();
        let now = NOW as u64;
        let tenant = TenantId::new(7).unwrap();
        for role in [Role::Admin, Role::Operator, Role::Viewer] {
            let token = auth.mint(tenant, "alice", role, now, 60).unwrap();
            let actor = auth.verify(&token).await.unwrap();
            assert_eq!(
                (actor.tenant.get(), actor.subject.as_str(), actor.role),
                (7, "alice", role)
            );
        }
        let other = Auth::new(Some(&[2; 32]), None, TokenPolicy::default(), at(NOW)).unwrap();
        let token = auth.mint(tenant, "alice", Role::Admin, now, 60).unwrap();
        assert!(other.verify(&token).await.is_err());
        assert!(matches!(
            auth.mint(tenant, "alice", Role::Admin, now, 24 * 3600 + 1),
            Err(MintError::TooLong { .. })
        ));
    }

    #[tokio::test]
    async fn times_are_judged_by_the_injected_clock() {
        let secret = [3; 32];
        let clock = at(NOW);
        let auth = Auth::new(Some(&secret), None, TokenPolicy::default(), clock.clone()).unwrap();
        let token = sign(
            &secret,
            serde_json::json!({"tenant_id": 1, "sub": "a", "exp": NOW + 600}),
        );
        auth.verify(&token).await.expect("valid now");
        clock.advance(jiff::SignedDuration::from_secs(600 + LEEWAY_SECONDS));
        auth.verify(&token).await.expect("within the leeway");
        clock.advance(jiff::SignedDuration::from_secs(1));
        let error = auth.verify(&token).await.unwrap_err();
        assert!(error.to_string().contains("expired"), "{error}");
    }

    #[tokio::test]
    async fn lifetimes_count_from_iat_or_from_now() {
        let secret = [4; 32];
        let policy = TokenPolicy {
            max_lifetime: Duration::from_secs(3600),
            ..TokenPolicy::default()
        };
        let auth = Auth::new(Some(&secret), None, policy, at(NOW)).unwrap();
        let verify = |claims: Value| {
            let token = sign(&secret, claims);
            let auth = auth.clone();
            async move { auth.verify(&token).await.map(|_| ()) }
        };
        let base = serde_json::json!({"tenant_id": 1, "sub": "a"});
        let with = |extra: Value| {
            let mut claims = base.clone();
            claims
                .as_object_mut()
                .unwrap()
                .extend(extra.as_object().unwrap().clone());
            claims
        };
        verify(with(serde_json::json!({"exp": NOW + 3600})))
            .await
            .unwrap();
        verify(with(serde_json::json!({"exp": NOW + 3601})))
            .await
            .unwrap_err();
        verify(with(
            serde_json::json!({"iat": NOW - 1800, "exp": NOW + 1800}),
        ))
        .await
        .unwrap();
        verify(with(
            serde_json::json!({"iat": NOW - 1800, "exp": NOW + 1801}),
        ))
        .await
        .unwrap_err();
        verify(with(
            serde_json::json!({"iat": NOW + 300, "exp": NOW + 600}),
        ))
        .await
        .unwrap_err();
        verify(with(serde_json::json!({"exp": u64::MAX})))
            .await
            .unwrap_err();
        verify(with(serde_json::json!({"exp": "soon"})))
            .await
            .unwrap_err();
    }

    #[tokio::test]
    async fn claim_names_and_the_default_role_are_configurable() {
        let secret = [5; 32];
        let policy = TokenPolicy {
            tenant_claim: "org".into(),
            roles_claim: "realm_access.roles".into(),
            default_role: Role::Operator,
            ..TokenPolicy::default()
        };
        let auth = Auth::new(Some(&secret), None, policy, at(NOW)).unwrap();
        let verify = |claims: Value| {
            let token = sign(&secret, claims);
            let auth = auth.clone();
            async move { auth.verify(&token).await }
        };
        let exp = NOW + 60;
        let actor = verify(serde_json::json!({"org": 9, "sub": "a", "exp": exp}))
            .await
            .unwrap();
        assert_eq!((actor.tenant.get(), actor.role), (9, Role::Operator));
        let nested = serde_json::json!({"org": 9, "sub": "a", "exp": exp,
                                        "realm_access": {"roles": ["offline", "admin"]}});
        assert_eq!(verify(nested).await.unwrap().role, Role::Admin);
        let spaced = serde_json::json!({"org": 9, "sub": "a", "exp": exp, "realm_access.roles": "viewer other"});
        assert_eq!(verify(spaced).await.unwrap().role, Role::Viewer);
        let bad =
            serde_json::json!({"org": 9, "sub": "a", "exp": exp, "realm_access": {"roles": [1]}});
        verify(bad).await.unwrap_err();
        let old_name = serde_json::json!({"tenant_id": 9, "sub": "a", "exp": exp});
        verify(old_name).await.unwrap_err();
    }
}
