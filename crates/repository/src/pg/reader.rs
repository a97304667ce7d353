//! [`CatalogReader`] over libpq, behind a host policy: a client's URL may
//! only lead to the addresses the operator allows, so the import endpoint
//! cannot be turned against the service's own network (the provisioning
//! server, the metadata store, a cloud metadata address).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, ToSocketAddrs};

use schemaforge_introspect::Catalog;

use super::introspect::introspect;
use crate::{
    ApplyError, CatalogReader, ImportTarget, IntrospectError, IntrospectOptions, Probe, RepoError, ScriptTimeouts,
};

/// Which hosts a client's URL may lead to.
#[derive(Debug, Clone, Default)]
pub struct HostPolicy {
    /// Host names or addresses allowed whatever they resolve to
    /// (compared case-insensitively with the URL's host).
    pub allowed_hosts: Vec<String>,
    /// Allow loopback, private, link-local and other non-public addresses
    /// for every host (a development setting).
    pub allow_private_networks: bool,
}

/// An address any client may be sent to: not loopback, private (RFC 1918,
/// unique-local), link-local (cloud metadata lives there), shared
/// (100.64/10), unspecified, multicast, broadcast or documentation.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_public_v4(v4),
            None => is_public_v6(v6),
        },
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    !(ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_multicast()
        || ip.is_broadcast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b))
        || (a == 198 && (b == 18 || b == 19))
        || (a == 192 && b == 0 && ip.octets()[2] == 0) // IETF protocol assignments
        || a >= 240)
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let s = ip.segments();
    let v4 = |hi: u16, lo: u16| Ipv4Addr::new((hi >> 8) as u8, hi as u8, (lo >> 8) as u8, lo as u8);
    // Addresses that carry an IPv4 address reach that address: NAT64
    // (64:ff9b::/96), 6to4 (2002::/16), IPv4-compatible (::/96).
    if s[0] == 0x0064 && s[1] == 0xff9b && s[2..6] == [0, 0, 0, 0] {
        return is_public_v4(v4(s[6], s[7]));
    }
    if s[0] == 0x2002 {
        return is_public_v4(v4(s[1], s[2]));
    }
    if s[0..6] == [0, 0, 0, 0, 0, 0] {
        return is_public_v4(v4(s[6], s[7]));
    }
    !(ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (s[0] & 0xfe00) == 0xfc00 // unique local
        || (s[0] & 0xffc0) == 0xfe80 // link local
        || (s[0] & 0xffc0) == 0xfec0 // site local (deprecated)
        || (s[0] == 0x2001 && s[1] == 0x0000) // Teredo
        || (s[0] == 0x2001 && s[1] == 0x0db8)) // documentation
}

impl HostPolicy {
    /// The address to connect to: the first the host resolves to that the
    /// policy allows.
    pub fn address(&self, target: &ImportTarget) -> Result<IpAddr, IntrospectError> {
        let host = target.host();
        let listed = self.allowed_hosts.iter().any(|h| h.eq_ignore_ascii_case(host));
        let addresses: Vec<IpAddr> = match host.parse::<IpAddr>() {
            Ok(ip) => vec![ip],
            Err(_) => (host, target.port())
                .to_socket_addrs()
                .map_err(|e| IntrospectError::Unreachable(format!("cannot resolve the host {host}: {e}")))?
                .map(|a| a.ip())
                .collect(),
        };
        addresses.iter().copied().find(|ip| listed || self.allow_private_networks || is_public(*ip)).ok_or_else(|| {
            IntrospectError::Forbidden(format!(
                "{host} is a loopback, private or link-local address, which this server does not connect to \
                     (an operator can allow it: import.allowed_hosts)"
            ))
        })
    }
}

/// Reads clients' databases where the policy allows.
#[derive(Debug, Clone, Default)]
pub struct PgCatalogReader {
    policy: HostPolicy,
}

impl PgCatalogReader {
    /// A reader that connects only where `policy` allows.
    pub fn new(policy: HostPolicy) -> Self {
        Self { policy }
    }
}

impl CatalogReader for PgCatalogReader {
    fn read_database(&self, target: &ImportTarget, options: &IntrospectOptions) -> Result<Catalog, IntrospectError> {
        let address = self.policy.address(target)?;
        introspect(&target.libpq_url(address, options.connect_timeout_secs), options)
    }

    fn probe(&self, target: &ImportTarget, options: &IntrospectOptions) -> Result<Probe, IntrospectError> {
        let address = self.policy.address(target)?;
        let url = target.libpq_url(address, options.connect_timeout_secs);
        let (server_version, can_write) = super::live::privileges(&url, options.connect_timeout_secs)?;
        let catalog = introspect(&url, options)?;
        Ok(Probe { server_version, relations: catalog.relations.len(), can_write })
    }

    fn apply_statements(
        &self,
        target: &ImportTarget,
        statements: &[String],
        timeouts: ScriptTimeouts,
    ) -> Result<u64, ApplyError> {
        let address = self.policy.address(target).map_err(|e| ApplyError::Repo(RepoError::Other(e.to_string())))?;
        let live = super::live::LiveTimeouts {
            connect_secs: timeouts.connect_secs,
            statement_ms: timeouts.statement_ms,
            lock_ms: timeouts.lock_ms,
        };
        super::live::apply_statements(&target.libpq_url(address, timeouts.connect_secs), statements, live)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_addresses_unless_allowed() {
        for private in
            ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0"]
        {
            assert!(!is_public(private.parse().unwrap()), "{private}");
        }
        for private in [
            "::1",
            "fd00::1",
            "fe80::1",
            "fec0::1",
            "::ffff:127.0.0.1",
            "::",
            "64:ff9b::a00:1",
            "2002:a00:1::1",
            "::10.0.0.1",
            "2001:0:4136:e378::1",
            "192.0.0.8",
        ] {
            assert!(!is_public(private.parse().unwrap()), "{private}");
        }
        assert!(is_public("8.8.8.8".parse().unwrap()) && is_public("2a00:1450::1".parse().unwrap()));
        let target = ImportTarget::parse("postgres://u:p@127.0.0.1:5432/d").unwrap();
        let closed = HostPolicy::default();
        let err = closed.address(&target).unwrap_err();
        assert!(matches!(err, IntrospectError::Forbidden(_)), "{err:?}");
        let listed = HostPolicy { allowed_hosts: vec!["127.0.0.1".into()], allow_private_networks: false };
        assert_eq!(listed.address(&target).unwrap(), "127.0.0.1".parse::<IpAddr>().unwrap());
        let open = HostPolicy { allowed_hosts: vec![], allow_private_networks: true };
        assert!(open.address(&target).is_ok());
        let named = ImportTarget::parse("postgres://u:p@localhost/d").unwrap();
        assert!(matches!(closed.address(&named), Err(IntrospectError::Forbidden(_))));
    }
}
