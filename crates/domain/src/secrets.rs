//! The one rule for secrets in task configurations: which header (and query parameter) values
//! carry credentials, how they are masked wherever people see them (API output, versions, run
//! logs), and how a masked value sent back in an update keeps the stored secret.
//!
//! The database keeps the real values: execution needs them. Masking happens on the way out.

use serde_json::{Map, Value};

use crate::ValidationErrors;
use crate::task_config::TaskConfig;

/// Header names that always carry credentials.
const SECRET_HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
    "x-api-key",
];

/// Fragments that make any header or query parameter name count as secret.
const SECRET_FRAGMENTS: &[&str] = &[
    "token",
    "key",
    "secret",
    "password",
    "passwd",
    "auth",
    "session",
    "credential",
    "signature",
    "cookie",
];

/// Names that match a fragment but are known to carry no secret (Sundial's own run id).
const NOT_SECRET: &[&str] = &["idempotency-key", "x-idempotency-key"];

/// What every masked value starts with. A header value can never start with it (header
/// values are visible ASCII), so a value that does is always a placeholder, never a secret.
pub const MASK: &str = "••••";

/// Whether a header (or query parameter) named `name` carries a secret, case-insensitively:
/// the well-known credential headers, and any name containing token, key, secret, password,
/// auth, session, credential, signature or cookie (`Idempotency-Key` excepted).
pub fn is_secret_name(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    if NOT_SECRET.contains(&name.as_str()) {
        return false;
    }
    SECRET_HEADERS.contains(&name.as_str()) || SECRET_FRAGMENTS.iter().any(|f| name.contains(f))
}

/// Values shorter than this are masked entirely: showing two characters of a short secret
/// gives away too much of it.
const SHOW_TAIL_FROM: usize = 12;

/// The masked form of a secret value: [`MASK`] plus, for values of 12 characters or more,
/// their last two characters (enough to tell two keys apart, not enough to use one).
pub fn mask(value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    if chars.len() >= SHOW_TAIL_FROM {
        let tail: String = chars[chars.len() - 2..].iter().collect();
        format!("{MASK}{tail}")
    } else {
        MASK.to_owned()
    }
}

/// `value` as it may be shown for a header (or query parameter) named `name`.
pub fn for_display(name: &str, value: &str) -> String {
    if is_secret_name(name) {
        mask(value)
    } else {
        value.to_owned()
    }
}

/// The keys of a task configuration's JSON whose values are name → value maps subject to
/// masking: request headers and query parameters of an `api_call`.
const MASKED_MAPS: &[&str] = &["headers", "query"];

/// Masks the secret values of a task configuration in its canonical JSON (`task_config` of a
/// task, or of a version's definition). Other configurations pass through unchanged.
pub fn mask_config_json(config: &mut Value) {
    let Some(object) = config.as_object_mut() else {
        return;
    };
    for key in MASKED_MAPS {
        if let Some(Value::Object(map)) = object.get_mut(*key) {
            for (name, value) in map.iter_mut() {
                if let Value::String(text) = value
                    && is_secret_name(name)
                {
                    *text = mask(text);
                }
            }
        }
    }
}

/// Puts the stored secrets back into a task configuration sent by a client, before it is
/// parsed: a secret value that is the placeholder (exactly what the API shows for the stored
/// value, or the bare [`MASK`]) becomes the stored value, so a client can read a task, change
/// another field and send it back without destroying its credentials. Any other value
/// replaces the stored one. A placeholder with no stored value to stand for (a new header, a
/// different tail) is an error naming the field (`headers.<name>`), since sending it would
/// replace a credential with bullets.
pub fn restore_masked(
    config: &mut Value,
    stored: Option<&TaskConfig>,
) -> Result<(), ValidationErrors> {
    let Some(object) = config.as_object_mut() else {
        return Ok(());
    };
    let stored = match stored {
        Some(TaskConfig::ApiCall(c)) => Some(c),
        _ => None,
    };
    let mut errors = ValidationErrors::default();
    for key in MASKED_MAPS {
        let Some(Value::Object(map)) = object.get_mut(*key) else {
            continue;
        };
        let stored_map = stored.map(|c| match *key {
            "headers" => &c.headers,
            _ => &c.query,
        });
        restore_map(key, map, stored_map, &mut errors);
    }
    errors.into_result(|| ())
}

fn restore_map(
    key: &str,
    map: &mut Map<String, Value>,
    stored: Option<&std::collections::BTreeMap<String, String>>,
    errors: &mut ValidationErrors,
) {
    for (name, value) in map.iter_mut() {
        let Value::String(text) = value else {
            continue;
        };
        if !text.starts_with(MASK) {
            continue;
        }
        // Header names are stored lower-cased; query parameter names as written.
        let previous = stored.and_then(|m| {
            m.get(name.as_str())
                .or_else(|| m.get(&name.to_ascii_lowercase()))
        });
        match previous {
            Some(real) if text == MASK || *text == mask(real) => *text = real.clone(),
            _ => errors.push(
                format!("{key}.{name}"),
                format!(
                    "is a masked placeholder ({MASK}…) that stands for no stored value; send the real value"
                ),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::task::TaskType;

    #[test]
    fn credential_names_are_secret() {
        for name in [
            "Authorization",
            "proxy-authorization",
            "Cookie",
            "set-cookie",
            "X-API-Key",
            "x-auth-token",
            "X-Amz-Security-Token",
            "x-client-secret",
            "db-password",
            "x-session-id",
            "x-goog-credential",
            "x-hub-signature-256",
            "apikey",
            "api_key",
            "www-authenticate",
        ] {
            assert!(is_secret_name(name), "{name}");
        }
        for name in [
            "content-type",
            "accept",
            "user-agent",
            "x-request-id",
            "Idempotency-Key",
            "page",
        ] {
            assert!(!is_secret_name(name), "{name}");
        }
    }

    #[test]
    fn masks_show_at_most_two_characters_of_long_values() {
        assert_eq!(mask(""), "••••");
        assert_eq!(mask("hunter2"), "••••");
        assert_eq!(mask("Bearer abcdefghijklmnop"), "••••op");
        assert_eq!(mask("ééééééééééééé€"), "••••é€");
        assert_eq!(
            for_display("authorization", "Bearer abcdefghijklmnop"),
            "••••op"
        );
        assert_eq!(for_display("accept", "*/*"), "*/*");
    }

    fn api(config: Value) -> TaskConfig {
        TaskConfig::parse(TaskType::ApiCall, &config).unwrap()
    }

    #[test]
    fn configs_are_masked_in_headers_and_query_only() {
        let config = api(json!({"url": "https://example.com/", "headers": {
            "Authorization": "Bearer abcdefghijklmnop", "Accept": "text/plain", "X-Token": "short"},
            "query": {"api_key": "k-123456789012", "page": "2"}, "data": {"password": "not masked"}}));
        let mut shown = config.to_json();
        mask_config_json(&mut shown);
        assert_eq!(
            shown["headers"],
            json!({"authorization": "••••op", "accept": "text/plain", "x-token": "••••"})
        );
        assert_eq!(shown["query"], json!({"api_key": "••••12", "page": "2"}));
        assert_eq!(shown["data"], json!({"password": "not masked"}));
        let mut python = json!({"script": "print(1)", "env": {"TOKEN": "x"}});
        mask_config_json(&mut python);
        assert_eq!(python["env"]["TOKEN"], "x");
    }

    #[test]
    fn placeholders_keep_the_stored_value_and_anything_else_replaces_it() {
        let stored = api(json!({"url": "https://example.com/", "headers": {
            "Authorization": "Bearer abcdefghijklmnop", "X-Token": "short"},
            "query": {"api_key": "k-123456789012"}}));
        let mut sent = json!({"url": "https://example.com/", "headers": {
            "AUTHORIZATION": "••••op", "x-token": "••••", "accept": "••• not a mask"},
            "query": {"api_key": "••••"}});
        restore_masked(&mut sent, Some(&stored)).unwrap();
        assert_eq!(sent["headers"]["AUTHORIZATION"], "Bearer abcdefghijklmnop");
        assert_eq!(sent["headers"]["x-token"], "short");
        assert_eq!(sent["query"]["api_key"], "k-123456789012");

        let mut replaced = json!({"headers": {"authorization": "Bearer new"}});
        restore_masked(&mut replaced, Some(&stored)).unwrap();
        assert_eq!(replaced["headers"]["authorization"], "Bearer new");

        let mut wrong_tail = json!({"headers": {"authorization": "••••xx", "x-new-token": "••••"}});
        let errors = restore_masked(&mut wrong_tail, Some(&stored)).unwrap_err();
        let fields: Vec<_> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["headers.authorization", "headers.x-new-token"]);
        let mut created = json!({"headers": {"authorization": "••••"}});
        assert!(restore_masked(&mut created, None).is_err());
    }
}
