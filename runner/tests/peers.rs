//! Scripted peers (`peers:` in cases/FORMAT.md): the runner plays them on loopback for any
//! backend, the steps reach them with `!peer NAME`, and what they saw is judged.

mod common;

use std::path::Path;
use std::time::Duration;

use sockconf::backend::reference::ReferenceBackend;
use sockconf::case::load::load_str;
use sockconf::exec::{CaseResult, Verdict};
use sockconf::suite;

fn run(text: &str) -> Vec<CaseResult> {
    common::run_text(&ReferenceBackend::new(), text, Duration::from_secs(20))
}

fn load_error(text: &str) -> String {
    let vocab = suite::vocabulary(suite::spec(None).expect("the committed spec loads"));
    load_str(text, Path::new("t.yaml"), &vocab)
        .expect_err("the case must be refused")
        .to_string()
}

const SINK: &str = "format: 2
doc: [socket.socket.sendall]
cases:
  - id: t.sink
    summary: s
    peers:
      sink:
        listen: tcp
        expect: {connections: 1, received: RECEIVED, eof: true}
    steps:
      - call: create_connection
        args: [!peer sink]
        save: c
      - call: $c.getpeername
        returns: !peer sink
      - call: $c.sendall
        args: [!bytes \"hello\"]
      - call: $c.close
";

#[test]
fn a_listening_peer_counts_what_it_received() {
    let r = run(&SINK.replace("RECEIVED", "5"));
    assert_eq!(r[0].verdict, Verdict::Pass, "{:?}", r[0].message);
    let r = run(&SINK.replace("RECEIVED", "6"));
    assert_eq!(r[0].verdict, Verdict::Fail);
    let why = r[0].message.as_deref().unwrap_or_default();
    assert!(why.contains("peer `sink` received"), "{why}");
}

#[test]
fn a_peer_that_never_reads_never_sees_the_end_of_the_stream() {
    let text = SINK
        .replace("RECEIVED", "0")
        .replace("listen: tcp", "listen: tcp\n        read: false");
    let r = run(&text);
    assert_eq!(r[0].verdict, Verdict::Fail);
    let why = r[0].message.as_deref().unwrap_or_default();
    assert!(why.contains("did not see the end of the stream"), "{why}");
}

#[test]
fn a_connecting_peer_reaches_the_steps_listening_socket_and_a_sending_one_resets() {
    let text = "format: 2
doc: [socket.socket.accept]
cases:
  - id: t.client
    summary: s
    peers:
      cli:
        connect: tcp
        delay: 0.2
        send: {bytes: 3}
        end: reset
        expect: {connections: 1}
    steps:
      - call: socket
        save: l
      - call: $l.bind
        args: [!peer cli]
      - call: $l.listen
      - call: $l.settimeout
        args: [5]
      - call: $l.accept
        save: pair
        elapsed: [0.1, 5]
      - call: $pair.0.settimeout
        args: [5]
      - call: $pair.0.recv
        args: [3, !const MSG_WAITALL]
        returns: !bytes \"xxx\"
      - call: $pair.0.recv
        args: [3]
        raises: {type: ConnectionResetError, errno: ECONNRESET}
";
    let r = run(text);
    assert_eq!(r[0].verdict, Verdict::Pass, "{:?}", r[0].message);
}

#[test]
fn a_udp_peer_counts_datagrams() {
    let text = "format: 2
doc: [socket.socket.sendto]
cases:
  - id: t.udp
    summary: s
    peers:
      u:
        listen: udp
        expect: {datagrams: 2, received: 3}
    steps:
      - call: socket
        args: [!const AF_INET, !const SOCK_DGRAM]
        save: s
      - call: $s.sendto
        args: [!bytes \"ab\", !peer u]
      - call: $s.sendto
        args: [!bytes \"c\", !peer u]
";
    let r = run(text);
    assert_eq!(r[0].verdict, Verdict::Pass, "{:?}", r[0].message);
}

#[test]
fn peers_are_checked_when_the_file_loads() {
    let undeclared = SINK
        .replace("RECEIVED", "5")
        .replace("args: [!peer sink]", "args: [!peer other]");
    assert!(
        load_error(&undeclared).contains("declares no peer `other`"),
        "{}",
        load_error(&undeclared)
    );
    let two_roles = SINK
        .replace("RECEIVED", "5")
        .replace("listen: tcp", "listen: tcp\n        connect: tcp");
    assert!(load_error(&two_roles).contains("exactly one of `listen` or `connect`"));
    let bad_delay = SINK
        .replace("RECEIVED", "5")
        .replace("listen: tcp", "listen: tcp\n        delay: -1");
    assert!(load_error(&bad_delay).contains("`delay` is a number of seconds"));
}
