//! What the API needs from the egress policy without depending on the executors: the checks
//! that input alone can fail (at create and update), and the tenant allow-list syntax.
//!
//! `exec::egress::EgressPolicy` implements it; execution checks everything again.

use url::Url;

/// The egress policy's input-only checks.
pub trait EgressRules: Send + Sync + std::fmt::Debug {
    /// Why the deployment's policy refuses `url` whatever DNS answers (a scheme other than
    /// http(s), an IP-literal host in a denied range, a denied name such as `localhost` or
    /// `*.internal`, a port no entry opens), or `None` when only execution can tell.
    fn refuse_url(&self, url: &Url) -> Option<String>;

    /// Parses one entry of a tenant allow-list (an entry of the `SUNDIAL_EGRESS_ALLOW` syntax,
    /// such as `10.0.0.0/8` or `api.partner.example:8443`) into its canonical text, or says
    /// what is wrong with it.
    fn parse_allow_entry(&self, entry: &str) -> Result<String, String>;
}
