//! Name resolution as CPython does it: through the system resolver (`sys`'s
//! `getaddrinfo`, `getnameinfo`, `getservbyname`, …), errors as `socket.gaierror` /
//! `socket.herror`.

use std::ffi::CString;

use super::address::SockAddr;
use super::{Error, ExcType};
use crate::sys;

/// One entry of the result: `(family, type, proto, canonname, sockaddr)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddrInfo {
    /// `ai_family`.
    pub family: i32,
    /// `ai_socktype`.
    pub socktype: i32,
    /// `ai_protocol`.
    pub protocol: i32,
    /// `ai_canonname` (`''` when none).
    pub canonname: String,
    /// `ai_addr`.
    pub addr: Option<SockAddr>,
}

/// `socket.gaierror(code, text)` for a failed `getaddrinfo(3)`; `OSError(errno)` for
/// `EAI_SYSTEM`.
fn gai_error(e: sys::GaiError) -> Error {
    match e {
        sys::GaiError::Gai(code, text) => Error {
            ty: ExcType::Gaierror,
            args: super::error::ErrorArgs::Errno(i64::from(code), text),
        },
        sys::GaiError::System(errno) => errno.into(),
    }
}

/// C `getaddrinfo(host, service, hints)` (`None`: a null pointer), as CPython's
/// `socket_getaddrinfo` calls it: the system resolver answers (hosts file, name
/// services); a failure is `socket.gaierror(code, text)`. Neither string may contain
/// NUL (`ValueError`).
pub fn getaddrinfo(
    host: Option<&[u8]>,
    service: Option<&[u8]>,
    family: i32,
    socktype: i32,
    protocol: i32,
    flags: i32,
) -> Result<Vec<AddrInfo>, Error> {
    let c = |b: &[u8]| CString::new(b).map_err(|_| Error::value("embedded null character"));
    let c_host = host.map(c).transpose()?;
    let c_service = service.map(c).transpose()?;
    let list = sys::getaddrinfo(
        c_host.as_deref(),
        c_service.as_deref(),
        family,
        socktype,
        protocol,
        flags,
    )
    .map_err(gai_error)?;
    Ok(list
        .into_iter()
        .map(|i| AddrInfo {
            family: i.family,
            socktype: i.socktype,
            protocol: i.protocol,
            canonname: i.canonname,
            addr: i.addr.map(SockAddr::from_sys),
        })
        .collect())
}

/// A constant's value on this platform (0 when it has none).
fn constant(name: &str) -> i32 {
    super::constants::value(name)
        .and_then(|v| i32::try_from(v).ok())
        .unwrap_or(0)
}

/// The address part of `socket.getnameinfo(sockaddr, flags)`, as CPython's
/// `socket_getnameinfo` goes on once the tuple `(host, port[, flowinfo[, scope_id]])`
/// (`tuple_len` items) is parsed: the flowinfo range check, `getaddrinfo(host, "port")`
/// with `AF_UNSPEC`, `SOCK_DGRAM` and `AI_NUMERICHOST` (so no name is ever looked up:
/// `gaierror`), one address only, an IPv4 one from a pair only, then C `getnameinfo`
/// with `flags`.
pub fn getnameinfo(
    host: &[u8],
    port: i32,
    flowinfo: u32,
    scope_id: u32,
    tuple_len: usize,
    flags: i32,
) -> Result<(String, String), Error> {
    if flowinfo > 0xfffff {
        return Err(Error::overflow(
            "getnameinfo(): flowinfo must be 0-1048575.",
        ));
    }
    let list = getaddrinfo(
        Some(host),
        Some(port.to_string().as_bytes()),
        constant("AF_UNSPEC"),
        constant("SOCK_DGRAM"),
        0,
        constant("AI_NUMERICHOST"),
    )?;
    let [info] = list.as_slice() else {
        return Err(Error::os("sockaddr resolved to multiple addresses"));
    };
    let addr = match &info.addr {
        Some(SockAddr::Inet(..)) if tuple_len != 2 => {
            return Err(Error::os("IPv4 sockaddr must be 2 tuple"));
        }
        Some(SockAddr::Inet6(a)) => {
            let mut a = *a;
            a.set_flowinfo(flowinfo);
            a.set_scope_id(scope_id);
            SockAddr::Inet6(a)
        }
        Some(other) => other.clone(),
        None => return Err(Error::os("getaddrinfo gave no address")),
    };
    sys::getnameinfo(&addr.to_sys(info.family), flags).map_err(gai_error)
}

/// C `getservbyname(name, proto)`: the port, `OSError("service/proto not found")`.
pub fn getservbyname(name: &str, proto: Option<&str>) -> Result<u16, Error> {
    let c = |s: &str| CString::new(s).map_err(|_| Error::value("embedded null character"));
    let name = c(name)?;
    let proto = proto.map(c).transpose()?;
    sys::getservbyname(&name, proto.as_deref()).ok_or_else(|| Error::os("service/proto not found"))
}

/// C `getservbyport(htons(port), proto)` (the caller checks the range); `OSError("port/proto
/// not found")` when unknown.
pub fn getservbyport(port: u16, proto: Option<&str>) -> Result<String, Error> {
    let proto = proto
        .map(|p| CString::new(p).map_err(|_| Error::value("embedded null character")))
        .transpose()?;
    sys::getservbyport(port, proto.as_deref()).ok_or_else(|| Error::os("port/proto not found"))
}

/// C `getprotobyname(name)`: the number, `OSError("protocol not found")` when unknown.
pub fn getprotobyname(name: &str) -> Result<i32, Error> {
    let name = CString::new(name).map_err(|_| Error::value("embedded null character"))?;
    sys::getprotobyname(&name).ok_or_else(|| Error::os("protocol not found"))
}

/// `sethostname(2)` with the name's bytes.
pub fn sethostname(name: &[u8]) -> Result<(), Error> {
    Ok(sys::sethostname(name)?)
}

/// Enters a private UTS namespace on the calling thread (see `sys::private_hostname`):
/// the only place a case may set the host name. The error says why there is none.
pub fn private_hostname() -> Result<(), String> {
    sys::private_hostname().map_err(|e| {
        format!(
            "cannot make a private UTS namespace for the host name: {}",
            Error::from(e)
        )
    })
}

/// Makes `cmd` start its process in a private UTS namespace (see
/// [`private_hostname`]). The error says why there can be none here; spawning the
/// command fails when the namespace cannot be made after all.
pub fn private_hostname_command(cmd: &mut std::process::Command) -> Result<(), String> {
    sys::private_hostname_command(cmd).map_err(|e| {
        format!(
            "cannot make a private UTS namespace for the host name: {}",
            Error::from(e)
        )
    })
}

/// `gethostname(2)`, decoded as the file system encoding (UTF-8, `surrogateescape`
/// approximated by replacement).
pub fn gethostname() -> Result<String, Error> {
    Ok(String::from_utf8_lossy(&sys::gethostname()?).into_owned())
}

/// `socket.herror(h_errno, text)` for a failed `gethostbyname` / `gethostbyaddr`
/// (CPython's `set_herror`).
fn herror(e: sys::HostError) -> Error {
    Error {
        ty: ExcType::Herror,
        args: super::error::ErrorArgs::Errno(i64::from(e.0), e.1),
    }
}

/// What `gethostbyname_ex` and `gethostbyaddr` return: `(hostname, aliaslist,
/// ipaddrlist)`.
pub type HostTriple = (String, Vec<String>, Vec<String>);

/// CPython's `gethost_common`: the entry's family must be `family` (else
/// `OSError(EAFNOSUPPORT)`); addresses as text.
fn host_common(ent: sys::HostEnt, family: i32) -> Result<HostTriple, Error> {
    if ent.family != family {
        return Err(sys::Errno(sys::errno_value("EAFNOSUPPORT").unwrap_or(0)).into());
    }
    let text = |b: &Vec<u8>| String::from_utf8_lossy(b).into_owned();
    let addrs = ent
        .addrs
        .iter()
        .filter_map(|a| match a.len() {
            4 => <[u8; 4]>::try_from(a.as_slice())
                .ok()
                .map(|o| std::net::Ipv4Addr::from(o).to_string()),
            16 => <[u8; 16]>::try_from(a.as_slice())
                .ok()
                .map(|o| super::address::ipv6_text(&std::net::Ipv6Addr::from(o))),
            _ => None,
        })
        .collect();
    Ok((
        text(&ent.name),
        ent.aliases.iter().map(text).collect(),
        addrs,
    ))
}

/// `socket.gethostbyname_ex(name)` once the name is bytes: `setipaddr(name, AF_INET)`
/// (its errors first), then C `gethostbyname` (`herror` on failure).
pub fn gethostbyname_ex(name: &[u8]) -> Result<HostTriple, Error> {
    super::address::resolve_ipv4(name)?;
    let c = CString::new(name).map_err(|_| Error::value("embedded null character"))?;
    host_common(sys::host_by_name(&c).map_err(herror)?, sys::AF_INET)
}

/// `socket.gethostbyaddr(ip_address)` once the address is bytes:
/// `setipaddr(ip, AF_UNSPEC)`, then C `gethostbyaddr` of that address (`herror` on
/// failure).
pub fn gethostbyaddr(ip: &[u8]) -> Result<HostTriple, Error> {
    let (family, packed) = resolve_unspec(ip)?;
    host_common(sys::host_by_addr(&packed, family).map_err(herror)?, family)
}

/// CPython's `setipaddr(name, AF_UNSPEC)`: the family and packed address a host
/// denotes (`''` the passive wildcard, `'<broadcast>'`, IPv4 then IPv6 literals, else
/// the first address `getaddrinfo` gives).
fn resolve_unspec(name: &[u8]) -> Result<(i32, Vec<u8>), Error> {
    let packed = |addr: &SockAddr| match addr {
        SockAddr::Inet(ip, _) => Ok((sys::AF_INET, ip.octets().to_vec())),
        SockAddr::Inet6(a) => Ok((sys::AF_INET6, a.ip().octets().to_vec())),
        _ => Err(Error::os("unknown address family")),
    };
    if name.is_empty() {
        let list = getaddrinfo(
            None,
            Some(b"0"),
            constant("AF_UNSPEC"),
            constant("SOCK_DGRAM"),
            0,
            constant("AI_PASSIVE"),
        )?;
        return match list.as_slice() {
            [one] => one
                .addr
                .as_ref()
                .map_or(Err(Error::os("unsupported address family")), packed),
            _ => Err(Error::os("wildcard resolved to multiple address")),
        };
    }
    if name == b"<broadcast>" || name == b"255.255.255.255" {
        return Ok((sys::AF_INET, vec![255; 4]));
    }
    let c = CString::new(name)
        .map_err(|_| Error::type_error("host name must not contain null character"))?;
    for family in [sys::AF_INET, sys::AF_INET6] {
        if let Ok(p) = sys::inet_pton(family, &c) {
            return Ok((family, p));
        }
    }
    let list = getaddrinfo(Some(name), None, constant("AF_UNSPEC"), 0, 0, 0)?;
    list.iter()
        .find_map(|i| i.addr.as_ref())
        .map_or(Err(Error::os("unknown address family")), packed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case(Some(&b"127.0.0.1"[..]), Some(&b"80"[..]))]
    #[case(Some(&b"::1"[..]), Some(&b"0"[..]))]
    #[case(None, Some(&b"80"[..]))]
    #[case(Some(&b"localhost"[..]), Some(&b"80"[..]))]
    fn resolves(#[case] host: Option<&[u8]>, #[case] service: Option<&[u8]>) {
        assert!(!getaddrinfo(host, service, 0, 1, 0, 0).unwrap().is_empty());
    }

    #[test]
    fn services_and_protocols() {
        assert_eq!(getservbyname("http", Some("tcp")), Ok(80));
        assert_eq!(getservbyport(80, Some("tcp")).as_deref(), Ok("http"));
        assert_eq!(getprotobyname("tcp"), Ok(6));
        assert_eq!(
            getprotobyname("no-such-protocol").unwrap_err().ty,
            ExcType::OSError
        );
        assert!(!gethostname().unwrap().is_empty());
    }

    #[test]
    fn host_entries() {
        if std::env::consts::OS != "linux" {
            return; // glibc answers literals itself
        }
        let (name, aliases, addrs) = gethostbyname_ex(b"127.0.0.1").unwrap();
        assert_eq!((name.as_str(), aliases.len()), ("127.0.0.1", 0));
        assert_eq!(addrs, vec!["127.0.0.1".to_owned()]);
    }

    #[test]
    fn numeric_only_gives_gaierror() {
        let numeric_host =
            i32::try_from(crate::core::constants::value("AI_NUMERICHOST").unwrap()).unwrap();
        let err = getaddrinfo(Some(b"localhost"), None, 0, 0, 0, numeric_host).unwrap_err();
        assert_eq!(err.ty, ExcType::Gaierror);
    }
}
