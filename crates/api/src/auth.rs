//! Bearer-token authentication: the tenant and role come from a verified JWT and nowhere else.

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use domain::{Actor, Role, TenantId};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::{ApiError, AppState};

/// Longest token accepted; anything longer is rejected before it is parsed.
const MAX_TOKEN_BYTES: usize = 8 * 1024;
/// Clock skew tolerated on `exp` and `nbf`.
const LEEWAY_SECONDS: u64 = 30;
/// Shortest HS256 secret accepted (bytes): shorter ones can be brute-forced.
pub const MIN_SECRET_BYTES: usize = 32;

/// Verifies and mints tokens with one HS256 secret.
#[derive(Clone)]
pub struct Auth {
    decoding: DecodingKey,
    encoding: EncodingKey,
    validation: Validation,
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Auth { .. }")
    }
}

/// Why a secret was refused.
#[derive(Debug, thiserror::Error)]
#[error("the JWT secret must be at least {MIN_SECRET_BYTES} bytes long")]
pub struct WeakSecret;

/// The claims Sundial reads. `tenant_id` must be an integer; a string or a missing one fails.
#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    /// The tenant every request of this token is scoped to.
    pub tenant_id: i64,
    /// Who the caller is; recorded in versions and the audit log.
    pub sub: String,
    /// Expiry, seconds since the epoch.
    pub exp: u64,
    /// Not valid before, seconds since the epoch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<u64>,
    /// Roles; absent means admin of the tenant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roles: Option<Vec<String>>,
}

impl Auth {
    /// An authenticator for this HS256 secret.
    pub fn hs256(secret: &[u8]) -> Result<Self, WeakSecret> {
        if secret.len() < MIN_SECRET_BYTES {
            return Err(WeakSecret);
        }
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = LEEWAY_SECONDS;
        validation.validate_nbf = true;
        validation.set_required_spec_claims(&["exp", "sub"]);
        Ok(Self {
            decoding: DecodingKey::from_secret(secret).map_err(|_| WeakSecret)?,
            encoding: EncodingKey::from_secret(secret).map_err(|_| WeakSecret)?,
            validation,
        })
    }

    /// A signed token for `tenant` with `role`, valid for `ttl_seconds` from `now` (epoch seconds).
    pub fn mint(
        &self,
        tenant: TenantId,
        subject: &str,
        role: Role,
        now: u64,
        ttl_seconds: u64,
    ) -> String {
        let claims = Claims {
            tenant_id: tenant.get(),
            sub: subject.to_owned(),
            exp: now + ttl_seconds,
            nbf: None,
            roles: (role != Role::Admin).then(|| vec![role_name(role).to_owned()]),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .expect("HS256 signing with a valid key cannot fail")
    }

    /// The caller a bearer token stands for.
    pub fn verify(&self, token: &str) -> Result<Actor, ApiError> {
        if token.is_empty() || token.len() > MAX_TOKEN_BYTES {
            return Err(ApiError::Unauthorized(
                "The bearer token is missing or malformed.",
            ));
        }
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map_err(|_| ApiError::Unauthorized("The bearer token is invalid or expired."))?;
        let claims = data.claims;
        let tenant = TenantId::new(claims.tenant_id).ok_or(ApiError::Unauthorized(
            "The token's tenant_id must be a positive integer.",
        ))?;
        Ok(Actor {
            tenant,
            subject: claims.sub,
            role: strongest_role(claims.roles.as_deref()),
        })
    }
}

fn role_name(role: Role) -> &'static str {
    match role {
        Role::Admin => "admin",
        Role::Operator => "operator",
        Role::Viewer => "viewer",
    }
}

/// No `roles` claim means admin (DESIGN §7); a list grants its strongest known role, and a list
/// of only unknown roles grants read access, never more.
fn strongest_role(roles: Option<&[String]>) -> Role {
    let Some(roles) = roles else {
        return Role::Admin;
    };
    let has = |name: &str| roles.iter().any(|r| r == name);
    if has("admin") {
        Role::Admin
    } else if has("operator") {
        Role::Operator
    } else {
        Role::Viewer
    }
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
        let header = parts
            .headers
            .get(AUTHORIZATION)
            .ok_or(ApiError::Unauthorized(
                "An `Authorization: Bearer <token>` header is required.",
            ))?;
        let token = header
            .to_str()
            .ok()
            .and_then(|value| value.strip_prefix("Bearer "))
            .map(str::trim)
            .ok_or(ApiError::Unauthorized(
                "The Authorization header must be `Bearer <token>`.",
            ))?;
        state.auth.verify(token).map(Caller)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_secrets_are_refused() {
        assert!(Auth::hs256(b"too short").is_err());
        assert!(Auth::hs256(&[7; MIN_SECRET_BYTES]).is_ok());
    }

    #[test]
    fn roles_resolve_to_the_strongest_known_one() {
        assert_eq!(strongest_role(None), Role::Admin);
        let roles = |names: &[&str]| names.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            strongest_role(Some(&roles(&["viewer", "operator"]))),
            Role::Operator
        );
        assert_eq!(
            strongest_role(Some(&roles(&["viewer", "admin"]))),
            Role::Admin
        );
        assert_eq!(strongest_role(Some(&roles(&["superuser"]))), Role::Viewer);
        assert_eq!(strongest_role(Some(&[])), Role::Viewer);
    }

    #[test]
    fn a_minted_token_verifies_to_its_claims() {
        let auth = Auth::hs256(&[1; 32]).unwrap();
        let now = jiff::Timestamp::now().as_second() as u64;
        let token = auth.mint(TenantId::new(7).unwrap(), "alice", Role::Viewer, now, 60);
        let actor = auth.verify(&token).unwrap();
        assert_eq!(actor.tenant.get(), 7);
        assert_eq!(actor.subject, "alice");
        assert_eq!(actor.role, Role::Viewer);
        let other = Auth::hs256(&[2; 32]).unwrap();
        assert!(other.verify(&token).is_err());
    }
}
