//! Regular files and `sendfile(2)`: `open(2)` (through `std::fs::OpenOptions`, which adds
//! `O_CLOEXEC`), `read(2)`, `write(2)`, `lseek(2)`, `fstat(2)` and `close(2)`, as the thin
//! calls behind Python's `_io.FileIO` (`builtins.open`), and `sendfile(2)` behind
//! `os.sendfile`, which `socket.socket.sendfile` uses.
//!
//! As for sockets, nothing here retries or interprets an error except `EINTR` where the
//! Python wrappers retry it (PEP 475): the layers above see the C call's `errno`.

use crate::sys::OpenMode;
use std::fs::OpenOptions;
use std::io;
use std::os::fd::{AsRawFd, IntoRawFd};
use std::os::unix::fs::OpenOptionsExt;

use super::socket::Errno;

/// An open regular file (or any descriptor `open(2)` gave), closed on drop.
#[derive(Debug)]
pub struct File(std::fs::File);

fn errno_of(e: &io::Error) -> Errno {
    Errno(e.raw_os_error().unwrap_or(libc::EIO))
}

impl File {
    /// C `open(path, flags, 0666)` with `O_CLOEXEC`, retried on `EINTR`.
    pub fn open(path: &str, mode: OpenMode) -> Result<File, Errno> {
        let mut options = OpenOptions::new();
        options
            .read(mode.read)
            .write(mode.write && !mode.append)
            .append(mode.append)
            .truncate(mode.truncate)
            .mode(0o666);
        if mode.exclusive {
            options.create_new(true);
        } else {
            options.create(mode.create);
        }
        loop {
            match options.open(path) {
                Ok(f) => return Ok(File(f)),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(errno_of(&e)),
            }
        }
    }

    /// The descriptor number.
    pub fn fd(&self) -> i32 {
        self.0.as_raw_fd()
    }

    /// C `read(2)` of at most `len` bytes, retried on `EINTR`.
    pub fn read(&self, len: usize) -> Result<Vec<u8>, Errno> {
        let mut buf = vec![0u8; len];
        loop {
            // SAFETY: `buf` has `len` writable bytes; `read` writes at most that many and
            // keeps no pointer.
            let n = unsafe { libc::read(self.fd(), buf.as_mut_ptr().cast(), len) };
            if n >= 0 {
                buf.truncate(n.unsigned_abs());
                return Ok(buf);
            }
            let e = Errno::from(io::Error::last_os_error());
            if e != Errno::EINTR {
                return Err(e);
            }
        }
    }

    /// C `write(2)`, retried on `EINTR`: the number of bytes written.
    pub fn write(&self, data: &[u8]) -> Result<usize, Errno> {
        loop {
            // SAFETY: `data` is readable for its length; `write` keeps no pointer.
            let n = unsafe { libc::write(self.fd(), data.as_ptr().cast(), data.len()) };
            if n >= 0 {
                return Ok(n.unsigned_abs());
            }
            let e = Errno::from(io::Error::last_os_error());
            if e != Errno::EINTR {
                return Err(e);
            }
        }
    }

    /// C `lseek(2)`: the new offset. `whence` is `SEEK_SET` (0), `SEEK_CUR` (1) or
    /// `SEEK_END` (2).
    pub fn seek(&self, offset: i64, whence: i32) -> Result<i64, Errno> {
        let whence = match whence {
            0 => libc::SEEK_SET,
            1 => libc::SEEK_CUR,
            2 => libc::SEEK_END,
            other => other,
        };
        // SAFETY: `lseek` only changes the file offset of a descriptor this value owns.
        let n = unsafe { libc::lseek(self.fd(), offset as libc::off_t, whence) };
        if n < 0 {
            Err(Errno::from(io::Error::last_os_error()))
        } else {
            #[allow(clippy::useless_conversion)] // `off_t` is narrower on some targets
            Ok(i64::from(n))
        }
    }

    /// C `close(2)`, reporting its error.
    pub fn close(self) -> Result<(), Errno> {
        let fd = self.0.into_raw_fd();
        // SAFETY: `into_raw_fd` handed over the only owner of `fd`, closed here once.
        let rc = unsafe { libc::close(fd) };
        if rc < 0 {
            Err(Errno::from(io::Error::last_os_error()))
        } else {
            Ok(())
        }
    }
}

/// C `fstat(2)`'s `st_size` of an open descriptor (a socket's is 0), as `os.fstat(fd)
/// .st_size` gives it.
pub fn fstat_size(fd: i32) -> Result<i64, Errno> {
    let mut st = std::mem::MaybeUninit::<libc::stat>::uninit();
    // SAFETY: `st` is a writable `struct stat`; `fstat` fills it and keeps no pointer.
    let rc = unsafe { libc::fstat(fd, st.as_mut_ptr()) };
    if rc < 0 {
        return Err(Errno::from(io::Error::last_os_error()));
    }
    // SAFETY: `fstat` succeeded, so it initialised the whole structure.
    let st = unsafe { st.assume_init() };
    #[allow(clippy::useless_conversion)] // `off_t` is narrower on some targets
    Ok(i64::from(st.st_size))
}

/// C `sendfile(out_fd, in_fd, &offset, count)` (Linux) as `os.sendfile(out, in, offset,
/// count)` calls it: the number of bytes sent, `0` at end of file; `EINTR` is retried.
/// The descriptors are numbers the caller knows to be open (or `-1`, which fails with
/// `EBADF`).
#[cfg(any(target_os = "linux", target_os = "android"))]
pub fn sendfile(out_fd: i32, in_fd: i32, offset: i64, count: usize) -> Result<usize, Errno> {
    loop {
        let mut off = offset as libc::off_t;
        // SAFETY: `off` is a valid, writable `off_t` for the duration of the call; the
        // descriptors are plain numbers (a closed one gives `EBADF`).
        let n = unsafe { libc::sendfile(out_fd, in_fd, &mut off, count) };
        if n >= 0 {
            return Ok(n.unsigned_abs());
        }
        let e = Errno::from(io::Error::last_os_error());
        if e != Errno::EINTR {
            return Err(e);
        }
    }
}

/// `sendfile(2)` where the reference has no binding for this OS's signature: `ENOSYS`,
/// so `socket.sendfile` falls back to `send()` as CPython does where `os.sendfile` fails.
#[cfg(not(any(target_os = "linux", target_os = "android")))]
pub fn sendfile(_out_fd: i32, _in_fd: i32, _offset: i64, _count: usize) -> Result<usize, Errno> {
    Err(Errno(libc::ENOSYS))
}

/// Gives the calling thread a working folder of its own, `dir` (Linux: `unshare(CLONE_FS)`,
/// which stops sharing the folder with the process's other threads, then `chdir`), so that
/// the relative paths of one case resolve in that case's folder while other cases run on
/// other threads. Elsewhere: `ENOSYS` (the thread shares the process's folder).
pub fn private_cwd(dir: &std::path::Path) -> Result<(), Errno> {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        use std::os::unix::ffi::OsStrExt;
        let path =
            std::ffi::CString::new(dir.as_os_str().as_bytes()).map_err(|_| Errno(libc::EINVAL))?;
        // SAFETY: unshare takes a flag word; chdir reads the NUL-terminated path, which
        // outlives the call.
        let rc = unsafe {
            if libc::unshare(libc::CLONE_FS) != 0 {
                -1
            } else {
                libc::chdir(path.as_ptr())
            }
        };
        if rc != 0 {
            return Err(Errno::last());
        }
        Ok(())
    }
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    {
        let _ = dir;
        Err(Errno(libc::ENOSYS))
    }
}
