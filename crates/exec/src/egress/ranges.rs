//! The built-in deny list: every address range a tenant's request must not reach by default.
//!
//! Sources: the IANA IPv4 and IPv6 Special-Purpose Address Registries, the multicast and
//! reserved blocks, and the link-local/ULA/public addresses cloud providers serve instance
//! metadata and credentials on. Every IPv6 form that embeds an IPv4 address is recognised so
//! the embedded address can be checked too.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// How strongly an address is denied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Strength {
    /// Meaningless or dangerous as a destination (unspecified, multicast, broadcast); no
    /// allow-list entry opens it.
    Never,
    /// A cloud metadata endpoint; only an allow-list entry naming exactly this address opens
    /// it, so opening `169.254.0.0/16` for a device does not hand out instance credentials.
    Metadata,
    /// A special-purpose range; a CIDR entry covering it (or a host entry for the name that
    /// resolved to it) opens it.
    Special,
}

/// Why an address is on the deny list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Denial {
    /// How strongly.
    pub(crate) strength: Strength,
    /// What the range is, phrased to follow "is": "loopback (127.0.0.0/8)".
    pub(crate) what: String,
}

impl fmt::Display for Denial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.what)
    }
}

struct V4Range {
    net: u32,
    len: u8,
    what: &'static str,
}

struct V6Range {
    net: u128,
    len: u8,
    what: &'static str,
}

const fn v4(a: u8, b: u8, c: u8, d: u8, len: u8, what: &'static str) -> V4Range {
    V4Range {
        net: u32::from_be_bytes([a, b, c, d]),
        len,
        what,
    }
}

const fn v6(segments: [u16; 8], len: u8, what: &'static str) -> V6Range {
    let mut net = 0u128;
    let mut i = 0;
    while i < 8 {
        net = (net << 16) | segments[i] as u128;
        i += 1;
    }
    V6Range { net, len, what }
}

fn contains_v4(range: &V4Range, ip: u32) -> bool {
    let mask = if range.len == 0 {
        0
    } else {
        u32::MAX << (32 - range.len)
    };
    ip & mask == range.net
}

fn contains_v6(range: &V6Range, ip: u128) -> bool {
    let mask = if range.len == 0 {
        0
    } else {
        u128::MAX << (128 - range.len)
    };
    ip & mask == range.net
}

/// Addresses that never make sense as a destination.
const NEVER_V4: &[V4Range] = &[
    // Connecting to 0.0.0.0 reaches the local host on Linux: the classic SSRF bypass.
    v4(0, 0, 0, 0, 8, "\"this network\" (0.0.0.0/8)"),
    v4(224, 0, 0, 0, 4, "multicast (224.0.0.0/4)"),
    v4(255, 255, 255, 255, 32, "the limited broadcast address"),
];

/// Cloud metadata and platform endpoints. Some sit in public space (Azure's WireServer), so
/// they are listed one by one rather than trusted to fall into a private range.
const METADATA_V4: &[V4Range] = &[
    v4(
        169,
        254,
        169,
        254,
        32,
        "a cloud metadata endpoint (AWS, GCP, Azure, OpenStack, …)",
    ),
    v4(169, 254, 170, 2, 32, "the AWS ECS task metadata endpoint"),
    v4(169, 254, 170, 23, 32, "the AWS EKS pod identity endpoint"),
    v4(169, 254, 0, 23, 32, "the Tencent Cloud metadata endpoint"),
    v4(
        100,
        100,
        100,
        200,
        32,
        "the Alibaba Cloud metadata endpoint",
    ),
    v4(192, 0, 0, 192, 32, "the Oracle Cloud metadata endpoint"),
    v4(
        168,
        63,
        129,
        16,
        32,
        "the Azure WireServer platform endpoint",
    ),
];

/// The IANA IPv4 special-purpose registry (less what [`NEVER_V4`] covers) and the reserved block.
const SPECIAL_V4: &[V4Range] = &[
    v4(10, 0, 0, 0, 8, "private (10.0.0.0/8)"),
    v4(
        100,
        64,
        0,
        0,
        10,
        "shared address space / CGNAT (100.64.0.0/10)",
    ),
    v4(127, 0, 0, 0, 8, "loopback (127.0.0.0/8)"),
    v4(169, 254, 0, 0, 16, "link-local (169.254.0.0/16)"),
    v4(172, 16, 0, 0, 12, "private (172.16.0.0/12)"),
    v4(192, 0, 0, 0, 24, "IETF protocol assignments (192.0.0.0/24)"),
    v4(192, 0, 2, 0, 24, "documentation (192.0.2.0/24)"),
    v4(192, 31, 196, 0, 24, "AS112 (192.31.196.0/24)"),
    v4(192, 52, 193, 0, 24, "AMT (192.52.193.0/24)"),
    v4(192, 88, 99, 0, 24, "6to4 relay anycast (192.88.99.0/24)"),
    v4(192, 168, 0, 0, 16, "private (192.168.0.0/16)"),
    v4(
        192,
        175,
        48,
        0,
        24,
        "AS112 direct delegation (192.175.48.0/24)",
    ),
    v4(198, 18, 0, 0, 15, "benchmarking (198.18.0.0/15)"),
    v4(198, 51, 100, 0, 24, "documentation (198.51.100.0/24)"),
    v4(203, 0, 113, 0, 24, "documentation (203.0.113.0/24)"),
    v4(240, 0, 0, 0, 4, "reserved (240.0.0.0/4)"),
];

const NEVER_V6: &[V6Range] = &[
    v6([0, 0, 0, 0, 0, 0, 0, 0], 128, "unspecified (::)"),
    v6([0xff00, 0, 0, 0, 0, 0, 0, 0], 8, "multicast (ff00::/8)"),
];

const METADATA_V6: &[V6Range] = &[
    v6(
        [0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254],
        128,
        "the AWS metadata endpoint (IPv6)",
    ),
    v6(
        [0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x23],
        128,
        "the AWS EKS pod identity endpoint (IPv6)",
    ),
];

/// The IANA IPv6 special-purpose registry, the deprecated site-local block, and everything
/// outside global unicast as a catch-all. Order matters only for the wording of the reason:
/// the most specific range comes first.
const SPECIAL_V6: &[V6Range] = &[
    v6([0, 0, 0, 0, 0, 0, 0, 1], 128, "loopback (::1)"),
    v6(
        [0, 0, 0, 0, 0xffff, 0, 0, 0],
        96,
        "IPv4-translated (::ffff:0:0:0/96)",
    ),
    v6(
        [0, 0, 0, 0, 0, 0, 0, 0],
        96,
        "IPv4-compatible (::/96, deprecated)",
    ),
    v6([0x64, 0xff9b, 0, 0, 0, 0, 0, 0], 96, "NAT64 (64:ff9b::/96)"),
    v6(
        [0x64, 0xff9b, 1, 0, 0, 0, 0, 0],
        48,
        "local-use NAT64 (64:ff9b:1::/48)",
    ),
    v6([0x100, 0, 0, 0, 0, 0, 0, 0], 64, "discard-only (100::/64)"),
    v6(
        [0x100, 0, 0, 1, 0, 0, 0, 0],
        64,
        "dummy prefix (100:0:0:1::/64)",
    ),
    v6([0x2001, 0, 0, 0, 0, 0, 0, 0], 32, "Teredo (2001::/32)"),
    v6(
        [0x2001, 0xdb8, 0, 0, 0, 0, 0, 0],
        32,
        "documentation (2001:db8::/32)",
    ),
    v6(
        [0x2001, 0, 0, 0, 0, 0, 0, 0],
        23,
        "IETF protocol assignments (2001::/23)",
    ),
    v6([0x2002, 0, 0, 0, 0, 0, 0, 0], 16, "6to4 (2002::/16)"),
    v6(
        [0x3fff, 0, 0, 0, 0, 0, 0, 0],
        20,
        "documentation (3fff::/20)",
    ),
    v6([0x5f00, 0, 0, 0, 0, 0, 0, 0], 16, "SRv6 SIDs (5f00::/16)"),
    v6([0xfc00, 0, 0, 0, 0, 0, 0, 0], 7, "unique local (fc00::/7)"),
    v6([0xfe80, 0, 0, 0, 0, 0, 0, 0], 10, "link-local (fe80::/10)"),
    v6(
        [0xfec0, 0, 0, 0, 0, 0, 0, 0],
        10,
        "site-local (fec0::/10, deprecated)",
    ),
];

/// Only 2000::/3 is allocated for global unicast; anything else is not a public destination.
const GLOBAL_UNICAST: V6Range = v6([0x2000, 0, 0, 0, 0, 0, 0, 0], 3, "global unicast");

/// The address an IPv4-mapped IPv6 address stands for: `::ffff:a.b.c.d` is `a.b.c.d` on the
/// wire of a dual-stack socket, so it is checked, and dialled, as exactly that.
pub(crate) fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(v6),
        },
        v4 => v4,
    }
}

/// The IPv4 address embedded in an IPv6 address by a translation or tunnelling scheme, if any.
/// Such an address may end up delivered to the embedded IPv4 host, so that host is checked too.
pub(crate) fn embedded_v4(ip: Ipv6Addr) -> Option<(Ipv4Addr, &'static str)> {
    let bits = u128::from(ip);
    let low32 = Ipv4Addr::from((bits & 0xffff_ffff) as u32);
    let s = ip.segments();
    if s[..6] == [0, 0, 0, 0, 0, 0] && bits > 1 {
        return Some((low32, "IPv4-compatible"));
    }
    if s[..6] == [0, 0, 0, 0, 0xffff, 0] {
        return Some((low32, "IPv4-translated"));
    }
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] || s[..3] == [0x64, 0xff9b, 1] {
        return Some((low32, "NAT64"));
    }
    if s[0] == 0x2002 {
        let v4 = ((s[1] as u32) << 16) | s[2] as u32;
        return Some((Ipv4Addr::from(v4), "6to4"));
    }
    if s[..2] == [0x2001, 0] {
        // Teredo stores the client's address inverted in the last 32 bits.
        return Some((Ipv4Addr::from(!((bits & 0xffff_ffff) as u32)), "Teredo"));
    }
    None
}

/// Whether `ip` is on the built-in deny list, and why. `ip` must already be [`canonical`].
pub(crate) fn classify(ip: IpAddr) -> Option<Denial> {
    match ip {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => classify_v6(v6),
    }
}

fn classify_v4(ip: Ipv4Addr) -> Option<Denial> {
    let bits = u32::from(ip);
    let tables: [(&[V4Range], Strength); 3] = [
        (NEVER_V4, Strength::Never),
        (METADATA_V4, Strength::Metadata),
        (SPECIAL_V4, Strength::Special),
    ];
    tables.iter().find_map(|(table, strength)| {
        table
            .iter()
            .find(|range| contains_v4(range, bits))
            .map(|range| Denial {
                strength: *strength,
                what: range.what.to_owned(),
            })
    })
}

fn classify_v6(ip: Ipv6Addr) -> Option<Denial> {
    let bits = u128::from(ip);
    let tables: [(&[V6Range], Strength); 3] = [
        (NEVER_V6, Strength::Never),
        (METADATA_V6, Strength::Metadata),
        (SPECIAL_V6, Strength::Special),
    ];
    let found = tables.iter().find_map(|(table, strength)| {
        table
            .iter()
            .find(|range| contains_v6(range, bits))
            .map(|range| Denial {
                strength: *strength,
                what: range.what.to_owned(),
            })
    });
    let found = found.or_else(|| {
        (!contains_v6(&GLOBAL_UNICAST, bits)).then(|| Denial {
            strength: Strength::Special,
            what: "outside global unicast (2000::/3)".to_owned(),
        })
    });
    // Name the embedded IPv4 host in the reason: "NAT64 (64:ff9b::/96) of 127.0.0.1, which is
    // loopback" tells the operator what the address was really aiming at.
    match (found, embedded_v4(ip)) {
        (Some(mut denial), Some((v4, _))) => {
            if let Some(inner) = classify_v4(v4) {
                denial.what = format!("{} of {v4}, which is {}", denial.what, inner.what);
                // NAT64 of the metadata address is as closed as the metadata address.
                denial.strength = denial.strength.max_with(inner.strength);
            } else {
                denial.what = format!("{} of {v4}", denial.what);
            }
            Some(denial)
        }
        (found, _) => found,
    }
}

impl Strength {
    /// The stronger of two strengths.
    fn max_with(self, other: Strength) -> Strength {
        use Strength::*;
        match (self, other) {
            (Never, _) | (_, Never) => Never,
            (Metadata, _) | (_, Metadata) => Metadata,
            _ => Special,
        }
    }
}

/// Names that are local by definition or belong to cloud metadata services. They are refused
/// before any lookup: resolving them at all may already leak (mDNS) or be answered by a
/// local stub that we cannot see behind.
pub(crate) fn deny_name(name: &str) -> Option<&'static str> {
    const METADATA_NAMES: &[&str] = &[
        "metadata",
        "instance-data",
        "metadata.google.internal",
        "metadata.goog",
        "metadata.tencentyun.com",
        "metadata.platformequinix.com",
        "instance-data.ec2.internal",
    ];
    const LOCAL_SUFFIXES: &[(&str, &str)] = &[
        ("localhost", "a loopback name (localhost, *.localhost)"),
        ("internal", "an internal-only name (.internal)"),
        ("local", "a link-local mDNS name (.local)"),
        ("localdomain", "a local-only name (.localdomain)"),
        ("home.arpa", "a home network name (.home.arpa)"),
        ("svc", "a cluster-internal service name (.svc)"),
    ];
    let bare = name.strip_suffix('.').unwrap_or(name);
    if METADATA_NAMES.contains(&bare) {
        return Some("a cloud metadata name");
    }
    for (suffix, what) in LOCAL_SUFFIXES {
        if bare == *suffix
            || bare
                .strip_suffix(suffix)
                .is_some_and(|rest| rest.ends_with('.'))
        {
            return Some(what);
        }
    }
    if !bare.contains('.') {
        // Single-label names are completed by the resolver's search list into internal names.
        return Some("a single-label name (resolved through the local search domains)");
    }
    if name.ends_with('.') {
        return Some("a name ending in a dot (write it without the final dot)");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn denied(ip: &str) -> Option<Denial> {
        classify(canonical(ip.parse().unwrap()))
    }

    #[test]
    fn every_special_purpose_range_is_denied() {
        for ip in [
            "0.0.0.0",
            "0.1.2.3",
            "10.1.2.3",
            "100.64.0.1",
            "100.127.255.255",
            "127.0.0.1",
            "127.255.255.254",
            "169.254.1.1",
            "172.16.0.1",
            "172.31.255.255",
            "192.0.0.8",
            "192.0.2.1",
            "192.88.99.1",
            "192.168.1.1",
            "198.18.0.1",
            "198.19.255.255",
            "198.51.100.7",
            "203.0.113.9",
            "224.0.0.1",
            "239.255.255.250",
            "240.0.0.1",
            "255.255.255.255",
            "::",
            "::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::127.0.0.1",
            "::ffff:0:7f00:1",
            "64:ff9b::7f00:1",
            "64:ff9b::808:808",
            "64:ff9b:1::1",
            "100::1",
            "2001::1",
            "2001:2::1",
            "2001:db8::1",
            "2002:7f00:1::",
            "3fff::1",
            "5f00::1",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "fec0::1",
            "ff02::1",
            "1::1",
            "4000::1",
        ] {
            assert!(denied(ip).is_some(), "{ip} must be denied");
        }
    }

    #[test]
    fn public_addresses_pass() {
        for ip in [
            "1.1.1.1",
            "8.8.8.8",
            "93.184.215.14",
            "100.63.255.255",
            "100.128.0.0",
            "172.32.0.1",
            "198.20.0.1",
            "2606:4700::1111",
            "2a00:1450:4001::200e",
            "::ffff:8.8.8.8",
        ] {
            assert_eq!(denied(ip), None, "{ip} is public");
        }
    }

    #[test]
    fn metadata_addresses_are_named_and_stronger_than_their_range() {
        let d = denied("169.254.169.254").unwrap();
        assert_eq!(d.strength, Strength::Metadata);
        assert!(d.what.contains("metadata"), "{}", d.what);
        // Azure's WireServer sits in public space; only the explicit entry catches it.
        assert_eq!(
            denied("168.63.129.16").unwrap().strength,
            Strength::Metadata
        );
        assert_eq!(
            denied("fd00:ec2::254").unwrap().strength,
            Strength::Metadata
        );
        assert_eq!(
            denied("100.100.100.200").unwrap().strength,
            Strength::Metadata
        );
        // NAT64 of the metadata address inherits the metadata strength.
        assert_eq!(
            denied("64:ff9b::a9fe:a9fe").unwrap().strength,
            Strength::Metadata
        );
    }

    #[test]
    fn embedded_ipv4_is_extracted_and_named() {
        let cases = [
            ("::127.0.0.1", "127.0.0.1", "IPv4-compatible"),
            ("::ffff:0:7f00:1", "127.0.0.1", "IPv4-translated"),
            ("64:ff9b::7f00:1", "127.0.0.1", "NAT64"),
            ("64:ff9b:1::a00:1", "10.0.0.1", "NAT64"),
            ("2002:7f00:1::1", "127.0.0.1", "6to4"),
            (
                "2001:0:4136:e378:8000:63bf:80ff:fffe",
                "127.0.0.1",
                "Teredo",
            ),
        ];
        for (v6, v4, scheme) in cases {
            let ip: Ipv6Addr = v6.parse().unwrap();
            assert_eq!(embedded_v4(ip), Some((v4.parse().unwrap(), scheme)), "{v6}");
        }
        let reason = denied("64:ff9b::7f00:1").unwrap().what;
        assert!(
            reason.contains("127.0.0.1") && reason.contains("loopback"),
            "{reason}"
        );
        assert_eq!(embedded_v4("::1".parse().unwrap()), None);
        assert_eq!(embedded_v4("2606:4700::1111".parse().unwrap()), None);
    }

    #[test]
    fn mapped_addresses_are_their_ipv4_address() {
        assert_eq!(
            canonical("::ffff:127.0.0.1".parse().unwrap()),
            "127.0.0.1".parse::<IpAddr>().unwrap()
        );
        assert_eq!(
            canonical("::1".parse().unwrap()),
            "::1".parse::<IpAddr>().unwrap()
        );
    }

    #[test]
    fn local_and_metadata_names_are_denied_before_resolution() {
        for name in [
            "localhost",
            "localhost.",
            "a.localhost",
            "metadata.google.internal",
            "anything.internal",
            "printer.local",
            "box.localdomain",
            "nas.home.arpa",
            "kubernetes.default.svc",
            "metadata",
            "instance-data",
            "intranet",
            "example.com.",
        ] {
            assert!(deny_name(name).is_some(), "{name} must be denied");
        }
        for name in [
            "example.com",
            "api.internal-tools.example",
            "localhost.example.com",
            "loop.test",
        ] {
            assert_eq!(deny_name(name), None, "{name} is fine");
        }
    }
}
