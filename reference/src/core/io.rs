//! Python's io stack as far as `socket.makefile()` and `builtins.open()` need it, modelled
//! on CPython's C `_io` module (`Modules/_io/bufferedio.c`, `textio.c`, `fileio.c`) and
//! `socket.py`'s `SocketIO`:
//!
//! * raw streams: [`SocketIo`] (`socket.SocketIO`, over `recv` / `send`) and [`FileIo`]
//!   (`_io.FileIO`, over `read(2)` / `write(2)` / `lseek(2)`);
//! * [`Buffered`]: `_io.BufferedReader`, `_io.BufferedWriter` and `_io.BufferedRandom`,
//!   with CPython's read algorithms (a read is satisfied without further raw reads,
//!   whole blocks go straight to the caller, `None` from a non-blocking raw stream) and a
//!   write buffer that reaches the raw stream only on `flush()` or when full;
//! * [`Pair`]: `_io.BufferedRWPair`, a reader and a writer over one raw stream;
//! * [`Text`]: `_io.TextIOWrapper`, with an incremental decoder, the newline modes
//!   (universal with and without translation, or one given ending) and the pending
//!   output that `flush()` hands to the buffer.
//!
//! The socket's part of the close rule (`_io_refs`) is in `core::socket`; a
//! [`SocketIo`] gives its reference back when closed (or dropped, as CPython's
//! finaliser closes it).

use std::cell::RefCell;
use std::fmt;
use std::rc::Rc;

use super::codec::{self, Codec};
use super::error::ErrorArgs;
use super::socket::Socket;
use super::{Error, ExcType};
use crate::sys;

/// `io.DEFAULT_BUFFER_SIZE`.
pub const DEFAULT_BUFFER_SIZE: usize = 8192;

/// How much `TextIOWrapper` reads per chunk and holds as pending output
/// (`_CHUNK_SIZE`).
pub const CHUNK_SIZE: usize = 8192;

/// The locale encoding the reference assumes (`locale.getencoding()` in a UTF-8 locale).
pub const LOCALE_ENCODING: &str = "UTF-8";

/// A shared io object: what Python code holds (`Rc`, compared by identity).
#[derive(Clone)]
pub struct IoRef(pub Rc<RefCell<Io>>);

impl IoRef {
    /// Wraps a new object.
    pub fn new(io: Io) -> IoRef {
        IoRef(Rc::new(RefCell::new(io)))
    }

    /// The allocation's address, as `id()`.
    pub fn identity(&self) -> usize {
        Rc::as_ptr(&self.0).cast::<()>() as usize
    }
}

impl PartialEq for IoRef {
    fn eq(&self, other: &IoRef) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl fmt::Debug for IoRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<io object at {:#x}>", self.identity())
    }
}

/// One io object.
#[derive(Debug)]
pub enum Io {
    /// `socket.SocketIO`
    Socket(SocketIo),
    /// `_io.FileIO`
    File(FileIo),
    /// `_io.BufferedReader` / `BufferedWriter` / `BufferedRandom`
    Buffered(Buffered),
    /// `_io.BufferedRWPair`
    Pair(Pair),
    /// `_io.TextIOWrapper`
    Text(Text),
}

fn closed_file() -> Error {
    Error::value("I/O operation on closed file.")
}

fn would_block(e: &Error) -> bool {
    e.errno()
        .is_some_and(|n| i32::try_from(n).is_ok_and(|n| sys::Errno(n).would_block()))
}

// ---- raw streams ------------------------------------------------------------------------

/// `socket.SocketIO(sock, mode)`: the raw stream `makefile()` builds on.
#[derive(Debug)]
pub struct SocketIo {
    sock: Option<Rc<RefCell<Socket>>>,
    mode: &'static str,
    reading: bool,
    writing: bool,
    timeout_occurred: bool,
    closed: bool,
}

impl SocketIo {
    /// A raw stream over `sock` for reading and/or writing (mode `"rb"`, `"wb"` or
    /// `"rwb"`).
    pub fn new(sock: Rc<RefCell<Socket>>, reading: bool, writing: bool) -> SocketIo {
        let mode = match (reading, writing) {
            (true, true) => "rwb",
            (false, true) => "wb",
            _ => "rb",
        };
        SocketIo {
            sock: Some(sock),
            mode,
            reading,
            writing,
            timeout_occurred: false,
            closed: false,
        }
    }

    /// `SocketIO.mode`.
    pub fn mode(&self) -> &'static str {
        self.mode
    }

    /// `SocketIO.readinto(b)` for a buffer of `n` bytes: the data, or `None` when a
    /// non-blocking socket has none (`EAGAIN`). A timeout poisons the object: every
    /// later read raises `OSError("cannot read from timed out object")`.
    pub fn readinto(&mut self, n: usize) -> Result<Option<Vec<u8>>, Error> {
        if self.closed {
            return Err(closed_file());
        }
        if !self.reading {
            return Err(Error::unsupported("File or stream is not readable."));
        }
        if self.timeout_occurred {
            return Err(Error::os("cannot read from timed out object"));
        }
        let sock = self.sock.as_ref().ok_or_else(closed_file)?;
        let got = sock.borrow().recv(n, 0);
        match got {
            Ok(data) => Ok(Some(data)),
            Err(e) if e.ty == ExcType::TimeoutError => {
                self.timeout_occurred = true;
                Err(e)
            }
            Err(e) if would_block(&e) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// `SocketIO.write(b)`: `send()` once; `None` when it would block.
    pub fn write(&mut self, data: &[u8]) -> Result<Option<usize>, Error> {
        if self.closed {
            return Err(closed_file());
        }
        if !self.writing {
            return Err(Error::unsupported("File or stream is not writable."));
        }
        let sock = self.sock.as_ref().ok_or_else(closed_file)?;
        let sent = sock.borrow().send(data, 0);
        match sent {
            Ok(n) => Ok(Some(n)),
            Err(e) if would_block(&e) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// `SocketIO.fileno()`: the socket's descriptor.
    pub fn fileno(&self) -> Result<i32, Error> {
        match (&self.sock, self.closed) {
            (Some(sock), false) => Ok(sock.borrow().fileno()),
            _ => Err(closed_file()),
        }
    }

    fn check_open(&self) -> Result<(), Error> {
        if self.closed {
            Err(Error::value("I/O operation on closed socket."))
        } else {
            Ok(())
        }
    }

    /// `SocketIO.close()`: closed, and the socket's `_decref_socketios()`.
    pub fn close(&mut self) -> Result<(), Error> {
        if self.closed {
            return Ok(());
        }
        self.closed = true;
        match self.sock.take() {
            Some(sock) => sock.borrow_mut().decref_io(),
            None => Ok(()),
        }
    }
}

impl Drop for SocketIo {
    fn drop(&mut self) {
        let _ = self.close();
    }
}

/// `_io.FileIO(path, mode)`: a file opened by `builtins.open`.
#[derive(Debug)]
pub struct FileIo {
    file: Option<sys::File>,
    name: String,
    mode: &'static str,
    readable: bool,
    writable: bool,
}

impl FileIo {
    /// C `open(2)` as `FileIO.__init__` does it for the mode flags; for appending, the
    /// position is moved to the end at once (CPython does so for a consistent `tell()`).
    pub fn open(path: &str, mode: sys::OpenMode, created: bool) -> Result<FileIo, sys::Errno> {
        let file = sys::File::open(path, mode)?;
        if mode.append {
            file.seek(0, 2)?;
        }
        let readable = mode.read;
        let writable = mode.write || mode.append;
        let mode = match (created, mode.append, readable, writable) {
            (true, _, true, _) => "xb+",
            (true, _, false, _) => "xb",
            (false, true, true, _) => "ab+",
            (false, true, false, _) => "ab",
            (false, false, true, true) => "rb+",
            (false, false, true, false) => "rb",
            _ => "wb",
        };
        Ok(FileIo {
            file: Some(file),
            name: path.to_owned(),
            mode,
            readable,
            writable,
        })
    }

    /// `FileIO.name`: the path given.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// `FileIO.mode`.
    pub fn mode(&self) -> &'static str {
        self.mode
    }

    fn file(&self) -> Result<&sys::File, Error> {
        self.file
            .as_ref()
            .ok_or_else(|| Error::value("I/O operation on closed file"))
    }

    /// `FileIO.read(n)` (`readinto`): `read(2)`. File errors are the C `errno`'s
    /// (`PyErr_SetFromErrno`), not a socket's.
    pub fn readinto(&mut self, n: usize) -> Result<Option<Vec<u8>>, Error> {
        let file = self.file()?;
        if !self.readable {
            return Err(Error::unsupported("File not open for reading"));
        }
        match file.read(n) {
            Ok(data) => Ok(Some(data)),
            Err(e) if e.would_block() => Ok(None),
            Err(e) => Err(Error::from_errno(e.0)),
        }
    }

    /// `FileIO.write(b)`: `write(2)`.
    pub fn write(&mut self, data: &[u8]) -> Result<Option<usize>, Error> {
        let file = self.file()?;
        if !self.writable {
            return Err(Error::unsupported("File not open for writing"));
        }
        match file.write(data) {
            Ok(n) => Ok(Some(n)),
            Err(e) if e.would_block() => Ok(None),
            Err(e) => Err(Error::from_errno(e.0)),
        }
    }

    /// `FileIO.seek(pos, whence)`: `lseek(2)`.
    pub fn seek(&mut self, pos: i64, whence: i32) -> Result<i64, Error> {
        self.file()?
            .seek(pos, whence)
            .map_err(|e| Error::from_errno(e.0))
    }

    /// `FileIO.fileno()`.
    pub fn fileno(&self) -> Result<i32, Error> {
        Ok(self.file()?.fd())
    }

    /// `FileIO.close()`: `close(2)`.
    pub fn close(&mut self) -> Result<(), Error> {
        match self.file.take() {
            Some(f) => f.close().map_err(|e| Error::from_errno(e.0)),
            None => Ok(()),
        }
    }
}

/// Operations on a raw stream held as an [`IoRef`].
mod raw {
    use super::*;

    pub fn readinto(raw: &IoRef, n: usize) -> Result<Option<Vec<u8>>, Error> {
        match &mut *raw.0.borrow_mut() {
            Io::Socket(s) => s.readinto(n),
            Io::File(f) => f.readinto(n),
            _ => Err(Error::type_error("not a raw stream")),
        }
    }

    pub fn write(raw: &IoRef, data: &[u8]) -> Result<Option<usize>, Error> {
        match &mut *raw.0.borrow_mut() {
            Io::Socket(s) => s.write(data),
            Io::File(f) => f.write(data),
            _ => Err(Error::type_error("not a raw stream")),
        }
    }
}

// ---- common operations ------------------------------------------------------------------

impl Io {
    /// `f.closed`.
    pub fn closed(&self) -> bool {
        match self {
            Io::Socket(s) => s.closed,
            Io::File(f) => f.file.is_none(),
            Io::Buffered(b) => b.raw.0.borrow().closed(),
            Io::Pair(p) => p.writer.0.borrow().closed(),
            Io::Text(t) => t.buffer.0.borrow().closed(),
        }
    }

    /// `f.fileno()`.
    pub fn fileno(&self) -> Result<i32, Error> {
        match self {
            Io::Socket(s) => s.fileno(),
            Io::File(f) => f.fileno(),
            Io::Buffered(b) => b.raw.0.borrow().fileno(),
            Io::Pair(_) => Err(Error::unsupported("fileno")),
            Io::Text(t) => t.buffer.0.borrow().fileno(),
        }
    }

    /// `f.readable()`.
    pub fn readable(&self) -> Result<bool, Error> {
        match self {
            Io::Socket(s) => s.check_open().map(|()| s.reading),
            Io::File(f) => f.file().map(|_| f.readable),
            Io::Buffered(b) if b.kind == Kind::Writer => Ok(false),
            Io::Buffered(b) => b.raw.0.borrow().readable(),
            Io::Pair(p) => p.reader.0.borrow().readable(),
            Io::Text(t) => t.buffer.0.borrow().readable(),
        }
    }

    /// `f.writable()`.
    pub fn writable(&self) -> Result<bool, Error> {
        match self {
            Io::Socket(s) => s.check_open().map(|()| s.writing),
            Io::File(f) => f.file().map(|_| f.writable),
            Io::Buffered(b) if b.kind == Kind::Reader => Ok(false),
            Io::Buffered(b) => b.raw.0.borrow().writable(),
            Io::Pair(p) => p.writer.0.borrow().writable(),
            Io::Text(t) => t.buffer.0.borrow().writable(),
        }
    }

    /// `f.seekable()`.
    pub fn seekable(&self) -> Result<bool, Error> {
        match self {
            Io::Socket(s) => s.check_open().map(|()| false),
            Io::File(f) => f.file().map(|_| true),
            Io::Buffered(b) => b.raw.0.borrow().seekable(),
            Io::Pair(_) => Ok(false),
            Io::Text(t) => t.buffer.0.borrow().seekable(),
        }
    }

    /// `f.mode` of a raw or buffered binary stream (`None`: no such attribute).
    pub fn mode(&self) -> Option<String> {
        match self {
            Io::Socket(s) => Some(s.mode.to_owned()),
            Io::File(f) => Some(f.mode.to_owned()),
            Io::Buffered(b) => b.raw.0.borrow().mode(),
            Io::Pair(_) => None,
            Io::Text(t) => t.mode.clone(),
        }
    }

    /// `f.close()`.
    pub fn close(&mut self) -> Result<(), Error> {
        match self {
            Io::Socket(s) => s.close(),
            Io::File(f) => f.close(),
            Io::Buffered(b) => b.close(),
            Io::Pair(p) => {
                let w = p.writer.0.borrow_mut().close();
                let r = p.reader.0.borrow_mut().close();
                w.and(r)
            }
            Io::Text(t) => t.close(),
        }
    }

    /// `f.flush()`.
    pub fn flush(&mut self) -> Result<(), Error> {
        match self {
            Io::Socket(_) | Io::File(_) => {
                if self.closed() {
                    Err(closed_file())
                } else {
                    Ok(())
                }
            }
            Io::Buffered(b) => b.flush(),
            Io::Pair(p) => p.writer.0.borrow_mut().flush(),
            Io::Text(t) => t.flush(),
        }
    }

    /// `f.read1(n)` of a buffered stream.
    fn read1(&mut self, n: usize) -> Result<Vec<u8>, Error> {
        match self {
            Io::Buffered(b) => b.read1(n),
            Io::Pair(p) => p.reader.0.borrow_mut().read1(n),
            _ => Err(Error::unsupported("read1")),
        }
    }

    /// `f.read()` (to the end) of a buffered stream.
    fn read_all(&mut self) -> Result<Option<Vec<u8>>, Error> {
        match self {
            Io::Buffered(b) => b.read(None),
            Io::Pair(p) => p.reader.0.borrow_mut().read_all(),
            _ => Err(Error::unsupported("read")),
        }
    }

    /// `f.write(b)` of a buffered stream.
    fn write_bytes(&mut self, data: &[u8]) -> Result<usize, Error> {
        match self {
            Io::Buffered(b) => b.write(data),
            Io::Pair(p) => p.writer.0.borrow_mut().write_bytes(data),
            _ => Err(Error::unsupported("write")),
        }
    }
}

// ---- buffered streams ---------------------------------------------------------------------

/// Which buffered class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `_io.BufferedReader`
    Reader,
    /// `_io.BufferedWriter`
    Writer,
    /// `_io.BufferedRandom`
    Random,
}

/// A buffered binary stream over a raw one.
#[derive(Debug)]
pub struct Buffered {
    raw: IoRef,
    kind: Kind,
    size: usize,
    rbuf: Vec<u8>,
    rpos: usize,
    wbuf: Vec<u8>,
}

impl Buffered {
    /// `BufferedReader(raw, size)` and friends; a size of 0 or less raises
    /// `ValueError("buffer size must be strictly positive")`.
    pub fn new(raw: IoRef, kind: Kind, size: i64) -> Result<Buffered, Error> {
        let size = usize::try_from(size)
            .ok()
            .filter(|&s| s > 0)
            .ok_or_else(|| Error::value("buffer size must be strictly positive"))?;
        Ok(Buffered {
            raw,
            kind,
            size,
            rbuf: Vec::new(),
            rpos: 0,
            wbuf: Vec::new(),
        })
    }

    /// Which class it is.
    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// The raw stream (`f.raw`).
    pub fn raw(&self) -> &IoRef {
        &self.raw
    }

    fn readahead(&self) -> usize {
        self.rbuf.len() - self.rpos
    }

    fn raw_closed(&self) -> bool {
        self.raw.0.borrow().closed()
    }

    /// CPython's `CHECK_CLOSED`: closed and nothing buffered to read.
    fn check_closed(&self, message: &str) -> Result<(), Error> {
        if self.raw_closed() && self.readahead() == 0 {
            Err(Error::value(message))
        } else {
            Ok(())
        }
    }

    fn take(&mut self, n: usize) -> Vec<u8> {
        let n = n.min(self.readahead());
        let out = self.rbuf[self.rpos..self.rpos + n].to_vec();
        self.rpos += n;
        out
    }

    /// Before reading in a random-access stream: pending writes go out first.
    fn prepare_read(&mut self) -> Result<(), Error> {
        if self.kind == Kind::Random && !self.wbuf.is_empty() {
            self.flush_writes()?;
        }
        Ok(())
    }

    /// `_bufferedreader_fill_buffer` after a reset: one raw read of a buffer's worth.
    /// `Ok(None)`: it would block; `Ok(Some(0))`: end of file.
    fn fill(&mut self) -> Result<Option<usize>, Error> {
        self.rbuf.clear();
        self.rpos = 0;
        let got = raw::readinto(&self.raw, self.size)?;
        Ok(got.map(|data| {
            let n = data.len();
            self.rbuf = data;
            n
        }))
    }

    /// `read(n)` (`None` or `-1`: to the end): `BufferedReader.read`. `Ok(None)` when a
    /// non-blocking raw stream has nothing.
    pub fn read(&mut self, n: Option<i64>) -> Result<Option<Vec<u8>>, Error> {
        if self.kind == Kind::Writer {
            return Err(Error::unsupported("read"));
        }
        let n = match n {
            None | Some(-1) => None,
            Some(n) if n < -1 => {
                return Err(Error::value("read length must be non-negative or -1"));
            }
            Some(n) => Some(usize::try_from(n).unwrap_or(usize::MAX)),
        };
        self.check_closed("read of closed file")?;
        self.prepare_read()?;
        match n {
            None => self.read_all(),
            Some(n) => self.read_generic(n),
        }
    }

    fn read_all(&mut self) -> Result<Option<Vec<u8>>, Error> {
        let mut data = self.take(usize::MAX);
        self.rbuf.clear();
        self.rpos = 0;
        loop {
            match raw::readinto(&self.raw, DEFAULT_BUFFER_SIZE)? {
                None if data.is_empty() => return Ok(None),
                None => return Ok(Some(data)),
                Some(chunk) if chunk.is_empty() => return Ok(Some(data)),
                Some(chunk) => data.extend(chunk),
            }
        }
    }

    /// `_bufferedreader_read_generic`.
    fn read_generic(&mut self, n: usize) -> Result<Option<Vec<u8>>, Error> {
        if n <= self.readahead() {
            return Ok(Some(self.take(n)));
        }
        let mut out = self.take(n);
        self.rbuf.clear();
        self.rpos = 0;
        let done = |out: Vec<u8>| if out.is_empty() { None } else { Some(out) };
        // Whole blocks straight from the raw stream.
        loop {
            let remaining = n - out.len();
            let r = remaining - remaining % self.size;
            if r == 0 {
                break;
            }
            match raw::readinto(&self.raw, r)? {
                Some(chunk) if chunk.is_empty() => return Ok(Some(out)),
                None => return Ok(done(out)),
                Some(chunk) => out.extend(chunk),
            }
        }
        // The rest through the buffer, without reading once satisfied (issue #9550).
        while out.len() < n {
            match self.fill()? {
                Some(0) => return Ok(Some(out)),
                None => return Ok(done(out)),
                Some(_) => {
                    let want = n - out.len();
                    out.extend(self.take(want));
                }
            }
        }
        Ok(Some(out))
    }

    /// `read1(n)`: buffered bytes if any, else one raw read (`None` from the raw stream
    /// gives `b""`).
    pub fn read1(&mut self, n: usize) -> Result<Vec<u8>, Error> {
        if self.kind == Kind::Writer {
            return Err(Error::unsupported("read1"));
        }
        self.check_closed("read of closed file")?;
        if n == 0 {
            return Ok(Vec::new());
        }
        self.prepare_read()?;
        if self.readahead() > 0 {
            return Ok(self.take(n));
        }
        self.rbuf.clear();
        self.rpos = 0;
        Ok(raw::readinto(&self.raw, n)?.unwrap_or_default())
    }

    /// `readline(limit)` (`None`: no limit): `_buffered_readline`.
    pub fn readline(&mut self, limit: Option<usize>) -> Result<Vec<u8>, Error> {
        if self.kind == Kind::Writer {
            return Err(Error::unsupported("read"));
        }
        self.check_closed("readline of closed file")?;
        self.prepare_read()?;
        let mut line = Vec::new();
        loop {
            let avail = &self.rbuf[self.rpos..];
            let room = limit.map_or(avail.len(), |l| (l - line.len()).min(avail.len()));
            if let Some(i) = avail[..room].iter().position(|&b| b == b'\n') {
                line.extend(self.take(i + 1));
                return Ok(line);
            }
            line.extend(self.take(room));
            if limit == Some(line.len()) {
                return Ok(line);
            }
            match self.fill()? {
                Some(n) if n > 0 => {}
                _ => return Ok(line),
            }
        }
    }

    fn flush_writes(&mut self) -> Result<(), Error> {
        while !self.wbuf.is_empty() {
            match raw::write(&self.raw, &self.wbuf)? {
                Some(n) => {
                    self.wbuf.drain(..n.min(self.wbuf.len()));
                }
                None => {
                    return Err(Error {
                        ty: ExcType::BlockingIOError,
                        args: ErrorArgs::Errno(
                            i64::from(sys::Errno::EAGAIN.0),
                            "write could not complete without blocking".to_owned(),
                        ),
                    });
                }
            }
        }
        Ok(())
    }

    /// `write(b)`: buffered until the buffer would overflow, then the buffer and the
    /// whole blocks go to the raw stream.
    pub fn write(&mut self, data: &[u8]) -> Result<usize, Error> {
        if self.kind == Kind::Reader {
            return Err(Error::unsupported("write"));
        }
        if self.raw_closed() {
            return Err(Error::value("write to closed file"));
        }
        if self.kind == Kind::Random && self.readahead() > 0 {
            let back = i64::try_from(self.readahead()).unwrap_or(i64::MAX);
            self.rbuf.clear();
            self.rpos = 0;
            self.raw_seek(-back, 1)?;
        }
        if self.wbuf.len() + data.len() <= self.size {
            self.wbuf.extend_from_slice(data);
            return Ok(data.len());
        }
        self.flush_writes()?;
        let mut rest = data;
        while rest.len() > self.size {
            match raw::write(&self.raw, rest)? {
                Some(n) => rest = &rest[n.min(rest.len())..],
                None => break,
            }
        }
        self.wbuf.extend_from_slice(rest);
        Ok(data.len())
    }

    /// `flush()`: pending writes go to the raw stream.
    pub fn flush(&mut self) -> Result<(), Error> {
        if self.kind == Kind::Reader {
            return if self.raw_closed() {
                Err(closed_file())
            } else {
                Ok(())
            };
        }
        self.check_closed("flush of closed file")?;
        self.flush_writes()?;
        if self.kind == Kind::Random && self.readahead() > 0 {
            let back = i64::try_from(self.readahead()).unwrap_or(i64::MAX);
            self.rbuf.clear();
            self.rpos = 0;
            self.raw_seek(-back, 1)?;
        }
        Ok(())
    }

    /// `close()`: flush, then close the raw stream; a flush error is raised after that.
    pub fn close(&mut self) -> Result<(), Error> {
        if self.raw_closed() {
            return Ok(());
        }
        let flushed = if self.kind == Kind::Reader {
            Ok(())
        } else {
            self.flush_writes()
        };
        let closed = self.raw.0.borrow_mut().close();
        self.rbuf.clear();
        self.rpos = 0;
        self.wbuf.clear();
        closed.and(flushed)
    }

    fn raw_seek(&mut self, pos: i64, whence: i32) -> Result<i64, Error> {
        match &mut *self.raw.0.borrow_mut() {
            Io::File(f) => f.seek(pos, whence),
            _ => Err(Error::unsupported("seek")),
        }
    }

    fn check_seekable(&self) -> Result<(), Error> {
        if self.raw.0.borrow().seekable()? {
            Ok(())
        } else {
            Err(Error::unsupported("File or stream is not seekable."))
        }
    }

    /// `tell()`: the raw position less what is buffered to read, plus what is buffered
    /// to write.
    pub fn tell(&mut self) -> Result<i64, Error> {
        let raw = self.raw_seek(0, 1)?;
        let ahead = i64::try_from(self.readahead()).unwrap_or(0);
        let pending = i64::try_from(self.wbuf.len()).unwrap_or(0);
        Ok(raw - ahead + pending)
    }

    /// `seek(pos, whence)`: pending writes go out, the read buffer is dropped.
    pub fn seek(&mut self, pos: i64, whence: i32) -> Result<i64, Error> {
        if !(0..=2).contains(&whence) {
            return Err(Error::value(format!("whence value {whence} unsupported")));
        }
        self.check_closed("seek of closed file")?;
        self.check_seekable()?;
        self.flush_writes()?;
        let pos = if whence == 1 {
            pos - i64::try_from(self.readahead()).unwrap_or(0)
        } else {
            pos
        };
        self.rbuf.clear();
        self.rpos = 0;
        self.raw_seek(pos, whence)
    }
}

impl Drop for Buffered {
    fn drop(&mut self) {
        let _ = self.close();
    }
}

/// `_io.BufferedRWPair(reader_raw, writer_raw)`.
#[derive(Debug)]
pub struct Pair {
    reader: IoRef,
    writer: IoRef,
}

impl Pair {
    /// A reader and a writer of `size` bytes each over `raw`.
    pub fn new(raw: &IoRef, size: i64) -> Result<Pair, Error> {
        Ok(Pair {
            reader: IoRef::new(Io::Buffered(Buffered::new(
                raw.clone(),
                Kind::Reader,
                size,
            )?)),
            writer: IoRef::new(Io::Buffered(Buffered::new(
                raw.clone(),
                Kind::Writer,
                size,
            )?)),
        })
    }

    /// The reader half.
    pub fn reader(&self) -> &IoRef {
        &self.reader
    }

    /// The writer half.
    pub fn writer(&self) -> &IoRef {
        &self.writer
    }
}

impl Io {
    /// The buffered stream's `read(n)` (also a pair's).
    pub fn buffered_read(&mut self, n: Option<i64>) -> Result<Option<Vec<u8>>, Error> {
        match self {
            Io::Buffered(b) => b.read(n),
            Io::Pair(p) => match &mut *p.reader.0.borrow_mut() {
                Io::Buffered(b) => b.read(n),
                _ => Err(Error::unsupported("read")),
            },
            _ => Err(Error::unsupported("read")),
        }
    }

    /// The buffered stream's `readline(limit)` (also a pair's).
    pub fn buffered_readline(&mut self, limit: Option<usize>) -> Result<Vec<u8>, Error> {
        match self {
            Io::Buffered(b) => b.readline(limit),
            Io::Pair(p) => match &mut *p.reader.0.borrow_mut() {
                Io::Buffered(b) => b.readline(limit),
                _ => Err(Error::unsupported("read")),
            },
            _ => Err(Error::unsupported("read")),
        }
    }

    /// The buffered stream's `write(b)` (also a pair's).
    pub fn buffered_write(&mut self, data: &[u8]) -> Result<usize, Error> {
        self.write_bytes(data)
    }
}

// ---- text ---------------------------------------------------------------------------------

/// `_io.TextIOWrapper(buffer, encoding, errors, newline, line_buffering)`.
#[derive(Debug)]
pub struct Text {
    buffer: IoRef,
    encoding: String,
    codec: Codec,
    errors: String,
    readuniversal: bool,
    readtranslate: bool,
    readnl: Option<String>,
    writetranslate: bool,
    writenl: String,
    line_buffering: bool,
    reading: bool,
    writing: bool,
    decoded: Vec<char>,
    dpos: usize,
    pending_in: Vec<u8>,
    pendingcr: bool,
    pending_out: Vec<u8>,
    /// `text.mode`, set by `open()` and `makefile()` (no attribute otherwise).
    pub mode: Option<String>,
}

impl Text {
    /// `TextIOWrapper(buffer, encoding, errors, newline, line_buffering)`: the newline is
    /// checked first (`ValueError("illegal newline value: …")`), then the encoding is
    /// looked up (`LookupError("unknown encoding: …")`). `None` encoding: the locale's.
    pub fn new(
        buffer: IoRef,
        encoding: Option<&str>,
        errors: Option<&str>,
        newline: Option<&str>,
        line_buffering: bool,
    ) -> Result<Text, Error> {
        if let Some(nl) = newline {
            if !matches!(nl, "" | "\n" | "\r" | "\r\n") {
                return Err(Error::value(format!("illegal newline value: {nl}")));
            }
        }
        let encoding = match encoding {
            None | Some("locale") => LOCALE_ENCODING.to_owned(),
            Some(e) => e.to_owned(),
        };
        let codec = Codec::lookup(&encoding)?;
        let (reading, writing) = {
            let b = buffer.0.borrow();
            (b.readable()?, b.writable()?)
        };
        Ok(Text {
            buffer,
            encoding,
            codec,
            errors: errors.unwrap_or("strict").to_owned(),
            readuniversal: matches!(newline, None | Some("")),
            readtranslate: newline.is_none(),
            readnl: newline.map(str::to_owned),
            writetranslate: newline != Some(""),
            writenl: newline.filter(|n| !n.is_empty()).unwrap_or("\n").to_owned(),
            line_buffering,
            reading,
            writing,
            decoded: Vec::new(),
            dpos: 0,
            pending_in: Vec::new(),
            pendingcr: false,
            pending_out: Vec::new(),
            mode: None,
        })
    }

    /// `text.encoding`.
    pub fn encoding(&self) -> &str {
        &self.encoding
    }

    /// `text.errors`.
    pub fn errors(&self) -> &str {
        &self.errors
    }

    /// `text.line_buffering`.
    pub fn line_buffering(&self) -> bool {
        self.line_buffering
    }

    /// `text.buffer`.
    pub fn buffer(&self) -> &IoRef {
        &self.buffer
    }

    fn check_closed(&self) -> Result<(), Error> {
        if self.buffer.0.borrow().closed() {
            Err(closed_file())
        } else {
            Ok(())
        }
    }

    /// The incremental decoder with the newline decoder over it.
    fn decode(&mut self, input: &[u8], last: bool) -> Result<String, Error> {
        let mut bytes = self.pending_in.clone();
        bytes.extend_from_slice(input);
        let (text, used) = codec::decode(self.codec, &bytes, &self.errors, last)?;
        self.pending_in = bytes[used..].to_vec();
        if self.readuniversal {
            Ok(newline_decode(
                &text,
                &mut self.pendingcr,
                last,
                self.readtranslate,
            ))
        } else {
            Ok(text)
        }
    }

    /// One `buffer.read1(8192)` decoded into the decoded characters; `false` at end of
    /// file.
    fn read_chunk(&mut self) -> Result<bool, Error> {
        let input = self.buffer.0.borrow_mut().read1(CHUNK_SIZE)?;
        let eof = input.is_empty();
        let text = self.decode(&input, eof)?;
        self.decoded = text.chars().collect();
        self.dpos = 0;
        Ok(!eof)
    }

    fn take_decoded(&mut self) -> Vec<char> {
        let out = self.decoded[self.dpos..].to_vec();
        self.decoded.clear();
        self.dpos = 0;
        out
    }

    fn check_readable(&mut self) -> Result<(), Error> {
        self.check_closed()?;
        if !self.reading {
            return Err(Error::unsupported("not readable"));
        }
        self.write_pending()
    }

    /// Where the first line of `line` ends (just past its ending).
    fn line_end(&self, line: &[char]) -> Option<usize> {
        if self.readtranslate {
            return line.iter().position(|&c| c == '\n').map(|i| i + 1);
        }
        if self.readuniversal {
            let i = line.iter().position(|&c| c == '\n' || c == '\r')?;
            return Some(if line[i] == '\r' && line.get(i + 1) == Some(&'\n') {
                i + 2
            } else {
                i + 1
            });
        }
        let nl: Vec<char> = self.readnl.as_deref().unwrap_or("\n").chars().collect();
        line.windows(nl.len())
            .position(|w| w == nl.as_slice())
            .map(|i| i + nl.len())
    }

    /// `readline(size=-1)`.
    pub fn readline(&mut self, limit: Option<usize>) -> Result<String, Error> {
        self.check_readable()?;
        let mut line = self.take_decoded();
        let mut eof = false;
        loop {
            let cut = match (self.line_end(&line), limit) {
                (Some(end), Some(l)) => Some(end.min(l)),
                (Some(end), None) => Some(end),
                (None, Some(l)) if line.len() >= l => Some(l),
                _ => None,
            };
            if let Some(cut) = cut {
                self.decoded = line.split_off(cut);
                self.dpos = 0;
                break;
            }
            if eof {
                break;
            }
            eof = !self.read_chunk()?;
            line.extend(self.take_decoded());
        }
        Ok(line.into_iter().collect())
    }

    /// `read(size=-1)`.
    pub fn read(&mut self, n: Option<usize>) -> Result<String, Error> {
        self.check_readable()?;
        match n {
            None => {
                let input = self.buffer.0.borrow_mut().read_all()?;
                let input = input.ok_or_else(|| {
                    Error::type_error(
                        "underlying read() should have returned a bytes object, not 'NoneType'",
                    )
                })?;
                let text = self.decode(&input, true)?;
                let mut out: String = self.take_decoded().into_iter().collect();
                out.push_str(&text);
                Ok(out)
            }
            Some(n) => {
                let mut out = self.take_decoded();
                while out.len() < n {
                    let more = self.read_chunk()?;
                    out.extend(self.take_decoded());
                    if !more {
                        break;
                    }
                }
                if out.len() > n {
                    self.decoded = out.split_off(n);
                    self.dpos = 0;
                }
                Ok(out.into_iter().collect())
            }
        }
    }

    fn write_pending(&mut self) -> Result<(), Error> {
        if self.pending_out.is_empty() {
            return Ok(());
        }
        let data = std::mem::take(&mut self.pending_out);
        self.buffer.0.borrow_mut().write_bytes(&data)?;
        Ok(())
    }

    /// `write(s)`: the number of characters (of `s` as given). The text is translated
    /// and encoded at once (so encoding errors are raised here), held as pending output
    /// and handed to the buffer when it exceeds the chunk size or on `flush()`.
    pub fn write(&mut self, s: &str) -> Result<usize, Error> {
        self.check_closed()?;
        if !self.writing {
            return Err(Error::unsupported("not writable"));
        }
        let haslf = s.contains('\n');
        let needflush = self.line_buffering && (haslf || s.contains('\r'));
        let text = if self.writetranslate && self.writenl != "\n" && haslf {
            s.replace('\n', &self.writenl)
        } else {
            s.to_owned()
        };
        let bytes = codec::encode(self.codec, &text, &self.errors)?;
        self.pending_out.extend(bytes);
        if self.pending_out.len() > CHUNK_SIZE || needflush {
            self.write_pending()?;
        }
        if needflush {
            self.buffer.0.borrow_mut().flush()?;
        }
        self.decoded.clear();
        self.dpos = 0;
        self.pending_in.clear();
        self.pendingcr = false;
        Ok(s.chars().count())
    }

    /// `flush()`.
    pub fn flush(&mut self) -> Result<(), Error> {
        self.check_closed()?;
        self.write_pending()?;
        self.buffer.0.borrow_mut().flush()
    }

    /// `close()`: flush, then close the buffer; a flush error is raised after that.
    pub fn close(&mut self) -> Result<(), Error> {
        if self.buffer.0.borrow().closed() {
            return Ok(());
        }
        let flushed = self.flush();
        let closed = self.buffer.0.borrow_mut().close();
        closed.and(flushed)
    }
}

impl Drop for Text {
    fn drop(&mut self) {
        let _ = self.close();
    }
}

/// `IncrementalNewlineDecoder.decode` on already decoded text: a `\r` at the end is held
/// back (unless `last`) in case a `\n` follows; with `translate`, `\r\n` and `\r` become
/// `\n`.
pub fn newline_decode(text: &str, pendingcr: &mut bool, last: bool, translate: bool) -> String {
    let mut out = String::with_capacity(text.len() + 1);
    if *pendingcr && (!text.is_empty() || last) {
        out.push('\r');
        *pendingcr = false;
    }
    out.push_str(text);
    if out.ends_with('\r') && !last {
        out.pop();
        *pendingcr = true;
    }
    if translate {
        out = out.replace("\r\n", "\n").replace('\r', "\n");
    }
    out
}

#[cfg(test)]
mod tests;

/// Gives the calling thread a working folder of its own (see `sys::private_cwd`): a case
/// running on it then resolves relative paths in `dir`. The error says why it cannot here.
pub fn private_cwd(dir: &std::path::Path) -> Result<(), String> {
    sys::private_cwd(dir).map_err(|e| {
        format!(
            "cannot give this thread a working folder of its own: {}",
            Error::from(e)
        )
    })
}
