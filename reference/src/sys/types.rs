//! The OS layer's portable data types: what every OS module's calls take and give in the
//! same layout-free form (addresses, `getaddrinfo` entries, control messages, file open
//! modes), and the lookups over the OS's errno table. Each OS module implements the calls.

use super::{ERRNO, Errno};

/// A socket address in the layout-free form the portable layers use; each OS module
/// encodes and decodes its own `sockaddr_*` structures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Addr {
    /// `sockaddr_in`: the address in network byte order and the port.
    Inet {
        /// `sin_addr`, network byte order.
        ip: [u8; 4],
        /// `sin_port`, host byte order.
        port: u16,
    },
    /// `sockaddr_in6`.
    Inet6 {
        /// `sin6_addr`.
        ip: [u8; 16],
        /// `sin6_port`, host byte order.
        port: u16,
        /// `sin6_flowinfo`, host byte order.
        flowinfo: u32,
        /// `sin6_scope_id`.
        scope_id: u32,
    },
    /// `sockaddr_un`: `sun_family` and the bytes of `sun_path` that the address length
    /// covers, exactly (a terminating NUL is part of them when present).
    Unix {
        /// `sun_family` (`AF_UNIX`).
        family: i32,
        /// The covered bytes of `sun_path`.
        path: Vec<u8>,
    },
    /// `sockaddr_nl` (Linux `AF_NETLINK`; elsewhere encoding it fails and nothing decodes
    /// to it).
    Netlink {
        /// `nl_pid`.
        pid: u32,
        /// `nl_groups`.
        groups: u32,
    },
    /// `sockaddr_vm` (Linux `AF_VSOCK`; as for [`Addr::Netlink`] elsewhere).
    Vsock {
        /// `svm_cid`.
        cid: u32,
        /// `svm_port`.
        port: u32,
    },
    /// Any other family: `sa_family` and the bytes of `sockaddr`'s `sa_data`.
    Other {
        /// `sa_family`.
        family: i32,
        /// `sa_data` (14 bytes).
        data: Vec<u8>,
    },
}

/// One entry of a `getaddrinfo` result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddrInfo {
    /// `ai_family`.
    pub family: i32,
    /// `ai_socktype`.
    pub socktype: i32,
    /// `ai_protocol`.
    pub protocol: i32,
    /// `ai_canonname` (empty when null).
    pub canonname: String,
    /// `ai_addr`.
    pub addr: Option<Addr>,
}

/// How `getaddrinfo` failed: its `EAI_*` code with the text CPython gives it
/// (`gai_strerror`; on Windows always "getaddrinfo failed"), or for `EAI_SYSTEM` (not on
/// Windows) the errno.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GaiError {
    /// An `EAI_*` code and its text.
    Gai(i32, String),
    /// `EAI_SYSTEM`: the errno.
    System(Errno),
}

/// One control message: `cmsg_level`, `cmsg_type` and its data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cmsg {
    /// `cmsg_level`.
    pub level: i32,
    /// `cmsg_type`.
    pub kind: i32,
    /// The bytes after the header (`CMSG_DATA`), as many as `cmsg_len` covers within the
    /// received buffer.
    pub data: Vec<u8>,
}

/// What a `recvmsg` received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    /// The call's return value (the data length; more than the buffers hold with
    /// `MSG_TRUNC` on a datagram).
    pub len: usize,
    /// The control messages, in order.
    pub cmsgs: Vec<Cmsg>,
    /// Whether a control message was cut short by the buffer (its data is then what
    /// fits: CPython warns "received malformed or improperly-truncated ancillary data").
    pub cmsg_truncated: bool,
    /// `msg_flags` (`WSAMSG.dwFlags` on Windows).
    pub flags: i32,
    /// The sender's address (`None` when the name length is 0).
    pub addr: Option<Addr>,
}

/// The size of the control buffer for these messages (`CMSG_SPACE` of each).
pub fn control_len(cmsgs: &[Cmsg]) -> usize {
    cmsgs
        .iter()
        .map(|c| super::cmsg_space(c.data.len() as u32) as usize)
        .sum()
}

/// How to open a file: the `O_*` flags `_io.FileIO` derives from its mode.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OpenMode {
    /// Open for reading (`O_RDONLY` / `O_RDWR`).
    pub read: bool,
    /// Open for writing (`O_WRONLY` / `O_RDWR`).
    pub write: bool,
    /// `O_APPEND`.
    pub append: bool,
    /// `O_CREAT`.
    pub create: bool,
    /// `O_TRUNC`.
    pub truncate: bool,
    /// `O_EXCL` (with `O_CREAT`).
    pub exclusive: bool,
}

/// `errno.errorcode[number]`: the symbolic name of an errno value, if it has one (the
/// table's last name for a number, as Python's `errno.errorcode` has it).
pub fn errno_name(number: i64) -> Option<&'static str> {
    ERRNO
        .iter()
        .rev()
        .find(|&&(_, value)| i64::from(value) == number)
        .map(|&(name, _)| name)
}

/// `errno.NAME`: the value of a symbolic errno name on this platform.
pub fn errno_value(name: &str) -> Option<i32> {
    ERRNO
        .iter()
        .find(|&&(n, _)| n == name)
        .map(|&(_, value)| value)
}

/// A `struct hostent` copied out: what `gethostbyname` / `gethostbyaddr` answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostEnt {
    /// `h_name`.
    pub name: Vec<u8>,
    /// `h_aliases`.
    pub aliases: Vec<Vec<u8>>,
    /// `h_addrtype`.
    pub family: i32,
    /// `h_addr_list`, each `h_length` bytes.
    pub addrs: Vec<Vec<u8>>,
}

/// How `gethostbyname` / `gethostbyaddr` failed: `h_errno` (on Windows the Winsock
/// error) and its text (`hstrerror`; on Windows, which has none, CPython's "host not
/// found").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostError(pub i32, pub String);
