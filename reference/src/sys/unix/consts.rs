//! The platform's values of the `socket` module's integer constants, and the
//! `CMSG_LEN(3)` / `CMSG_SPACE(3)` macros.
//!
//! Values come from the `libc` crate (which mirrors the C headers per OS and
//! architecture). Where `libc` lacks a constant, the value is a literal with a comment
//! naming the header it is defined in. Which names exist is this platform's choice; the
//! grouping into Python enum classes is done in `core::constants`, not here.

use std::sync::OnceLock;

/// Converts a C constant of any integer type to `i64` (every socket constant fits).
fn v<T: TryInto<i64>>(value: T) -> i64 {
    value
        .try_into()
        .unwrap_or_else(|_| unreachable!("socket constants fit in 64 bits"))
}

/// `_IO(type, nr)` from `<asm-generic/ioctl.h>`: direction `_IOC_NONE` (0) and size 0, so
/// only the type (shifted by `_IOC_TYPESHIFT` = 8) and the number remain.
#[cfg(target_os = "linux")]
const fn ioc_none(ty: i64, nr: i64) -> i64 {
    (ty << 8) | nr
}

macro_rules! from_libc {
    ($($name:ident),* $(,)?) => {
        [$((stringify!($name), v(libc::$name))),*]
    };
}

/// Every integer constant the `socket` module exports on this platform: `(name, value)`.
pub fn constants() -> &'static [(&'static str, i64)] {
    static TABLE: OnceLock<Vec<(&'static str, i64)>> = OnceLock::new();
    TABLE.get_or_init(build)
}

fn build() -> Vec<(&'static str, i64)> {
    let mut table: Vec<(&'static str, i64)> = Vec::new();
    // Linux, macOS and FreeBSD.
    table.extend(from_libc![
        AF_APPLETALK,
        AF_DECnet,
        AF_INET,
        AF_INET6,
        AF_IPX,
        AF_ROUTE,
        AF_SNA,
        AF_UNIX,
        AF_UNSPEC,
        AI_ADDRCONFIG,
        AI_ALL,
        AI_CANONNAME,
        AI_NUMERICHOST,
        AI_NUMERICSERV,
        AI_PASSIVE,
        AI_V4MAPPED,
        EAGAIN,
        EAI_AGAIN,
        EAI_BADFLAGS,
        EAI_FAIL,
        EAI_FAMILY,
        EAI_MEMORY,
        EAI_NONAME,
        EAI_OVERFLOW,
        EAI_SERVICE,
        EAI_SOCKTYPE,
        EAI_SYSTEM,
        EBADF,
        EWOULDBLOCK,
        INADDR_ANY,
        INADDR_BROADCAST,
        INADDR_LOOPBACK,
        INADDR_NONE,
        IPPROTO_AH,
        IPPROTO_DSTOPTS,
        IPPROTO_EGP,
        IPPROTO_ESP,
        IPPROTO_FRAGMENT,
        IPPROTO_GRE,
        IPPROTO_HOPOPTS,
        IPPROTO_ICMP,
        IPPROTO_ICMPV6,
        IPPROTO_IDP,
        IPPROTO_IGMP,
        IPPROTO_IP,
        IPPROTO_IPIP,
        IPPROTO_IPV6,
        IPPROTO_NONE,
        IPPROTO_PIM,
        IPPROTO_PUP,
        IPPROTO_RAW,
        IPPROTO_ROUTING,
        IPPROTO_RSVP,
        IPPROTO_SCTP,
        IPPROTO_TCP,
        IPPROTO_TP,
        IPPROTO_UDP,
        IPV6_CHECKSUM,
        IPV6_DONTFRAG,
        IPV6_HOPLIMIT,
        IPV6_MULTICAST_HOPS,
        IPV6_MULTICAST_IF,
        IPV6_MULTICAST_LOOP,
        IPV6_PKTINFO,
        IPV6_RECVHOPLIMIT,
        IPV6_RECVPKTINFO,
        IPV6_RECVTCLASS,
        IPV6_TCLASS,
        IPV6_UNICAST_HOPS,
        IPV6_V6ONLY,
        IP_ADD_MEMBERSHIP,
        IP_ADD_SOURCE_MEMBERSHIP,
        IP_BLOCK_SOURCE,
        IP_DROP_MEMBERSHIP,
        IP_DROP_SOURCE_MEMBERSHIP,
        IP_HDRINCL,
        IP_MULTICAST_IF,
        IP_MULTICAST_LOOP,
        IP_MULTICAST_TTL,
        IP_RECVTOS,
        IP_TOS,
        IP_TTL,
        IP_UNBLOCK_SOURCE,
        MSG_CTRUNC,
        MSG_DONTROUTE,
        MSG_DONTWAIT,
        MSG_EOR,
        MSG_NOSIGNAL,
        MSG_OOB,
        MSG_PEEK,
        MSG_TRUNC,
        MSG_WAITALL,
        NI_DGRAM,
        NI_MAXHOST,
        NI_NAMEREQD,
        NI_NOFQDN,
        NI_NUMERICHOST,
        NI_NUMERICSERV,
        SCM_RIGHTS,
        SHUT_RD,
        SHUT_RDWR,
        SHUT_WR,
        SOCK_DGRAM,
        SOCK_RAW,
        SOCK_RDM,
        SOCK_SEQPACKET,
        SOCK_STREAM,
        SOL_SOCKET,
        SOMAXCONN,
        SO_ACCEPTCONN,
        SO_BROADCAST,
        SO_DEBUG,
        SO_DONTROUTE,
        SO_ERROR,
        SO_KEEPALIVE,
        SO_LINGER,
        SO_OOBINLINE,
        SO_RCVBUF,
        SO_RCVLOWAT,
        SO_RCVTIMEO,
        SO_REUSEADDR,
        SO_REUSEPORT,
        SO_SNDBUF,
        SO_SNDLOWAT,
        SO_SNDTIMEO,
        SO_TYPE,
        TCP_FASTOPEN,
        TCP_KEEPCNT,
        TCP_KEEPINTVL,
        TCP_MAXSEG,
        TCP_NODELAY,
    ]);
    // Linux and FreeBSD only.
    #[cfg(any(target_os = "linux", target_os = "freebsd"))]
    table.extend(from_libc![
        IPPROTO_UDPLITE,
        MSG_CMSG_CLOEXEC,
        SOCK_CLOEXEC,
        SOCK_NONBLOCK,
        SO_DOMAIN,
        SO_PROTOCOL,
        TCP_CONGESTION,
        TCP_INFO,
        TCP_KEEPIDLE,
        TCP_MD5SIG,
    ]);
    // macOS and FreeBSD only: the link-level family of <net/if_dl.h> addresses
    // (<sys/socket.h>: AF_LINK 18 on both).
    #[cfg(any(target_os = "macos", target_os = "freebsd"))]
    table.extend(from_libc![AF_LINK]);
    // FreeBSD only: <sys/un.h>'s LOCAL_CREDS / LOCAL_CREDS_PERSISTENT, <sys/socket.h>'s
    // SCM_CREDS2 and SO_REUSEPORT_LB (FreeBSD 12 and later).
    #[cfg(target_os = "freebsd")]
    table.extend(from_libc![
        LOCAL_CREDS,
        LOCAL_CREDS_PERSISTENT,
        SCM_CREDS2,
        SO_REUSEPORT_LB,
    ]);
    // FreeBSD 14's <sys/socket.h>: AF_DIVERT 44 and PF_DIVERT = AF_DIVERT (`libc` lacks
    // both).
    #[cfg(target_os = "freebsd")]
    table.extend([("AF_DIVERT", 44), ("PF_DIVERT", 44)]);
    // Linux and macOS only.
    #[cfg(any(target_os = "linux", target_os = "macos"))]
    table.extend(from_libc![
        AF_VSOCK,
        EAI_NODATA,
        IP_PKTINFO,
        VMADDR_CID_ANY,
        VMADDR_CID_HOST,
        VMADDR_PORT_ANY,
    ]);
    // Linux only.
    #[cfg(target_os = "linux")]
    table.extend(from_libc![
        AF_ALG,
        AF_ASH,
        AF_ATMPVC,
        AF_ATMSVC,
        AF_AX25,
        AF_BRIDGE,
        AF_CAN,
        AF_ECONET,
        AF_IRDA,
        AF_KEY,
        AF_LLC,
        AF_NETBEUI,
        AF_NETLINK,
        AF_NETROM,
        AF_PACKET,
        AF_PPPOX,
        AF_RDS,
        AF_ROSE,
        AF_SECURITY,
        AF_TIPC,
        AF_WANPIPE,
        AF_X25,
        ALG_OP_DECRYPT,
        ALG_OP_ENCRYPT,
        ALG_SET_AEAD_ASSOCLEN,
        ALG_SET_AEAD_AUTHSIZE,
        ALG_SET_IV,
        ALG_SET_KEY,
        ALG_SET_OP,
        CAN_BCM,
        CAN_EFF_FLAG,
        CAN_EFF_MASK,
        CAN_ERR_FLAG,
        CAN_ERR_MASK,
        CAN_ISOTP,
        CAN_J1939,
        CAN_RAW,
        CAN_RAW_FD_FRAMES,
        CAN_RAW_FILTER,
        CAN_RAW_JOIN_FILTERS,
        CAN_RAW_LOOPBACK,
        CAN_RAW_RECV_OWN_MSGS,
        CAN_RTR_FLAG,
        CAN_SFF_MASK,
        ETH_P_ALL,
        IPPROTO_MPTCP,
        IPV6_DSTOPTS,
        IPV6_HOPOPTS,
        IPV6_NEXTHOP,
        IPV6_PATHMTU,
        IPV6_RECVDSTOPTS,
        IPV6_RECVHOPOPTS,
        IPV6_RECVPATHMTU,
        IPV6_RECVRTHDR,
        IPV6_RTHDR,
        IPV6_RTHDRDSTOPTS,
        IP_BIND_ADDRESS_NO_PORT,
        IP_DEFAULT_MULTICAST_LOOP,
        IP_DEFAULT_MULTICAST_TTL,
        IP_OPTIONS,
        IP_RECVOPTS,
        IP_RETOPTS,
        IP_TRANSPARENT,
        J1939_EE_INFO_NONE,
        J1939_EE_INFO_TX_ABORT,
        J1939_FILTER_MAX,
        J1939_IDLE_ADDR,
        J1939_MAX_UNICAST_ADDR,
        J1939_NLA_BYTES_ACKED,
        J1939_NLA_PAD,
        J1939_NO_ADDR,
        J1939_NO_NAME,
        J1939_NO_PGN,
        J1939_PGN_ADDRESS_CLAIMED,
        J1939_PGN_ADDRESS_COMMANDED,
        J1939_PGN_MAX,
        J1939_PGN_PDU1_MAX,
        J1939_PGN_REQUEST,
        MSG_CONFIRM,
        MSG_ERRQUEUE,
        MSG_FASTOPEN,
        MSG_MORE,
        NETLINK_CRYPTO,
        NETLINK_DNRTMSG,
        NETLINK_FIREWALL,
        NETLINK_IP6_FW,
        NETLINK_NFLOG,
        NETLINK_ROUTE,
        NETLINK_USERSOCK,
        NETLINK_XFRM,
        NI_IDN,
        PACKET_BROADCAST,
        PACKET_HOST,
        PACKET_LOOPBACK,
        PACKET_MULTICAST,
        PACKET_OTHERHOST,
        PACKET_OUTGOING,
        PF_CAN,
        PF_PACKET,
        PF_RDS,
        SCM_CREDENTIALS,
        SCM_J1939_DEST_ADDR,
        SCM_J1939_DEST_NAME,
        SCM_J1939_ERRQUEUE,
        SCM_J1939_PRIO,
        SOL_ALG,
        SOL_CAN_BASE,
        SOL_CAN_RAW,
        SOL_IP,
        SOL_RDS,
        SOL_TCP,
        SOL_TIPC,
        SOL_UDP,
        SO_BINDTODEVICE,
        SO_BINDTOIFINDEX,
        SO_INCOMING_CPU,
        SO_J1939_ERRQUEUE,
        SO_J1939_FILTER,
        SO_J1939_PROMISC,
        SO_J1939_SEND_PRIO,
        SO_MARK,
        SO_PASSCRED,
        SO_PASSSEC,
        SO_PEERCRED,
        SO_PEERSEC,
        SO_PRIORITY,
        TCP_CC_INFO,
        TCP_CORK,
        TCP_DEFER_ACCEPT,
        TCP_FASTOPEN_CONNECT,
        TCP_FASTOPEN_KEY,
        TCP_FASTOPEN_NO_COOKIE,
        TCP_INQ,
        TCP_LINGER2,
        TCP_MD5SIG_EXT,
        TCP_NOTSENT_LOWAT,
        TCP_QUEUE_SEQ,
        TCP_QUICKACK,
        TCP_REPAIR,
        TCP_REPAIR_OPTIONS,
        TCP_REPAIR_QUEUE,
        TCP_REPAIR_WINDOW,
        TCP_SAVED_SYN,
        TCP_SAVE_SYN,
        TCP_SYNCNT,
        TCP_THIN_DUPACK,
        TCP_THIN_LINEAR_TIMEOUTS,
        TCP_TIMESTAMP,
        TCP_ULP,
        TCP_USER_TIMEOUT,
        TCP_WINDOW_CLAMP,
        TCP_ZEROCOPY_RECEIVE,
    ]);
    // Added to CPython's socket module on Linux in 3.14 (IP_FREEBIND, IP_RECVERR,
    // IPV6_RECVERR, IP_RECVTTL, IP_RECVORIGDSTADDR, CAN_RAW_ERR_FILTER, SO_ORIGINAL_DST,
    // VMADDR_CID_LOCAL) and 3.15 (IPV6_HDRINCL).
    // Linux, macOS and FreeBSD.
    table.extend(from_libc![IP_RECVTTL,]);
    // Linux and FreeBSD only.
    #[cfg(any(target_os = "linux", target_os = "freebsd"))]
    table.extend(from_libc![IP_RECVORIGDSTADDR,]);
    // Linux only.
    #[cfg(target_os = "linux")]
    table.extend(from_libc![
        IP_FREEBIND,
        IP_RECVERR,
        IPV6_RECVERR,
        CAN_RAW_ERR_FILTER,
        SO_ORIGINAL_DST,
        VMADDR_CID_LOCAL,
        IPV6_HDRINCL,
    ]);
    // Names the `libc` crate spells differently on Linux: glibc's <bits/in.h> defines
    // IPV6_ADD_MEMBERSHIP / IPV6_DROP_MEMBERSHIP as aliases of IPV6_JOIN_GROUP /
    // IPV6_LEAVE_GROUP, and IP_RECVRETOPTS as an alias of IP_RETOPTS.
    #[cfg(target_os = "linux")]
    table.extend([
        ("IPV6_JOIN_GROUP", v(libc::IPV6_ADD_MEMBERSHIP)),
        ("IPV6_LEAVE_GROUP", v(libc::IPV6_DROP_MEMBERSHIP)),
        ("IP_RECVRETOPTS", v(libc::IP_RETOPTS)),
    ]);
    // The BSDs' headers define them under their own names.
    #[cfg(any(target_os = "macos", target_os = "freebsd"))]
    table.extend(from_libc![IPV6_JOIN_GROUP, IPV6_LEAVE_GROUP]);
    // <netinet/in.h> of macOS and FreeBSD: IP_RECVRETOPTS 6 (`libc` lacks it there).
    #[cfg(any(target_os = "macos", target_os = "freebsd"))]
    table.push(("IP_RECVRETOPTS", 6));
    table.extend(portable_literals());
    #[cfg(target_os = "linux")]
    table.extend(linux_literals());
    table
}

/// Constants the `libc` crate does not define on any of the three, with the header each
/// comes from, where every one of them has it (or CPython supplies it).
fn portable_literals() -> Vec<(&'static str, i64)> {
    let mut table = vec![
        // <netdb.h>.
        ("NI_MAXSERV", 32),
        // <netinet/in.h>: IPPORT_RESERVED 1024; IPPORT_USERRESERVED 5000 (glibc's enum,
        // and CPython's fallback where a header lacks it).
        ("IPPORT_RESERVED", 1024),
        ("IPPORT_USERRESERVED", 5000),
        // <netinet/in.h> (glibc's <bits/in.h>): IPv6 Routing header type 0.
        ("IPV6_RTHDR_TYPE_0", 0),
        // <net/ethernet.h>.
        ("ETHERTYPE_IP", 0x0800),
        ("ETHERTYPE_ARP", 0x0806),
        ("ETHERTYPE_VLAN", 0x8100),
        ("ETHERTYPE_IPV6", 0x86dd),
        // <netinet/in.h>: 224.0.0.0, 224.0.0.1, 224.0.0.255.
        ("INADDR_UNSPEC_GROUP", 0xe000_0000),
        ("INADDR_ALLHOSTS_GROUP", 0xe000_0001),
        ("INADDR_MAX_LOCAL_GROUP", 0xe000_00ff),
    ];
    // <netinet/in.h>: the historical per-socket multicast membership limit; glibc's
    // <bits/in.h> says 20, the BSDs' IP_MAX_MEMBERSHIPS is 4095.
    table.push((
        "IP_MAX_MEMBERSHIPS",
        if cfg!(target_os = "linux") { 20 } else { 4095 },
    ));
    // <netdb.h>: glibc (with __USE_GNU) -9, macOS 1; FreeBSD's netdb.h comments it out.
    #[cfg(target_os = "linux")]
    table.push(("EAI_ADDRFAMILY", -9));
    #[cfg(target_os = "macos")]
    table.push(("EAI_ADDRFAMILY", 1));
    table
}

/// Linux constants the `libc` crate does not define, with the header each comes from.
#[cfg(target_os = "linux")]
fn linux_literals() -> Vec<(&'static str, i64)> {
    vec![
        // <bits/socket.h> (glibc): PF_QIPCRTR 42, AF_QIPCRTR = PF_QIPCRTR.
        ("AF_QIPCRTR", 42),
        // <netinet/tcp.h> (glibc) and <linux/tcp.h>.
        ("TCP_TX_DELAY", 37),
        // <linux/if_alg.h> has no ALG_SET_PUBKEY / ALG_OP_SIGN / ALG_OP_VERIFY (they were
        // proposed for Linux 4.8 and never merged); CPython defines these fallbacks in
        // Modules/socketmodule.h, so every Linux build exports them.
        ("ALG_SET_PUBKEY", 6),
        ("ALG_OP_SIGN", 2),
        ("ALG_OP_VERIFY", 3),
        // <linux/can/bcm.h>: the BCM opcodes (an enum starting at TX_SETUP = 1) ...
        ("CAN_BCM_TX_SETUP", 1),
        ("CAN_BCM_TX_DELETE", 2),
        ("CAN_BCM_TX_READ", 3),
        ("CAN_BCM_TX_SEND", 4),
        ("CAN_BCM_RX_SETUP", 5),
        ("CAN_BCM_RX_DELETE", 6),
        ("CAN_BCM_RX_READ", 7),
        ("CAN_BCM_TX_STATUS", 8),
        ("CAN_BCM_TX_EXPIRED", 9),
        ("CAN_BCM_RX_STATUS", 10),
        ("CAN_BCM_RX_TIMEOUT", 11),
        ("CAN_BCM_RX_CHANGED", 12),
        // ... and the BCM flags (SETTIMER 0x0001 … CAN_FD_FRAME 0x0800).
        ("CAN_BCM_SETTIMER", 0x0001),
        ("CAN_BCM_STARTTIMER", 0x0002),
        ("CAN_BCM_TX_COUNTEVT", 0x0004),
        ("CAN_BCM_TX_ANNOUNCE", 0x0008),
        ("CAN_BCM_TX_CP_CAN_ID", 0x0010),
        ("CAN_BCM_RX_FILTER_ID", 0x0020),
        ("CAN_BCM_RX_CHECK_DLC", 0x0040),
        ("CAN_BCM_RX_NO_AUTOTIMER", 0x0080),
        ("CAN_BCM_RX_ANNOUNCE_RESUME", 0x0100),
        ("CAN_BCM_TX_RESET_MULTI_IDX", 0x0200),
        ("CAN_BCM_RX_RTR_FRAME", 0x0400),
        ("CAN_BCM_CAN_FD_FRAME", 0x0800),
        // <linux/if_packet.h>.
        ("PACKET_FASTROUTE", 6),
        // <linux/vm_sockets.h>.
        ("SO_VM_SOCKETS_BUFFER_SIZE", 0),
        ("SO_VM_SOCKETS_BUFFER_MIN_SIZE", 1),
        ("SO_VM_SOCKETS_BUFFER_MAX_SIZE", 2),
        ("VM_SOCKETS_INVALID_VERSION", 0xffff_ffff), // -1U
        ("IOCTL_VM_SOCKETS_GET_LOCAL_CID", ioc_none(7, 0xb9)), // _IO(7, 0xb9)
        // Linux include/net/udplite.h (kernel-internal, not exported to user space);
        // CPython supplies the same values as fallbacks.
        ("UDPLITE_SEND_CSCOV", 10),
        ("UDPLITE_RECV_CSCOV", 11),
        // <linux/tipc.h>.
        ("TIPC_ADDR_NAMESEQ", 1),
        ("TIPC_ADDR_NAME", 2),
        ("TIPC_ADDR_ID", 3),
        ("TIPC_ZONE_SCOPE", 1),
        ("TIPC_CLUSTER_SCOPE", 2),
        ("TIPC_NODE_SCOPE", 3),
        ("TIPC_IMPORTANCE", 127),
        ("TIPC_SRC_DROPPABLE", 128),
        ("TIPC_DEST_DROPPABLE", 129),
        ("TIPC_CONN_TIMEOUT", 130),
        ("TIPC_LOW_IMPORTANCE", 0),
        ("TIPC_MEDIUM_IMPORTANCE", 1),
        ("TIPC_HIGH_IMPORTANCE", 2),
        ("TIPC_CRITICAL_IMPORTANCE", 3),
        ("TIPC_SUB_PORTS", 0x01),
        ("TIPC_SUB_SERVICE", 0x02),
        ("TIPC_SUB_CANCEL", 0x04),
        ("TIPC_WAIT_FOREVER", -1), // (~0) as an int
        ("TIPC_PUBLISHED", 1),
        ("TIPC_WITHDRAWN", 2),
        ("TIPC_SUBSCR_TIMEOUT", 3),
        ("TIPC_CFG_SRV", 0),
        ("TIPC_TOP_SRV", 1),
    ]
}

/// The `socket` module's string constants (`BDADDR_ANY`, `HV_GUID_*`): none here, since
/// the Bluetooth constants are left out (see the README) and Hyper-V is Windows'.
pub fn string_constants() -> &'static [(&'static str, &'static str)] {
    &[]
}

/// `CMSG_LEN(length)` from `<sys/socket.h>`: the length of a control message header
/// plus `length` bytes of data, without trailing padding.
pub fn cmsg_len(length: u32) -> u64 {
    // SAFETY: `CMSG_LEN` is pure arithmetic on its argument (the `libc` crate marks it
    // `unsafe` only because the C macro is); no memory is touched.
    u64::from(unsafe { libc::CMSG_LEN(length) })
}

/// `CMSG_SPACE(length)` from `<sys/socket.h>`: the buffer space for a control message
/// with `length` bytes of data, padding included.
pub fn cmsg_space(length: u32) -> u64 {
    // SAFETY: as for `CMSG_LEN`, pure arithmetic; no memory is touched.
    u64::from(unsafe { libc::CMSG_SPACE(length) })
}
