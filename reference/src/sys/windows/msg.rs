//! `WSASendMsg` and `WSARecvMsg` with ancillary data, the control buffer laid out with
//! `ws2def.h`'s `WSA_CMSG_*` macros, so that the layers above only see
//! `(level, type, data)` items.
//!
//! CPython exposes neither on Windows (`socketmodule.h` undefines `CMSG_LEN`, so
//! `socket.socket.sendmsg`, `recvmsg` and `recvmsg_into` do not exist there, and
//! `FEATURES.cmsg` is false): the Python level never reaches these. They are Winsock's
//! real calls all the same (`WSASendMsg` sends on datagram and raw sockets only;
//! `WSARecvMsg` comes from `WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER)`).

use crate::sys::{Addr, Cmsg, Received, control_len};
use std::mem::size_of;
use std::ptr;

use windows_sys::Win32::Networking::WinSock as ws;

use super::consts::{cmsgdata_align, cmsghdr_align};
use super::socket::{Errno, Socket};

/// Windows has no `SCM_RIGHTS`: descriptors cannot be passed over its `AF_UNIX`.
pub const SCM_RIGHTS: Option<(i32, i32)> = None;

/// The `WSARecvMsg` function (`LPFN_WSARECVMSG` without its null).
type WsaRecvMsg = unsafe extern "system" fn(
    ws::SOCKET,
    *mut ws::WSAMSG,
    *mut u32,
    *mut windows_sys::Win32::System::IO::OVERLAPPED,
    ws::LPWSAOVERLAPPED_COMPLETION_ROUTINE,
) -> i32;

/// The offset of the data after a `WSACMSGHDR` (`WSA_CMSG_DATA`).
fn data_offset() -> usize {
    cmsgdata_align(size_of::<ws::CMSGHDR>() as u64) as usize
}

impl Socket {
    /// `WSASendMsg` of the buffers `iov`, the control messages `cmsgs`, to `addr`.
    pub fn sendmsg(
        &self,
        iov: &[&[u8]],
        cmsgs: &[Cmsg],
        flags: i32,
        addr: Option<&Addr>,
    ) -> Result<usize, Errno> {
        let sockaddr = addr.map(Addr::to_sockaddr).transpose()?;
        let mut bufs: Vec<ws::WSABUF> = iov
            .iter()
            .map(|b| ws::WSABUF {
                len: b.len().min(u32::MAX as usize) as u32,
                buf: b.as_ptr().cast_mut(),
            })
            .collect();
        let len = control_len(cmsgs);
        // u64 for the alignment of the headers.
        let mut control = vec![0u64; len.div_ceil(size_of::<u64>())];
        let base = control.as_mut_ptr().cast::<u8>();
        let mut offset = 0;
        for c in cmsgs {
            let header = ws::CMSGHDR {
                cmsg_len: super::cmsg_len(c.data.len() as u32) as usize,
                cmsg_level: c.level,
                cmsg_type: c.kind,
            };
            // SAFETY: `control_len` reserved `WSA_CMSG_SPACE(len)` bytes for each message,
            // which covers the header at `offset` and its data at `offset +
            // data_offset()`; the buffer is aligned for `CMSGHDR` and every `offset` is a
            // multiple of that alignment.
            unsafe {
                ptr::write(base.add(offset).cast::<ws::CMSGHDR>(), header);
                ptr::copy_nonoverlapping(
                    c.data.as_ptr(),
                    base.add(offset + data_offset()),
                    c.data.len(),
                );
            }
            offset += super::cmsg_space(c.data.len() as u32) as usize;
        }
        let msg = ws::WSAMSG {
            name: sockaddr
                .as_ref()
                .map_or(ptr::null_mut(), |sa| sa.as_ptr().cast_mut().cast()),
            namelen: sockaddr.as_ref().map_or(0, |sa| sa.len()),
            lpBuffers: bufs.as_mut_ptr(),
            dwBufferCount: bufs.len() as u32,
            Control: ws::WSABUF {
                len: len as u32,
                buf: if len > 0 { base } else { ptr::null_mut() },
            },
            dwFlags: 0,
        };
        let mut sent: u32 = 0;
        // SAFETY: `msg` points to live buffers (`bufs`, `control`, `sockaddr`) for the
        // duration of the call, which only reads them; no overlapped I/O is requested.
        let rc = unsafe {
            ws::WSASendMsg(
                self.raw(),
                &msg,
                flags as u32,
                &mut sent,
                ptr::null_mut(),
                None,
            )
        };
        if rc != 0 {
            return Err(Errno::last());
        }
        Ok(sent as usize)
    }

    /// `WSARecvMsg` into `bufs` with a control buffer of `controllen` bytes.
    pub fn recvmsg(
        &self,
        bufs: &mut [&mut [u8]],
        controllen: usize,
        flags: i32,
    ) -> Result<Received, Errno> {
        let recvmsg = self.wsarecvmsg()?;
        let mut wsabufs: Vec<ws::WSABUF> = bufs
            .iter_mut()
            .map(|b| ws::WSABUF {
                len: b.len().min(u32::MAX as usize) as u32,
                buf: b.as_mut_ptr(),
            })
            .collect();
        let mut control = vec![0u64; controllen.div_ceil(size_of::<u64>())];
        let base = control.as_mut_ptr().cast::<u8>();
        let mut storage = socket2::SockAddrStorage::zeroed();
        let mut msg = ws::WSAMSG {
            // SAFETY: the storage is a writable `SOCKADDR_STORAGE`.
            name: unsafe { storage.view_as::<ws::SOCKADDR>() },
            namelen: storage.size_of(),
            lpBuffers: wsabufs.as_mut_ptr(),
            dwBufferCount: wsabufs.len() as u32,
            Control: ws::WSABUF {
                len: controllen as u32,
                buf: if controllen > 0 {
                    base
                } else {
                    ptr::null_mut()
                },
            },
            dwFlags: flags as u32,
        };
        let mut received: u32 = 0;
        // SAFETY: every buffer `msg` points to is live and writable for the lengths
        // given; Winsock writes at most those; no overlapped I/O is requested.
        let rc = unsafe { recvmsg(self.raw(), &mut msg, &mut received, ptr::null_mut(), None) };
        if rc != 0 {
            return Err(Errno::last());
        }
        let end = (msg.Control.len as usize).min(controllen);
        let mut cmsgs = Vec::new();
        let mut truncated = false;
        let header = size_of::<ws::CMSGHDR>();
        let mut offset = 0;
        // WSA_CMSG_FIRSTHDR / WSA_CMSG_NXTHDR: a header exists while it fits.
        while offset + header <= end {
            // SAFETY: the header lies within the received control bytes (checked above);
            // `read_unaligned` copies it out whatever Winsock's alignment.
            let hdr = unsafe { ptr::read_unaligned(base.add(offset).cast::<ws::CMSGHDR>()) };
            let data = offset + data_offset();
            let wanted = hdr.cmsg_len.saturating_sub(data_offset());
            let have = wanted.min(end.saturating_sub(data));
            if have < wanted {
                truncated = true;
            }
            // SAFETY: `have` bytes from `data` lie within the received control bytes.
            let bytes = unsafe { std::slice::from_raw_parts(base.add(data), have) }.to_vec();
            cmsgs.push(Cmsg {
                level: hdr.cmsg_level,
                kind: hdr.cmsg_type,
                data: bytes,
            });
            if have < wanted || hdr.cmsg_len == 0 {
                break;
            }
            offset += cmsghdr_align(hdr.cmsg_len as u64) as usize;
        }
        let namelen = usize::try_from(msg.namelen).unwrap_or(0);
        // SAFETY: Winsock wrote `namelen` bytes of an address into the storage (capped
        // to its size inside `addr_from_raw`).
        let addr =
            unsafe { super::socket::addr_from_raw(storage.view_as::<ws::SOCKADDR>(), namelen) };
        Ok(Received {
            len: received as usize,
            cmsgs,
            cmsg_truncated: truncated,
            flags: msg.dwFlags as i32,
            addr,
        })
    }

    /// The `WSARecvMsg` extension function of this socket's provider
    /// (`WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER, WSAID_WSARECVMSG)`).
    fn wsarecvmsg(&self) -> Result<WsaRecvMsg, Errno> {
        let guid = ws::WSAID_WSARECVMSG;
        let mut function: ws::LPFN_WSARECVMSG = None;
        let mut returned: u32 = 0;
        // SAFETY: the input is the GUID and the output a function-pointer slot, both
        // live and of the sizes passed; the call completes synchronously.
        let rc = unsafe {
            ws::WSAIoctl(
                self.raw(),
                ws::SIO_GET_EXTENSION_FUNCTION_POINTER,
                (&raw const guid).cast(),
                size_of::<windows_sys::core::GUID>() as u32,
                (&raw mut function).cast(),
                size_of::<ws::LPFN_WSARECVMSG>() as u32,
                &mut returned,
                ptr::null_mut(),
                None,
            )
        };
        if rc != 0 {
            return Err(Errno::last());
        }
        function.ok_or(Errno(ws::WSAEOPNOTSUPP))
    }
}
