//! The egress guard: every outbound request made on a tenant's behalf goes through here.
//!
//! - [`policy`]: what may be reached: the built-in deny list (IANA special-purpose IPv4 and
//!   IPv6 ranges, every IPv6 form embedding an IPv4 address, cloud metadata addresses and
//!   names, local names), the port rule, the deployment allow-list (`SUNDIAL_EGRESS_ALLOW`)
//!   and per-tenant allow-lists that only narrow.
//! - [`resolver`]: name resolution, injectable for tests.
//! - [`client`]: the HTTP client whose connector resolves once, vets every answer and dials
//!   only vetted addresses; redirects re-validated hop by hop; time and size limits.
//! - [`redact`]: masking of secret header and query values for logs and API output.
//!
//! Operators' documentation: `docs/egress.md`.

pub mod client;
pub mod policy;
mod ranges;
pub mod redact;
pub mod resolver;

pub use client::{
    EgressClient, EgressClientBuilder, EgressError, EgressRequest, EgressResponse, Hop, Limits,
    MAX_REDIRECTS, RootCertificateError, USER_AGENT,
};
pub use policy::{
    ALLOW_ENV, AllowEntry, AllowList, AllowListError, DEFAULT_PORTS, EgressPolicy, Refusal,
    RefusalKind,
};
pub use resolver::{Lookup, ResolveError, Resolver, ScriptedResolver, SystemResolver};
