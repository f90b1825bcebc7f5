//! The `socket` module as Python code sees it: attribute lookup and calls, with the
//! per-case state (the default timeout), and what a runner needs around a case
//! (closing the objects it made, probing families).

use super::args::Call;
use super::exception::PyException;
use super::object::{Class, EnumMember, Object, tp_name};
use super::state::State;
use super::{builtins, functions, io, socket, sockfuncs};
use crate::core::ExcType;
use crate::core::constants::{self, EnumClass};
use crate::core::timeout::Timeout;
use crate::sys;
use std::rc::Rc;

/// One `socket` module instance: what a case runs against.
#[derive(Debug, Clone, Default)]
pub struct Module {
    state: Rc<State>,
}

/// Module attributes that are classes.
const CLASSES: &[(&str, Class)] = &[
    ("error", Class::Exception(ExcType::OSError)),
    ("herror", Class::Exception(ExcType::Herror)),
    ("gaierror", Class::Exception(ExcType::Gaierror)),
    ("timeout", Class::Exception(ExcType::TimeoutError)),
    ("socket", Class::Socket),
    ("SocketType", Class::SocketType),
    ("AddressFamily", Class::Enum(EnumClass::AddressFamily)),
    ("SocketKind", Class::Enum(EnumClass::SocketKind)),
    ("MsgFlag", Class::Enum(EnumClass::MsgFlag)),
    ("AddressInfo", Class::Enum(EnumClass::AddressInfo)),
];

impl Module {
    /// The Python version whose documented behaviour the reference implements.
    pub const PYTHON_VERSION: &'static str = "3.15";

    /// A freshly imported module: no default timeout.
    pub fn new() -> Module {
        Module::default()
    }

    /// Restores the module state a new case starts from (`setdefaulttimeout(None)`).
    pub fn reset(&mut self) {
        self.state.set_default_timeout(None);
    }

    /// Starts recording the audit events the module raises (see [`State`]).
    pub fn record_audit(&self) {
        self.state.record_audit();
    }

    /// Stops recording, and gives the `(event, args)` raised since
    /// [`Module::record_audit`], in order.
    pub fn take_audit(&self) -> Vec<(&'static str, Vec<Object>)> {
        self.state
            .take_audit()
            .into_iter()
            .map(|e| (e.event, e.args))
            .collect()
    }

    /// Installs a Python-level signal handler doing `action` on this thread and has a
    /// signal delivered to the thread `after` from now (a step's `interrupt:`); see
    /// [`super::signals`]. `Err` says why it cannot be done here.
    pub fn interrupt(
        &self,
        after: std::time::Duration,
        action: super::HandlerAction,
    ) -> Result<super::Interrupt, String> {
        super::Interrupt::arm(after, action)
    }

    /// The current default timeout (`socket.getdefaulttimeout()`).
    pub fn default_timeout(&self) -> Option<Timeout> {
        self.state.default_timeout()
    }

    /// Closes `obj` if it is a socket (`s.close()`, errors ignored); does nothing for any
    /// other object. A runner calls it for every object a case made or saved when the
    /// case ends, so that no descriptor outlives its case.
    pub fn close_object(&self, obj: &Object) {
        match obj {
            Object::Socket(sock) => sock.force_close(),
            Object::Io(f) => io::close_quietly(f),
            _ => {}
        }
    }

    /// Whether sockets of the family `socket.NAME` can be created here: `Ok` when one of
    /// `SOCK_STREAM`, `SOCK_DGRAM`, `SOCK_SEQPACKET`, `SOCK_RAW` works (the socket is
    /// closed at once), else why not.
    pub fn family_supported(&self, name: &str) -> Result<(), String> {
        let family = self
            .getattr(name)
            .ok()
            .and_then(|f| f.as_int())
            .and_then(|f| num_traits::ToPrimitive::to_i32(&f))
            .ok_or_else(|| format!("socket.{name} is missing"))?;
        socket::family_supported(family)
            .map_err(|e| format!("cannot create a {name} socket here ({e})"))
    }

    /// Whether a socket of `socket.FAMILY`, `socket.TYPE`, `socket.PROTO` (names) can be
    /// created here (it is closed at once); else why not.
    pub fn socket_supported(&self, names: &[String; 3]) -> Result<(), String> {
        let mut numbers = [0i32; 3];
        for (n, name) in numbers.iter_mut().zip(names) {
            *n = self
                .getattr(name)
                .ok()
                .and_then(|v| v.as_int())
                .and_then(|v| num_traits::ToPrimitive::to_i32(&v))
                .ok_or_else(|| format!("socket.{name} is missing"))?;
        }
        socket::socket_supported(numbers).map_err(|e| {
            format!(
                "cannot create a socket({}, {}, {}) here ({e})",
                names[0], names[1], names[2]
            )
        })
    }

    /// Whether IPv6 is usable here: `socket.has_ipv6` is true and an `AF_INET6` socket
    /// binds `("::1", 0)` (closed at once); else why not.
    pub fn ipv6_usable(&self) -> Result<(), String> {
        if !constants::HAS_IPV6 {
            return Err("socket.has_ipv6 is false".to_owned());
        }
        socket::ipv6_loopback_usable().map_err(|e| format!("cannot bind ('::1', 0) ({e})"))
    }

    /// The names of all module attributes the reference provides on this platform.
    pub fn attribute_names(&self) -> Vec<String> {
        let mut names: Vec<String> = CLASSES.iter().map(|(n, _)| (*n).to_owned()).collect();
        names.extend(module_functions().map(|n| n.to_owned()));
        names.extend(constants::all().iter().map(|c| c.name.to_owned()));
        names.extend(sys::string_constants().iter().map(|(n, _)| (*n).to_owned()));
        names.push("has_ipv6".to_owned());
        names.sort();
        names
    }

    /// Whether `socket.NAME` exists.
    pub fn has_attr(&self, name: &str) -> bool {
        self.getattr(name).is_ok()
    }

    /// `socket.NAME`.
    pub fn getattr(&self, name: &str) -> Result<Object, PyException> {
        if let Some(&(_, class)) = CLASSES.iter().find(|(n, _)| *n == name) {
            return Ok(Object::Class(class));
        }
        if let Some(f) = module_functions().find(|&n| n == name) {
            return Ok(Object::Function(f));
        }
        if name == "has_ipv6" {
            return Ok(Object::Bool(constants::HAS_IPV6));
        }
        if let Some(&(_, text)) = sys::string_constants().iter().find(|(n, _)| *n == name) {
            return Ok(Object::str(text));
        }
        if let Some(c) = constants::lookup(name) {
            return Ok(
                match c.class.and_then(|class| EnumMember::by_name(class, name)) {
                    Some(member) => Object::Enum(member),
                    None => Object::int(c.value),
                },
            );
        }
        Err(PyException::attribute_error(format!(
            "module 'socket' has no attribute '{name}'"
        )))
    }

    /// `builtins.NAME`, for the few builtins cases reach (`repr`, `len`, `type`, …).
    pub fn builtin(&self, name: &str) -> Result<Object, PyException> {
        builtins::lookup(name).ok_or_else(|| {
            PyException::attribute_error(format!("module 'builtins' has no attribute '{name}'"))
        })
    }

    /// `obj[index]` for a sequence (`tuple`, `list`, `bytes`, `bytearray`, `str`,
    /// `memoryview`); `TypeError` for anything else, as Python says it.
    pub fn getitem(&self, obj: &Object, index: i64) -> Result<Object, PyException> {
        builtins::getitem(obj, index).unwrap_or_else(|| {
            Err(PyException::type_error(format!(
                "'{}' object is not subscriptable",
                tp_name(obj)
            )))
        })
    }

    /// `obj.NAME` for an object the module handed out.
    pub fn getattr_of(&self, obj: &Object, name: &str) -> Result<Object, PyException> {
        let found = match obj {
            Object::Class(class) => class_attr(class, name),
            Object::Enum(member) => match name {
                "name" | "_name_" => Some(member.name.clone().map_or(Object::None, Object::Str)),
                "value" | "_value_" | "real" | "numerator" => Some(Object::int(member.value)),
                _ => None,
            },
            Object::Exception(exc) => exception_attr(exc, name),
            Object::Function(f) => match name {
                "__name__" | "__qualname__" => Some(Object::str(*f)),
                "__module__" if super::object::type_name(obj) == "function" => {
                    Some(Object::str("socket"))
                }
                "__module__" => Some(Object::str("_socket")),
                _ => None,
            },
            Object::Socket(sock) => socket::getattr(sock, name),
            Object::Method(method) => socket::method_getattr(method, name),
            Object::Io(f) => io::getattr(f, name)?,
            Object::IoMethod(f, m) => match name {
                "__name__" => Some(Object::str(*m)),
                "__self__" => Some(Object::Io(f.clone())),
                _ => None,
            },
            Object::Builtin(b) => match name {
                "__name__" | "__qualname__" => Some(Object::str(*b)),
                "__module__" => Some(Object::str("builtins")),
                _ => None,
            },
            other => builtins::value_method(other, name)
                .map(|m| Object::ValueMethod(Box::new(other.clone()), m)),
        };
        found.ok_or_else(|| {
            let message = match obj {
                // BlockingIOError.characters_written is a getter that raises when unset.
                Object::Exception(e)
                    if e.exc_type() == ExcType::BlockingIOError && name == "characters_written" =>
                {
                    "characters_written".to_owned()
                }
                Object::Class(class) => {
                    format!(
                        "type object '{}' has no attribute '{name}'",
                        class.short_name()
                    )
                }
                other => format!("'{}' object has no attribute '{name}'", tp_name(other)),
            };
            PyException::attribute_error(message)
        })
    }

    /// `callee(*args, **kwargs)`.
    pub fn call(
        &mut self,
        callee: &Object,
        args: Vec<Object>,
        kwargs: Vec<(String, Object)>,
    ) -> Result<Object, PyException> {
        let call = Call {
            args: &args,
            kwargs: &kwargs,
        };
        match callee {
            Object::Function(name) => functions::call(name, &call, &self.state)
                .or_else(|| sockfuncs::call(name, &call, &self.state))
                .unwrap_or_else(|| Err(not_implemented(&format!("socket.{name}()")))),
            Object::Class(Class::Exception(ty)) => {
                if !kwargs.is_empty() {
                    return Err(PyException::type_error(format!(
                        "{}() takes no keyword arguments",
                        ty.short_name()
                    )));
                }
                Ok(PyException::call(*ty, args)?.into())
            }
            Object::Class(Class::Enum(class)) => enum_call(*class, &call),
            Object::Class(Class::Socket) => socket::construct(&call, &self.state),
            Object::Class(class) => Err(not_implemented(&format!("{}()", class.name()))),
            Object::Method(method) => socket::call_method(method, &call),
            Object::IoMethod(f, name) => io::call_method(f, name, &call),
            Object::Builtin(name) => builtins::call(name, &call, self),
            Object::ValueMethod(obj, name) => builtins::call_value_method(obj, name, &call),
            other => Err(PyException::type_error(format!(
                "'{}' object is not callable",
                tp_name(other)
            ))),
        }
    }
}

/// The module's functions on this platform: those of [`functions`] and [`sockfuncs`]
/// less the ones the platform's CPython lacks (`sys::FEATURES`): `CMSG_LEN`,
/// `CMSG_SPACE`, `send_fds` and `recv_fds` need `CMSG_LEN`, `fromshare` needs
/// `socket.socket.share`.
fn module_functions() -> impl Iterator<Item = &'static str> {
    functions::NAMES
        .iter()
        .chain(sockfuncs::NAMES)
        .copied()
        .filter(|&name| match name {
            "CMSG_LEN" | "CMSG_SPACE" | "send_fds" | "recv_fds" => sys::FEATURES.cmsg,
            "fromshare" => sys::FEATURES.share,
            "sethostname" => sys::FEATURES.sethostname,
            _ => true,
        })
}

fn not_implemented(what: &str) -> PyException {
    PyException::with_message(
        ExcType::NotImplementedError,
        format!("{what} is not implemented by the sockconf reference yet"),
    )
}

fn class_attr(class: &Class, name: &str) -> Option<Object> {
    match name {
        "__name__" | "__qualname__" => return Some(Object::str(class.short_name())),
        "__module__" => return Some(Object::str(class.module())),
        _ => {}
    }
    match class {
        Class::Enum(c) => EnumMember::by_name(*c, name).map(Object::Enum),
        _ => None,
    }
}

fn exception_attr(exc: &PyException, name: &str) -> Option<Object> {
    let oserror = exc.exc_type().is_oserror();
    match name {
        "args" => Some(Object::Tuple(exc.args())),
        "errno" if oserror => Some(exc.errno_object().cloned().unwrap_or(Object::None)),
        "strerror" if oserror => Some(exc.strerror().unwrap_or(Object::None)),
        "filename" if oserror => Some(exc.filename().unwrap_or(Object::None)),
        "filename2" if oserror => Some(exc.filename2().unwrap_or(Object::None)),
        "winerror" if oserror && sys::FEATURES.winerror => {
            Some(exc.winerror().unwrap_or(Object::None))
        }
        "characters_written" => exc.characters_written().map(Object::int),
        _ => None,
    }
}

/// `AddressFamily(value)` and friends: the member with that value; for an `IntFlag`
/// any combination of bits (`MsgFlag(3)` is `MSG_OOB|MSG_PEEK`).
fn enum_call(class: EnumClass, call: &Call<'_>) -> Result<Object, PyException> {
    let [value] = call.args else {
        if call.args.is_empty() {
            return Err(PyException::type_error(
                "EnumType.__call__() missing 1 required positional argument: 'value'",
            ));
        }
        return Err(not_implemented("the enum functional API"));
    };
    if let Some(kw) = call.kwargs.first() {
        return Err(PyException::type_error(format!(
            "EnumType.__call__() got an unexpected keyword argument '{}'",
            kw.0
        )));
    }
    let invalid = || {
        PyException::value_error(format!(
            "{} is not a valid {}",
            super::object::repr(value),
            class.short_name()
        ))
    };
    let number = match value {
        Object::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e18 => Some(*f as i64),
        other => other
            .as_int()
            .and_then(|i| num_traits::ToPrimitive::to_i64(&i)),
    };
    let number = number.ok_or_else(invalid)?;
    if let Some(name) = class.member_by_value(number) {
        return Ok(Object::Enum(EnumMember {
            class,
            name: Some(name.to_owned()),
            value: number,
        }));
    }
    if !class.is_flag() || matches!(value, Object::Float(_)) {
        return Err(invalid());
    }
    let all_bits = class.all_bits();
    let number = if number < 0 {
        number + all_bits + 1
    } else {
        number
    };
    if number < 0 {
        return Err(invalid());
    }
    Ok(Object::Enum(EnumMember {
        class,
        name: class.flag_name(number),
        value: number,
    }))
}
