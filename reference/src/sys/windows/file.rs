//! Regular files through the C runtime, as CPython's `_io.FileIO` uses them on Windows:
//! `_wopen` (with `O_BINARY | O_NOINHERIT`), `_read`, `_write`, `_lseeki64`, `_fstat64`
//! and `_close` on C runtime descriptors, whose errors are C `errno` values. Windows has
//! no `os.sendfile`.

use crate::sys::OpenMode;
use std::ffi::c_int;

use super::socket::Errno;

unsafe extern "C" {
    /// The C runtime's per-thread `errno` (`_errno()` in `errno.h`); the `libc` crate
    /// does not declare it for Windows.
    fn _errno() -> *mut c_int;
}

/// The calling thread's C `errno`.
pub(super) fn crt_errno() -> i32 {
    // SAFETY: `_errno` returns a valid pointer to the calling thread's `errno`, which
    // only this thread writes.
    unsafe { *_errno() }
}

/// Sets the calling thread's C `errno` (cleared before calls whose failure CPython reads
/// from it).
pub(super) fn set_crt_errno(value: i32) {
    // SAFETY: as for `crt_errno`; the pointer is valid for writing.
    unsafe { *_errno() = value }
}

fn last() -> Errno {
    Errno(crt_errno())
}

/// An open C runtime descriptor of a regular file, closed on drop.
#[derive(Debug)]
pub struct File(c_int);

impl File {
    /// `_wopen(path, flags | O_BINARY | O_NOINHERIT, 0666)`, as `FileIO.__init__` calls it
    /// on Windows.
    pub fn open(path: &str, mode: OpenMode) -> Result<File, Errno> {
        let mut flags = match (mode.read, mode.write || mode.append) {
            (true, true) => libc::O_RDWR,
            (false, true) => libc::O_WRONLY,
            _ => libc::O_RDONLY,
        };
        if mode.append {
            flags |= libc::O_APPEND;
        }
        if mode.create || mode.exclusive {
            flags |= libc::O_CREAT;
        }
        if mode.exclusive {
            flags |= libc::O_EXCL;
        }
        if mode.truncate {
            flags |= libc::O_TRUNC;
        }
        flags |= libc::O_BINARY | libc::O_NOINHERIT;
        let wide: Vec<u16> = path.encode_utf16().chain(std::iter::once(0)).collect();
        if wide[..wide.len() - 1].contains(&0) {
            // `_wopen` would stop at the NUL; CPython refuses such paths before the call.
            return Err(Errno(libc::EINVAL));
        }
        // SAFETY: `wide` is a NUL-terminated UTF-16 string that outlives the call; the
        // permission argument is the `int` the variadic call expects.
        let fd = unsafe { libc::wopen(wide.as_ptr(), flags, 0o666 as c_int) };
        if fd < 0 { Err(last()) } else { Ok(File(fd)) }
    }

    /// The descriptor number.
    pub fn fd(&self) -> i32 {
        self.0
    }

    /// `_read` of at most `len` bytes (capped at `INT_MAX`, as CPython's `_Py_read`).
    pub fn read(&self, len: usize) -> Result<Vec<u8>, Errno> {
        let len = len.min(i32::MAX as usize);
        let mut buf = vec![0u8; len];
        // SAFETY: `buf` has `len` writable bytes; `_read` writes at most that many and
        // keeps no pointer.
        let n = unsafe { libc::read(self.0, buf.as_mut_ptr().cast(), len as u32) };
        if n < 0 {
            return Err(last());
        }
        buf.truncate(n.unsigned_abs() as usize);
        Ok(buf)
    }

    /// `_write` (at most `INT_MAX` bytes at once): the number of bytes written.
    pub fn write(&self, data: &[u8]) -> Result<usize, Errno> {
        let len = data.len().min(i32::MAX as usize);
        // SAFETY: `data` is readable for `len` bytes; `_write` keeps no pointer.
        let n = unsafe { libc::write(self.0, data.as_ptr().cast(), len as u32) };
        if n < 0 {
            Err(last())
        } else {
            Ok(n.unsigned_abs() as usize)
        }
    }

    /// `_lseeki64`: the new offset. `whence` is `SEEK_SET` (0), `SEEK_CUR` (1) or
    /// `SEEK_END` (2), the same numbers in the C runtime.
    pub fn seek(&self, offset: i64, whence: i32) -> Result<i64, Errno> {
        // SAFETY: `_lseeki64` only changes the file offset of a descriptor this value
        // owns.
        let n = unsafe { libc::lseek64(self.0, offset, whence) };
        if n < 0 { Err(last()) } else { Ok(n) }
    }

    /// `_close`, reporting its error.
    pub fn close(self) -> Result<(), Errno> {
        let fd = self.0;
        std::mem::forget(self);
        // SAFETY: the only owner of `fd` gave it up above; it is closed here once.
        let rc = unsafe { libc::close(fd) };
        if rc < 0 { Err(last()) } else { Ok(()) }
    }
}

impl Drop for File {
    fn drop(&mut self) {
        // SAFETY: this value owns the descriptor and drops it exactly once.
        let _ = unsafe { libc::close(self.0) };
    }
}

/// `_fstat64(fd).st_size` of a C runtime descriptor (`os.fstat(fd).st_size`). Only
/// `socket.socket.sendfile`'s `os.sendfile` path asks for it, which Windows does not have
/// (`FEATURES.os_sendfile` is false): the `py` layer never calls this here.
pub fn fstat_size(fd: i32) -> Result<i64, Errno> {
    let mut st = std::mem::MaybeUninit::<libc::stat>::uninit();
    // SAFETY: `st` is a writable `struct _stat64`; `_fstat64` fills it and keeps no
    // pointer.
    let rc = unsafe { libc::fstat(fd, st.as_mut_ptr()) };
    if rc < 0 {
        return Err(last());
    }
    // SAFETY: `_fstat64` succeeded, so it initialised the whole structure.
    Ok(unsafe { st.assume_init() }.st_size)
}

/// Windows has no `sendfile` and CPython no `os.sendfile` there: `FEATURES.os_sendfile`
/// is false, so `socket.socket.sendfile` goes straight to `send()` and never calls this.
/// Reports `ENOSYS`.
pub fn sendfile(_out_fd: i32, _in_fd: i32, _offset: i64, _count: usize) -> Result<usize, Errno> {
    Err(Errno(libc::ENOSYS))
}

/// Windows threads cannot have working folders of their own: always an error
/// (`WSAEOPNOTSUPP`); the thread shares the process's folder.
pub fn private_cwd(_dir: &std::path::Path) -> Result<(), super::Errno> {
    Err(super::Errno(
        windows_sys::Win32::Networking::WinSock::WSAEOPNOTSUPP,
    ))
}
