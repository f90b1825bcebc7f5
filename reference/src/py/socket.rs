//! `socket.socket` objects as Python code sees them: the constructor's argument
//! handling (`socket.py`'s `socket.__init__` over the C `sock_initobj`), the methods with
//! CPython's argument parsing and messages, the attributes `family`, `type`, `proto`,
//! `timeout`, `repr()`, and the conversion of addresses between Python values and
//! [`SockAddr`] (CPython's `getsockaddrarg` and `makesockaddr`).
//!
//! A socket is shared ([`SocketRef`] is an `Rc`): saving it, passing it around and
//! reading `s.recv` all refer to the one object, whose identity is its allocation.

use std::cell::RefCell;
use std::fmt;
use std::rc::Rc;

use num_bigint::BigInt;

use super::args::{self, Call};
use super::exception::PyException;
use super::functions::parse_timeout;
use super::object::{EnumMember, Object, str as py_str, tp_name, truthy};
use super::state::{Owner, State};
use crate::core::address::{self, SockAddr, UnixAddr};
use crate::core::constants::{self, EnumClass};
use crate::core::socket::Socket;
use crate::core::timeout::Timeout;
use crate::core::{Error, ExcType};
use crate::sys;

type PyResult = Result<Object, PyException>;

/// A `socket.socket` instance: shared, mutable, compared by identity. It knows the
/// module state it was made under (the default timeout, the descriptor ledger).
#[derive(Clone)]
pub struct SocketRef(Rc<RefCell<Socket>>, Rc<State>);

impl SocketRef {
    pub(super) fn new(socket: Socket, state: &Rc<State>) -> SocketRef {
        let inner = Rc::new(RefCell::new(socket));
        state.register(&inner);
        SocketRef(inner, Rc::clone(state))
    }

    /// The object `socket.socket(family, type, proto, …)` makes from `made`, raising the
    /// `socket.__new__` audit event with `init`, the three numbers `sock_initobj` was
    /// given (`-1` where `socket.py` passed none on). CPython raises it before opening or
    /// adopting anything, so also when that fails; the object it names then never
    /// reaches Python code, and the reference names `None` instead.
    pub(super) fn initialised(
        made: Result<Socket, PyException>,
        init: [i32; 3],
        state: &Rc<State>,
    ) -> PyResult {
        let made = made.map(|socket| Object::Socket(SocketRef::new(socket, state)));
        let this = made.as_ref().map_or(Object::None, Object::clone);
        state.audit("socket.__new__", || {
            std::iter::once(this).chain(init.map(Object::int)).collect()
        });
        made
    }

    /// The address of the shared allocation: equal for the same socket, like `id()`.
    pub fn identity(&self) -> usize {
        Rc::as_ptr(&self.0).cast::<()>() as usize
    }

    /// `(self.family, self.type, self.proto)` as `socket.py` passes them on to the socket
    /// it makes in `accept()` and `dup()`.
    fn init_numbers(&self) -> [i32; 3] {
        let s = self.borrow();
        [s.family(), s.kind(), s.proto()]
    }

    /// The module state the socket was made under.
    pub(super) fn state(&self) -> &Rc<State> {
        &self.1
    }

    /// `s.close()`: `socket.py`'s close, which keeps the descriptor while files made by
    /// `makefile()` are open.
    pub fn close(&self) -> Result<(), PyException> {
        Ok(self.0.borrow_mut().close_object()?)
    }

    /// Closes the descriptor whatever files are open (errors ignored): for a runner
    /// ending a case.
    pub fn force_close(&self) {
        if let Ok(mut s) = self.0.try_borrow_mut() {
            let _ = s.close_object();
            let _ = s.close();
        }
    }

    /// The shared typed socket, for the io objects made over it.
    pub(super) fn shared(&self) -> Rc<RefCell<Socket>> {
        Rc::clone(&self.0)
    }

    /// The typed socket, for reading its state.
    pub fn borrow(&self) -> std::cell::Ref<'_, Socket> {
        self.0.borrow()
    }
}

impl PartialEq for SocketRef {
    fn eq(&self, other: &SocketRef) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl fmt::Debug for SocketRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&repr(self))
    }
}

/// A method bound to a socket (`s.recv`): a new object each time it is looked up, as in
/// CPython (`s.recv is s.recv` is false).
#[derive(Debug, Clone, PartialEq)]
pub struct Method {
    receiver: SocketRef,
    name: &'static str,
}

impl Method {
    /// The socket it is bound to (`__self__`).
    pub fn receiver(&self) -> &SocketRef {
        &self.receiver
    }

    /// The method's name.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// Whether `socket.py` defines it in Python (a `method`), rather than the C type
    /// (a `builtin_function_or_method`).
    pub fn is_python(&self) -> bool {
        PYTHON_METHODS.contains(&self.name)
    }

    /// `repr(method)`.
    pub fn repr(&self) -> String {
        if self.is_python() {
            format!(
                "<bound method socket.{} of {}>",
                self.name,
                repr(&self.receiver)
            )
        } else {
            format!(
                "<built-in method {} of socket object at {:#x}>",
                self.name,
                self.receiver.identity()
            )
        }
    }
}

/// Methods implemented here. Those in [`PYTHON_METHODS`] are defined in `socket.py`
/// (on Unix), the others by the C type.
const METHODS: &[&str] = &[
    "__enter__",
    "__exit__",
    "__setattr__",
    "accept",
    "bind",
    "close",
    "connect",
    "connect_ex",
    "detach",
    "dup",
    "fileno",
    "get_inheritable",
    "getblocking",
    "getpeername",
    "getsockname",
    "getsockopt",
    "gettimeout",
    "ioctl",
    "listen",
    "makefile",
    "recv",
    "recv_into",
    "recvfrom",
    "recvfrom_into",
    "recvmsg",
    "recvmsg_into",
    "send",
    "sendall",
    "sendmsg",
    "sendfile",
    "sendmsg_afalg",
    "sendto",
    "set_inheritable",
    "setblocking",
    "setsockopt",
    "settimeout",
    "share",
    "shutdown",
];

/// Whether the platform's CPython has the method `name` (`sys::FEATURES`): the
/// `sendmsg` family needs `CMSG_LEN`, `sendmsg_afalg` `AF_ALG`, `ioctl` and `share` are
/// Windows'.
fn has_method(name: &str) -> bool {
    match name {
        "sendmsg" | "recvmsg" | "recvmsg_into" => sys::FEATURES.cmsg,
        "sendmsg_afalg" => sys::FEATURES.afalg,
        "ioctl" => sys::FEATURES.ioctl,
        "share" => sys::FEATURES.share,
        _ => true,
    }
}

/// The methods `socket.py` defines in Python on Unix.
const PYTHON_METHODS: &[&str] = &[
    "__enter__",
    "__exit__",
    "accept",
    "close",
    "detach",
    "dup",
    "get_inheritable",
    "makefile",
    "sendfile",
    "set_inheritable",
];

// ---- construction -------------------------------------------------------------------

/// `socket.socket(family=-1, type=-1, proto=-1, fileno=None)`.
///
/// `socket.py` binds the arguments like any Python function (unknown or repeated
/// keywords first, then too many positional arguments), replaces `-1` (compared with
/// `==`, so `-1.0` too) by `AF_INET`, `SOCK_STREAM` and `0` when no `fileno` is given,
/// and calls the C initialiser, whose Argument Clinic `int` converters give the type and
/// overflow errors. `fileno` is validated like CPython (`ValueError` when negative) but
/// adopting an existing descriptor is not implemented yet.
pub fn construct(call: &Call<'_>, state: &Rc<State>) -> PyResult {
    let default = state.default_timeout();
    const PARAMS: [&str; 4] = ["family", "type", "proto", "fileno"];
    let mut bound: [Option<&Object>; 4] = [None; 4];
    for (slot, arg) in bound.iter_mut().zip(call.args) {
        *slot = Some(arg);
    }
    for (name, value) in call.kwargs {
        let Some(i) = PARAMS.iter().position(|p| p == name) else {
            return Err(PyException::type_error(format!(
                "socket.__init__() got an unexpected keyword argument '{name}'"
            )));
        };
        if bound[i].is_some() {
            return Err(PyException::type_error(format!(
                "socket.__init__() got multiple values for argument '{name}'"
            )));
        }
        bound[i] = Some(value);
    }
    if call.args.len() > PARAMS.len() {
        return Err(PyException::type_error(format!(
            "socket.__init__() takes from 1 to 5 positional arguments but {} were given",
            call.args.len() + 1
        )));
    }
    let fileno = bound[3].filter(|f| **f != Object::None);
    let minus_one = Object::int(-1);
    let defaults = [
        constants::value("AF_INET").unwrap_or(2),
        constants::value("SOCK_STREAM").unwrap_or(1),
        0,
    ];
    let mut numbers = [0i32; 3];
    for i in 0..3 {
        let value = bound[i].unwrap_or(&minus_one);
        numbers[i] = if fileno.is_none() && py_eq_int(value, -1) {
            i32::try_from(defaults[i]).unwrap_or_default()
        } else {
            args::c_int(value)?
        };
    }
    let [family, ty, proto] = numbers;
    if let Some(fd) = fileno {
        if let (true, Object::Bytes(info)) = (sys::FEATURES.share, fd) {
            // Windows: recreate a socket shared with socket.share(); family, type and
            // proto come from the WSAPROTOCOL_INFOW.
            if info.len() != sys::PROTOCOL_INFO_LEN {
                return Err(PyException::value_error(format!(
                    "socket descriptor string has wrong size, should be {} bytes.",
                    sys::PROTOCOL_INFO_LEN
                )));
            }
            // The event names the family, type and protocol of the shared socket.
            let socket = Socket::from_share(info, default).map_err(PyException::from);
            let init = socket
                .as_ref()
                .map_or(numbers, |s| [s.family(), s.kind(), s.proto()]);
            return SocketRef::initialised(socket, init, state);
        }
        let fd = args::c_long(fd)?;
        // A socket handle is unsigned: only INVALID_SOCKET (-1) is refused outright.
        let invalid = if sys::FEATURES.handles {
            fd == -1
        } else {
            fd < 0
        };
        if invalid {
            return Err(PyException::value_error("negative file descriptor"));
        }
        let given = |n: i32| (n != -1).then_some(n);
        let socket = adopt(fd, given(family), given(ty), given(proto), state);
        if sys::FEATURES.handles {
            // Windows' sock_initobj raises no event for a socket adopted by number.
            return Ok(Object::Socket(SocketRef::new(socket?, state)));
        }
        return SocketRef::initialised(socket, numbers, state);
    }
    let socket = Socket::open(family, ty, proto, default).map_err(PyException::from);
    SocketRef::initialised(socket, numbers, state)
}

/// The socket for `socket.socket(family, type, proto, fileno=fd)` once the arguments are
/// checked: adopts `fd` when the module handed it out (see [`State`]); any other number behaves
/// as a descriptor that is not open.
pub(super) fn adopt(
    fd: i64,
    family: Option<i32>,
    ty: Option<i32>,
    proto: Option<i32>,
    state: &Rc<State>,
) -> Result<Socket, PyException> {
    let Ok(fd) = i32::try_from(fd) else {
        return Err(Error::bad_descriptor().into());
    };
    let default = state.default_timeout();
    Ok(match state.owner(fd) {
        Owner::Free => {
            let socket = Socket::from_fd(fd, family, ty, proto, default)?;
            state.take(fd);
            socket
        }
        Owner::Socket => state
            .with_owner(fd, |owner| owner.share(family, ty, proto, default))
            .unwrap_or_else(|| Err(Error::bad_descriptor()))?,
        Owner::Unknown => return Err(state.refuse()),
    })
}

/// Python's `value == n` for the values a constructor argument can be.
pub(super) fn py_eq_int(value: &Object, n: i64) -> bool {
    match value {
        Object::Float(f) => *f == n as f64,
        other => other.as_int() == Some(BigInt::from(n)),
    }
}

// ---- attributes -----------------------------------------------------------------------

/// `s.NAME`: an attribute or a bound method; `None` when there is no such attribute.
pub fn getattr(sock: &SocketRef, name: &str) -> Option<Object> {
    let s = sock.borrow();
    match name {
        "family" => Some(enum_or_int(EnumClass::AddressFamily, s.family())),
        "type" => Some(enum_or_int(EnumClass::SocketKind, s.kind())),
        "proto" => Some(Object::int(s.proto())),
        "timeout" => Some(timeout_object(s.timeout())),
        _ => METHODS
            .iter()
            .find(|&&m| m == name && has_method(m))
            .map(|&name| {
                Object::Method(Method {
                    receiver: sock.clone(),
                    name,
                })
            }),
    }
}

/// `s.method.NAME`.
pub fn method_getattr(method: &Method, name: &str) -> Option<Object> {
    match name {
        "__name__" => Some(Object::str(method.name)),
        "__qualname__" => Some(Object::str(format!("socket.{}", method.name))),
        "__self__" => Some(Object::Socket(method.receiver.clone())),
        _ => None,
    }
}

/// `socket.py`'s `_intenum_converter`: the enum member with that value, else the int.
pub(crate) fn enum_or_int(class: EnumClass, value: i32) -> Object {
    let value = i64::from(value);
    match class.member_by_value(value) {
        Some(name) => Object::Enum(EnumMember {
            class,
            name: Some(name.to_owned()),
            value,
        }),
        None => Object::int(value),
    }
}

fn timeout_object(timeout: Option<Timeout>) -> Object {
    timeout.map_or(Object::None, |t| Object::Float(t.as_secs_f64()))
}

/// `repr(s)`: `socket.py`'s `socket.__repr__`, e.g.
/// `<socket.socket fd=3, family=2, type=2, proto=0, laddr=('127.0.0.1', 40000)>`, or
/// `<socket.socket [closed] fd=-1, family=2, type=2, proto=0>`. `laddr` and `raddr`
/// appear when `getsockname()` / `getpeername()` succeed with a true value (an address
/// the reference cannot decode yet is left out).
pub fn repr(sock: &SocketRef) -> String {
    let s = sock.borrow();
    let closed = s.marked_closed();
    let mut out = format!(
        "<socket.socket{} fd={}, family={}, type={}, proto={}",
        if closed { " [closed]" } else { "" },
        s.fileno(),
        s.family(),
        s.kind(),
        s.proto()
    );
    if !closed {
        let named = |label: &str, addr: Result<Option<SockAddr>, Error>| {
            let value = addr_object(addr.ok()?).ok()?;
            truthy(&value).then(|| format!(", {label}={}", py_str(&value)))
        };
        out.extend(named("laddr", s.local_addr()));
        out.extend(named("raddr", s.peer_addr()));
    }
    out.push('>');
    out
}

// ---- methods --------------------------------------------------------------------------

/// `sock.name(*args)`, for the module functions written in Python that call methods.
pub(super) fn invoke(sock: &SocketRef, name: &'static str, args: &[Object]) -> PyResult {
    let method = Method {
        receiver: sock.clone(),
        name,
    };
    call_method(&method, &Call { args, kwargs: &[] })
}

/// Calls a bound method.
pub fn call_method(method: &Method, call: &Call<'_>) -> PyResult {
    let sock = &method.receiver;
    match method.name {
        "close" => {
            call.python_noargs("socket.close")?;
            sock.close()?;
            Ok(Object::None)
        }
        "get_inheritable" => {
            call.python_noargs("socket.get_inheritable")?;
            Ok(Object::Bool(sock.borrow().inheritable()?))
        }
        "fileno" => {
            call.meth_noargs("socket.fileno")?;
            Ok(Object::int(sock.borrow().fileno()))
        }
        "gettimeout" => {
            call.meth_noargs("socket.gettimeout")?;
            Ok(timeout_object(sock.borrow().timeout()))
        }
        "getblocking" => {
            call.meth_noargs("socket.getblocking")?;
            Ok(Object::Bool(sock.borrow().is_blocking()))
        }
        "settimeout" => {
            let timeout = parse_timeout(call.meth_o("socket.settimeout")?)?;
            sock.0.borrow_mut().set_timeout(timeout)?;
            Ok(Object::None)
        }
        "setblocking" => {
            let flag = truthy(call.meth_o("socket.setblocking")?);
            sock.0.borrow_mut().set_blocking(flag)?;
            Ok(Object::None)
        }
        "getsockname" => {
            call.meth_noargs("socket.getsockname")?;
            addr_object(sock.borrow().local_addr()?)
        }
        "getpeername" => {
            call.meth_noargs("socket.getpeername")?;
            addr_object(sock.borrow().peer_addr()?)
        }
        "bind" => {
            let addr = call.meth_o("socket.bind")?;
            let s = sock.borrow();
            let addr = parse_address(&s, addr, "bind")?;
            audit_address(sock, "socket.bind", call.args.first());
            s.bind(&addr)?;
            Ok(Object::None)
        }
        "recv" => {
            let (bufsize, flags) = recv_args(call, "recv")?;
            Ok(Object::Bytes(sock.borrow().recv(bufsize, flags)?))
        }
        "recvfrom" => {
            let (bufsize, flags) = recv_args(call, "recvfrom")?;
            let (data, from) = sock.borrow().recv_from(bufsize, flags)?;
            Ok(Object::Tuple(vec![Object::Bytes(data), addr_object(from)?]))
        }
        "send" => {
            let a = clinic_between(call, "send", 1, 2)?;
            let data = args::buffer(&a[0])?;
            let flags = a.get(1).map(args::parse_i).transpose()?.unwrap_or(0);
            Ok(Object::int(sock.borrow().send(&data, flags)?))
        }
        "sendto" => sendto(sock, call),
        "makefile" => super::io::makefile(sock, call),
        "sendfile" => super::sendfile::sendfile(sock, call),
        "sendmsg" => super::msg::sendmsg(sock, call),
        "recvmsg" => super::msg::recvmsg(sock, call),
        "recvmsg_into" => super::msg::recvmsg_into(sock, call),
        "sendmsg_afalg" => super::msg::sendmsg_afalg(sock, call),
        "recv_into" | "recvfrom_into" => recv_into(sock, method.name, call),
        "sendall" => {
            let a = clinic_between(call, "sendall", 1, 2)?;
            let data = args::buffer(&a[0])?;
            let flags = a.get(1).map(args::parse_i).transpose()?.unwrap_or(0);
            sock.borrow().send_all(&data, flags)?;
            Ok(Object::None)
        }
        "__enter__" => {
            call.python_noargs("socket.__enter__")?;
            Ok(Object::Socket(sock.clone()))
        }
        "__exit__" => {
            if let Some((kw, _)) = call.kwargs.first() {
                return Err(PyException::type_error(format!(
                    "socket.__exit__() got an unexpected keyword argument '{kw}'"
                )));
            }
            sock.close()?;
            Ok(Object::None)
        }
        "__setattr__" => setattr(sock, call),
        "listen" => {
            let a = call.between("listen", 0, 1)?;
            let backlog = match a.first() {
                Some(b) => args::parse_i(b)?,
                // CPython: Py_MIN(SOMAXCONN, 128).
                None => constants::value("SOMAXCONN")
                    .map_or(128, |v| v.min(128))
                    .try_into()
                    .unwrap_or(128),
            };
            sock.borrow().listen(backlog)?;
            Ok(Object::None)
        }
        "accept" => {
            call.python_noargs("socket.accept")?;
            let state = sock.state();
            let (new, addr) = sock.borrow().accept(state.default_timeout())?;
            // socket.py: socket(self.family, self.type, self.proto, fileno=fd).
            let new = SocketRef::initialised(Ok(new), sock.init_numbers(), state)?;
            Ok(Object::Tuple(vec![new, addr_object(addr)?]))
        }
        "connect" => {
            let addr = call.meth_o("socket.connect")?;
            let s = sock.borrow();
            let addr = parse_address(&s, addr, "connect")?;
            audit_address(sock, "socket.connect", call.args.first());
            s.connect(&addr)?;
            Ok(Object::None)
        }
        "connect_ex" => {
            let addr = call.meth_o("socket.connect_ex")?;
            let s = sock.borrow();
            let addr = parse_address(&s, addr, "connect_ex")?;
            audit_address(sock, "socket.connect", call.args.first());
            Ok(Object::int(s.connect_ex(&addr)?))
        }
        "shutdown" => {
            let how = args::c_int(call.meth_o("socket.shutdown")?)?;
            sock.borrow().shutdown(how)?;
            Ok(Object::None)
        }
        "getsockopt" => {
            let a = call.between("getsockopt", 2, 3)?;
            let level = args::parse_i(&a[0])?;
            let name = args::parse_i(&a[1])?;
            let buflen = a.get(2).map(args::parse_i).transpose()?.unwrap_or(0);
            let s = sock.borrow();
            if buflen == 0 {
                Ok(Object::int(s.getsockopt_int(level, name)?))
            } else {
                Ok(Object::Bytes(s.getsockopt_bytes(level, name, buflen)?))
            }
        }
        "setsockopt" => setsockopt(sock, call),
        "detach" => {
            call.python_noargs("socket.detach")?;
            let fd = sock.0.borrow_mut().detach();
            sock.state().hand_out(fd);
            Ok(Object::int(fd))
        }
        "dup" => {
            call.python_noargs("socket.dup")?;
            let s = sock.borrow();
            let fd = Socket::dup_fd(s.fileno())?;
            let state = sock.state();
            let new = Socket::from_fd(
                fd,
                Some(s.family()),
                Some(s.kind()),
                Some(s.proto()),
                state.default_timeout(),
            );
            let new = match new {
                Ok(new) => new,
                Err(e) => {
                    let _ = Socket::close_fd(fd);
                    return Err(e.into());
                }
            };
            let made = SocketRef::initialised(Ok(new), sock.init_numbers(), state)?;
            if let Object::Socket(new) = &made {
                new.0.borrow_mut().set_timeout(s.timeout())?;
            }
            Ok(made)
        }
        "set_inheritable" => {
            let sig = args::PySig {
                name: "socket.set_inheritable",
                params: &["inheritable"],
                required: 1,
                kwonly: &[],
                method: true,
            };
            let bound = call.bind(&sig)?;
            let arg = bound[0].unwrap_or(&Object::None);
            // os.set_handle_inheritable takes a bool (any object's truth value),
            // os.set_inheritable an int.
            let flag = if sys::FEATURES.handles {
                truthy(arg)
            } else {
                args::c_int(arg)? != 0
            };
            sock.borrow().set_inheritable(flag)?;
            Ok(Object::None)
        }
        "ioctl" => ioctl(sock, call),
        "share" => {
            if !call.kwargs.is_empty() {
                return Err(PyException::type_error(
                    "share() takes no keyword arguments",
                ));
            }
            // PyArg_ParseTuple(args, "I", &processId): no function name in the format.
            let [pid] = call.args else {
                return Err(PyException::type_error(format!(
                    "function takes exactly 1 argument ({} given)",
                    call.args.len()
                )));
            };
            let pid = args::parse_uint_mask(pid)?;
            Ok(Object::Bytes(sock.borrow().share_with(pid)?))
        }
        other => Err(Error::not_implemented(&format!("socket.{other}()")).into()),
    }
}

/// `s.ioctl(control, option)` (Windows): CPython's `sock_ioctl`, which parses `"kO"`,
/// then the option by the control code: `SIO_RCVALL` and `SIO_LOOPBACK_FAST_PATH` an
/// unsigned int (`"I"`), `SIO_KEEPALIVE_VALS` a 3-item sequence `(onoff, time,
/// interval)` (`"(kkk)"`); any other code is `ValueError("invalid ioctl command N")`.
/// Returns the bytes-returned count of `WSAIoctl`.
fn ioctl(sock: &SocketRef, call: &Call<'_>) -> PyResult {
    let [control, option] = call.exactly("ioctl", 2)? else {
        unreachable!("exactly two arguments")
    };
    // 'k': an int (no __index__), taken modulo 2**32 (unsigned long on Windows).
    let k = |obj: &Object, what: &str| match obj {
        Object::Int(_) | Object::Bool(_) | Object::Enum(_) => args::parse_uint_mask(obj),
        other => Err(PyException::type_error(format!(
            "ioctl() {what} must be int, not {}",
            tp_name(other)
        ))),
    };
    let control = k(control, "argument 1")?;
    let is = |name: &str| constants::value(name) == Some(i64::from(control));
    let option = if is("SIO_RCVALL") || is("SIO_LOOPBACK_FAST_PATH") {
        sys::IoctlOption::Unsigned(args::parse_uint_mask(option)?)
    } else if is("SIO_KEEPALIVE_VALS") {
        let items = match option {
            Object::Tuple(items) | Object::List(items) => items.clone(),
            Object::Str(text) => text.chars().map(|c| Object::str(c.to_string())).collect(),
            Object::ByteArray(b) => b.borrow().iter().map(|&x| Object::int(x)).collect(),
            other => {
                let ty = if *other == Object::None {
                    "None"
                } else {
                    tp_name(other)
                };
                return Err(PyException::type_error(format!(
                    "ioctl() argument 2 must be 3-item sequence, not {ty}"
                )));
            }
        };
        let [onoff, time, interval] = items.as_slice() else {
            return Err(PyException::type_error(format!(
                "ioctl() argument 2 must be sequence of length 3, not {}",
                items.len()
            )));
        };
        sys::IoctlOption::KeepAlive {
            onoff: k(onoff, "argument 2, item 0")?,
            time: k(time, "argument 2, item 1")?,
            interval: k(interval, "argument 2, item 2")?,
        }
    } else {
        return Err(PyException::value_error(format!(
            "invalid ioctl command {control}"
        )));
    };
    Ok(Object::int(sock.borrow().ioctl(control, &option)?))
}

/// Argument Clinic's positional-only parsing of a `METH_FASTCALL` method (3.15's
/// `send` / `sendall`, gh-135748): `socket.send() takes no keyword arguments`, then
/// `_PyArg_CheckPositional`'s `send expected at least 1 argument, got 0`.
fn clinic_between<'a>(
    call: &Call<'a>,
    name: &str,
    min: usize,
    max: usize,
) -> Result<&'a [Object], PyException> {
    if !call.kwargs.is_empty() {
        return Err(PyException::type_error(format!(
            "socket.{name}() takes no keyword arguments"
        )));
    }
    let n = call.args.len();
    let plural = |k: usize| if k == 1 { "" } else { "s" };
    if n < min {
        return Err(PyException::type_error(format!(
            "{name} expected at least {min} argument{}, got {n}",
            plural(min)
        )));
    }
    if n > max {
        return Err(PyException::type_error(format!(
            "{name} expected at most {max} argument{}, got {n}",
            plural(max)
        )));
    }
    Ok(call.args)
}

/// The arguments of `recv` / `recvfrom` (`"n|i:recv"`), checked as CPython does:
/// `ValueError` for a negative size, `OverflowError("byte string is too large")` for one
/// no `bytes` object can have.
fn recv_args(call: &Call<'_>, name: &str) -> Result<(usize, i32), PyException> {
    /// `PY_SSIZE_T_MAX - PyBytesObject_SIZE`: the longest `bytes` on a 64-bit build
    /// (the header before the data plus the trailing NUL take 33 bytes).
    const MAX_BYTES: i64 = i64::MAX - 33;
    let a = call.between(name, 1, 2)?;
    let bufsize = args::parse_n(&a[0])?;
    let flags = a.get(1).map(args::parse_i).transpose()?.unwrap_or(0);
    if bufsize < 0 {
        return Err(PyException::value_error(format!(
            "negative buffersize in {name}"
        )));
    }
    if bufsize > MAX_BYTES {
        return Err(PyException::overflow_error("byte string is too large"));
    }
    let bufsize = usize::try_from(bufsize).map_err(|_| Error::memory())?;
    Ok((bufsize, flags))
}

/// `s.recv_into(buffer, nbytes=0, flags=0)` / `s.recvfrom_into(…)`
/// (`"w*|ni:recv_into"`): receives into a `bytearray`, returning the count (and the
/// sender's address).
fn recv_into(sock: &SocketRef, name: &str, call: &Call<'_>) -> PyResult {
    const PARAMS: [&str; 3] = ["buffer", "nbytes", "flags"];
    let mut slots: [Option<&Object>; 3] = [None; 3];
    if call.args.len() > 3 {
        return Err(PyException::type_error(format!(
            "{name}() takes at most 3 arguments ({} given)",
            call.args.len() + call.kwargs.len()
        )));
    }
    for (slot, arg) in slots.iter_mut().zip(call.args) {
        *slot = Some(arg);
    }
    for (key, value) in call.kwargs {
        let Some(i) = PARAMS.iter().position(|p| p == key) else {
            return Err(PyException::type_error(format!(
                "{name}() got an unexpected keyword argument '{key}'"
            )));
        };
        if slots[i].is_some() {
            return Err(PyException::type_error(format!(
                "argument for {name}() given by name ('{key}') and position ({})",
                i + 1
            )));
        }
        slots[i] = Some(value);
    }
    let Some(buffer) = slots[0] else {
        return Err(PyException::type_error(format!(
            "{name}() missing required argument 'buffer' (pos 1)"
        )));
    };
    let Some(buffer) = args::writable_buffer(buffer) else {
        let which = if call.args.is_empty() {
            "'buffer'".to_owned()
        } else {
            "1".to_owned()
        };
        let ty = if *buffer == Object::None {
            "None"
        } else {
            tp_name(buffer)
        };
        return Err(PyException::type_error(format!(
            "{name}() argument {which} must be read-write bytes-like object, not {ty}"
        )));
    };
    let nbytes = slots[1].map(args::parse_n).transpose()?.unwrap_or(0);
    let flags = slots[2].map(args::parse_i).transpose()?.unwrap_or(0);
    if nbytes < 0 {
        return Err(PyException::value_error(format!(
            "negative buffersize in {name}"
        )));
    }
    let buflen = buffer.borrow().len();
    let wanted = if nbytes == 0 {
        buflen
    } else {
        usize::try_from(nbytes).unwrap_or(usize::MAX)
    };
    if buflen < wanted {
        return Err(PyException::value_error(if name == "recv_into" {
            "buffer too small for requested bytes"
        } else {
            "nbytes is greater than the length of the buffer"
        }));
    }
    let s = sock.borrow();
    // Straight into the caller's buffer, as CPython's `sock_recv_guts` does: what the
    // OS writes stays there even when the call then fails (Windows' WSAEMSGSIZE).
    let mut target = buffer.borrow_mut();
    let area = &mut target[..wanted];
    if name == "recv_into" {
        Ok(Object::int(s.recv_into(area, flags)?))
    } else {
        let (n, from) = s.recv_from_into(area, flags)?;
        drop(target);
        Ok(Object::Tuple(vec![Object::int(n), addr_object(from)?]))
    }
}

/// Raises `event` (`socket.bind`, `socket.connect`, `socket.sendto`, `socket.sendmsg`)
/// with `(self, address)`: the address object as given, once it has been parsed (an
/// address CPython refuses raises no event); `sendmsg` without one names `None`.
pub(super) fn audit_address(sock: &SocketRef, event: &'static str, address: Option<&Object>) {
    sock.state().audit(event, || {
        vec![
            Object::Socket(sock.clone()),
            address.cloned().unwrap_or(Object::None),
        ]
    });
}

/// `s.sendto(bytes, address)` / `s.sendto(bytes, flags, address)`.
fn sendto(sock: &SocketRef, call: &Call<'_>) -> PyResult {
    if !call.kwargs.is_empty() {
        return Err(PyException::type_error(
            "sendto() takes no keyword arguments",
        ));
    }
    let (data, flags, addr) = match call.args {
        [data, addr] => (args::buffer(data)?, 0, addr),
        [data, flags, addr] => (args::buffer(data)?, args::parse_i(flags)?, addr),
        other => {
            return Err(PyException::type_error(format!(
                "sendto() takes 2 or 3 arguments ({} given)",
                other.len()
            )));
        }
    };
    let s = sock.borrow();
    let given = addr;
    let addr = parse_address(&s, addr, "sendto")?;
    audit_address(sock, "socket.sendto", Some(given));
    Ok(Object::int(s.send_to(&data, flags, &addr)?))
}

/// `s.__setattr__(name, value)`: `family` and `type` are read-only properties of
/// `socket.socket`, `proto` a read-only member and `timeout` a getter-only attribute of
/// `_socket.socket`; the class has `__slots__`, so no new attribute can be set.
fn setattr(sock: &SocketRef, call: &Call<'_>) -> PyResult {
    let a = call.exactly("__setattr__", 2).map_err(|_| {
        PyException::type_error(format!("expected 2 arguments, got {}", call.args.len()))
    })?;
    let Object::Str(name) = &a[0] else {
        return Err(PyException::type_error(format!(
            "attribute name must be string, not '{}'",
            tp_name(&a[0])
        )));
    };
    let _ = sock;
    Err(PyException::attribute_error(match name.as_str() {
        "family" | "type" => format!("property '{name}' of 'socket' object has no setter"),
        "proto" => "readonly attribute".to_owned(),
        "timeout" => "attribute 'timeout' of '_socket.socket' objects is not writable".to_owned(),
        _ if getattr(sock, name).is_some() => {
            format!("'socket' object attribute '{name}' is read-only")
        }
        other => format!(
            "'socket' object has no attribute '{other}' and no __dict__ for setting new attributes"
        ),
    }))
}

/// `s.setsockopt(level, optname, value)` / `s.setsockopt(level, optname, None, optlen)`:
/// CPython tries the formats `"iii"`, `"iiO!I"` and `"iiy*"` in turn, so the errors are
/// those of the last one.
fn setsockopt(sock: &SocketRef, call: &Call<'_>) -> PyResult {
    let s = sock.borrow();
    if call.kwargs.is_empty() {
        if let [level, name, flag] = call.args {
            if let (Ok(level), Ok(name), Ok(flag)) = (
                args::parse_i(level),
                args::parse_i(name),
                args::parse_i(flag),
            ) {
                s.setsockopt_int(level, name, flag)?;
                return Ok(Object::None);
            }
        }
        if let [level, name, Object::None, optlen] = call.args {
            if let (Ok(level), Ok(name), Ok(optlen)) = (
                args::parse_i(level),
                args::parse_i(name),
                args::parse_uint_mask(optlen),
            ) {
                s.setsockopt_none(level, name, optlen)?;
                return Ok(Object::None);
            }
        }
    }
    let [level, name, value] = call.exactly("setsockopt", 3)? else {
        unreachable!("exactly three arguments")
    };
    let level = args::parse_i(level)?;
    let name = args::parse_i(name)?;
    let value = args::buffer(value)?;
    s.setsockopt(level, name, &value)?;
    Ok(Object::None)
}

// ---- addresses --------------------------------------------------------------------------

/// A Python address for a socket of `s`'s family: CPython's `getsockaddrarg`, whose
/// messages name the calling method (`caller`, e.g. `"bind"`).
pub(super) fn parse_address(
    s: &Socket,
    addr: &Object,
    caller: &str,
) -> Result<SockAddr, PyException> {
    let family = i64::from(s.family());
    if Some(family) == constants::value("AF_INET") {
        return parse_inet(addr, caller);
    }
    if Some(family) == constants::value("AF_INET6") {
        return parse_inet6(addr, caller);
    }
    if Some(family) == constants::value("AF_UNIX") {
        let bytes = match addr {
            // PyUnicode_EncodeFSDefault: UTF-8 (lone surrogates cannot occur in a String).
            Object::Str(text) => text.as_bytes().to_vec(),
            other => args::buffer(other)?,
        };
        return Ok(SockAddr::Unix(UnixAddr::from_bytes(bytes)?));
    }
    if Some(family) == constants::value("AF_NETLINK") {
        let Object::Tuple(items) = addr else {
            return Err(PyException::type_error(format!(
                "{caller}(): AF_NETLINK address must be tuple, not {}",
                tp_name(addr)
            )));
        };
        let [pid, groups] = items.as_slice() else {
            return Err(PyException::type_error(
                "AF_NETLINK address must be a pair (pid, groups)",
            ));
        };
        return Ok(SockAddr::Netlink {
            pid: args::parse_uint_mask(pid)?,
            groups: args::parse_uint_mask(groups)?,
        });
    }
    if Some(family) == constants::value("AF_VSOCK") {
        let Object::Tuple(items) = addr else {
            return Err(PyException::type_error(format!(
                "getsockaddrarg: AF_VSOCK address must be tuple, not {}",
                tp_name(addr)
            )));
        };
        let [cid, port] = items.as_slice() else {
            return Err(PyException::type_error(format!(
                "getsockaddrarg() takes exactly 2 arguments ({} given)",
                items.len()
            )));
        };
        return Ok(SockAddr::Vsock {
            cid: args::parse_uint_mask(cid)?,
            port: args::parse_uint_mask(port)?,
        });
    }
    let name = EnumClass::AddressFamily
        .member_by_value(family)
        .map_or_else(|| family.to_string(), str::to_owned);
    Err(Error::not_implemented(&format!("{caller}() with an address of family {name}")).into())
}

/// An `AF_INET` address: a tuple `(host, port)`.
fn parse_inet(addr: &Object, caller: &str) -> Result<SockAddr, PyException> {
    let Object::Tuple(items) = addr else {
        return Err(PyException::type_error(format!(
            "{caller}(): AF_INET address must be tuple, not {}",
            tp_name(addr)
        )));
    };
    let [host, port] = items.as_slice() else {
        return Err(PyException::type_error(
            "AF_INET address must be a pair (host, port)",
        ));
    };
    let port_range = || PyException::overflow_error(format!("{caller}(): port must be 0-65535."));
    let host = host_bytes(host)?;
    let port = args::parse_i(port).map_err(|e| {
        if e.exc_type() == ExcType::OverflowError {
            port_range()
        } else {
            e
        }
    })?;
    let ip = address::resolve_ipv4(&host)?;
    let port = u16::try_from(port).map_err(|_| port_range())?;
    Ok(SockAddr::Inet(ip, port))
}

/// An `AF_INET6` address: a tuple `(host, port[, flowinfo[, scope_id]])` (CPython's
/// `"O&i|II"` with its messages).
fn parse_inet6(addr: &Object, caller: &str) -> Result<SockAddr, PyException> {
    let Object::Tuple(items) = addr else {
        return Err(PyException::type_error(format!(
            "{caller}(): AF_INET6 address must be tuple, not {}",
            tp_name(addr)
        )));
    };
    let shape = || {
        PyException::type_error(
            "AF_INET6 address must be a tuple (host, port[, flowinfo[, scopeid]])",
        )
    };
    if !(2..=4).contains(&items.len()) {
        return Err(shape());
    }
    let port_range = || PyException::overflow_error(format!("{caller}(): port must be 0-65535."));
    let host = host_bytes(&items[0])?;
    let port = args::parse_i(&items[1]).map_err(|e| {
        if e.exc_type() == ExcType::OverflowError {
            port_range()
        } else {
            e
        }
    })?;
    let flowinfo = items
        .get(2)
        .map(args::parse_uint_mask)
        .transpose()?
        .unwrap_or(0);
    let scope_id = items
        .get(3)
        .map(args::parse_uint_mask)
        .transpose()?
        .unwrap_or(0);
    let ip = address::resolve_ipv6(&host)?;
    let port = u16::try_from(port).map_err(|_| port_range())?;
    if flowinfo > 0xfffff {
        return Err(PyException::overflow_error(format!(
            "{caller}(): flowinfo must be 0-1048575."
        )));
    }
    Ok(SockAddr::Inet6(std::net::SocketAddrV6::new(
        ip, port, flowinfo, scope_id,
    )))
}

/// A host as CPython's `idna_converter` takes it: `str` (ASCII as it is, other text
/// through the `idna` codec, whose failure is `TypeError("encoding of hostname
/// failed")`), `bytes` or `bytearray`, without NUL.
fn host_bytes(host: &Object) -> Result<Vec<u8>, PyException> {
    let bytes = match host {
        Object::Str(s) if s.is_ascii() => s.as_bytes().to_vec(),
        Object::Str(s) => crate::core::idna::encode(s)
            .map_err(|_| PyException::type_error("encoding of hostname failed"))?,
        Object::Bytes(b) => b.clone(),
        Object::ByteArray(b) => b.borrow().clone(),
        other => {
            return Err(PyException::type_error(format!(
                "str, bytes or bytearray expected, not {}",
                tp_name(other)
            )));
        }
    };
    if bytes.contains(&0) {
        return Err(PyException::type_error(
            "host name must not contain null character",
        ));
    }
    Ok(bytes)
}

/// Families whose addresses CPython's `makesockaddr` decodes into their own tuples, which
/// the reference does not decode yet (it raises `NotImplementedError` rather than give
/// the generic `(family, sa_data)` form CPython keeps for families it does not know).
const FAMILIES_DECODED_BY_CPYTHON: &[&str] = &[
    "AF_ALG",
    "AF_BLUETOOTH",
    "AF_CAN",
    "AF_NETLINK",
    "AF_PACKET",
    "AF_QIPCRTR",
    "AF_TIPC",
    "AF_VSOCK",
];

/// An address as Python sees it: CPython's `makesockaddr`. `None` when there is none.
///
/// `AF_UNIX` paths are decoded as UTF-8; bytes that are not UTF-8 (which CPython keeps as
/// lone surrogates) are replaced by U+FFFD, since [`Object::Str`] cannot hold surrogates.
pub fn addr_object(addr: Option<SockAddr>) -> PyResult {
    let Some(addr) = addr else {
        return Ok(Object::None);
    };
    Ok(match addr {
        SockAddr::Inet(ip, port) => {
            Object::Tuple(vec![Object::str(ip.to_string()), Object::int(port)])
        }
        SockAddr::Inet6(a) => Object::Tuple(vec![
            Object::str(address::ipv6_text(a.ip())),
            Object::int(a.port()),
            Object::int(a.flowinfo()),
            Object::int(a.scope_id()),
        ]),
        SockAddr::Unix(UnixAddr::Path(p)) => Object::str(String::from_utf8_lossy(&p)),
        SockAddr::Unix(UnixAddr::Abstract(a)) => Object::Bytes(a),
        SockAddr::Netlink { pid, groups } => {
            Object::Tuple(vec![Object::int(pid), Object::int(groups)])
        }
        SockAddr::Vsock { cid, port } => Object::Tuple(vec![Object::int(cid), Object::int(port)]),
        SockAddr::Other { family, data } => {
            let name = EnumClass::AddressFamily.member_by_value(i64::from(family));
            if let Some(name) = name.filter(|n| FAMILIES_DECODED_BY_CPYTHON.contains(n)) {
                return Err(Error::not_implemented(&format!("decoding an {name} address")).into());
            }
            Object::Tuple(vec![Object::int(family), Object::Bytes(data)])
        }
    })
}

// ---- support for the module and the runner ---------------------------------------------------

/// Whether a socket of `family` can be created with one of `SOCK_STREAM`, `SOCK_DGRAM`,
/// `SOCK_SEQPACKET`, `SOCK_RAW` (tried in that order, closed at once).
pub fn family_supported(family: i32) -> Result<(), PyException> {
    let mut last = None;
    for kind in ["SOCK_STREAM", "SOCK_DGRAM", "SOCK_SEQPACKET", "SOCK_RAW"] {
        let Some(kind) = constants::value(kind).and_then(|k| i32::try_from(k).ok()) else {
            continue;
        };
        match Socket::open(family, kind, 0, None) {
            Ok(mut s) => {
                // An error from close(2) does not make the family unusable.
                let _ = s.close();
                return Ok(());
            }
            Err(e) => last = Some(e),
        }
    }
    Err(last
        .unwrap_or_else(|| Error::not_implemented("a socket type to try"))
        .into())
}

/// Whether a socket of `[family, type, proto]` can be created (and is closed again).
pub fn socket_supported([family, kind, proto]: [i32; 3]) -> Result<(), PyException> {
    let mut s = Socket::open(family, kind, proto, None)?;
    // An error from close(2) does not make the transport unusable.
    let _ = s.close();
    Ok(())
}

/// Whether an `AF_INET6` stream socket can be bound to `("::1", 0)`.
pub fn ipv6_loopback_usable() -> Result<(), PyException> {
    let family = constants::value("AF_INET6").and_then(|f| i32::try_from(f).ok());
    let kind = constants::value("SOCK_STREAM").and_then(|k| i32::try_from(k).ok());
    let (Some(family), Some(kind)) = (family, kind) else {
        return Err(Error::not_implemented("AF_INET6").into());
    };
    let mut s = Socket::open(family, kind, 0, None)?;
    let loopback = std::net::SocketAddrV6::new(std::net::Ipv6Addr::LOCALHOST, 0, 0, 0);
    let bound = s.bind(&SockAddr::Inet6(loopback));
    let _ = s.close();
    Ok(bound?)
}

#[cfg(test)]
mod tests;
