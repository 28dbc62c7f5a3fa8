//! Request rates: each tenant, each client of a tenant (the token's `sub`) and each address
//! sending requests without a valid token has a token bucket (GCRA, from `governor`); a
//! request over its bucket answers 429 with `Retry-After`. Health probes are never limited.

use std::hash::Hash;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::{Arc, Weak};
use std::time::Duration;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use domain::{Actor, TenantId};
use governor::clock::{Clock, DefaultClock};
use governor::middleware::NoOpMiddleware;
use governor::state::keyed::DashMapStateStore;
use governor::{Quota, RateLimiter};
use ipnet::IpNet;

use crate::auth::{Caller, bearer_token};
use crate::{ApiError, AppState};

/// How often buckets back at their full burst are forgotten, so that the memory the limiters
/// hold follows the clients seen in the last minute, not every client ever seen.
const SWEEP_EVERY: Duration = Duration::from_secs(60);

/// Paths never limited: an orchestrator's probes must see the truth whatever the traffic.
pub(crate) const UNLIMITED_PATHS: [&str; 3] = ["/livez", "/readyz", "/healthz"];

/// One bucket's size: a sustained rate and a burst.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    /// Requests per second, sustained.
    pub per_second: u32,
    /// Requests allowed at once after a quiet period; 0 turns this limit off.
    pub burst: u32,
}

impl Rate {
    fn quota(self) -> Option<Quota> {
        let burst = NonZeroU32::new(self.burst)?;
        let per_second = NonZeroU32::new(self.per_second)?;
        Some(Quota::per_second(per_second).allow_burst(burst))
    }
}

/// The deployment's rate limits (`SUNDIAL_RATE_LIMIT_*`, `SUNDIAL_TRUSTED_PROXIES`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimitSettings {
    /// Each tenant, all of its clients together.
    pub tenant: Rate,
    /// Each client of a tenant (the token's `sub`), and each address sending requests without
    /// a valid token.
    pub client: Rate,
    /// Proxies whose `X-Forwarded-For` names the client's address.
    pub trusted_proxies: TrustedProxies,
}

impl RateLimitSettings {
    /// No limit at all.
    pub fn off() -> Self {
        let off = Rate {
            per_second: 0,
            burst: 0,
        };
        Self {
            tenant: off,
            client: off,
            trusted_proxies: TrustedProxies::default(),
        }
    }
}

/// Networks of reverse proxies whose `X-Forwarded-For` header is believed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// Comma-separated CIDRs or addresses, e.g. `10.0.0.0/8, 192.0.2.7`; empty: none.
    pub fn parse(list: &str) -> Result<Self, String> {
        list.split(',')
            .map(str::trim)
            .filter(|entry| !entry.is_empty())
            .map(|entry| {
                entry
                    .parse::<IpNet>()
                    .or_else(|_| entry.parse::<IpAddr>().map(IpNet::from))
                    .map(|net| net.trunc())
                    .map_err(|_| format!("`{entry}` is not an address or a CIDR"))
            })
            .collect::<Result<_, _>>()
            .map(Self)
    }

    /// The networks, as written back into the configuration.
    pub fn entries(&self) -> impl Iterator<Item = String> + '_ {
        self.0.iter().map(IpNet::to_string)
    }

    fn contains(&self, address: IpAddr) -> bool {
        let address = address.to_canonical();
        self.0.iter().any(|net| net.contains(&address))
    }

    /// The client's address: the peer's, or, when the peer is a trusted proxy, the last
    /// address of `X-Forwarded-For` that is not one (what a client writes there itself comes
    /// before its proxy's entry and is never believed).
    fn client_address(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let mut client = peer.to_canonical();
        if !self.contains(client) {
            return client;
        }
        let forwarded = headers.get_all("x-forwarded-for").iter().rev();
        for value in forwarded {
            let Ok(value) = value.to_str() else {
                return client;
            };
            for entry in value.rsplit(',') {
                match entry.trim().parse::<IpAddr>() {
                    Ok(address) => client = address.to_canonical(),
                    Err(_) => return client,
                }
                if !self.contains(client) {
                    return client;
                }
            }
        }
        client
    }
}

type Keyed<K, C> = RateLimiter<K, DashMapStateStore<K>, C, NoOpMiddleware<<C as Clock>::Instant>>;

/// One limiter of `rate` per key; none when the rate is off.
fn keyed<K: Hash + Eq + Clone, C: Clock + Clone>(rate: Rate, clock: &C) -> Option<Keyed<K, C>> {
    rate.quota()
        .map(|quota| RateLimiter::dashmap_with_clock(quota, clock.clone()))
}

/// Which bucket ran dry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The tenant's, shared by all its clients.
    Tenant,
    /// The client's (the token's `sub`).
    Client,
    /// The address's, for requests without a valid token.
    Address,
}

impl Scope {
    /// Its name in problem details.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Tenant => "tenant",
            Scope::Client => "client",
            Scope::Address => "address",
        }
    }
}

/// A request over its limit: which one, and when the next would be let through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limited {
    /// The bucket that ran dry.
    pub scope: Scope,
    /// Whole seconds until a request would pass, at least 1.
    pub retry_after_seconds: u64,
}

/// The keyed limiters of one node.
pub struct RateLimits<C: Clock + Clone = DefaultClock> {
    tenants: Option<Keyed<TenantId, C>>,
    clients: Option<Keyed<(TenantId, String), C>>,
    addresses: Option<Keyed<IpAddr, C>>,
    trusted_proxies: TrustedProxies,
    clock: C,
}

impl RateLimits {
    /// The limiters, and a task that forgets idle buckets every minute for as long as they
    /// live. Needs a Tokio runtime.
    pub fn start(settings: RateLimitSettings) -> Arc<Self> {
        let limits = Arc::new(Self::with_clock(settings, DefaultClock::default()));
        let weak = Arc::downgrade(&limits);
        tokio::spawn(sweep_while_alive(weak));
        limits
    }

    /// Limiters that let everything through.
    pub fn off() -> Arc<Self> {
        Arc::new(Self::with_clock(
            RateLimitSettings::off(),
            DefaultClock::default(),
        ))
    }
}

async fn sweep_while_alive(limits: Weak<RateLimits>) {
    let mut every = tokio::time::interval(SWEEP_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    every.tick().await;
    loop {
        every.tick().await;
        match limits.upgrade() {
            Some(limits) => limits.sweep(),
            None => return,
        }
    }
}

impl<C: Clock + Clone> RateLimits<C> {
    /// The limiters, reading time from `clock`.
    pub fn with_clock(settings: RateLimitSettings, clock: C) -> Self {
        // A burst of 0 in the tenant setting turns every limit off (benchmarks, tests).
        let on = settings.tenant.quota().is_some();
        Self {
            tenants: keyed(settings.tenant, &clock),
            clients: keyed(settings.client, &clock).filter(|_| on),
            addresses: keyed(settings.client, &clock).filter(|_| on),
            trusted_proxies: settings.trusted_proxies,
            clock,
        }
    }

    fn is_off(&self) -> bool {
        self.tenants.is_none() && self.clients.is_none() && self.addresses.is_none()
    }

    /// Counts one request of an authenticated caller against its client's and its tenant's
    /// buckets.
    pub fn check_caller(&self, caller: &Actor) -> Result<(), Limited> {
        if let Some(clients) = &self.clients {
            let key = (caller.tenant, caller.subject.clone());
            self.check(clients, &key, Scope::Client)?;
        }
        if let Some(tenants) = &self.tenants {
            self.check(tenants, &caller.tenant, Scope::Tenant)?;
        }
        Ok(())
    }

    /// Counts one request without a valid token against its address's bucket; an IPv6
    /// client is its /64, which one host usually has whole.
    pub fn check_address(&self, address: IpAddr) -> Result<(), Limited> {
        let Some(addresses) = &self.addresses else {
            return Ok(());
        };
        let key = match address.to_canonical() {
            IpAddr::V6(v6) => {
                let network = u128::from(v6) & !((1u128 << 64) - 1);
                IpAddr::V6(Ipv6Addr::from(network))
            }
            v4 => v4,
        };
        self.check(addresses, &key, Scope::Address)
    }

    fn check<K: Hash + Eq + Clone>(
        &self,
        limiter: &Keyed<K, C>,
        key: &K,
        scope: Scope,
    ) -> Result<(), Limited> {
        limiter.check_key(key).map_err(|not_until| {
            let wait = not_until.wait_time_from(self.clock.now());
            Limited {
                scope,
                retry_after_seconds: whole_seconds(wait),
            }
        })
    }

    /// Forgets every bucket back at its full burst (a client not seen for a burst's worth of
    /// time), and gives the memory back.
    pub fn sweep(&self) {
        if let Some(limiter) = &self.tenants {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
        if let Some(limiter) = &self.clients {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
        if let Some(limiter) = &self.addresses {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }

    /// Buckets held now, across the three limiters.
    pub fn buckets(&self) -> usize {
        self.tenants.as_ref().map_or(0, |l| l.len())
            + self.clients.as_ref().map_or(0, |l| l.len())
            + self.addresses.as_ref().map_or(0, |l| l.len())
    }
}

/// A wait in whole seconds, rounded up and at least 1 (`Retry-After: 0` would invite an
/// immediate retry that fails again).
fn whole_seconds(wait: Duration) -> u64 {
    let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    seconds.max(1)
}

/// The middleware: authenticated requests count against their client and tenant (the caller
/// is handed on, so the token is verified once), the others against their address.
pub(crate) async fn limit(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let limits = &state.rate_limits;
    if limits.is_off() || UNLIMITED_PATHS.contains(&request.uri().path()) {
        return next.run(request).await;
    }
    let token = request
        .headers()
        .get(AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(bearer_token);
    let caller = match token {
        Some(token) => state.auth.verify(token).await.ok(),
        None => None,
    };
    let verdict = match &caller {
        Some(caller) => limits.check_caller(caller),
        None => {
            let peer = request
                .extensions()
                .get::<ConnectInfo<SocketAddr>>()
                .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |info| info.0.ip());
            let address = limits
                .trusted_proxies
                .client_address(peer, request.headers());
            limits.check_address(address)
        }
    };
    if let Err(limited) = verdict {
        return ApiError::RateLimited(limited).into_response();
    }
    if let Some(caller) = caller {
        request.extensions_mut().insert(Caller(caller));
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;
    use domain::Role;
    use governor::clock::FakeRelativeClock;

    fn rate(per_second: u32, burst: u32) -> Rate {
        Rate { per_second, burst }
    }

    fn limits(tenant: Rate, client: Rate) -> (RateLimits<FakeRelativeClock>, FakeRelativeClock) {
        let clock = FakeRelativeClock::default();
        let settings = RateLimitSettings {
            tenant,
            client,
            trusted_proxies: TrustedProxies::default(),
        };
        (RateLimits::with_clock(settings, clock.clone()), clock)
    }

    fn actor(tenant: i64, subject: &str) -> Actor {
        Actor {
            tenant: TenantId::new(tenant).unwrap(),
            subject: subject.into(),
            role: Role::Viewer,
        }
    }

    #[test]
    fn a_burst_passes_then_the_wait_is_whole_seconds_until_the_bucket_refills() {
        let (limits, clock) = limits(rate(2, 4), rate(100, 100));
        let alice = actor(1, "alice");
        for _ in 0..4 {
            limits.check_caller(&alice).unwrap();
        }
        let limited = limits.check_caller(&alice).unwrap_err();
        assert_eq!(limited.scope, Scope::Tenant);
        // One request refills every 500 ms: rounded up to a whole second.
        assert_eq!(limited.retry_after_seconds, 1);
        clock.advance(Duration::from_millis(500));
        limits.check_caller(&alice).unwrap();
        assert!(limits.check_caller(&alice).is_err());
        // Another tenant has its own bucket.
        limits.check_caller(&actor(2, "alice")).unwrap();
    }

    #[test]
    fn a_slow_rate_asks_for_a_longer_wait() {
        let (limits, _) = limits(rate(100, 100), rate(1, 1));
        limits.check_address("192.0.2.1".parse().unwrap()).unwrap();
        let limited = limits
            .check_address("192.0.2.1".parse().unwrap())
            .unwrap_err();
        assert_eq!(
            limited,
            Limited {
                scope: Scope::Address,
                retry_after_seconds: 1
            }
        );
        assert_eq!(whole_seconds(Duration::from_millis(2001)), 3);
        assert_eq!(whole_seconds(Duration::ZERO), 1);
    }

    #[test]
    fn clients_are_subjects_within_their_tenant() {
        let (limits, _) = limits(rate(100, 100), rate(1, 2));
        let alice = actor(1, "alice");
        limits.check_caller(&alice).unwrap();
        limits.check_caller(&alice).unwrap();
        assert_eq!(
            limits.check_caller(&alice).unwrap_err().scope,
            Scope::Client
        );
        limits.check_caller(&actor(1, "bob")).unwrap();
        // The same subject in another tenant is another client (tokens minted by
        // `sundial token` all say `cli`).
        limits.check_caller(&actor(2, "alice")).unwrap();
    }

    #[test]
    fn ipv6_clients_are_their_slash_64() {
        let (limits, _) = limits(rate(100, 100), rate(1, 1));
        limits
            .check_address("2001:db8::1".parse().unwrap())
            .unwrap();
        assert!(
            limits
                .check_address("2001:db8::ffff:2".parse().unwrap())
                .is_err()
        );
        limits
            .check_address("2001:db8:0:1::1".parse().unwrap())
            .unwrap();
        // An IPv4 client reaching a dual-stack socket is its IPv4 address.
        limits.check_address("192.0.2.9".parse().unwrap()).unwrap();
        assert!(
            limits
                .check_address("::ffff:192.0.2.9".parse().unwrap())
                .is_err()
        );
    }

    #[test]
    fn a_zero_tenant_burst_turns_every_limit_off() {
        let (limits, _) = limits(rate(50, 0), rate(1, 1));
        assert!(limits.is_off());
        for _ in 0..10 {
            limits.check_caller(&actor(1, "a")).unwrap();
            limits.check_address(Ipv4Addr::LOCALHOST.into()).unwrap();
        }
    }

    #[test]
    fn buckets_back_at_full_burst_are_forgotten() {
        let (limits, clock) = limits(rate(10, 10), rate(10, 10));
        for n in 0..50u8 {
            limits
                .check_address(IpAddr::V4(Ipv4Addr::new(198, 51, 100, n)))
                .unwrap();
        }
        limits.check_caller(&actor(1, "a")).unwrap();
        assert_eq!(limits.buckets(), 52);
        limits.sweep();
        assert_eq!(limits.buckets(), 52, "each bucket was used 0.1 s ago");
        clock.advance(Duration::from_secs(2));
        limits.sweep();
        assert_eq!(limits.buckets(), 0);
    }

    #[test]
    fn forwarded_addresses_are_believed_only_from_trusted_proxies() {
        let trusted = TrustedProxies::parse("10.0.0.0/8, 192.0.2.7").unwrap();
        let headers = |values: &[&str]| {
            let mut headers = HeaderMap::new();
            for value in values {
                headers.append("x-forwarded-for", HeaderValue::from_str(value).unwrap());
            }
            headers
        };
        let peer = |s: &str| s.parse::<IpAddr>().unwrap();
        // An untrusted peer is the client, whatever it forwards.
        assert_eq!(
            trusted.client_address(peer("203.0.113.5"), &headers(&["198.51.100.1"])),
            peer("203.0.113.5")
        );
        // Behind a trusted proxy: the last untrusted entry; a client's own forged entries
        // come before it and are ignored.
        assert_eq!(
            trusted.client_address(
                peer("192.0.2.7"),
                &headers(&["6.6.6.6, 198.51.100.1", "10.1.2.3"])
            ),
            peer("198.51.100.1")
        );
        // Only proxies in the chain: the first of them; garbage stops the walk.
        assert_eq!(
            trusted.client_address(peer("10.0.0.1"), &headers(&["10.9.9.9"])),
            peer("10.9.9.9")
        );
        assert_eq!(
            trusted.client_address(peer("10.0.0.1"), &headers(&["198.51.100.1, junk"])),
            peer("10.0.0.1")
        );
        assert_eq!(
            trusted.client_address(peer("10.0.0.1"), &HeaderMap::new()),
            peer("10.0.0.1")
        );
        assert_eq!(
            TrustedProxies::parse("10.0.0.1/8,")
                .unwrap()
                .entries()
                .collect::<Vec<_>>(),
            ["10.0.0.0/8"]
        );
        assert!(TrustedProxies::parse("10.0.0.0/33").is_err());
        assert!(TrustedProxies::parse("proxy.internal").is_err());
        assert_eq!(
            TrustedProxies::parse(" ").unwrap(),
            TrustedProxies::default()
        );
    }
}
