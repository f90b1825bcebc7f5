use std::cell::RefCell;
use std::rc::Rc;

use proptest::prelude::*;
use rstest::rstest;

use super::*;
use crate::core::constants;
use crate::core::timeout::Timeout;

/// `socket.SHUT_WR` on this platform.
fn shut_wr() -> i32 {
    constants::value("SHUT_WR").expect("SHUT_WR") as i32
}

fn pair() -> (Rc<RefCell<Socket>>, Rc<RefCell<Socket>>) {
    let family = i32::try_from(constants::value("AF_UNIX").expect("AF_UNIX")).unwrap();
    let stream = i32::try_from(constants::value("SOCK_STREAM").expect("SOCK_STREAM")).unwrap();
    let (a, b) = Socket::pair(family, stream, 0, None).expect("socketpair");
    (Rc::new(RefCell::new(a)), Rc::new(RefCell::new(b)))
}

/// A file over `sock` as `makefile()` makes it (one more `_io_refs`).
fn makefile(sock: &Rc<RefCell<Socket>>, reading: bool, kind: Option<Kind>, size: i64) -> IoRef {
    let raw = IoRef::new(Io::Socket(SocketIo::new(sock.clone(), reading, !reading)));
    sock.borrow_mut().incref_io();
    match kind {
        None => raw,
        Some(kind) => IoRef::new(Io::Buffered(Buffered::new(raw, kind, size).unwrap())),
    }
}

fn buffered(f: &IoRef) -> std::cell::RefMut<'_, Buffered> {
    std::cell::RefMut::map(f.0.borrow_mut(), |io| match io {
        Io::Buffered(b) => b,
        _ => panic!("not buffered"),
    })
}

#[test]
fn the_descriptor_closes_with_the_last_file() {
    let (a, b) = pair();
    let fd = a.borrow().fileno();
    let r = makefile(&a, true, Some(Kind::Reader), 8192);
    let w = makefile(&a, false, Some(Kind::Writer), 8192);
    a.borrow_mut().close_object().unwrap();
    assert!(a.borrow().marked_closed());
    assert_eq!(a.borrow().fileno(), fd);
    r.0.borrow_mut().close().unwrap();
    assert_eq!(a.borrow().fileno(), fd);
    assert_eq!(a.borrow().io_refs(), 1);
    w.0.borrow_mut().close().unwrap();
    assert_eq!(a.borrow().fileno(), -1);
    assert_eq!(b.borrow().recv(10, 0).unwrap(), b"");
}

#[test]
fn a_dropped_file_gives_its_reference_back() {
    let (a, _b) = pair();
    drop(makefile(&a, true, Some(Kind::Reader), 8192));
    assert_eq!(a.borrow().io_refs(), 0);
    a.borrow_mut().close_object().unwrap();
    assert_eq!(a.borrow().fileno(), -1);
}

#[rstest]
#[case(1)]
#[case(2)]
#[case(8192)]
fn readline_at_any_buffer_size(#[case] size: i64) {
    let (a, b) = pair();
    b.borrow().send(b"line1\nline2\nrest", 0).unwrap();
    b.borrow().shutdown(shut_wr()).unwrap();
    let f = makefile(&a, true, Some(Kind::Reader), size);
    let mut f = buffered(&f);
    assert_eq!(f.readline(None).unwrap(), b"line1\n");
    assert_eq!(f.readline(Some(3)).unwrap(), b"lin");
    assert_eq!(f.readline(None).unwrap(), b"e2\n");
    assert_eq!(f.read(None).unwrap().unwrap(), b"rest");
    assert_eq!(f.readline(None).unwrap(), b"");
}

#[test]
fn a_satisfied_read_does_not_read_again() {
    let (a, b) = pair();
    a.borrow_mut()
        .set_timeout(Some(Timeout::from_duration(
            std::time::Duration::from_millis(200),
        )))
        .unwrap();
    b.borrow().send(b"abc", 0).unwrap();
    let f = makefile(&a, true, Some(Kind::Reader), 8192);
    assert_eq!(buffered(&f).read(Some(3)).unwrap().unwrap(), b"abc");
    // The next read waits, times out, and poisons the raw stream.
    let e = buffered(&f).read(Some(1)).unwrap_err();
    assert_eq!(e.ty, ExcType::TimeoutError);
    b.borrow().send(b"z", 0).unwrap();
    let e = buffered(&f).read(Some(1)).unwrap_err();
    assert_eq!(e.message(), "cannot read from timed out object");
}

#[test]
fn non_blocking_reads_give_none() {
    let (a, _b) = pair();
    a.borrow_mut().set_blocking(false).unwrap();
    let f = makefile(&a, true, Some(Kind::Reader), 8192);
    assert_eq!(buffered(&f).read(Some(1)).unwrap(), None);
    assert_eq!(buffered(&f).read1(5).unwrap(), b"");
}

#[test]
fn writes_wait_for_flush_or_a_full_buffer() {
    let (a, b) = pair();
    b.borrow_mut().set_blocking(false).unwrap();
    let f = makefile(&a, false, Some(Kind::Writer), 4);
    assert_eq!(buffered(&f).write(b"ab").unwrap(), 2);
    assert!(b.borrow().recv(10, 0).is_err());
    buffered(&f).flush().unwrap();
    assert_eq!(b.borrow().recv(10, 0).unwrap(), b"ab");
    // More than the buffer: the pending bytes and whole blocks go out at once.
    buffered(&f).write(b"c").unwrap();
    buffered(&f).write(b"defghij").unwrap();
    assert_eq!(b.borrow().recv(20, 0).unwrap(), b"cdefghij");
    assert_eq!(
        buffered(&f).read(Some(1)).unwrap_err().ty,
        ExcType::UnsupportedOperation
    );
}

#[test]
fn text_layer_round_trip() {
    let (a, b) = pair();
    let w = makefile(&a, false, Some(Kind::Writer), 8192);
    let mut t = Text::new(w, Some("latin-1"), None, Some("\r\n"), false).unwrap();
    assert_eq!(t.write("é\n").unwrap(), 2);
    t.flush().unwrap();
    assert_eq!(b.borrow().recv(10, 0).unwrap(), b"\xe9\r\n");
    let r = makefile(&b, true, Some(Kind::Reader), 8192);
    let mut t = Text::new(r, Some("utf-8"), None, None, false).unwrap();
    a.borrow().send(b"h\xc3\xa9\r\nx\ry", 0).unwrap();
    a.borrow().shutdown(shut_wr()).unwrap();
    assert_eq!(t.readline(None).unwrap(), "hé\n");
    assert_eq!(t.readline(None).unwrap(), "x\n");
    assert_eq!(t.readline(None).unwrap(), "y");
    assert_eq!(t.readline(None).unwrap(), "");
}

#[test]
fn text_argument_errors() {
    let (a, _b) = pair();
    let f = makefile(&a, true, Some(Kind::Reader), 8192);
    let e = Text::new(f.clone(), None, None, Some("x"), false).unwrap_err();
    assert_eq!(e.message(), "illegal newline value: x");
    let e = Text::new(f, Some("nope"), None, None, false).unwrap_err();
    assert_eq!(e.ty, ExcType::LookupError);
}

proptest! {
    /// The newline decoder gives the same text however the input is split.
    #[test]
    fn newline_decoding_ignores_chunking(text in "[a\r\n]{0,30}", cut in 0usize..31,
                                          translate: bool) {
        let cut = cut.min(text.len());
        let mut cr = false;
        let whole = newline_decode(&text, &mut cr, true, translate);
        let mut cr = false;
        let mut split = newline_decode(&text[..cut], &mut cr, false, translate);
        split += &newline_decode(&text[cut..], &mut cr, true, translate);
        prop_assert_eq!(split, whole);
    }
}
