//! Name resolution for the egress guard: one lookup per connection, every answer vetted.
//!
//! Production uses [`SystemResolver`] (hickory-resolver with the host's `/etc/resolv.conf`):
//! it is async and cancellable, so a slow name server cannot pin a blocking thread past an
//! attempt's deadline, and it queries A and AAAA explicitly and returns every answer, which
//! `getaddrinfo` does not promise (`AI_ADDRCONFIG` may drop AAAA, NSS modules may add answers).
//! Tests inject a [`ScriptedResolver`] so that name-based hostile cases never touch real DNS.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::Mutex;
use std::time::Duration;

use hickory_resolver::TokioResolver;
use hickory_resolver::config::LookupIpStrategy;

/// A lookup that failed: the name does not exist, has no address, or DNS is unreachable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("could not resolve {name}: {message}")]
pub struct ResolveError {
    /// The name looked up.
    pub name: String,
    /// What went wrong.
    pub message: String,
}

/// The future a [`Resolver`] returns.
pub type Lookup<'a> = Pin<Box<dyn Future<Output = Result<Vec<IpAddr>, ResolveError>> + Send + 'a>>;

/// Resolves a host name to all of its IPv4 and IPv6 addresses.
pub trait Resolver: Send + Sync + fmt::Debug + 'static {
    /// Every A and AAAA answer for `name` (a name without a final dot, never an IP literal).
    fn lookup<'a>(&'a self, name: &'a str) -> Lookup<'a>;
}

/// The host's DNS configuration through hickory-resolver, built on first use.
#[derive(Debug, Default)]
pub struct SystemResolver {
    inner: tokio::sync::OnceCell<Result<TokioResolver, String>>,
}

impl SystemResolver {
    /// A resolver that reads the system configuration when it is first used.
    pub fn new() -> Self {
        Self::default()
    }

    fn build() -> Result<TokioResolver, String> {
        let mut builder = TokioResolver::builder_tokio()
            .map_err(|e| format!("cannot read the system DNS configuration: {e}"))?;
        let options = builder.options_mut();
        // Both families, always: an AAAA-only name must be vetted like any other.
        options.ip_strategy = LookupIpStrategy::Ipv4AndIpv6;
        options.timeout = Duration::from_secs(5);
        options.attempts = 2;
        builder
            .build()
            .map_err(|e| format!("cannot set up the DNS resolver: {e}"))
    }
}

impl Resolver for SystemResolver {
    fn lookup<'a>(&'a self, name: &'a str) -> Lookup<'a> {
        Box::pin(async move {
            let fail = |message: String| ResolveError {
                name: name.to_owned(),
                message,
            };
            let resolver = self.inner.get_or_init(|| async { Self::build() }).await;
            let resolver = resolver.as_ref().map_err(|e| fail(e.clone()))?;
            // The final dot makes the name absolute: no search-list completion can turn
            // `api.example` into `api.example.corp.internal` behind our back.
            let answer = resolver
                .lookup_ip(format!("{name}."))
                .await
                .map_err(|e| fail(e.to_string()))?;
            Ok(answer.iter().collect())
        })
    }
}

/// A resolver answering from a script, for tests: no network, and a count of lookups per name.
#[derive(Debug, Default)]
pub struct ScriptedResolver {
    script: Mutex<HashMap<String, Vec<Vec<IpAddr>>>>,
    lookups: Mutex<HashMap<String, usize>>,
}

impl ScriptedResolver {
    /// A resolver that knows no names.
    pub fn new() -> Self {
        Self::default()
    }

    /// `name` resolves to `addrs` every time.
    pub fn answer(self, name: &str, addrs: &[IpAddr]) -> Self {
        self.answers_in_turn(name, vec![addrs.to_vec()])
    }

    /// The n-th lookup of `name` gets the n-th answer; the last one repeats.
    pub fn answers_in_turn(self, name: &str, answers: Vec<Vec<IpAddr>>) -> Self {
        self.script
            .lock()
            .expect("script lock")
            .insert(name.to_ascii_lowercase(), answers);
        self
    }

    /// How often `name` was looked up.
    pub fn lookups(&self, name: &str) -> usize {
        self.lookups
            .lock()
            .expect("lookup lock")
            .get(name)
            .copied()
            .unwrap_or(0)
    }
}

impl Resolver for ScriptedResolver {
    fn lookup<'a>(&'a self, name: &'a str) -> Lookup<'a> {
        Box::pin(async move {
            let key = name.strip_suffix('.').unwrap_or(name).to_ascii_lowercase();
            let n = {
                let mut lookups = self.lookups.lock().expect("lookup lock");
                let count = lookups.entry(key.clone()).or_default();
                *count += 1;
                *count
            };
            let script = self.script.lock().expect("script lock");
            match script.get(&key) {
                Some(answers) if !answers.is_empty() => {
                    Ok(answers[(n - 1).min(answers.len() - 1)].clone())
                }
                _ => Err(ResolveError {
                    name: name.to_owned(),
                    message: "no such name".into(),
                }),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_script_answers_in_turn_and_counts() {
        let r = ScriptedResolver::new().answers_in_turn(
            "rebind.test",
            vec![
                vec!["127.0.0.2".parse().unwrap()],
                vec!["127.0.0.1".parse().unwrap()],
            ],
        );
        assert_eq!(
            r.lookup("rebind.test").await.unwrap(),
            vec!["127.0.0.2".parse::<IpAddr>().unwrap()]
        );
        assert_eq!(
            r.lookup("REBIND.test").await.unwrap(),
            vec!["127.0.0.1".parse::<IpAddr>().unwrap()]
        );
        assert_eq!(
            r.lookup("rebind.test").await.unwrap(),
            vec!["127.0.0.1".parse::<IpAddr>().unwrap()]
        );
        assert_eq!(r.lookups("rebind.test"), 3);
        assert!(r.lookup("unknown.test").await.is_err());
    }
}
