//! The values of the `socket` module's constants on Windows, and Winsock's
//! `WSA_CMSG_LEN` / `WSA_CMSG_SPACE` macros.
//!
//! Which names exist follows CPython's `socket_exec` (`Modules/socketmodule.c`) built
//! against the Windows SDK: a name guarded by `#ifdef NAME` exists when the SDK headers
//! that `socketmodule.h` includes (`winsock2.h`, `ws2def.h`, `ws2ipdef.h`, `ws2tcpip.h`,
//! `mstcpip.h`, `ws2bth.h`, `hvsocket.h`, `afunix.h`) define it as a macro, with
//! `_WIN32_WINNT` = Windows 10. Values come from windows-sys (the SDK's metadata); where
//! a macro's value is not in windows-sys (it aliases another name) the alias is written
//! out with a comment naming the header. Names the SDK declares as `enum` members rather
//! than macros exist only where `socketmodule.c` adds them itself (the `IPPROTO_*` it
//! re-`#define`s, `RCVALL_ON` and the others it adds without `#ifdef`).
//!
//! `PyModule_AddIntConstant` takes a C `long`, which is 32 bits on Windows: a value
//! above `LONG_MAX` (`INADDR_BROADCAST`, `SO_BTH_MTU`, `TCP_QUICKACK`) becomes negative
//! there, and so it is here. Only the `SIO_*` codes, which CPython adds with
//! `PyLong_FromUnsignedLong`, stay positive.

use std::sync::OnceLock;

use windows_sys::Win32::Devices::Bluetooth as bth;
use windows_sys::Win32::Networking::WinSock as ws;
use windows_sys::Win32::System::Hypervisor as hv;

/// A constant as `PyModule_AddIntConstant` stores it on Windows: through a C `long`
/// (32 bits), so unsigned values above `0x7fffffff` wrap to negative numbers.
fn long<T: TryInto<i64>>(value: T) -> i64 {
    let wide: i64 = value
        .try_into()
        .unwrap_or_else(|_| unreachable!("socket constants fit in 64 bits"));
    i64::from(wide as i32)
}

/// An unsigned constant added with `PyLong_FromUnsignedLong` (the `SIO_*` codes).
fn unsigned(value: u32) -> i64 {
    i64::from(value)
}

macro_rules! from_ws {
    ($module:ident: $($name:ident),* $(,)?) => {
        [$((stringify!($name), long($module::$name))),*]
    };
}

/// Every integer constant the `socket` module exports on Windows: `(name, value)`.
pub fn constants() -> &'static [(&'static str, i64)] {
    static TABLE: OnceLock<Vec<(&'static str, i64)>> = OnceLock::new();
    TABLE.get_or_init(build)
}

fn build() -> Vec<(&'static str, i64)> {
    let mut table: Vec<(&'static str, i64)> = Vec::new();
    // Address families (`ws2def.h`; AF_LINK needs _WIN32_WINNT >= 0x0601, AF_HYPERV
    // 0x0604, both met by CPython's Windows 10 target; AF_UNIX is Windows 10 1803's,
    // `afunix.h`, which the development branch's `socketmodule.h` includes).
    table.extend(from_ws![ws:
        AF_UNSPEC,
        AF_INET,
        AF_UNIX,
        AF_IPX,
        AF_APPLETALK,
        AF_INET6,
        AF_DECnet,
        AF_SNA,
        AF_IRDA,
        AF_LINK,
        AF_HYPERV,
    ]);
    // Hyper-V sockets (`hvsocket.h`, HAVE_AF_HYPERV).
    table.extend(from_ws![hv:
        HV_PROTOCOL_RAW,
        HVSOCKET_CONNECT_TIMEOUT,
        HVSOCKET_CONNECT_TIMEOUT_MAX,
        HVSOCKET_CONNECTED_SUSPEND,
        HVSOCKET_ADDRESS_FLAG_PASSTHRU,
    ]);
    // Bluetooth (`ws2bth.h`): socketmodule.c defines AF_BLUETOOTH as AF_BTH and
    // BTPROTO_RFCOMM as BTHPROTO_RFCOMM on desktop Windows; there is no BTPROTO_L2CAP,
    // BTPROTO_HCI or BTPROTO_SCO macro.
    table.push(("AF_BLUETOOTH", long(bth::AF_BTH)));
    table.push(("BTPROTO_RFCOMM", long(bth::BTHPROTO_RFCOMM)));
    table.extend(
        from_ws![bth: SOL_RFCOMM, SO_BTH_ENCRYPT, SO_BTH_MTU, SO_BTH_MTU_MAX, SO_BTH_MTU_MIN],
    );
    // Socket types, options and levels (`ws2def.h`, `winsock2.h`).
    table.extend(from_ws![ws:
        SOCK_STREAM,
        SOCK_DGRAM,
        SOCK_RAW,
        SOCK_SEQPACKET,
        SOCK_RDM,
        SO_DEBUG,
        SO_ACCEPTCONN,
        SO_REUSEADDR,
        SO_EXCLUSIVEADDRUSE,
        SO_KEEPALIVE,
        SO_DONTROUTE,
        SO_BROADCAST,
        SO_USELOOPBACK,
        SO_LINGER,
        SO_OOBINLINE,
        SO_ORIGINAL_DST,
        SO_SNDBUF,
        SO_RCVBUF,
        SO_SNDLOWAT,
        SO_RCVLOWAT,
        SO_SNDTIMEO,
        SO_RCVTIMEO,
        SO_ERROR,
        SO_TYPE,
    ]);
    // `winsock2.h`: #define SOMAXCONN 0x7fffffff (windows-sys carries `winsock.h`'s 5,
    // which CPython, including `winsock2.h`, never sees).
    table.push(("SOMAXCONN", long(0x7fff_ffff_u32)));
    // Flags for send and recv (`winsock2.h`, `ws2def.h`).
    table.extend(from_ws![ws:
        MSG_OOB,
        MSG_PEEK,
        MSG_DONTROUTE,
        MSG_TRUNC,
        MSG_CTRUNC,
        MSG_WAITALL,
        MSG_ERRQUEUE,
        MSG_BCAST,
        MSG_MCAST,
    ]);
    // Levels: `ws2def.h` defines SOL_IP as (SOL_SOCKET-4); SOL_TCP and SOL_UDP are
    // socketmodule.c's fallbacks (6 and 17).
    table.extend(from_ws![ws: SOL_SOCKET, SOL_IP]);
    table.push(("SOL_TCP", 6));
    table.push(("SOL_UDP", 17));
    // Protocols: `ws2def.h` declares them as an enum, which socketmodule.c turns into
    // macros for these names (bpo-29515); IPPROTO_IP is a macro of its own.
    table.extend(from_ws![ws:
        IPPROTO_IP,
        IPPROTO_HOPOPTS,
        IPPROTO_ICMP,
        IPPROTO_IGMP,
        IPPROTO_GGP,
        IPPROTO_IPV4,
        IPPROTO_IPV6,
        IPPROTO_TCP,
        IPPROTO_EGP,
        IPPROTO_PUP,
        IPPROTO_UDP,
        IPPROTO_IDP,
        IPPROTO_ND,
        IPPROTO_ROUTING,
        IPPROTO_FRAGMENT,
        IPPROTO_ESP,
        IPPROTO_AH,
        IPPROTO_ICMPV6,
        IPPROTO_NONE,
        IPPROTO_DSTOPTS,
        IPPROTO_PIM,
        IPPROTO_SCTP,
        IPPROTO_RAW,
        IPPROTO_MAX,
        IPPROTO_ICLFXBM,
        IPPROTO_ST,
        IPPROTO_CBT,
        IPPROTO_IGP,
        IPPROTO_RDP,
        IPPROTO_PGM,
        IPPROTO_L2TP,
    ]);
    // Ports and addresses (`ws2def.h`); the rest are socketmodule.c's fallbacks.
    table.extend(from_ws![ws:
        IPPORT_RESERVED,
        INADDR_ANY,
        INADDR_BROADCAST,
        INADDR_LOOPBACK,
        INADDR_NONE,
    ]);
    table.push(("IPPORT_USERRESERVED", 5000));
    table.push(("INADDR_UNSPEC_GROUP", long(0xe000_0000_u32)));
    table.push(("INADDR_ALLHOSTS_GROUP", long(0xe000_0001_u32)));
    table.push(("INADDR_MAX_LOCAL_GROUP", long(0xe000_00ff_u32)));
    // IPv4 options (`ws2ipdef.h`). IP_DEFAULT_MULTICAST_TTL / _LOOP and
    // IP_MAX_MEMBERSHIPS are `winsock.h`'s only, which socketmodule.c does not include.
    table.extend(from_ws![ws:
        IP_OPTIONS,
        IP_HDRINCL,
        IP_TOS,
        IP_TTL,
        IP_RECVERR,
        IP_RECVTOS,
        IP_RECVTTL,
        IP_RECVDSTADDR,
        IP_MULTICAST_IF,
        IP_MULTICAST_TTL,
        IP_MULTICAST_LOOP,
        IP_ADD_MEMBERSHIP,
        IP_DROP_MEMBERSHIP,
        IP_PKTINFO,
        IP_UNBLOCK_SOURCE,
        IP_BLOCK_SOURCE,
        IP_ADD_SOURCE_MEMBERSHIP,
        IP_DROP_SOURCE_MEMBERSHIP,
    ]);
    // IPv6 options (`ws2ipdef.h`).
    table.extend(from_ws![ws:
        IPV6_JOIN_GROUP,
        IPV6_LEAVE_GROUP,
        IPV6_MULTICAST_HOPS,
        IPV6_MULTICAST_IF,
        IPV6_MULTICAST_LOOP,
        IPV6_UNICAST_HOPS,
        IPV6_V6ONLY,
        IPV6_CHECKSUM,
        IPV6_DONTFRAG,
        IPV6_HOPLIMIT,
        IPV6_HOPOPTS,
        IPV6_PKTINFO,
        IPV6_RECVERR,
        IPV6_RECVRTHDR,
        IPV6_RECVTCLASS,
        IPV6_RTHDR,
        IPV6_TCLASS,
        IPV6_HDRINCL,
    ]);
    // TCP options (`ws2def.h`, `ws2ipdef.h`). TCP_KEEPALIVE is only exported on macOS.
    // socketmodule.c removes TCP_KEEPIDLE / TCP_KEEPINTVL (build 16299), TCP_KEEPCNT
    // (15063), TCP_FASTOPEN (14393) and AF_UNIX (17134) when it runs on an older
    // Windows 10; the reference describes a current Windows and keeps them.
    table.extend(from_ws![ws:
        TCP_NODELAY,
        TCP_MAXSEG,
        TCP_KEEPIDLE,
        TCP_KEEPINTVL,
        TCP_KEEPCNT,
        TCP_FASTOPEN,
    ]);
    // socketmodule.c: #define TCP_QUICKACK SIO_TCP_SET_ACK_FREQUENCY (`mstcpip.h`),
    // added through a C `long`.
    table.push(("TCP_QUICKACK", long(ws::SIO_TCP_SET_ACK_FREQUENCY)));
    // getaddrinfo errors (`ws2tcpip.h` defines them as the Winsock codes; EAI_NODATA is
    // EAI_NONAME there).
    table.extend([
        ("EAI_AGAIN", long(ws::WSATRY_AGAIN)),
        ("EAI_BADFLAGS", long(ws::WSAEINVAL)),
        ("EAI_FAIL", long(ws::WSANO_RECOVERY)),
        ("EAI_FAMILY", long(ws::WSAEAFNOSUPPORT)),
        ("EAI_MEMORY", long(ws::WSA_NOT_ENOUGH_MEMORY)),
        ("EAI_NONAME", long(ws::WSAHOST_NOT_FOUND)),
        ("EAI_NODATA", long(ws::WSAHOST_NOT_FOUND)),
        ("EAI_SERVICE", long(ws::WSATYPE_NOT_FOUND)),
        ("EAI_SOCKTYPE", long(ws::WSAESOCKTNOSUPPORT)),
    ]);
    // getaddrinfo / getnameinfo flags (`ws2def.h`).
    table.extend(from_ws![ws:
        AI_PASSIVE,
        AI_CANONNAME,
        AI_NUMERICHOST,
        AI_NUMERICSERV,
        AI_ALL,
        AI_ADDRCONFIG,
        AI_V4MAPPED,
        NI_MAXHOST,
        NI_MAXSERV,
        NI_NOFQDN,
        NI_NUMERICHOST,
        NI_NAMEREQD,
        NI_NUMERICSERV,
        NI_DGRAM,
    ]);
    // shutdown(): socketmodule.c uses SD_RECEIVE / SD_SEND / SD_BOTH (`winsock2.h`).
    table.extend([
        ("SHUT_RD", long(ws::SD_RECEIVE)),
        ("SHUT_WR", long(ws::SD_SEND)),
        ("SHUT_RDWR", long(ws::SD_BOTH)),
    ]);
    // WSAIoctl codes (`mstcpip.h`), added with PyLong_FromUnsignedLong.
    table.extend([
        ("SIO_RCVALL", unsigned(ws::SIO_RCVALL)),
        ("SIO_KEEPALIVE_VALS", unsigned(ws::SIO_KEEPALIVE_VALS)),
        (
            "SIO_LOOPBACK_FAST_PATH",
            unsigned(ws::SIO_LOOPBACK_FAST_PATH),
        ),
    ]);
    // RCVALL_* (`mstcpip.h`): the enum members socketmodule.c adds without #ifdef, and
    // the macro RCVALL_MAX, which is RCVALL_IPLEVEL (an enum member, so not a name).
    table.extend(from_ws![ws: RCVALL_OFF, RCVALL_ON, RCVALL_SOCKETLEVELONLY]);
    table.push(("RCVALL_MAX", long(ws::RCVALL_IPLEVEL)));
    table
}

/// The `socket` module's string constants on Windows: the Hyper-V GUIDs
/// (`socketmodule.c` writes them out) and the Bluetooth addresses `BDADDR_ANY` /
/// `BDADDR_LOCAL` (added whenever Bluetooth is, which it is on desktop Windows).
pub fn string_constants() -> &'static [(&'static str, &'static str)] {
    &[
        ("HV_GUID_ZERO", "00000000-0000-0000-0000-000000000000"),
        ("HV_GUID_WILDCARD", "00000000-0000-0000-0000-000000000000"),
        ("HV_GUID_BROADCAST", "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF"),
        ("HV_GUID_CHILDREN", "90DB8B89-0D35-4F79-8CE9-49EA0AC8B7CD"),
        ("HV_GUID_LOOPBACK", "E0E16197-DD56-4A10-9195-5EE7A155A838"),
        ("HV_GUID_PARENT", "A42E7CDA-D03F-480C-9CC2-A4DE20ABB878"),
        ("BDADDR_ANY", "00:00:00:00:00:00"),
        ("BDADDR_LOCAL", "00:00:00:FF:FF:FF"),
    ]
}

/// `WSA_CMSGHDR_ALIGN` (`ws2def.h`): rounded up to the alignment of `WSACMSGHDR`.
pub(super) fn cmsghdr_align(length: u64) -> u64 {
    let align = std::mem::align_of::<ws::CMSGHDR>() as u64;
    length.div_ceil(align) * align
}

/// `WSA_CMSGDATA_ALIGN` (`ws2def.h`): rounded up to `MAX_NATURAL_ALIGNMENT`
/// (`sizeof(ULONGLONG)` on 64-bit Windows).
pub(super) fn cmsgdata_align(length: u64) -> u64 {
    let align = std::mem::size_of::<u64>() as u64;
    length.div_ceil(align) * align
}

/// `WSA_CMSG_LEN(length)`: the length of a control message header plus `length` bytes
/// of data. (CPython undefines `CMSG_LEN` on Windows, so `socket.CMSG_LEN` does not
/// exist there; this serves the OS layer's own `WSASendMsg` / `WSARecvMsg`.)
pub fn cmsg_len(length: u32) -> u64 {
    cmsgdata_align(std::mem::size_of::<ws::CMSGHDR>() as u64) + u64::from(length)
}

/// `WSA_CMSG_SPACE(length)`: the buffer space for a control message with `length`
/// bytes of data, padding included.
pub fn cmsg_space(length: u32) -> u64 {
    cmsgdata_align(std::mem::size_of::<ws::CMSGHDR>() as u64 + cmsghdr_align(u64::from(length)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(name: &str) -> Option<i64> {
        constants()
            .iter()
            .find(|(n, _)| *n == name)
            .map(|&(_, v)| v)
    }

    #[test]
    fn c_long_values() {
        assert_eq!(value("INADDR_BROADCAST"), Some(-1));
        assert_eq!(value("INADDR_LOOPBACK"), Some(0x7f00_0001));
        assert_eq!(value("SO_EXCLUSIVEADDRUSE"), Some(-5));
        assert_eq!(value("SIO_RCVALL"), Some(0x9800_0001));
        assert_eq!(value("SOMAXCONN"), Some(0x7fff_ffff));
        assert_eq!(value("RCVALL_MAX"), Some(3));
        assert_eq!(value("SOL_IP"), Some(0xfffb));
    }

    #[test]
    fn names_are_unique_and_windows_only_names_are_absent() {
        let mut names: Vec<&str> = constants().iter().map(|&(n, _)| n).collect();
        names.sort_unstable();
        let before = names.len();
        names.dedup();
        assert_eq!(names.len(), before);
        for absent in [
            "SO_REUSEPORT",
            "SCM_RIGHTS",
            "MSG_DONTWAIT",
            "RCVALL_IPLEVEL",
        ] {
            assert_eq!(value(absent), None, "{absent}");
        }
    }

    #[test]
    fn cmsg_macros() {
        // WSACMSGHDR is 16 bytes on 64-bit Windows, aligned to 8.
        assert_eq!(cmsg_len(0), 16);
        assert_eq!(cmsg_len(4), 20);
        assert_eq!(cmsg_space(4), 24);
        assert_eq!(cmsg_space(8), 24);
    }
}
