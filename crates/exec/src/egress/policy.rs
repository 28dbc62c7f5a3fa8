//! The egress policy: which destinations a tenant's request may reach.
//!
//! Built-in rules deny every special-purpose address and local name (see [`super::ranges`]);
//! the deployment allow-list (`SUNDIAL_EGRESS_ALLOW`) opens holes on purpose; an optional
//! per-tenant allow-list can only narrow what the deployment allows.
//!
//! Port policy: a destination that no allow-list entry matches may be reached on ports 80 and
//! 443 only. An entry without a port opens its destination on 80 and 443; an entry with a port
//! opens its destination on exactly that port (repeat the entry for more ports).

use std::collections::HashMap;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

use domain::TenantId;
use url::{Host, Url};

use super::ranges::{self, Strength};

/// The environment variable the deployment allow-list is read from.
pub const ALLOW_ENV: &str = "SUNDIAL_EGRESS_ALLOW";

/// Ports every public destination may use without an allow-list entry.
pub const DEFAULT_PORTS: [u16; 2] = [80, 443];

/// An allow-list entry that could not be parsed; names the entry and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("allow-list entry {position} `{entry}`: {reason}")]
pub struct AllowListError {
    /// 1-based position of the entry in the comma-separated list.
    pub position: usize,
    /// The entry as written (trimmed).
    pub entry: String,
    /// What is wrong with it.
    pub reason: String,
}

/// What an allow-list entry matches.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    /// Addresses in a CIDR block.
    Net { addr: IpAddr, len: u8 },
    /// A host name exactly, or (`wildcard`) every name below it.
    Host { name: String, wildcard: bool },
}

/// One allow-list entry: a CIDR block or a host name, with an optional port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowEntry {
    target: Target,
    port: Option<u16>,
}

impl AllowEntry {
    /// The port this entry opens; `None` means the default ports 80 and 443.
    pub fn port(&self) -> Option<u16> {
        self.port
    }

    fn allows_port(&self, port: u16) -> bool {
        match self.port {
            Some(p) => p == port,
            None => DEFAULT_PORTS.contains(&port),
        }
    }

    fn matches_addr(&self, ip: IpAddr, port: u16) -> bool {
        self.allows_port(port)
            && match self.target {
                Target::Net { addr, len } => net_contains(addr, len, ip),
                Target::Host { .. } => false,
            }
    }

    /// Whether the entry names exactly this one address (what opening a metadata endpoint takes).
    fn is_exactly(&self, ip: IpAddr) -> bool {
        match self.target {
            Target::Net { addr, len } => addr == ip && len == full_len(ip),
            Target::Host { .. } => false,
        }
    }

    fn matches_name(&self, host: &str, port: u16) -> bool {
        self.allows_port(port)
            && match &self.target {
                Target::Host {
                    name,
                    wildcard: false,
                } => host == name,
                Target::Host {
                    name,
                    wildcard: true,
                } => host
                    .strip_suffix(name.as_str())
                    .is_some_and(|rest| rest.len() > 1 && rest.ends_with('.')),
                Target::Net { .. } => false,
            }
    }
}

impl fmt::Display for AllowEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.target, self.port) {
            (
                Target::Net {
                    addr: IpAddr::V4(a),
                    len,
                },
                port,
            ) => {
                write!(f, "{a}/{len}")?;
                if let Some(p) = port {
                    write!(f, ":{p}")?;
                }
                Ok(())
            }
            (
                Target::Net {
                    addr: IpAddr::V6(a),
                    len,
                },
                port,
            ) => {
                write!(f, "[{a}]/{len}")?;
                if let Some(p) = port {
                    write!(f, ":{p}")?;
                }
                Ok(())
            }
            (Target::Host { name, wildcard }, port) => {
                if *wildcard {
                    f.write_str("*.")?;
                }
                f.write_str(name)?;
                if let Some(p) = port {
                    write!(f, ":{p}")?;
                }
                Ok(())
            }
        }
    }
}

fn full_len(ip: IpAddr) -> u8 {
    if ip.is_ipv4() { 32 } else { 128 }
}

fn net_contains(net: IpAddr, len: u8, ip: IpAddr) -> bool {
    match (net, ip) {
        (IpAddr::V4(net), IpAddr::V4(ip)) => {
            let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
            u32::from(ip) & mask == u32::from(net)
        }
        (IpAddr::V6(net), IpAddr::V6(ip)) => {
            let mask = if len == 0 {
                0
            } else {
                u128::MAX << (128 - len)
            };
            u128::from(ip) & mask == u128::from(net)
        }
        _ => false,
    }
}

/// A list of allow-list entries, as written in `SUNDIAL_EGRESS_ALLOW` or a tenant's settings.
///
/// Syntax: comma-separated entries, blanks around them ignored. Each entry is one of
/// `10.0.0.0/8`, `10.1.2.3`, `10.1.2.3:8080`, `127.0.0.2/32:8080`, `[::1]`, `[::1]:9000`,
/// `[fd00::]/8`, `[::1]/128:9000`, `fd00::/8` (IPv6 without brackets takes no port),
/// `api.corp.example`, `api.corp.example:8443`, `*.corp.example` (every name below it).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AllowList {
    entries: Vec<AllowEntry>,
}

impl AllowList {
    /// Parses a comma-separated list; the error names the first bad entry and why.
    pub fn parse(list: &str) -> Result<Self, AllowListError> {
        let mut entries = Vec::new();
        for (index, raw) in list.split(',').enumerate() {
            let entry = raw.trim();
            if entry.is_empty() {
                // Tolerated so that `a,b,` or an empty variable mean what they look like.
                continue;
            }
            let fail = |reason: String| AllowListError {
                position: index + 1,
                entry: entry.to_owned(),
                reason,
            };
            entries.push(parse_entry(entry).map_err(fail)?);
        }
        Ok(Self { entries })
    }

    /// The entries in order.
    pub fn entries(&self) -> &[AllowEntry] {
        &self.entries
    }

    /// Whether the list has no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn names_port(&self, port: u16) -> bool {
        self.entries.iter().any(|e| e.allows_port(port))
    }
}

impl FromStr for AllowList {
    type Err = AllowListError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl fmt::Display for AllowList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, entry) in self.entries.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            entry.fmt(f)?;
        }
        Ok(())
    }
}

fn parse_port(text: &str) -> Result<u16, String> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("port `{text}` is not a number"));
    }
    match text.parse::<u16>() {
        Ok(0) | Err(_) => Err(format!("port `{text}` is not between 1 and 65535")),
        Ok(port) => Ok(port),
    }
}

fn parse_len(text: &str, max: u8) -> Result<u8, String> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("prefix length `{text}` is not a number"));
    }
    match text.parse::<u8>() {
        Ok(len) if len <= max => Ok(len),
        _ => Err(format!("prefix length {text} is longer than {max}")),
    }
}

fn net(addr: IpAddr, len: u8) -> Result<Target, String> {
    // A CIDR with host bits set is almost always a typo for a different block: refuse it
    // rather than guess which block was meant.
    if let IpAddr::V6(v6) = addr
        && let Some(v4) = v6.to_ipv4_mapped().filter(|_| len >= 96)
    {
        // Requests to mapped addresses are checked as their IPv4 address, so an entry must
        // name that address for it to mean anything.
        return Err(format!("{v6} is IPv4-mapped; write {v4} instead"));
    }
    let masked = match addr {
        IpAddr::V4(a) => {
            let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
            IpAddr::V4(Ipv4Addr::from(u32::from(a) & mask))
        }
        IpAddr::V6(a) => {
            let mask = if len == 0 {
                0
            } else {
                u128::MAX << (128 - len)
            };
            IpAddr::V6(Ipv6Addr::from(u128::from(a) & mask))
        }
    };
    if masked != addr {
        return Err(format!("host bits are set; did you mean {masked}/{len}?"));
    }
    Ok(Target::Net { addr, len })
}

fn parse_entry(entry: &str) -> Result<AllowEntry, String> {
    if let Some(rest) = entry.strip_prefix('[') {
        // [v6], [v6]/len, [v6]:port, [v6]/len:port
        let (addr, after) = rest
            .split_once(']')
            .ok_or_else(|| "`[` without a closing `]`".to_owned())?;
        let addr: Ipv6Addr = addr
            .parse()
            .map_err(|_| format!("`{addr}` is not an IPv6 address"))?;
        let (len_text, port_text) = match after.strip_prefix('/') {
            Some(rest) => match rest.split_once(':') {
                Some((len, port)) => (Some(len), Some(port)),
                None => (Some(rest), None),
            },
            None if after.is_empty() => (None, None),
            None => match after.strip_prefix(':') {
                Some(port) => (None, Some(port)),
                None => return Err(format!("unexpected `{after}` after the address")),
            },
        };
        let len = len_text
            .map(|t| parse_len(t, 128))
            .transpose()?
            .unwrap_or(128);
        let port = port_text.map(parse_port).transpose()?;
        return Ok(AllowEntry {
            target: net(IpAddr::V6(addr), len)?,
            port,
        });
    }
    if entry.matches(':').count() >= 2 {
        // Bare IPv6: colons are the address's own, so there is no room for a port.
        let (addr, len) = match entry.split_once('/') {
            Some((addr, len)) => (addr, Some(len)),
            None => (entry, None),
        };
        let addr: Ipv6Addr = addr.parse().map_err(|_| {
            format!("`{addr}` is not an IPv6 address (write `[addr]:port` to give a port)")
        })?;
        let len = len.map(|t| parse_len(t, 128)).transpose()?.unwrap_or(128);
        return Ok(AllowEntry {
            target: net(IpAddr::V6(addr), len)?,
            port: None,
        });
    }
    let (main, port) = match entry.split_once(':') {
        Some((main, port)) => (main, Some(parse_port(port)?)),
        None => (entry, None),
    };
    if let Some((addr, len)) = main.split_once('/') {
        let addr: Ipv4Addr = addr
            .parse()
            .map_err(|_| format!("`{addr}` is not an IPv4 address in dotted-decimal form"))?;
        let len = parse_len(len, 32)?;
        return Ok(AllowEntry {
            target: net(IpAddr::V4(addr), len)?,
            port,
        });
    }
    if let Ok(addr) = main.parse::<Ipv4Addr>() {
        return Ok(AllowEntry {
            target: net(IpAddr::V4(addr), 32)?,
            port,
        });
    }
    let (wildcard, name) = match main.strip_prefix("*.") {
        Some(name) => (true, name),
        None => (false, main),
    };
    let name = name.to_ascii_lowercase();
    validate_host_name(&name)?;
    Ok(AllowEntry {
        target: Target::Host { name, wildcard },
        port,
    })
}

fn validate_host_name(name: &str) -> Result<(), String> {
    if name.ends_with('.') {
        return Err("host names are written without a final dot".to_owned());
    }
    if name.len() > 253 {
        return Err("host name is longer than 253 characters".to_owned());
    }
    for label in name.split('.') {
        let ok = !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !ok {
            return Err(format!(
                "`{name}` is not a CIDR, an IP address or a host name"
            ));
        }
    }
    if name
        .rsplit('.')
        .next()
        .is_some_and(|tld| tld.bytes().all(|b| b.is_ascii_digit()))
    {
        // `2130706433` or `10.1` would be read as addresses by URL parsers; make the operator
        // say which address they mean.
        return Err("looks like an abbreviated IP address; write it as a.b.c.d".to_owned());
    }
    Ok(())
}

/// What kind of rule refused a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefusalKind {
    /// Not http or https.
    Scheme,
    /// Credentials in the URL.
    Credentials,
    /// The host name is local, metadata, or malformed.
    Name,
    /// An address (literal or resolved) is on the deny list.
    Address,
    /// The port is not open for the destination.
    Port,
    /// The tenant's own allow-list does not include the destination.
    Tenant,
    /// A redirect broke a rule (downgrade, too many hops).
    Redirect,
}

impl RefusalKind {
    /// The `reason` label of `sundial_egress_refused_total`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Scheme => "scheme",
            Self::Credentials => "credentials",
            Self::Name => "name",
            Self::Address => "address",
            Self::Port => "port",
            Self::Tenant => "tenant",
            Self::Redirect => "redirect",
        }
    }
}

/// A request the egress policy refused: never retried, counted, and shown to the tenant.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("blocked by egress policy: {reason}")]
pub struct Refusal {
    /// Which rule.
    pub kind: RefusalKind,
    /// Why, naming the host or address: "127.0.0.1 is loopback (127.0.0.0/8)".
    pub reason: String,
}

impl Refusal {
    /// A refusal of `kind` for `reason`.
    pub fn new(kind: RefusalKind, reason: impl Into<String>) -> Self {
        Self {
            kind,
            reason: reason.into(),
        }
    }
}

/// The egress policy of a deployment: built-in deny list, deployment allow-list, and the
/// tenants' own (narrowing) allow-lists.
#[derive(Debug, Clone)]
pub struct EgressPolicy {
    deployment: AllowList,
    tenants: HashMap<TenantId, AllowList>,
    /// False only in the test-only policy that proves the tests would catch a missing guard.
    guard: bool,
}

impl Default for EgressPolicy {
    /// The production default: built-in deny list, no holes.
    fn default() -> Self {
        Self {
            deployment: AllowList::default(),
            tenants: HashMap::new(),
            guard: true,
        }
    }
}

/// The tenant allow-list a request is judged by besides the deployment's, if its tenant has one.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Scope<'a> {
    list: Option<(TenantId, &'a AllowList)>,
}

impl EgressPolicy {
    /// The policy with the deployment allow-list `list` (the syntax of [`AllowList`]).
    pub fn from_allow_list(list: &str) -> Result<Self, AllowListError> {
        Ok(Self::with_allow_list(AllowList::parse(list)?))
    }

    /// The policy with an already parsed deployment allow-list.
    pub fn with_allow_list(deployment: AllowList) -> Self {
        Self {
            deployment,
            ..Self::default()
        }
    }

    /// The policy read from `SUNDIAL_EGRESS_ALLOW` (unset means no holes).
    pub fn from_env() -> Result<Self, AllowListError> {
        Self::from_allow_list(&std::env::var(ALLOW_ENV).unwrap_or_default())
    }

    /// Gives `tenant` its own allow-list: its requests must match it as well as the deployment
    /// policy, so it can only narrow. `None` removes it.
    pub fn set_tenant_allow_list(&mut self, tenant: TenantId, list: Option<AllowList>) {
        match list {
            Some(list) => self.tenants.insert(tenant, list),
            None => self.tenants.remove(&tenant),
        };
    }

    /// The same policy with `tenant` narrowed to `list`.
    pub fn with_tenant_allow_list(mut self, tenant: TenantId, list: AllowList) -> Self {
        self.set_tenant_allow_list(tenant, Some(list));
        self
    }

    /// The deployment allow-list.
    pub fn allow_list(&self) -> &AllowList {
        &self.deployment
    }

    /// The tenant's own allow-list, if it has one.
    pub fn tenant_allow_list(&self, tenant: TenantId) -> Option<&AllowList> {
        self.tenants.get(&tenant)
    }

    /// Whether the guard is on (always, outside the crate's own tests).
    pub fn is_enforcing(&self) -> bool {
        self.guard
    }

    /// TEST ONLY: a policy that lets every destination through, so a test can prove that its
    /// hostile cases would reach the "internal" server without the guard. Compiled only with
    /// the `test-support` feature, which no production build enables.
    #[cfg(feature = "test-support")]
    pub fn allow_everything_for_tests() -> Self {
        Self {
            guard: false,
            ..Self::default()
        }
    }

    pub(crate) fn scope(&self, tenant: TenantId) -> Scope<'_> {
        Scope {
            list: self.tenants.get(&tenant).map(|list| (tenant, list)),
        }
    }

    /// The key of the connection pool `tenant`'s requests may share: tenants without a list of
    /// their own share the deployment's (`None`); a tenant with one gets its own, so that a
    /// connection vetted for one tenant is never reused for a tenant with narrower rights.
    pub(crate) fn pool_key(&self, tenant: TenantId) -> Option<TenantId> {
        self.tenants.contains_key(&tenant).then_some(tenant)
    }

    /// The scope of a pool key from [`Self::pool_key`].
    pub(crate) fn scope_of_pool(&self, key: Option<TenantId>) -> Scope<'_> {
        key.map(|tenant| self.scope(tenant)).unwrap_or_default()
    }

    /// Checks everything the URL alone shows, before any lookup or connection: scheme,
    /// credentials, the host (a literal address is checked in full here), and the port.
    pub fn check_url(&self, tenant: TenantId, url: &Url) -> Result<(), Refusal> {
        self.check_url_in(self.scope(tenant), url)
    }

    pub(crate) fn check_url_in(&self, scope: Scope<'_>, url: &Url) -> Result<(), Refusal> {
        // Scheme first: other schemes parse their host as an opaque string (gopher://127.0.0.1
        // has a *domain* "127.0.0.1"), so nothing else about them means anything.
        let scheme = url.scheme();
        if scheme != "http" && scheme != "https" {
            return Err(Refusal::new(
                RefusalKind::Scheme,
                format!("scheme `{scheme}:` is not allowed (only http and https)"),
            ));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(Refusal::new(
                RefusalKind::Credentials,
                "URLs with credentials (user:password@) are not allowed",
            ));
        }
        let port = url.port_or_known_default().unwrap_or(0);
        match url.host() {
            None => Err(Refusal::new(RefusalKind::Name, "the URL has no host")),
            Some(Host::Ipv4(ip)) => self
                .check_address_in(scope, None, IpAddr::V4(ip), port)
                .map(drop),
            Some(Host::Ipv6(ip)) => self
                .check_address_in(scope, None, IpAddr::V6(ip), port)
                .map(drop),
            Some(Host::Domain(name)) => self.check_name_in(scope, name, port),
        }
    }

    /// Checks a host name before it is resolved: local and metadata names, malformed names,
    /// and whether any entry could open this port at all (so no lookup is made in vain).
    pub(crate) fn check_name_in(
        &self,
        scope: Scope<'_>,
        name: &str,
        port: u16,
    ) -> Result<(), Refusal> {
        if !self.guard {
            return Ok(());
        }
        if let Ok(ip) = name.parse::<IpAddr>() {
            // Never expected from a WHATWG-parsed URL, but an address is checked as one.
            return self.check_address_in(scope, None, ip, port).map(drop);
        }
        let opened = self
            .deployment
            .entries
            .iter()
            .any(|e| e.matches_name(name, port));
        if !opened {
            if let Err(reason) = validate_host_name(name.strip_suffix('.').unwrap_or(name)) {
                return Err(Refusal::new(
                    RefusalKind::Name,
                    format!("host `{name}`: {reason}"),
                ));
            }
            if let Some(what) = ranges::deny_name(name) {
                return Err(Refusal::new(RefusalKind::Name, format!("{name} is {what}")));
            }
            if !DEFAULT_PORTS.contains(&port) && !self.deployment.names_port(port) {
                return Err(port_refusal(port));
            }
        }
        if let Some((tenant, list)) = scope.list
            && !list.names_port(port)
        {
            return Err(Refusal::new(
                RefusalKind::Tenant,
                format!("port {port} is not in tenant {tenant}'s allow-list"),
            ));
        }
        Ok(())
    }

    /// Checks one address a request would connect to (a literal host, or one answer of the
    /// lookup of `name`) on `port`. Returns the address to dial: IPv4-mapped IPv6 addresses
    /// are dialled as the IPv4 address they stand for.
    pub fn check_address(
        &self,
        tenant: TenantId,
        name: Option<&str>,
        ip: IpAddr,
        port: u16,
    ) -> Result<IpAddr, Refusal> {
        self.check_address_in(self.scope(tenant), name, ip, port)
    }

    pub(crate) fn check_address_in(
        &self,
        scope: Scope<'_>,
        name: Option<&str>,
        ip: IpAddr,
        port: u16,
    ) -> Result<IpAddr, Refusal> {
        let ip = ranges::canonical(ip);
        if !self.guard {
            return Ok(ip);
        }
        let subject = match name {
            Some(name) => format!("{name} resolves to {ip}, which"),
            None => ip.to_string(),
        };
        self.deployment_allows(&subject, name, ip, port)?;
        if let Some((tenant, list)) = scope.list {
            let listed = list
                .entries
                .iter()
                .any(|e| e.matches_addr(ip, port) || name.is_some_and(|n| e.matches_name(n, port)));
            if !listed {
                let dest = match name {
                    Some(name) => format!("{name} ({ip}) port {port}"),
                    None => format!("{ip} port {port}"),
                };
                return Err(Refusal::new(
                    RefusalKind::Tenant,
                    format!("{dest} is not in tenant {tenant}'s allow-list"),
                ));
            }
        }
        Ok(ip)
    }

    fn deployment_allows(
        &self,
        subject: &str,
        name: Option<&str>,
        ip: IpAddr,
        port: u16,
    ) -> Result<(), Refusal> {
        let denial = ranges::classify(ip);
        let address_refusal =
            |what: &str| Refusal::new(RefusalKind::Address, format!("{subject} is {what}"));
        if let Some(d) = &denial
            && d.strength == Strength::Never
        {
            return Err(address_refusal(&d.what));
        }
        let metadata = denial
            .as_ref()
            .is_some_and(|d| d.strength == Strength::Metadata);
        let opened_by_net = self
            .deployment
            .entries
            .iter()
            .any(|e| e.matches_addr(ip, port) && (!metadata || e.is_exactly(ip)));
        let opened_by_name = !metadata
            && name.is_some_and(|n| {
                self.deployment
                    .entries
                    .iter()
                    .any(|e| e.matches_name(n, port))
            });
        if opened_by_net || opened_by_name {
            // An entry opened the IPv6 form; the IPv4 host it carries must pass on its own.
            if let IpAddr::V6(v6) = ip
                && let Some((v4, scheme)) = ranges::embedded_v4(v6)
            {
                let inner = format!("{subject} is {scheme} of {v4}, which");
                return self.deployment_allows(&inner, None, IpAddr::V4(v4), port);
            }
            return Ok(());
        }
        if let Some(d) = denial {
            return Err(address_refusal(&d.what));
        }
        if !DEFAULT_PORTS.contains(&port) {
            return Err(port_refusal(port));
        }
        Ok(())
    }
}

impl domain::EgressRules for EgressPolicy {
    fn refuse_url(&self, url: &Url) -> Option<String> {
        // The deployment's rules only: a tenant's list is applied at execution, where it is
        // current, so tightening it also holds back tasks saved before.
        self.check_url_in(Scope::default(), url)
            .err()
            .map(|refusal| refusal.reason)
    }

    fn parse_allow_entry(&self, entry: &str) -> Result<String, String> {
        if entry.contains(',') {
            return Err("one entry per item (no commas)".to_owned());
        }
        let list = AllowList::parse(entry).map_err(|e| e.reason)?;
        match list.entries() {
            [one] => Ok(one.to_string()),
            _ => Err("must not be empty".to_owned()),
        }
    }
}

fn port_refusal(port: u16) -> Refusal {
    Refusal::new(
        RefusalKind::Port,
        format!("port {port} is not allowed (only 80 and 443, unless {ALLOW_ENV} names the port)"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tenant(n: i64) -> TenantId {
        TenantId::new(n).unwrap()
    }

    fn check(policy: &EgressPolicy, url: &str) -> Result<(), Refusal> {
        policy.check_url(tenant(1), &Url::parse(url).unwrap())
    }

    fn addr(
        policy: &EgressPolicy,
        name: Option<&str>,
        ip: &str,
        port: u16,
    ) -> Result<IpAddr, Refusal> {
        policy.check_address(tenant(1), name, ip.parse().unwrap(), port)
    }

    #[test]
    fn the_allow_list_syntax_parses() {
        let list = AllowList::parse(
            " 127.0.0.2/32:8080, [::1]/128:9000 ,10.0.0.0/8, 10.1.2.3, 10.1.2.4:81, [::1], [::1]:9001, \
             [fd00::]/8, fd00::/8, API.Corp.Example:8443, *.svc.example, ",
        )
        .unwrap();
        let shown: Vec<String> = list.entries().iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "127.0.0.2/32:8080",
                "[::1]/128:9000",
                "10.0.0.0/8",
                "10.1.2.3/32",
                "10.1.2.4/32:81",
                "[::1]/128",
                "[::1]/128:9001",
                "[fd00::]/8",
                "[fd00::]/8",
                "api.corp.example:8443",
                "*.svc.example",
            ]
        );
        assert!(AllowList::parse("").unwrap().is_empty());
        assert!(AllowList::parse(" , ").unwrap().is_empty());
    }

    #[test]
    fn parse_errors_name_the_entry_and_the_problem() {
        let cases = [
            ("10.0.0.0/33", 1, "prefix length 33 is longer than 32"),
            (
                "10.0.0.1/8",
                1,
                "host bits are set; did you mean 10.0.0.0/8?",
            ),
            ("10.0.0.0/8:0", 1, "port `0` is not between 1 and 65535"),
            (
                "10.0.0.0/8:70000",
                1,
                "port `70000` is not between 1 and 65535",
            ),
            ("10.0.0.0/8:http", 1, "port `http` is not a number"),
            ("127.0.0.2/32, [::1/128", 2, "`[` without a closing `]`"),
            ("[::1]/129", 1, "prefix length 129 is longer than 128"),
            ("[::g]", 1, "`::g` is not an IPv6 address"),
            ("::1:80:", 1, "is not an IPv6 address"),
            ("256.0.0.1/8", 1, "is not an IPv4 address"),
            ("bad host", 1, "is not a CIDR, an IP address or a host name"),
            ("example.com.", 1, "without a final dot"),
            ("2130706433", 1, "abbreviated IP address"),
            ("[::1]x", 1, "unexpected `x` after the address"),
            (
                "[::ffff:127.0.0.2]",
                1,
                "IPv4-mapped; write 127.0.0.2 instead",
            ),
        ];
        for (input, position, reason) in cases {
            let err = AllowList::parse(input).unwrap_err();
            assert_eq!(err.position, position, "{input}");
            assert!(err.reason.contains(reason), "{input}: {err}");
        }
        let err = EgressPolicy::from_allow_list("10.0.0.0/8,10.0.0.1/8").unwrap_err();
        assert_eq!(
            err.to_string(),
            "allow-list entry 2 `10.0.0.1/8`: host bits are set; did you mean 10.0.0.0/8?"
        );
    }

    #[test]
    fn the_default_policy_refuses_private_and_allows_public_on_80_and_443() {
        let p = EgressPolicy::default();
        assert!(check(&p, "http://127.0.0.2/").is_err());
        assert!(check(&p, "https://8.8.8.8/").is_ok());
        assert!(check(&p, "http://8.8.8.8:80/").is_ok());
        assert_eq!(
            check(&p, "http://8.8.8.8:8080/").unwrap_err().kind,
            RefusalKind::Port
        );
        assert_eq!(
            check(&p, "https://example.com:22/").unwrap_err().kind,
            RefusalKind::Port
        );
        assert!(check(&p, "https://example.com/").is_ok());
        let e = check(&p, "http://127.0.0.1/").unwrap_err();
        assert_eq!(
            e.to_string(),
            "blocked by egress policy: 127.0.0.1 is loopback (127.0.0.0/8)"
        );
    }

    #[test]
    fn an_entry_opens_exactly_its_block_and_port() {
        let p = EgressPolicy::from_allow_list("127.0.0.2/32:8080,10.0.0.0/8").unwrap();
        assert!(check(&p, "http://127.0.0.2:8080/").is_ok());
        assert_eq!(
            check(&p, "http://127.0.0.2/").unwrap_err().kind,
            RefusalKind::Address
        );
        assert_eq!(
            check(&p, "http://127.0.0.2:8081/").unwrap_err().kind,
            RefusalKind::Address
        );
        assert_eq!(
            check(&p, "http://127.0.0.1:8080/").unwrap_err().kind,
            RefusalKind::Address
        );
        assert!(check(&p, "http://10.9.8.7/").is_ok());
        assert!(check(&p, "https://10.9.8.7/").is_ok());
        assert!(check(&p, "http://10.9.8.7:8080/").is_err());
        // A port named by an entry is not a hole for public destinations: it is the entry's.
        assert!(check(&p, "http://8.8.8.8:8080/").is_err());
        assert!(addr(&p, Some("x.example"), "8.8.8.8", 8080).is_err());
    }

    #[test]
    fn metadata_needs_an_exact_entry_and_never_ranges_stay_closed() {
        let p = EgressPolicy::from_allow_list("169.254.0.0/16,0.0.0.0/0,[::]/0").unwrap();
        assert!(check(&p, "http://169.254.1.1/").is_ok());
        assert!(check(&p, "http://169.254.169.254/").is_err());
        assert!(check(&p, "http://0.0.0.0/").is_err());
        assert!(check(&p, "http://[::]/").is_err());
        assert!(check(&p, "http://224.0.0.1/").is_err());
        assert!(check(&p, "http://[fd00:ec2::254]/").is_err());
        let exact = EgressPolicy::from_allow_list("169.254.169.254").unwrap();
        assert!(check(&exact, "http://169.254.169.254/").is_ok());
    }

    #[test]
    fn ipv6_forms_of_a_denied_ipv4_address_stay_denied_even_when_the_prefix_is_opened() {
        let p = EgressPolicy::from_allow_list("[64:ff9b::]/96").unwrap();
        // DNS64 deployments can open NAT64; the embedded IPv4 host is still checked.
        assert!(check(&p, "http://[64:ff9b::808:808]/").is_ok());
        let e = check(&p, "http://[64:ff9b::7f00:1]/").unwrap_err();
        assert!(
            e.reason.contains("127.0.0.1") && e.reason.contains("loopback"),
            "{e}"
        );
        // A mapped address is its IPv4 address, whatever an entry says about the mapped block.
        assert!(check(&p, "http://[::ffff:127.0.0.1]/").is_err());
        assert!(check(&EgressPolicy::default(), "http://[::ffff:8.8.8.8]/").is_ok());
        let opened = EgressPolicy::from_allow_list("127.0.0.2/32").unwrap();
        assert_eq!(
            addr(&opened, None, "::ffff:127.0.0.2", 80).unwrap(),
            "127.0.0.2".parse::<IpAddr>().unwrap()
        );
    }

    #[test]
    fn names_are_checked_before_resolution_unless_an_entry_names_them() {
        let p = EgressPolicy::default();
        for url in [
            "http://localhost/",
            "http://LOCALHOST/",
            "http://localhost./",
            "http://x.localhost/",
            "http://metadata.google.internal/",
            "http://instance-data/",
            "http://metadata/",
            "http://printer.local/",
            "http://intranet/",
            "http://example.com./",
        ] {
            assert_eq!(check(&p, url).unwrap_err().kind, RefusalKind::Name, "{url}");
        }
        let opened = EgressPolicy::from_allow_list("billing.internal:8443,*.svc.example").unwrap();
        assert!(check(&opened, "https://billing.internal:8443/").is_ok());
        assert!(check(&opened, "https://billing.internal/").is_err());
        assert!(addr(&opened, Some("billing.internal"), "10.1.1.1", 8443).is_ok());
        assert!(addr(&opened, Some("billing.internal"), "10.1.1.1", 443).is_err());
        // A host entry opens the name's private addresses but never a metadata endpoint.
        assert!(addr(&opened, Some("billing.internal"), "169.254.169.254", 8443).is_err());
        assert!(addr(&opened, Some("a.svc.example"), "10.0.0.1", 443).is_ok());
        assert!(addr(&opened, Some("svc.example"), "10.0.0.1", 443).is_err());
        assert!(addr(&opened, Some("a.xsvc.example"), "10.0.0.1", 443).is_err());
    }

    #[test]
    fn a_tenant_list_only_narrows() {
        let deployment = "127.0.0.2/32:8080,127.0.0.3/32:8080";
        let a = tenant(1);
        let b = tenant(2);
        let c = tenant(3);
        let p = EgressPolicy::from_allow_list(deployment)
            .unwrap()
            .with_tenant_allow_list(a, AllowList::parse("partner.example").unwrap())
            .with_tenant_allow_list(
                b,
                AllowList::parse("127.0.0.2/32:8080,127.0.0.1/32:8080").unwrap(),
            );
        let url = Url::parse("http://127.0.0.2:8080/").unwrap();
        assert_eq!(p.check_url(a, &url).unwrap_err().kind, RefusalKind::Tenant);
        assert!(p.check_url(b, &url).is_ok());
        assert!(
            p.check_url(c, &url).is_ok(),
            "no list of its own: the deployment's policy"
        );
        // B's list names 127.0.0.1, which the deployment never opened.
        let internal = Url::parse("http://127.0.0.1:8080/").unwrap();
        assert_eq!(
            p.check_url(b, &internal).unwrap_err().kind,
            RefusalKind::Address
        );
        let other = Url::parse("http://127.0.0.3:8080/").unwrap();
        assert_eq!(
            p.check_url(b, &other).unwrap_err().kind,
            RefusalKind::Tenant
        );
        let e = p.check_url(a, &url).unwrap_err();
        assert!(e.reason.contains("tenant 1's allow-list"), "{e}");
        assert!(
            p.check_url(a, &Url::parse("https://partner.example/").unwrap())
                .is_ok()
        );
        assert!(
            p.check_address(a, Some("partner.example"), "8.8.8.8".parse().unwrap(), 443)
                .is_ok()
        );
        assert!(
            p.check_address(a, Some("other.example"), "8.8.8.8".parse().unwrap(), 443)
                .is_err()
        );
    }

    #[test]
    fn schemes_and_credentials_are_checked_first() {
        let p = EgressPolicy::default();
        assert_eq!(
            check(&p, "gopher://127.0.0.1:6379/_INFO").unwrap_err().kind,
            RefusalKind::Scheme
        );
        assert_eq!(
            check(&p, "file:///etc/passwd").unwrap_err().kind,
            RefusalKind::Scheme
        );
        assert_eq!(
            check(&p, "http://u:p@example.com/").unwrap_err().kind,
            RefusalKind::Credentials
        );
    }
}
