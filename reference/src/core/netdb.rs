//! `socket.getaddrinfo` without name resolution: C `getaddrinfo(3)` for numeric hosts
//! and ports only.
//!
//! The suite never contacts a name service, so the reference never asks the C library
//! to look a name up: every call is made with `AI_NUMERICHOST | AI_NUMERICSERV`. When
//! that fails, the result is what CPython gives only if the caller asked for numeric
//! values anyway (then the C error is raised as `socket.gaierror`); otherwise a host or
//! service *name* was given, whose lookup the reference does not do
//! (`NotImplementedError`).

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

/// `AI_NUMERICHOST` and `AI_NUMERICSERV` on this platform.
fn numeric_flags() -> (i32, i32) {
    let value = |name| {
        super::constants::value(name)
            .and_then(|v| i32::try_from(v).ok())
            .unwrap_or(0)
    };
    (value("AI_NUMERICHOST"), value("AI_NUMERICSERV"))
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

/// C `getaddrinfo(host, service, hints)` for numeric `host` and `service` (`None`: a
/// null pointer). Neither may contain NUL (the caller checks).
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
    let result = sys::getaddrinfo_numeric(
        c_host.as_deref(),
        c_service.as_deref(),
        family,
        socktype,
        protocol,
        flags,
    );
    let (numeric_host, numeric_serv) = numeric_flags();
    match result {
        Ok(list) => Ok(list
            .into_iter()
            .map(|i| AddrInfo {
                family: i.family,
                socktype: i.socktype,
                protocol: i.protocol,
                canonname: i.canonname,
                addr: i.addr.map(SockAddr::from_sys),
            })
            .collect()),
        Err(e) => {
            if flags & numeric_host == 0 {
                if let Some(h) = &c_host {
                    let alone = sys::getaddrinfo_numeric(Some(h), None, 0, 0, 0, 0);
                    if alone.is_err() {
                        return Err(Error::not_implemented(&format!(
                            "resolving the host name {:?}",
                            h.to_string_lossy()
                        )));
                    }
                }
            }
            if flags & numeric_serv == 0 {
                if let Some(s) = &c_service {
                    let digits =
                        !s.as_bytes().is_empty() && s.as_bytes().iter().all(u8::is_ascii_digit);
                    if !digits {
                        return Err(Error::not_implemented(&format!(
                            "looking up the service name {:?}",
                            s.to_string_lossy()
                        )));
                    }
                }
            }
            Err(gai_error(e))
        }
    }
}

/// The address of `name` for `family` (`AF_INET` or `AF_INET6`) in the hosts file:
/// the first entry whose canonical name or an alias equals `name` (ignoring ASCII case)
/// and whose address is of that family, as the C library's `files` service answers it.
/// `None` when there is none (the reference then does not resolve the name at all).
pub fn hosts_lookup(name: &[u8], family: i32) -> Option<std::net::IpAddr> {
    hosts_lookup_in(&sys::hosts_file()?, name, family)
}

/// [`hosts_lookup`] on the given text of a hosts file.
pub fn hosts_lookup_in(text: &str, name: &[u8], family: i32) -> Option<std::net::IpAddr> {
    let name = std::str::from_utf8(name).ok()?;
    text.lines().find_map(|line| {
        let line = line.split('#').next().unwrap_or_default();
        let mut fields = line.split_ascii_whitespace();
        let addr = fields.next()?;
        if !fields.any(|n| n.eq_ignore_ascii_case(name)) {
            return None;
        }
        let addr: std::net::IpAddr = addr.parse().ok()?;
        let wanted = match addr {
            std::net::IpAddr::V4(_) => family == sys::AF_INET,
            std::net::IpAddr::V6(_) => family == sys::AF_INET6,
        };
        wanted.then_some(addr)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case(Some(&b"127.0.0.1"[..]), Some(&b"80"[..]), true)]
    #[case(Some(&b"::1"[..]), Some(&b"0"[..]), true)]
    #[case(None, Some(&b"80"[..]), true)]
    #[case(Some(&b"localhost"[..]), Some(&b"80"[..]), false)]
    #[case(Some(&b"127.0.0.1"[..]), Some(&b"http"[..]), false)]
    fn names_are_never_looked_up(
        #[case] host: Option<&[u8]>,
        #[case] service: Option<&[u8]>,
        #[case] ok: bool,
    ) {
        let got = getaddrinfo(host, service, 0, 1, 0, 0);
        if ok {
            assert!(!got.unwrap().is_empty());
        } else {
            assert_eq!(got.unwrap_err().ty, ExcType::NotImplementedError);
        }
    }

    #[test]
    fn hosts_file_entries() {
        let text = "# comment\n::1 localhost ip6-localhost\n127.0.0.1\tLocalHost loop # x\n10.0.0.1 localhost\n";
        let v4 = hosts_lookup_in(text, b"localhost", sys::AF_INET);
        assert_eq!(v4, Some("127.0.0.1".parse().unwrap()));
        let v6 = hosts_lookup_in(text, b"LOCALHOST", sys::AF_INET6);
        assert_eq!(v6, Some("::1".parse().unwrap()));
        assert_eq!(hosts_lookup_in(text, b"loop", sys::AF_INET6), None);
        assert_eq!(hosts_lookup_in(text, b"comment", sys::AF_INET), None);
        assert_eq!(hosts_lookup_in(text, b"x", sys::AF_INET), None);
    }

    #[test]
    fn numeric_only_gives_gaierror() {
        let (numeric_host, _) = numeric_flags();
        let err = getaddrinfo(Some(b"localhost"), None, 0, 0, 0, numeric_host).unwrap_err();
        assert_eq!(err.ty, ExcType::Gaierror);
    }
}
