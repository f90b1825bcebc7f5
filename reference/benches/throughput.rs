//! Bulk-transfer throughput of the reference's socket against a plain C-library loop and
//! CPython, all measured in the same run.
//!
//! One writer thread sends 64 KiB chunks until a round's total is sent; the reader
//! receives into a 64 KiB buffer until it has it all. Three implementations do it, over
//! a connected `AF_UNIX` stream pair and over loopback TCP (`127.0.0.1`):
//!
//! - the reference: `core::socket::Socket`, blocking, `send_all` / `recv_into`;
//! - the baseline: the same loop over `socket2` (a thin wrapper of the C library's
//!   `send` / `recv`), with no other logic;
//! - CPython: `sendall` / `recv_into` in `python3` (or `$SOCKCONF_BENCH_PYTHON`), timed
//!   inside the interpreter, so that its start-up does not count.
//!
//! The three alternate within each round; each figure is the fastest of the rounds, in
//! MiB/s (on a shared machine the slower rounds measure whatever else ran). The goals
//! printed are measurements, not assertions; a transfer that delivers the wrong bytes
//! panics. Run with
//! `cargo bench -p sockconf-reference --bench throughput`.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use reference::core::address::SockAddr;
use reference::core::constants;
use reference::core::socket::Socket;

/// The size of each `send` and of the receive buffer.
const CHUNK: usize = 64 * 1024;
/// Bytes moved per round (a multiple of [`CHUNK`]).
const TOTAL: usize = 512 * 1024 * 1024;
/// Measured rounds; a warm-up round before them is not counted.
const ROUNDS: usize = 9;
/// How long the Python child may take for one round before it is killed.
const CHILD_LIMIT: Duration = Duration::from_secs(120);
/// The reference should reach this fraction of the C loop's throughput.
const GOAL_VS_C: f64 = 0.90;
/// ... and at least this multiple of CPython's.
const GOAL_VS_CPYTHON: f64 = 1.0;

const MIB: f64 = 1024.0 * 1024.0;

/// The writer / reader pair done by CPython. Arguments: transport, total, chunk size.
/// Prints `result VERSION BYTES SECONDS`, or `skip REASON` when the transport is missing.
const PYTHON_SCRIPT: &str = r#"
import socket, sys, threading, time

def main():
    transport, total, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    chunk = bytes(i % 251 for i in range(size))
    try:
        if transport == "socketpair":
            if not hasattr(socket, "AF_UNIX"):
                return "skip no socket.AF_UNIX"
            w, r = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        else:
            srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            srv.bind(("127.0.0.1", 0))
            srv.listen(1)
            w = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            w.connect(srv.getsockname())
            r, _ = srv.accept()
            srv.close()
    except (OSError, ValueError) as e:
        return "skip %s: %s" % (transport, e)
    barrier = threading.Barrier(2)

    def writer():
        barrier.wait()
        for _ in range(total // size):
            w.sendall(chunk)

    t = threading.Thread(target=writer)
    t.start()
    buf = bytearray(size)
    view = memoryview(buf)
    got = first_n = last_off = last_n = 0
    barrier.wait()
    start = time.perf_counter()
    while got < total:
        n = r.recv_into(view)
        if n == 0:
            break
        if got == 0:
            first_n = n
            first = bytes(view[:n])
        last_off, last_n = got, n
        got += n
    elapsed = time.perf_counter() - start
    t.join()
    w.close()
    r.close()
    twice = chunk + chunk
    if got and first != twice[:first_n]:
        return "bad first receive differs from what was sent"
    o = last_off % size
    if got and bytes(view[:last_n]) != twice[o:o + last_n]:
        return "bad last receive differs from what was sent"
    v = sys.version_info
    return "result %d.%d.%d %d %.9f" % (v[0], v[1], v[2], got, elapsed)

print(main(), flush=True)
"#;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Transport {
    /// A connected pair of `AF_UNIX` stream sockets.
    UnixPair,
    /// A TCP connection over `127.0.0.1`.
    Tcp,
}

impl Transport {
    fn title(self) -> &'static str {
        match self {
            Transport::UnixPair => "socketpair (AF_UNIX SOCK_STREAM)",
            Transport::Tcp => "loopback TCP (127.0.0.1)",
        }
    }

    fn python_name(self) -> &'static str {
        match self {
            Transport::UnixPair => "socketpair",
            Transport::Tcp => "tcp",
        }
    }
}

/// The bytes every chunk carries (period 251, so that a shifted stream shows).
fn chunk() -> Vec<u8> {
    (0..CHUNK).map(|i| (i % 251) as u8).collect()
}

/// The byte at `offset` in the stream of repeated chunks.
fn expected(offset: usize) -> u8 {
    ((offset % CHUNK) % 251) as u8
}

/// What the reader checks: every byte counted, and the first and last receive hold
/// the bytes expected at their place in the stream (a cheap check of the data).
struct Tally {
    got: usize,
    first: Vec<u8>,
    last_off: usize,
}

impl Tally {
    fn new() -> Tally {
        Tally {
            got: 0,
            first: Vec::new(),
            last_off: 0,
        }
    }

    #[inline]
    fn add(&mut self, buf: &[u8], n: usize) {
        if self.got == 0 {
            self.first = buf[..n].to_vec();
        }
        self.last_off = self.got;
        self.got += n;
    }

    /// Panics unless the transfer was complete and the sampled bytes are right.
    fn check(&self, who: &str, last: &[u8]) {
        assert_eq!(
            self.got, TOTAL,
            "{who}: received {} of {TOTAL} bytes",
            self.got
        );
        let first_ok = self
            .first
            .iter()
            .enumerate()
            .all(|(i, &b)| b == expected(i));
        assert!(
            first_ok,
            "{who}: the first receive differs from what was sent"
        );
        let last_ok = last
            .iter()
            .enumerate()
            .all(|(i, &b)| b == expected(self.last_off + i));
        assert!(
            last_ok,
            "{who}: the last receive differs from what was sent"
        );
    }
}

fn constant(name: &str) -> Result<i32, String> {
    constants::value(name)
        .and_then(|v| i32::try_from(v).ok())
        .ok_or_else(|| format!("no {name} on this platform"))
}

/// A socket of the reference that the writer thread gets: core sockets are not `Send`,
/// so the writer's end travels as its descriptor (detached) or is made on the thread.
enum WriterEnd {
    /// An end of a pair: adopt the descriptor (family, type, protocol).
    Fd(i32, i32, i32),
    /// Connect a new TCP socket to this port of `127.0.0.1`.
    Connect(u16),
}

/// One round on the reference: the transfer's duration.
fn round_reference(transport: Transport) -> Result<Duration, String> {
    let af_inet = constant("AF_INET")?;
    let stream = constant("SOCK_STREAM")?;
    let (reader, end, listener) = match transport {
        Transport::UnixPair => {
            let af_unix = constant("AF_UNIX")?;
            let (r, mut w) =
                Socket::pair(af_unix, stream, 0, None).map_err(|e| format!("socketpair: {e}"))?;
            (Some(r), WriterEnd::Fd(w.detach(), af_unix, stream), None)
        }
        Transport::Tcp => {
            let l = Socket::open(af_inet, stream, 0, None).map_err(|e| format!("socket: {e}"))?;
            l.bind(&SockAddr::Inet(Ipv4Addr::LOCALHOST, 0))
                .map_err(|e| format!("bind: {e}"))?;
            l.listen(1).map_err(|e| format!("listen: {e}"))?;
            let port = match l.local_addr().map_err(|e| format!("getsockname: {e}"))? {
                Some(SockAddr::Inet(_, port)) => port,
                other => return Err(format!("getsockname gave {other:?}")),
            };
            (None, WriterEnd::Connect(port), Some(l))
        }
    };
    let barrier = Arc::new(Barrier::new(2));
    let writer = {
        let barrier = Arc::clone(&barrier);
        thread::spawn(move || {
            let sock = match end {
                WriterEnd::Fd(fd, family, ty) => {
                    Socket::from_fd(fd, Some(family), Some(ty), Some(0), None)
                        .expect("the reference adopts the writer's end")
                }
                WriterEnd::Connect(port) => {
                    let s = Socket::open(af_inet, stream, 0, None).expect("socket");
                    s.connect(&SockAddr::Inet(Ipv4Addr::LOCALHOST, port))
                        .expect("connect to the loopback listener");
                    s
                }
            };
            let data = chunk();
            barrier.wait();
            for _ in 0..TOTAL / CHUNK {
                sock.send_all(&data, 0).expect("reference send_all");
            }
        })
    };
    let reader = match (reader, listener) {
        (Some(r), _) => r,
        (None, Some(l)) => l.accept(None).expect("accept").0,
        (None, None) => unreachable!("a reader or a listener is made above"),
    };
    let mut buf = vec![0u8; CHUNK];
    let mut tally = Tally::new();
    let mut last = 0;
    barrier.wait();
    let start = Instant::now();
    while tally.got < TOTAL {
        let n = reader.recv_into(&mut buf, 0).expect("reference recv_into");
        if n == 0 {
            break;
        }
        tally.add(&buf, n);
        last = n;
    }
    let elapsed = start.elapsed();
    writer.join().expect("the reference writer finishes");
    tally.check("reference", &buf[..last]);
    Ok(elapsed)
}

/// A connected pair of `AF_UNIX` stream sockets made with `socket2`: `bind` / `listen`
/// / `connect` / `accept` on a path in the temporary directory, which every platform
/// with `AF_UNIX` supports (`socket2::Socket::pair` is Unix-only). Linux moves the
/// data of such a pair exactly as it moves a `socketpair(2)`'s.
fn socket2_unix_pair() -> std::io::Result<(socket2::Socket, socket2::Socket)> {
    use socket2::{Domain, SockAddr as Addr, Type};
    let path: PathBuf =
        std::env::temp_dir().join(format!("sockconf-throughput-{}.sock", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let addr = Addr::unix(&path)?;
    let listener = socket2::Socket::new(Domain::UNIX, Type::STREAM, None)?;
    let made = (|| {
        listener.bind(&addr)?;
        listener.listen(1)?;
        let w = socket2::Socket::new(Domain::UNIX, Type::STREAM, None)?;
        w.connect(&addr)?;
        let (r, _) = listener.accept()?;
        Ok((w, r))
    })();
    drop(listener);
    let _ = std::fs::remove_file(&path);
    made
}

fn socket2_tcp_pair() -> std::io::Result<(socket2::Socket, socket2::Socket)> {
    use socket2::{Domain, Type};
    let listener = socket2::Socket::new(Domain::IPV4, Type::STREAM, None)?;
    listener.bind(&SocketAddr::from((Ipv4Addr::LOCALHOST, 0)).into())?;
    listener.listen(1)?;
    let addr = listener.local_addr()?;
    let w = socket2::Socket::new(Domain::IPV4, Type::STREAM, None)?;
    w.connect(&addr)?;
    let (r, _) = listener.accept()?;
    Ok((w, r))
}

/// One round of the plain loop over `socket2`: the transfer's duration.
fn round_c(transport: Transport) -> Result<Duration, String> {
    let (w, r) = match transport {
        Transport::UnixPair => socket2_unix_pair().map_err(|e| format!("AF_UNIX pair: {e}"))?,
        Transport::Tcp => socket2_tcp_pair().map_err(|e| format!("TCP pair: {e}"))?,
    };
    let barrier = Arc::new(Barrier::new(2));
    let writer = {
        let barrier = Arc::clone(&barrier);
        thread::spawn(move || {
            let data = chunk();
            barrier.wait();
            for _ in 0..TOTAL / CHUNK {
                let mut rest = &data[..];
                while !rest.is_empty() {
                    let n = w.send(rest).expect("send");
                    rest = &rest[n..];
                }
            }
        })
    };
    let mut buf = vec![0u8; CHUNK];
    let mut tally = Tally::new();
    let mut last = 0;
    let mut reader = &r;
    barrier.wait();
    let start = Instant::now();
    while tally.got < TOTAL {
        let n = reader.read(&mut buf).expect("recv");
        if n == 0 {
            break;
        }
        tally.add(&buf, n);
        last = n;
    }
    let elapsed = start.elapsed();
    writer.join().expect("the C-loop writer finishes");
    tally.check("C library loop", &buf[..last]);
    Ok(elapsed)
}

/// The interpreter to run: `$SOCKCONF_BENCH_PYTHON`, else `python3`.
fn python() -> String {
    std::env::var("SOCKCONF_BENCH_PYTHON").unwrap_or_else(|_| "python3".to_owned())
}

/// Runs the script for one round, killing the child after [`CHILD_LIMIT`]: the
/// interpreter's version and the transfer's duration as it timed it.
fn round_cpython(transport: Transport) -> Result<(String, Duration), String> {
    let exe = python();
    let mut child = Command::new(&exe)
        .arg("-c")
        .arg(PYTHON_SCRIPT)
        .arg(transport.python_name())
        .arg(TOTAL.to_string())
        .arg(CHUNK.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {exe}: {e}"))?;
    // Drain both pipes on threads, so that a chatty child cannot block on a full pipe.
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        thread::spawn(move || {
            let mut text = String::new();
            if let Some(mut p) = pipe {
                let _ = p.read_to_string(&mut text);
            }
            text
        })
    };
    let out = drain(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let err = drain(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let deadline = Instant::now() + CHILD_LIMIT;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Ok(status),
            Ok(None) if Instant::now() < deadline => thread::sleep(Duration::from_millis(5)),
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                break Err(format!(
                    "{exe} took over {}s: killed",
                    CHILD_LIMIT.as_secs()
                ));
            }
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                break Err(format!("waiting for {exe}: {e}"));
            }
        }
    };
    let out = out.join().unwrap_or_default();
    let err = err.join().unwrap_or_default();
    let status = status?;
    let line = out.lines().last().unwrap_or("").trim();
    let words: Vec<&str> = line.split_whitespace().collect();
    match words.as_slice() {
        ["result", version, bytes, seconds] => {
            let bytes: usize = bytes.parse().map_err(|_| format!("bad output {line:?}"))?;
            let seconds: f64 = seconds
                .parse()
                .map_err(|_| format!("bad output {line:?}"))?;
            assert_eq!(bytes, TOTAL, "CPython: received {bytes} of {TOTAL} bytes");
            Ok(((*version).to_owned(), Duration::from_secs_f64(seconds)))
        }
        ["bad", ..] => panic!("CPython: {}", &line[4..]),
        ["skip", ..] => Err(line[5..].to_owned()),
        _ => {
            let why = err.lines().last().unwrap_or("no output").trim().to_owned();
            Err(format!("{exe} failed ({status}): {why}"))
        }
    }
}

/// The throughput of one transfer of [`TOTAL`] bytes.
fn mib_per_s(elapsed: Duration) -> f64 {
    TOTAL as f64 / MIB / elapsed.as_secs_f64().max(1e-9)
}

/// The samples of one implementation, or why it was not measured.
struct Series {
    samples: Vec<f64>,
    skipped: Option<String>,
}

impl Series {
    fn new() -> Series {
        Series {
            samples: Vec::new(),
            skipped: None,
        }
    }

    /// Runs one round unless an earlier one found the implementation unavailable;
    /// `keep` says whether the sample counts (not during the warm-up).
    fn run(&mut self, keep: bool, round: impl FnOnce() -> Result<Duration, String>) {
        if self.skipped.is_some() {
            return;
        }
        match round() {
            Ok(elapsed) if keep => self.samples.push(mib_per_s(elapsed)),
            Ok(_) => {}
            Err(why) => self.skipped = Some(why),
        }
    }

    /// The fastest round: on a shared machine the slower ones measure what else ran (two
    /// threads on one core, another process), not the loop.
    fn best(&self) -> Option<f64> {
        match self.skipped {
            Some(_) => None,
            None => self.samples.iter().copied().reduce(f64::max),
        }
    }

    fn why(&self) -> &str {
        self.skipped.as_deref().unwrap_or("no sample")
    }
}

fn verdict(met: bool) -> &'static str {
    if met { "ok" } else { "MISSED" }
}

fn measure(transport: Transport) {
    let mut c = Series::new();
    let mut reference = Series::new();
    let mut cpython = Series::new();
    let mut version = String::new();
    // Round 0 warms up; in each round the three take turns at going first.
    for round in 0..=ROUNDS {
        let keep = round > 0;
        for k in 0..3 {
            match (round + k) % 3 {
                0 => reference.run(keep, || round_reference(transport)),
                1 => c.run(keep, || round_c(transport)),
                _ => cpython.run(keep, || {
                    round_cpython(transport).map(|(v, elapsed)| {
                        version = v;
                        elapsed
                    })
                }),
            }
        }
    }

    println!(
        "{}, {} KiB chunks, {} MiB per round, best of {ROUNDS} rounds",
        transport.title(),
        CHUNK / 1024,
        TOTAL / (1024 * 1024)
    );
    let c_best = c.best();
    match c_best {
        Some(m) => println!("  {:<18} {m:>6.0} MiB/s   1.00", "C library loop"),
        None => println!("  {:<18} not measured ({})", "C library loop", c.why()),
    }
    let ref_best = reference.best();
    match (ref_best, c_best) {
        (Some(r), Some(cm)) => {
            let ratio = r / cm;
            println!(
                "  {:<18} {r:>6.0} MiB/s   {ratio:.2} of C   (goal: >= {GOAL_VS_C:.2}) {}",
                "reference",
                verdict(ratio >= GOAL_VS_C)
            );
        }
        (Some(r), None) => println!("  {:<18} {r:>6.0} MiB/s", "reference"),
        (None, _) => println!("  {:<18} not measured ({})", "reference", reference.why()),
    }
    let label = if version.is_empty() {
        "CPython".to_owned()
    } else {
        format!("CPython {version}")
    };
    match (cpython.best(), ref_best) {
        (Some(p), Some(r)) => {
            let ratio = r / p;
            println!(
                "  {label:<18} {p:>6.0} MiB/s   reference {ratio:.2}x CPython (goal: >= {GOAL_VS_CPYTHON:.1}) {}",
                verdict(ratio >= GOAL_VS_CPYTHON)
            );
        }
        (Some(p), None) => println!("  {label:<18} {p:>6.0} MiB/s"),
        (None, _) => println!("  CPython: not measured ({})", cpython.why()),
    }
    println!();
    let _ = std::io::stdout().flush();
}

fn main() {
    // `cargo test --benches` runs bench targets in test mode: keep that quick. Cargo
    // passes `--bench` only from `cargo bench` (a `harness = false` target gets no
    // `--test` from `cargo test`), so measure only then.
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--test") || !args.iter().any(|a| a == "--bench") {
        return;
    }
    for transport in [Transport::UnixPair, Transport::Tcp] {
        measure(transport);
    }
}
