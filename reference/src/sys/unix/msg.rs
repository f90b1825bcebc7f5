//! `sendmsg(2)` and `recvmsg(2)` with ancillary data: the control buffer is built and
//! walked here with the C library's `CMSG_*` macros, so the layers above only see
//! `(level, type, data)` items.

use crate::sys::{Addr, Cmsg, Received, control_len};
use std::mem::size_of;
use std::ptr;

use super::socket::{Errno, Socket};

impl Socket {
    /// `sendmsg(2)` of the buffers `iov`, the control messages `cmsgs`, to `addr`.
    pub fn sendmsg(
        &self,
        iov: &[&[u8]],
        cmsgs: &[Cmsg],
        flags: i32,
        addr: Option<&Addr>,
    ) -> Result<usize, Errno> {
        let sockaddr = addr.map(Addr::to_sockaddr).transpose()?;
        let mut iovecs: Vec<libc::iovec> = iov
            .iter()
            .map(|b| libc::iovec {
                iov_base: b.as_ptr() as *mut libc::c_void,
                iov_len: b.len(),
            })
            .collect();
        // u64 for alignment of the cmsghdr structures.
        let len = control_len(cmsgs);
        let mut control = vec![0u64; len.div_ceil(size_of::<u64>())];
        // SAFETY: an all-zero `msghdr` is a valid empty message.
        let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
        if let Some(sa) = &sockaddr {
            msg.msg_name = sa.as_ptr() as *mut libc::c_void;
            msg.msg_namelen = sa.len();
        }
        msg.msg_iov = iovecs.as_mut_ptr();
        msg.msg_iovlen = iovecs.len() as _;
        if len > 0 {
            msg.msg_control = control.as_mut_ptr().cast();
            msg.msg_controllen = len as _;
            // SAFETY: the control buffer has `msg_controllen` bytes, aligned for
            // `cmsghdr`; each header and its data are written within the space
            // `CMSG_SPACE` reserved for it, which `CMSG_NXTHDR` walks.
            unsafe {
                let mut hdr = libc::CMSG_FIRSTHDR(&msg);
                for c in cmsgs {
                    if hdr.is_null() {
                        break;
                    }
                    (*hdr).cmsg_level = c.level;
                    (*hdr).cmsg_type = c.kind;
                    (*hdr).cmsg_len = libc::CMSG_LEN(c.data.len() as u32) as _;
                    ptr::copy_nonoverlapping(c.data.as_ptr(), libc::CMSG_DATA(hdr), c.data.len());
                    hdr = libc::CMSG_NXTHDR(&msg, hdr);
                }
            }
        }
        // SAFETY: `msg` points to live buffers (`iovecs`, `control`, `sockaddr`) for
        // the duration of the call; the kernel only reads them.
        let n = unsafe { libc::sendmsg(self.fd(), &msg, flags) };
        if n < 0 {
            Err(Errno::from(std::io::Error::last_os_error()))
        } else {
            Ok(n as usize)
        }
    }

    /// `recvmsg(2)` into `bufs` with a control buffer of `controllen` bytes.
    pub fn recvmsg(
        &self,
        bufs: &mut [&mut [u8]],
        controllen: usize,
        flags: i32,
    ) -> Result<Received, Errno> {
        let mut iovecs: Vec<libc::iovec> = bufs
            .iter_mut()
            .map(|b| libc::iovec {
                iov_base: b.as_mut_ptr().cast(),
                iov_len: b.len(),
            })
            .collect();
        let mut control = vec![0u64; controllen.div_ceil(size_of::<u64>())];
        let mut storage = socket2::SockAddrStorage::zeroed();
        // SAFETY: an all-zero `msghdr` is a valid empty message.
        let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
        // SAFETY: the storage is a writable `sockaddr_storage`.
        msg.msg_name = unsafe { storage.view_as::<libc::sockaddr>() } as *mut _ as *mut _;
        msg.msg_namelen = storage.size_of();
        msg.msg_iov = iovecs.as_mut_ptr();
        msg.msg_iovlen = iovecs.len() as _;
        if controllen > 0 {
            msg.msg_control = control.as_mut_ptr().cast();
            msg.msg_controllen = controllen as _;
        }
        // SAFETY: every buffer `msg` points to is live and writable for the lengths
        // given; the kernel writes at most those.
        let n = unsafe { libc::recvmsg(self.fd(), &mut msg, flags) };
        if n < 0 {
            return Err(Errno::from(std::io::Error::last_os_error()));
        }
        let mut cmsgs = Vec::new();
        let mut truncated = false;
        if msg.msg_controllen > 0 && !msg.msg_control.is_null() {
            let base = msg.msg_control as usize;
            let end = base + (msg.msg_controllen as usize).min(controllen);
            // SAFETY: the kernel filled `msg_controllen` bytes of the control buffer
            // with headers that `CMSG_FIRSTHDR` / `CMSG_NXTHDR` walk; every read is
            // checked against the end of the received bytes first.
            unsafe {
                let mut hdr = libc::CMSG_FIRSTHDR(&msg);
                while !hdr.is_null() {
                    let data = libc::CMSG_DATA(hdr) as usize;
                    if data > end {
                        truncated = true;
                        break;
                    }
                    let wanted = ((*hdr).cmsg_len as usize).saturating_sub(data - hdr as usize);
                    let have = wanted.min(end - data);
                    if have < wanted {
                        truncated = true;
                    }
                    let bytes = std::slice::from_raw_parts(data as *const u8, have).to_vec();
                    cmsgs.push(Cmsg {
                        level: (*hdr).cmsg_level,
                        kind: (*hdr).cmsg_type,
                        data: bytes,
                    });
                    if have < wanted {
                        break;
                    }
                    hdr = libc::CMSG_NXTHDR(&msg, hdr);
                }
            }
        }
        let namelen = msg.msg_namelen.min(storage.size_of());
        // SAFETY: the kernel wrote `namelen` bytes of an address into the storage.
        let addr =
            unsafe { super::socket::addr_from_raw(storage.view_as::<libc::sockaddr>(), namelen) };
        Ok(Received {
            len: n as usize,
            cmsgs,
            cmsg_truncated: truncated,
            flags: msg.msg_flags,
            addr,
        })
    }
}

/// `SOL_SOCKET` / `SCM_RIGHTS`: the control message that carries descriptors.
pub const SCM_RIGHTS: Option<(i32, i32)> = Some((libc::SOL_SOCKET, libc::SCM_RIGHTS));
