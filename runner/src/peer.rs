//! Scripted peers: the second party of a case, played by the runner itself on loopback
//! (`peers:` in `cases/FORMAT.md`), concurrently with the steps and independent of the
//! implementation under test, so that one mechanism serves every backend.
//!
//! A peer listens (`listen: tcp | udp | unix`) or connects (`connect: …`) and then follows
//! its script: wait `delay` seconds, accept or not, send `bytes` in `chunk`s every `every`
//! seconds, read at a pace or not at all, and end by closing, resetting or shutting down
//! its side. Each peer is one thread running a non-blocking loop; every wait in it is
//! bounded, and the runner stops it when the case's steps are done. What it saw — the
//! connections it made or accepted, the bytes and datagrams it received, whether it read
//! the end of the stream — is reported for the case's `expect:` of the peer.

use std::collections::BTreeMap;
use std::io::{ErrorKind, Read, Write};
use std::mem::MaybeUninit;
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde::Deserialize;
use socket2::{Domain, SockAddr, Socket, Type};

use crate::case::Expected;
use crate::value::Value;

/// How long a peer goes on after the steps ended, to read what is still in flight (up to
/// the end of the stream).
const DRAIN: Duration = Duration::from_secs(2);
/// The pause of a peer's loop when it has nothing to do at once.
const TICK: Duration = Duration::from_millis(1);
/// How long starting or stopping a peer's thread may take.
const START_LIMIT: Duration = Duration::from_secs(5);

/// The transport a peer speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Transport {
    /// TCP over `127.0.0.1`.
    Tcp,
    /// UDP over `127.0.0.1`.
    Udp,
    /// A stream `AF_UNIX` socket at a path in a temporary folder.
    Unix,
}

/// `send: {bytes, chunk, every}`: what the peer sends once connected.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Send {
    pub bytes: u64,
    #[serde(default = "default_chunk")]
    pub chunk: usize,
    /// Seconds between chunks (0: as fast as the socket takes them).
    #[serde(default)]
    pub every: f64,
}

/// `read: {chunk, every}`: at most `chunk` bytes every `every` seconds.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pace {
    #[serde(default = "default_chunk")]
    pub chunk: usize,
    #[serde(default)]
    pub every: f64,
}

fn default_chunk() -> usize {
    65536
}

/// `read:`: `false` never reads; a pace reads slowly; absent: as fast as data comes.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum ReadMode {
    Never(NeverFlag),
    Paced(Pace),
}

/// The literal `false` of `read: false`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NeverFlag;

impl<'de> Deserialize<'de> for NeverFlag {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match bool::deserialize(d)? {
            false => Ok(NeverFlag),
            true => Err(serde::de::Error::custom(
                "`read: true` is the default: leave it out, or give `{chunk, every}`",
            )),
        }
    }
}

/// `end:`: what the peer does with its connection once it has sent everything.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum End {
    /// Keep reading until the other side ends the stream (or the case ends), then close.
    #[default]
    Drain,
    /// Close at once (FIN).
    Close,
    /// Reset the connection (`SO_LINGER` 0, then close: RST).
    Reset,
    /// Shut down the sending side (FIN) and go on reading.
    Shutdown,
}

/// What the case expects the peer to have seen (`expect:` of a peer).
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PeerExpect {
    pub connections: Option<Expected>,
    pub received: Option<Expected>,
    pub datagrams: Option<Expected>,
    pub eof: Option<bool>,
}

/// One peer of a case, as `peers: {NAME: …}` declares it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PeerSpec {
    /// The peer listens: `!peer NAME` is its address, for the steps to connect or send to.
    pub listen: Option<Transport>,
    /// The peer connects: `!peer NAME` is an address the steps listen on (or bind, for
    /// UDP), which the peer tries until it can.
    pub connect: Option<Transport>,
    /// Seconds before accepting (listen) or connecting (connect).
    #[serde(default)]
    pub delay: f64,
    /// `false`: a listening stream peer never accepts (connections wait in its backlog).
    #[serde(default = "yes")]
    pub accept: bool,
    pub send: Option<Send>,
    pub read: Option<ReadMode>,
    #[serde(default)]
    pub end: End,
    #[serde(default)]
    pub expect: PeerExpect,
}

fn yes() -> bool {
    true
}

impl PeerSpec {
    /// Checks what serde cannot: one role, sane numbers.
    pub fn validate(&self) -> Result<(), String> {
        if self.listen.is_some() == self.connect.is_some() {
            return Err("a peer has exactly one of `listen` or `connect`".into());
        }
        let seconds = |what: &str, s: f64| {
            if s.is_finite() && (0.0..60.0).contains(&s) {
                Ok(())
            } else {
                Err(format!(
                    "`{what}` is a number of seconds from 0 to 60, not {s}"
                ))
            }
        };
        seconds("delay", self.delay)?;
        if let Some(send) = &self.send {
            seconds("send.every", send.every)?;
            if send.chunk == 0 || send.bytes > 1 << 30 {
                return Err("`send` sends 1 GiB at most, in chunks of at least 1 byte".into());
            }
        }
        if let Some(ReadMode::Paced(p)) = &self.read {
            seconds("read.every", p.every)?;
            if p.chunk == 0 {
                return Err("`read.chunk` is at least 1 byte".into());
            }
        }
        if !self.accept && self.connect.is_some() {
            return Err("`accept: false` is for a listening peer".into());
        }
        Ok(())
    }

    fn transport(&self) -> Transport {
        self.listen.or(self.connect).expect("validated: one role")
    }
}

/// What a peer saw, for the case's `expect:`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PeerReport {
    /// Connections accepted (listen) or made (connect).
    pub connections: u64,
    /// Bytes received, over every connection or datagram.
    pub received: u64,
    /// Datagrams received (UDP).
    pub datagrams: u64,
    /// Whether it read the end of the stream (the other side closed or shut down).
    pub eof: bool,
}

impl PeerReport {
    /// The report as values, keyed like `PeerExpect`.
    pub fn field(&self, name: &str) -> Value {
        let n = |v: u64| Value::Int(v.into());
        match name {
            "connections" => n(self.connections),
            "received" => n(self.received),
            "datagrams" => n(self.datagrams),
            _ => Value::Bool(self.eof),
        }
    }
}

/// The running peers of one case.
pub struct Peers {
    running: Vec<(String, Running)>,
    /// Where `unix` peers live; removed when the case's peers are done.
    _dir: Option<tempfile::TempDir>,
}

struct Running {
    address: Value,
    stop: Arc<AtomicBool>,
    thread: JoinHandle<Result<PeerReport, String>>,
}

impl Peers {
    /// Starts every peer of `specs`; gives their addresses as the `!peer NAME` values.
    pub fn start(specs: &BTreeMap<String, PeerSpec>) -> Result<Peers, String> {
        let needs_dir = specs.values().any(|s| s.transport() == Transport::Unix);
        let dir = needs_dir
            .then(|| tempfile::Builder::new().prefix("sockconf-peer-").tempdir())
            .transpose()
            .map_err(|e| format!("cannot make a folder for the peers' sockets: {e}"))?;
        let mut running = Vec::new();
        for (name, spec) in specs {
            let path = dir.as_ref().map(|d| d.path().join(format!("{name}.sock")));
            let (address, endpoint) = Endpoint::prepare(spec, path.as_deref())
                .map_err(|e| format!("peer `{name}`: cannot start: {e}"))?;
            let stop = Arc::new(AtomicBool::new(false));
            let script = Script {
                spec: spec.clone(),
                stop: Arc::clone(&stop),
            };
            let thread = std::thread::Builder::new()
                .name(format!("peer {name}"))
                .spawn(move || script.run(endpoint))
                .map_err(|e| format!("peer `{name}`: cannot start a thread: {e}"))?;
            running.push((
                name.clone(),
                Running {
                    address,
                    stop,
                    thread,
                },
            ));
        }
        Ok(Peers { running, _dir: dir })
    }

    /// The `!peer NAME` values.
    pub fn addresses(&self) -> BTreeMap<String, Value> {
        self.running
            .iter()
            .map(|(name, r)| (name.clone(), r.address.clone()))
            .collect()
    }

    /// Stops every peer (after it has drained what is in flight, within limits) and gives
    /// what each saw, or why it failed.
    pub fn finish(self) -> Vec<(String, Result<PeerReport, String>)> {
        for (_, r) in &self.running {
            r.stop.store(true, Ordering::SeqCst);
        }
        let deadline = Instant::now() + DRAIN + START_LIMIT;
        self.running
            .into_iter()
            .map(|(name, r)| {
                while !r.thread.is_finished() && Instant::now() < deadline {
                    std::thread::sleep(Duration::from_millis(5));
                }
                let report = if r.thread.is_finished() {
                    r.thread
                        .join()
                        .unwrap_or_else(|_| Err("the peer's thread panicked".into()))
                } else {
                    Err("the peer did not stop in time".into())
                };
                (name, report)
            })
            .collect()
    }
}

/// A peer's socket before its thread starts: bound (and listening) for `listen`, or the
/// address reserved for `connect`.
enum Endpoint {
    Listening(Socket),
    Connecting(SockAddr),
}

impl Endpoint {
    fn prepare(spec: &PeerSpec, path: Option<&Path>) -> std::io::Result<(Value, Endpoint)> {
        let transport = spec.transport();
        let loopback = || SockAddr::from(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)));
        let (addr, value): (SockAddr, Option<Value>) = match transport {
            Transport::Unix => {
                let path: PathBuf = path.expect("a folder for unix peers").to_owned();
                let text = path.to_string_lossy().into_owned();
                (SockAddr::unix(&path)?, Some(Value::Str(text)))
            }
            Transport::Tcp | Transport::Udp => (loopback(), None),
        };
        if spec.connect.is_some() {
            // Reserve a free port for the steps to listen on: bind port 0, note it, let go.
            let addr = match transport {
                Transport::Unix => addr,
                Transport::Tcp => {
                    let probe = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
                    SockAddr::from(probe.local_addr()?)
                }
                Transport::Udp => {
                    let probe = std::net::UdpSocket::bind((Ipv4Addr::LOCALHOST, 0))?;
                    SockAddr::from(probe.local_addr()?)
                }
            };
            let value = value.unwrap_or_else(|| inet_value(&addr));
            return Ok((value, Endpoint::Connecting(addr)));
        }
        let socket = new_socket(transport)?;
        if transport == Transport::Tcp {
            socket.set_reuse_address(true)?;
        }
        socket.bind(&addr)?;
        if transport != Transport::Udp {
            socket.listen(16)?;
        }
        socket.set_nonblocking(true)?;
        let value = value.unwrap_or_else(|| {
            inet_value(&socket.local_addr().expect("a bound socket has an address"))
        });
        Ok((value, Endpoint::Listening(socket)))
    }
}

fn new_socket(transport: Transport) -> std::io::Result<Socket> {
    match transport {
        Transport::Tcp => Socket::new(Domain::IPV4, Type::STREAM, None),
        Transport::Udp => Socket::new(Domain::IPV4, Type::DGRAM, None),
        Transport::Unix => Socket::new(Domain::UNIX, Type::STREAM, None),
    }
}

/// `("127.0.0.1", port)` as a value.
fn inet_value(addr: &SockAddr) -> Value {
    let port = addr.as_socket().map_or(0, |a| a.port());
    Value::Tuple(vec![
        Value::Str("127.0.0.1".into()),
        Value::Int(port.into()),
    ])
}

/// A peer's thread: its script and the flag that says the steps are done.
struct Script {
    spec: PeerSpec,
    stop: Arc<AtomicBool>,
}

/// Where a peer is in sending its bytes.
struct Sender {
    left: u64,
    chunk: usize,
    every: Duration,
    next: Instant,
    /// Bytes of the current chunk not yet taken by the socket.
    pending: usize,
    /// One chunk of the bytes sent, made once.
    data: Vec<u8>,
}

impl Script {
    fn run(self, endpoint: Endpoint) -> Result<PeerReport, String> {
        let started = Instant::now();
        let delay = Duration::from_secs_f64(self.spec.delay);
        let mut report = PeerReport::default();
        // Wait out the delay, still answering the stop.
        while started.elapsed() < delay {
            if self.stop.load(Ordering::SeqCst) {
                return Ok(report);
            }
            std::thread::sleep(TICK);
        }
        let transport = self.spec.transport();
        match endpoint {
            Endpoint::Listening(socket) if transport == Transport::Udp => {
                self.datagrams(&socket, None, &mut report)
            }
            Endpoint::Listening(listener) => {
                if !self.spec.accept {
                    self.wait_for_stop();
                    return Ok(report);
                }
                let Some(conn) = self.accept(&listener)? else {
                    return Ok(report);
                };
                report.connections += 1;
                self.converse(conn, &mut report)
            }
            Endpoint::Connecting(target) => {
                let socket = new_socket(transport).map_err(|e| e.to_string())?;
                if transport == Transport::Udp {
                    return self.datagrams(&socket, Some(&target), &mut report);
                }
                let Some(conn) = self.connect(socket, &target)? else {
                    return Ok(report);
                };
                report.connections += 1;
                self.converse(conn, &mut report)
            }
        }
    }

    fn stopping(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }

    fn wait_for_stop(&self) {
        while !self.stopping() {
            std::thread::sleep(TICK);
        }
    }

    /// Accepts one connection, or `None` if the steps ended first.
    fn accept(&self, listener: &Socket) -> Result<Option<Socket>, String> {
        loop {
            match listener.accept() {
                Ok((conn, _)) => return Ok(Some(conn)),
                Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                Err(e) => return Err(format!("accept failed: {e}")),
            }
            if self.stopping() {
                return Ok(None);
            }
            std::thread::sleep(TICK);
        }
    }

    /// Connects to `target` once the steps listen there (tried every few milliseconds),
    /// or `None` if the steps ended first.
    fn connect(&self, socket: Socket, target: &SockAddr) -> Result<Option<Socket>, String> {
        let mut socket = socket;
        loop {
            match socket.connect_timeout(target, Duration::from_millis(100)) {
                Ok(()) => return Ok(Some(socket)),
                Err(_) if !self.stopping() => {
                    // A failed connect leaves the socket unusable: start again.
                    std::thread::sleep(Duration::from_millis(5));
                    socket = new_socket(self.spec.transport()).map_err(|e| e.to_string())?;
                }
                Err(_) => return Ok(None),
            }
        }
    }

    fn sender(&self) -> Option<Sender> {
        self.spec.send.map(|s| Sender {
            left: s.bytes,
            chunk: s.chunk,
            every: Duration::from_secs_f64(s.every),
            next: Instant::now(),
            pending: 0,
            data: vec![b'x'; s.chunk],
        })
    }

    /// The read pace: `None` never reads.
    fn pace(&self) -> Option<(usize, Duration)> {
        match self.spec.read {
            Some(ReadMode::Never(_)) => None,
            Some(ReadMode::Paced(p)) => Some((p.chunk, Duration::from_secs_f64(p.every))),
            None => Some((1 << 20, Duration::ZERO)),
        }
    }

    /// A stream connection: send, read and end as scripted, until the other side ends
    /// the stream or the steps are done (plus a bounded drain).
    fn converse(&self, conn: Socket, report: &mut PeerReport) -> Result<PeerReport, String> {
        conn.set_nonblocking(true).map_err(|e| e.to_string())?;
        let mut conn = Some(conn);
        let mut sender = self.sender();
        let pace = self.pace();
        let mut next_read = Instant::now();
        let mut buf = vec![0u8; pace.map_or(0, |p| p.0)];
        let mut stopped_at: Option<Instant> = None;
        while let Some(sock) = conn.as_ref() {
            let mut busy = false;
            if let Some(s) = sender.as_mut() {
                busy |= send_some(sock, s)?;
                if s.left == 0 && s.pending == 0 {
                    sender = None;
                    match self.spec.end {
                        End::Drain => {}
                        End::Close => conn = None,
                        End::Reset => {
                            let _ = sock.set_linger(Some(Duration::ZERO));
                            conn = None;
                        }
                        End::Shutdown => {
                            let _ = sock.shutdown(std::net::Shutdown::Write);
                        }
                    }
                    continue;
                }
            }
            if let Some((_, every)) = pace {
                if !report.eof && Instant::now() >= next_read {
                    match (&mut &*sock).read(&mut buf) {
                        Ok(0) => report.eof = true,
                        Ok(n) => {
                            report.received += n as u64;
                            next_read = Instant::now() + every;
                            busy = true;
                        }
                        Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                        Err(e) if is_reset(&e) => report.eof = true,
                        Err(e) => return Err(format!("read failed: {e}")),
                    }
                }
            }
            let done_sending = sender.is_none();
            if done_sending && (report.eof || pace.is_none()) && self.spec.end == End::Drain {
                // Nothing more to do but wait for the steps to finish.
                if self.stopping() {
                    break;
                }
            }
            if self.stopping() {
                let since = *stopped_at.get_or_insert_with(Instant::now);
                if report.eof || pace.is_none() || since.elapsed() > DRAIN {
                    break;
                }
            }
            if !busy {
                std::thread::sleep(TICK);
            }
        }
        Ok(*report)
    }

    /// UDP: receive datagrams (counting them); with `send`, send datagrams of `chunk`
    /// bytes to `target` (connect) or to the first sender (listen).
    fn datagrams(
        &self,
        socket: &Socket,
        target: Option<&SockAddr>,
        report: &mut PeerReport,
    ) -> Result<PeerReport, String> {
        socket.set_nonblocking(true).map_err(|e| e.to_string())?;
        let mut sender = self.sender();
        let mut to: Option<SockAddr> = target.cloned();
        let reading = self.pace().is_some();
        let mut buf = [MaybeUninit::<u8>::uninit(); 65536];
        let mut stopped_at: Option<Instant> = None;
        loop {
            let mut busy = false;
            if reading {
                match socket.recv_from(&mut buf) {
                    Ok((n, from)) => {
                        report.datagrams += 1;
                        report.received += n as u64;
                        to.get_or_insert(from);
                        busy = true;
                    }
                    Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                    Err(e) if is_reset(&e) => {}
                    Err(e) => return Err(format!("recvfrom failed: {e}")),
                }
            }
            if let (Some(s), Some(addr)) = (sender.as_mut(), to.as_ref()) {
                if s.left > 0 && Instant::now() >= s.next {
                    let n = s.chunk.min(usize::try_from(s.left).unwrap_or(usize::MAX));
                    match socket.send_to(&s.data[..n], addr) {
                        Ok(_) => {
                            s.left -= n as u64;
                            s.next = Instant::now() + s.every;
                            busy = true;
                        }
                        Err(e) if e.kind() == ErrorKind::WouldBlock || is_reset(&e) => {}
                        Err(e) => return Err(format!("sendto failed: {e}")),
                    }
                }
            }
            if self.stopping() {
                let since = *stopped_at.get_or_insert_with(Instant::now);
                if !busy || since.elapsed() > DRAIN {
                    break;
                }
            }
            if !busy {
                std::thread::sleep(TICK);
            }
        }
        Ok(*report)
    }
}

/// Sends what the pace allows now; whether anything went.
fn send_some(sock: &Socket, s: &mut Sender) -> Result<bool, String> {
    if s.pending == 0 {
        if s.left == 0 || Instant::now() < s.next {
            return Ok(false);
        }
        s.pending = s.chunk.min(usize::try_from(s.left).unwrap_or(usize::MAX));
        s.left -= s.pending as u64;
    }
    match (&mut &*sock).write(&s.data[..s.pending]) {
        Ok(n) => {
            s.pending -= n;
            if s.pending == 0 {
                s.next = Instant::now() + s.every;
            }
            Ok(n > 0)
        }
        Err(e) if e.kind() == ErrorKind::WouldBlock => Ok(false),
        // The other side went away: nothing more can be sent.
        Err(e) if is_reset(&e) => {
            s.left = 0;
            s.pending = 0;
            Ok(false)
        }
        Err(e) => Err(format!("send failed: {e}")),
    }
}

fn is_reset(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        ErrorKind::ConnectionReset | ErrorKind::BrokenPipe | ErrorKind::ConnectionAborted
    )
}
