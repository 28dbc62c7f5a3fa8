//! Masking of secrets in what people see (logs, API output); execution keeps the real values.
//!
//! Pure functions, so the API can mask stored task configurations, versions and audit entries
//! with exactly the rule the executor uses for its logs.

use url::Url;

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

/// Whether a header (or query parameter) named `name` carries a secret, case-insensitively:
/// the well-known credential headers, and any name containing token, key, secret, password,
/// auth, session, credential, signature or cookie (`Idempotency-Key` excepted).
pub fn is_secret_header(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    if NOT_SECRET.contains(&name.as_str()) {
        return false;
    }
    SECRET_HEADERS.contains(&name.as_str()) || SECRET_FRAGMENTS.iter().any(|f| name.contains(f))
}

/// Values shorter than this are masked entirely: showing two characters of a short secret
/// gives away too much of it.
const SHOW_TAIL_FROM: usize = 12;

/// A masked form of a secret value: `••••` plus, for values of 12 characters or more, their
/// last two characters (enough to tell two keys apart, not enough to use one).
pub fn mask(value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    if chars.len() >= SHOW_TAIL_FROM {
        let tail: String = chars[chars.len() - 2..].iter().collect();
        format!("••••{tail}")
    } else {
        "••••".to_owned()
    }
}

/// `value` as it may be shown for a header named `name`.
pub fn header_for_display(name: &str, value: &str) -> String {
    if is_secret_header(name) {
        mask(value)
    } else {
        value.to_owned()
    }
}

/// The URL as it may be shown: credentials removed, secret-looking query values masked (the
/// mask is written as is, so the result is for reading, not for sending), fragment dropped.
pub fn redact_url(url: &Url) -> String {
    let mut shown = url.clone();
    if !url.username().is_empty() || url.password().is_some() {
        let _ = shown.set_username("redacted");
        let _ = shown.set_password(None);
    }
    shown.set_fragment(None);
    shown.set_query(None);
    let Some(query) = url.query() else {
        return shown.to_string();
    };
    let parts: Vec<String> = query
        .split('&')
        .map(|part| match part.split_once('=') {
            Some((key, value)) => {
                let decoded = |s: &str| {
                    url::form_urlencoded::parse(s.as_bytes())
                        .next()
                        .map(|(k, _)| k.into_owned())
                        .unwrap_or_default()
                };
                if is_secret_header(&decoded(key)) {
                    format!("{key}={}", mask(&decoded(value)))
                } else {
                    part.to_owned()
                }
            }
            None => part.to_owned(),
        })
        .collect();
    format!("{shown}?{}", parts.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_headers_are_secret() {
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
            "www-authenticate",
        ] {
            assert!(is_secret_header(name), "{name}");
        }
        for name in [
            "content-type",
            "accept",
            "user-agent",
            "x-request-id",
            "idempotency-ke",
        ] {
            assert!(!is_secret_header(name), "{name}");
        }
    }

    #[test]
    fn masks_show_at_most_two_characters_of_long_values() {
        assert_eq!(mask(""), "••••");
        assert_eq!(mask("hunter2"), "••••");
        assert_eq!(mask("Bearer abcdefghijklmnop"), "••••op");
        assert_eq!(mask("ééééééééééééé€"), "••••é€");
        assert_eq!(
            header_for_display("authorization", "Bearer abcdefghijklmnop"),
            "••••op"
        );
        assert_eq!(header_for_display("accept", "*/*"), "*/*");
    }

    #[test]
    fn urls_lose_their_secrets() {
        let url = Url::parse("https://api.example.com/x?page=2&api_key=abcdefghijklmnop&token=x")
            .unwrap();
        assert_eq!(
            redact_url(&url),
            "https://api.example.com/x?page=2&api_key=••••op&token=••••"
        );
        let plain = Url::parse("https://api.example.com/x?page=2").unwrap();
        assert_eq!(redact_url(&plain), "https://api.example.com/x?page=2");
        let creds = Url::parse("https://user:pw@api.example.com/").unwrap();
        assert!(!redact_url(&creds).contains("pw") && !redact_url(&creds).contains("user"));
    }
}
