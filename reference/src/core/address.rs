//! Socket addresses per family, typed: what `socket.bind`, `socket.sendto`,
//! `socket.getsockname`, `socket.getpeername` and `socket.recvfrom` exchange with the OS.
//!
//! The rules are CPython's `getsockaddrarg` (Python value → C `sockaddr`) and
//! `makesockaddr` (C `sockaddr` → Python value) in `Modules/socketmodule.c`, minus the
//! Python-value parsing, which is the `py` layer's. Families: `AF_INET` and `AF_UNIX`
//! (with Linux's abstract namespace where [`sys::HAS_ABSTRACT_UNIX`]); `AF_INET6` is
//! decoded (and can be bound from typed values) but not yet parsed from Python values;
//! every other family is carried as its raw `sa_data`.

use std::ffi::CString;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddrV6};

use super::Error;
use crate::sys;

/// A socket address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SockAddr {
    /// `AF_INET`: `(host, port)`.
    Inet(Ipv4Addr, u16),
    /// `AF_INET6`: `(host, port, flowinfo, scope_id)`.
    Inet6(SocketAddrV6),
    /// `AF_UNIX`: a path or an abstract name.
    Unix(UnixAddr),
    /// `AF_NETLINK`: `(pid, groups)`.
    Netlink {
        /// `nl_pid`.
        pid: u32,
        /// `nl_groups`.
        groups: u32,
    },
    /// `AF_VSOCK`: `(cid, port)`.
    Vsock {
        /// `svm_cid`.
        cid: u32,
        /// `svm_port`.
        port: u32,
    },
    /// Any other family: `(family, sa_data)`, as CPython's `makesockaddr` returns an
    /// address of a family it does not know.
    Other {
        /// `sa_family`.
        family: i32,
        /// `sa_data`.
        data: Vec<u8>,
    },
}

/// An `AF_UNIX` address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnixAddr {
    /// A filesystem path (`str` in Python), without the terminating NUL C adds. Empty for
    /// an unnamed socket (`getsockname()` of an unbound socket gives `''`).
    Path(Vec<u8>),
    /// A Linux abstract-namespace name (`bytes` in Python), leading NUL included; empty
    /// to ask `bind` for an automatically chosen name (autobind).
    Abstract(Vec<u8>),
}

/// What CPython raises for an `AF_UNIX` address that does not fit `sun_path`.
fn unix_too_long() -> Error {
    Error::os("AF_UNIX path too long")
}

impl UnixAddr {
    /// The address the bytes of a Python `AF_UNIX` address denote (a `str` arrives here
    /// encoded with the filesystem encoding). Where the abstract namespace exists, empty
    /// bytes or bytes starting with NUL are an abstract name (at most `sun_path`'s size);
    /// anything else is a path, which needs room for its terminating NUL. Too long:
    /// `OSError("AF_UNIX path too long")`.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<UnixAddr, Error> {
        let abstract_name = sys::HAS_ABSTRACT_UNIX && bytes.first().is_none_or(|&b| b == 0);
        if abstract_name {
            if bytes.len() > sys::UNIX_PATH_CAPACITY {
                return Err(unix_too_long());
            }
            Ok(UnixAddr::Abstract(bytes))
        } else {
            if bytes.len() >= sys::UNIX_PATH_CAPACITY {
                return Err(unix_too_long());
            }
            Ok(UnixAddr::Path(bytes))
        }
    }

    /// The address the kernel described by the covered bytes of `sun_path`: an abstract
    /// name when they start with NUL (where that namespace exists), else a path up to the
    /// first NUL.
    fn from_sun_path(raw: Vec<u8>) -> UnixAddr {
        if sys::HAS_ABSTRACT_UNIX && raw.first() == Some(&0) {
            return UnixAddr::Abstract(raw);
        }
        let end = raw.iter().position(|&b| b == 0).unwrap_or(raw.len());
        let mut path = raw;
        path.truncate(end);
        UnixAddr::Path(path)
    }

    /// The `sun_path` bytes `bind`/`sendto` pass: a path with its terminating NUL, an
    /// abstract name as it is.
    fn to_sun_path(&self) -> Vec<u8> {
        match self {
            UnixAddr::Path(p) => {
                let mut bytes = p.clone();
                bytes.push(0);
                bytes
            }
            UnixAddr::Abstract(a) => a.clone(),
        }
    }
}

impl SockAddr {
    /// The address in the OS layer's form, for a socket of `family` (CPython writes the
    /// socket's own family into `sun_family`).
    pub(crate) fn to_sys(&self, family: i32) -> sys::Addr {
        match self {
            SockAddr::Inet(ip, port) => sys::Addr::Inet {
                ip: ip.octets(),
                port: *port,
            },
            SockAddr::Inet6(a) => sys::Addr::Inet6 {
                ip: a.ip().octets(),
                port: a.port(),
                flowinfo: a.flowinfo(),
                scope_id: a.scope_id(),
            },
            SockAddr::Unix(u) => sys::Addr::Unix {
                family,
                path: u.to_sun_path(),
            },
            SockAddr::Netlink { pid, groups } => sys::Addr::Netlink {
                pid: *pid,
                groups: *groups,
            },
            SockAddr::Vsock { cid, port } => sys::Addr::Vsock {
                cid: *cid,
                port: *port,
            },
            SockAddr::Other { family, data } => sys::Addr::Other {
                family: *family,
                data: data.clone(),
            },
        }
    }

    /// The typed form of an address the OS returned.
    pub(crate) fn from_sys(addr: sys::Addr) -> SockAddr {
        match addr {
            sys::Addr::Inet { ip, port } => SockAddr::Inet(Ipv4Addr::from(ip), port),
            sys::Addr::Inet6 {
                ip,
                port,
                flowinfo,
                scope_id,
            } => SockAddr::Inet6(SocketAddrV6::new(
                Ipv6Addr::from(ip),
                port,
                flowinfo,
                scope_id,
            )),
            sys::Addr::Unix { path, .. } => SockAddr::Unix(UnixAddr::from_sun_path(path)),
            sys::Addr::Netlink { pid, groups } => SockAddr::Netlink { pid, groups },
            sys::Addr::Vsock { cid, port } => SockAddr::Vsock { cid, port },
            sys::Addr::Other { family, data } => SockAddr::Other { family, data },
        }
    }
}

/// The IPv4 address a host given to `bind`/`sendto` on an `AF_INET` socket denotes:
/// CPython's `setipaddr` for `AF_INET`.
///
/// * `""` is `INADDR_ANY` (CPython asks `getaddrinfo(NULL, "0")` with `AI_PASSIVE`,
///   which gives `0.0.0.0` for `AF_INET`);
/// * `"<broadcast>"` and `"255.255.255.255"` are `INADDR_BROADCAST`;
/// * numeric hosts are parsed by `inet_pton(3)`, then by `getaddrinfo(3)` with
///   `AI_NUMERICHOST` (which accepts the `inet_aton` forms such as `"127.1"`, and refuses
///   an IPv6 form with `EAI_ADDRFAMILY`, raised as `socket.gaierror` as CPython does);
/// * anything else is a host name, resolved by the system's `getaddrinfo(3)` for the
///   family (the first address); its failure is `socket.gaierror`.
///
/// `host` holds no NUL byte (the caller rejects those first).
pub fn resolve_ipv4(host: &[u8]) -> Result<Ipv4Addr, Error> {
    match host {
        b"" => return Ok(Ipv4Addr::UNSPECIFIED),
        b"<broadcast>" | b"255.255.255.255" => return Ok(Ipv4Addr::BROADCAST),
        _ => {}
    }
    let c = CString::new(host)
        .map_err(|_| Error::type_error("host name must not contain null character"))?;
    if let Ok(packed) = sys::inet_pton(sys::AF_INET, &c) {
        if let Ok(octets) = <[u8; 4]>::try_from(packed.as_slice()) {
            return Ok(Ipv4Addr::from(octets));
        }
    }
    match first_numeric(host, sys::AF_INET)? {
        Some(SockAddr::Inet(ip, _)) => Ok(ip),
        _ => Err(Error::os("getaddrinfo gave no IPv4 address")),
    }
}

/// The IPv6 address a host given on an `AF_INET6` socket denotes: CPython's `setipaddr`
/// for `AF_INET6` (see [`resolve_ipv4`]): `""` is `::`,
/// `"<broadcast>"` is `OSError("address family mismatched")`, numeric forms are
/// `inet_pton(3)`'s or `getaddrinfo(3)`'s with `AI_NUMERICHOST` (`"fe80::1%lo"`).
pub fn resolve_ipv6(host: &[u8]) -> Result<Ipv6Addr, Error> {
    match host {
        b"" => return Ok(Ipv6Addr::UNSPECIFIED),
        b"<broadcast>" | b"255.255.255.255" => {
            return Err(Error::os("address family mismatched"));
        }
        _ => {}
    }
    let c = CString::new(host)
        .map_err(|_| Error::type_error("host name must not contain null character"))?;
    if let Ok(packed) = sys::inet_pton(sys::AF_INET6, &c) {
        if let Ok(octets) = <[u8; 16]>::try_from(packed.as_slice()) {
            return Ok(Ipv6Addr::from(octets));
        }
    }
    match first_numeric(host, sys::AF_INET6)? {
        Some(SockAddr::Inet6(a)) => Ok(*a.ip()),
        _ => Err(Error::os("getaddrinfo gave no IPv6 address")),
    }
}

/// The first address `getaddrinfo(host, NULL)` with `ai_family = family` gives
/// (CPython's `setipaddr` "perform a name resolution"): a failure is `gaierror`.
fn first_numeric(host: &[u8], family: i32) -> Result<Option<SockAddr>, Error> {
    let list = super::netdb::getaddrinfo(Some(host), None, family, 0, 0, 0)?;
    Ok(list.into_iter().find_map(|i| i.addr))
}

/// The text of an IPv6 address as CPython's `make_ipv6_addr` gives it (`inet_ntop(3)`).
pub fn ipv6_text(ip: &Ipv6Addr) -> String {
    sys::inet_ntop(sys::AF_INET6, &ip.octets()).unwrap_or_else(|_| ip.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case(b"", Some([0, 0, 0, 0]))]
    #[case(b"127.0.0.1", Some([127, 0, 0, 1]))]
    #[case(b"<broadcast>", Some([255, 255, 255, 255]))]
    #[case(b"255.255.255.255", Some([255, 255, 255, 255]))]
    #[case(b"127.000.000.001", Some([127, 0, 0, 1]))]
    #[case(b"127.1", Some([127, 0, 0, 1]))]
    #[case(b"0x7f.1", Some([127, 0, 0, 1]))]
    #[case(b"1.2.3", Some([1, 2, 0, 3]))]
    #[case(b"localhost", Some([127, 0, 0, 1]))]
    fn ipv4_hosts(#[case] host: &[u8], #[case] expected: Option<[u8; 4]>) {
        // Hosts that are not numeric (" 127.0.0.1", "256.1.1.1") would ask a name
        // service, which tests never do.
        if std::env::consts::OS != "linux" {
            return; // the inet_aton forms are the C library's
        }
        assert_eq!(resolve_ipv4(host).ok(), expected.map(Ipv4Addr::from));
    }

    #[test]
    fn unix_lengths() {
        let cap = sys::UNIX_PATH_CAPACITY;
        assert!(UnixAddr::from_bytes(vec![b'a'; cap - 1]).is_ok());
        assert_eq!(
            UnixAddr::from_bytes(vec![b'a'; cap])
                .unwrap_err()
                .to_string(),
            "OSError: AF_UNIX path too long"
        );
        if sys::HAS_ABSTRACT_UNIX {
            let mut name = vec![0u8];
            name.extend(vec![b'a'; cap - 1]);
            assert_eq!(
                UnixAddr::from_bytes(name.clone()),
                Ok(UnixAddr::Abstract(name.clone()))
            );
            name.push(b'a');
            assert!(UnixAddr::from_bytes(name).is_err());
            assert_eq!(UnixAddr::from_bytes(vec![]), Ok(UnixAddr::Abstract(vec![])));
        }
    }

    #[test]
    fn unix_round_trip_through_sun_path() {
        let path = UnixAddr::Path(b"/tmp/x".to_vec());
        assert_eq!(path.to_sun_path(), b"/tmp/x\0");
        assert_eq!(UnixAddr::from_sun_path(path.to_sun_path()), path);
        assert_eq!(
            UnixAddr::from_sun_path(Vec::new()),
            UnixAddr::Path(Vec::new())
        );
        if sys::HAS_ABSTRACT_UNIX {
            let name = UnixAddr::Abstract(b"\0abc".to_vec());
            assert_eq!(UnixAddr::from_sun_path(name.to_sun_path()), name);
        }
    }
}

#[cfg(test)]
mod round_trips {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Every typed address survives the trip to the OS layer's form and back.
        #[test]
        fn typed_addresses_round_trip(
            ip in any::<[u8; 16]>(),
            port in any::<u16>(),
            flowinfo in 0u32..=0xfffff,
            scope in any::<u32>(),
            v4 in any::<[u8; 4]>(),
            a in any::<u32>(),
            b in any::<u32>(),
        ) {
            let addrs = [
                SockAddr::Inet(Ipv4Addr::from(v4), port),
                SockAddr::Inet6(SocketAddrV6::new(Ipv6Addr::from(ip), port, flowinfo, scope)),
                SockAddr::Netlink { pid: a, groups: b },
                SockAddr::Vsock { cid: a, port: b },
            ];
            for addr in addrs {
                prop_assert_eq!(SockAddr::from_sys(addr.to_sys(0)), addr);
            }
        }
    }
}
