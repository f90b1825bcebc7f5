//! Python values as the reference sees them: [`Object`], the enum members and class
//! objects it holds, and Python's `type(x)`, `repr(x)` and `str(x)` for them.

use std::cell::RefCell;
use std::fmt::Write as _;
use std::rc::Rc;

use num_bigint::BigInt;

use super::exception::PyException;
use super::socket::{self, Method, SocketRef};
use crate::core::ExcType;
use crate::core::constants::EnumClass;
use crate::core::io::IoRef;

/// A Python value.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Object {
    /// `None`
    None,
    /// `True` / `False`
    Bool(bool),
    /// `int`, any size
    Int(BigInt),
    /// `float`
    Float(f64),
    /// `str`
    Str(String),
    /// `bytes`
    Bytes(Vec<u8>),
    /// `bytearray` (mutable and shared, like Python's)
    ByteArray(Rc<RefCell<Vec<u8>>>),
    /// `tuple`
    Tuple(Vec<Object>),
    /// `list`
    List(Vec<Object>),
    /// A member of an `IntEnum` / `IntFlag` class (`socket.AF_INET`)
    Enum(EnumMember),
    /// A class object (`socket.gaierror`, `socket.AddressFamily`, `socket.socket`)
    Class(Class),
    /// An exception instance used as a value (`socket.gaierror(-2, 'x')`)
    Exception(Box<PyException>),
    /// A module-level function, by name (`socket.htons`)
    Function(&'static str),
    /// A `socket.socket` instance (shared: clones are the same socket)
    Socket(SocketRef),
    /// A socket method bound to its socket (`s.recv`)
    Method(Method),
    /// A builtin function reached as `builtins.NAME` (`repr`, `len`, …)
    Builtin(&'static str),
    /// A method of a plain value, bound to it (`(3).__eq__`, `'x'.encode`)
    ValueMethod(Box<Object>, &'static str),
    /// A `memoryview` of a `bytes` (read-only, over a copy) or of a `bytearray` (sharing
    /// its storage, so writes through the view show in the `bytearray`).
    MemoryView(MemoryView),
    /// An io object: `socket.SocketIO`, `_io.FileIO`, a buffered stream or a
    /// `TextIOWrapper` (shared: clones are the same object).
    Io(IoRef),
    /// A method of an io object, bound to it (`f.readline`).
    IoMethod(IoRef, &'static str),
    /// A real number of a type from outside `builtins`: `decimal.Decimal`,
    /// `fractions.Fraction`.
    Real(Real),
}

/// Which real-number type a [`Real`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RealKind {
    Decimal,
    Fraction,
}

/// A `decimal.Decimal` or `fractions.Fraction`: as far as the socket module cares, a real
/// number that `float()` converts (`__float__`), and that is not an `int` (`__index__`).
#[derive(Debug, Clone, PartialEq)]
pub struct Real {
    pub kind: RealKind,
    /// `Decimal('2.5')` / `Fraction(1, 2)`.
    pub repr: String,
    /// `float(x)`.
    pub value: f64,
}

impl Real {
    /// `decimal.Decimal(text)` for a decimal literal.
    pub fn decimal(text: &str) -> Option<Real> {
        let value: f64 = text.trim().parse().ok()?;
        Some(Real {
            kind: RealKind::Decimal,
            repr: format!("Decimal('{}')", text.trim()),
            value,
        })
    }

    /// `fractions.Fraction(text)` for `"N/D"` or `"N"`, in lowest terms as Python keeps it.
    pub fn fraction(text: &str) -> Option<Real> {
        let (n, d) = match text.trim().split_once('/') {
            Some((n, d)) => (n.trim().parse::<i64>().ok()?, d.trim().parse::<i64>().ok()?),
            None => (text.trim().parse::<i64>().ok()?, 1),
        };
        if d == 0 {
            return None;
        }
        let g = gcd(n.unsigned_abs(), d.unsigned_abs()).max(1) as i64;
        let (n, d) = if d < 0 {
            (-n / g, -d / g)
        } else {
            (n / g, d / g)
        };
        Some(Real {
            kind: RealKind::Fraction,
            repr: format!("Fraction({n}, {d})"),
            value: n as f64 / d as f64,
        })
    }
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 { a } else { gcd(b, a % b) }
}

/// `memoryview(obj)`: the exported bytes and whether they are read-only.
#[derive(Debug, Clone)]
pub struct MemoryView {
    /// The viewed bytes (shared with a `bytearray`).
    pub data: Rc<RefCell<Vec<u8>>>,
    /// Whether the view is read-only (a view of `bytes`).
    pub readonly: bool,
    /// The `struct` format of its items: `b'B'` (unsigned bytes, the default) or `b'i'`
    /// (native C ints, after `cast('i')`).
    pub format: u8,
    /// The view object itself, for identity.
    id: Rc<()>,
}

impl MemoryView {
    /// A view of `data`.
    pub fn new(data: Rc<RefCell<Vec<u8>>>, readonly: bool) -> MemoryView {
        MemoryView {
            data,
            readonly,
            format: b'B',
            id: Rc::new(()),
        }
    }

    /// The size of one item.
    pub fn itemsize(&self) -> usize {
        if self.format == b'i' { 4 } else { 1 }
    }

    /// `view[index]` (negative indexes count from the end).
    pub fn item(&self, index: i64) -> Option<Object> {
        let data = self.data.borrow();
        let n = (data.len() / self.itemsize()) as i64;
        let i = if index < 0 { index + n } else { index };
        if !(0..n).contains(&i) {
            return None;
        }
        let at = i as usize * self.itemsize();
        Some(if self.format == b'i' {
            let b = &data[at..at + 4];
            Object::int(i32::from_ne_bytes([b[0], b[1], b[2], b[3]]))
        } else {
            Object::int(data[at])
        })
    }

    /// `view.cast(format)` for the formats the reference has (`'B'`, `'i'`).
    pub fn cast(&self, format: u8) -> MemoryView {
        MemoryView {
            data: self.data.clone(),
            readonly: self.readonly,
            format,
            id: Rc::new(()),
        }
    }
}

impl PartialEq for MemoryView {
    fn eq(&self, other: &MemoryView) -> bool {
        *self.data.borrow() == *other.data.borrow()
    }
}

/// What `id()` distinguishes for objects whose identity matters beyond their value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Identity {
    /// A shared object (a socket): the address of its allocation, stable while it lives.
    Shared(usize),
    /// A module-level function: one object per name.
    Function(&'static str),
    /// A builtin function: one object per name.
    Builtin(&'static str),
}

impl Object {
    /// An `int`.
    pub fn int(value: impl Into<BigInt>) -> Object {
        Object::Int(value.into())
    }

    /// A `str`.
    pub fn str(value: impl Into<String>) -> Object {
        Object::Str(value.into())
    }

    /// A `bytearray` holding a copy of `bytes`.
    pub fn bytearray(bytes: impl Into<Vec<u8>>) -> Object {
        Object::ByteArray(Rc::new(RefCell::new(bytes.into())))
    }

    /// The integer value of an `int` or of an `int` subclass instance (`bool`, enum
    /// members): what `PyLong_Check` accepts.
    pub fn as_int(&self) -> Option<BigInt> {
        match self {
            Object::Int(i) => Some(i.clone()),
            Object::Bool(b) => Some(BigInt::from(u8::from(*b))),
            Object::Enum(m) => Some(BigInt::from(m.value)),
            _ => None,
        }
    }

    /// The object's identity, for `is` and for numbering objects in results: `Some` for
    /// sockets and module functions, which stay the same object however often they are
    /// reached; `None` for plain values and for bound methods, which are new objects
    /// each time they are looked up (as in CPython).
    pub fn identity(&self) -> Option<Identity> {
        match self {
            Object::Socket(s) => Some(Identity::Shared(s.identity())),
            Object::Function(name) => Some(Identity::Function(name)),
            Object::Builtin(name) => Some(Identity::Builtin(name)),
            Object::MemoryView(v) => Some(Identity::Shared(Rc::as_ptr(&v.id) as usize)),
            Object::Io(f) => Some(Identity::Shared(f.identity())),
            _ => None,
        }
    }

    /// The socket, when this is one.
    pub fn as_socket(&self) -> Option<&SocketRef> {
        match self {
            Object::Socket(s) => Some(s),
            _ => None,
        }
    }

    /// The exception, when this is an exception instance.
    pub fn as_exception(&self) -> Option<&PyException> {
        match self {
            Object::Exception(e) => Some(e),
            _ => None,
        }
    }
}

impl From<PyException> for Object {
    fn from(e: PyException) -> Object {
        Object::Exception(Box::new(e))
    }
}

/// A member (or, for an `IntFlag`, a combination of members) of one of the module's
/// enum classes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EnumMember {
    /// Its class.
    pub class: EnumClass,
    /// Its `name`: the member name, `"MSG_OOB|MSG_PEEK"` for a combination, `None` for a
    /// flag value with no member bits (`MsgFlag(0)`).
    pub name: Option<String>,
    /// Its integer value.
    pub value: i64,
}

impl EnumMember {
    /// The member of `class` named `name` (canonical or alias).
    pub fn by_name(class: EnumClass, name: &str) -> Option<EnumMember> {
        let (canonical, value) = class.member_by_name(name)?;
        Some(EnumMember {
            class,
            name: Some(canonical.to_owned()),
            value,
        })
    }

    /// The class's qualified name, `"socket.AddressFamily"`.
    pub fn class_name(&self) -> String {
        self.class.name()
    }
}

/// A class object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Class {
    /// An exception class (`OSError`, `socket.gaierror`, …).
    Exception(ExcType),
    /// One of the module's enum classes.
    Enum(EnumClass),
    /// `socket.socket`, the Python-level socket class.
    Socket,
    /// `socket.SocketType`, i.e. `_socket.socket`, the C base class.
    SocketType,
    /// A builtin class by its type name (`"int"`, `"tuple"`, `"type"`), or another
    /// class the reference only names (`"enum.EnumType"`).
    Builtin(&'static str),
}

impl Class {
    /// The qualified type name: `"OSError"`, `"socket.gaierror"`, `"socket.socket"`.
    pub fn name(&self) -> String {
        match self {
            Class::Exception(t) => t.name(),
            Class::Enum(c) => c.name(),
            Class::Socket => "socket.socket".to_owned(),
            Class::SocketType => "_socket.socket".to_owned(),
            Class::Builtin(name) => (*name).to_owned(),
        }
    }

    /// The class's `__name__`: `"gaierror"`, `"AddressFamily"`, `"socket"`.
    pub fn short_name(&self) -> &'static str {
        match self {
            Class::Exception(t) => t.short_name(),
            Class::Enum(c) => c.short_name(),
            Class::Socket | Class::SocketType => "socket",
            Class::Builtin(name) => name.rsplit('.').next().unwrap_or(name),
        }
    }

    /// The class's `__module__`.
    pub fn module(&self) -> &'static str {
        match self {
            Class::Exception(t) => t.module(),
            Class::Enum(_) | Class::Socket => "socket",
            Class::SocketType => "_socket",
            Class::Builtin(name) => name.rsplit_once('.').map_or("builtins", |(m, _)| m),
        }
    }

    /// The method resolution order as type names.
    pub fn mro(&self) -> Vec<String> {
        match self {
            Class::Exception(t) => t.mro(),
            Class::Enum(c) => c.mro(),
            Class::Socket => vec![
                "socket.socket".into(),
                "_socket.socket".into(),
                "object".into(),
            ],
            Class::SocketType => vec!["_socket.socket".into(), "object".into()],
            Class::Builtin("object") => vec!["object".into()],
            Class::Builtin("bool") => vec!["bool".into(), "int".into(), "object".into()],
            Class::Builtin("enum.EnumType") => {
                vec!["enum.EnumType".into(), "type".into(), "object".into()]
            }
            Class::Builtin(name) => vec![(*name).to_owned(), "object".into()],
        }
    }

    /// The metaclass's type name (`type(cls)`): `"type"` or `"enum.EnumType"`.
    pub fn metaclass(&self) -> &'static str {
        match self {
            Class::Enum(_) => "enum.EnumType",
            _ => "type",
        }
    }
}

/// The module functions `socket.py` defines in Python (`type()` is `function`); the
/// others come from the C module (`builtin_function_or_method`).
const PYTHON_FUNCTIONS: &[&str] = &[
    "create_connection",
    "create_server",
    "fromfd",
    "fromshare",
    "getaddrinfo",
    "has_dualstack_ipv6",
    "recv_fds",
    "send_fds",
    "socketpair",
];

/// `type(obj)` as a type name: builtins bare (`"int"`, `"NoneType"`, `"OSError"`),
/// others `module.qualname` (`"socket.AddressFamily"`, `"socket.gaierror"`).
pub fn type_name(obj: &Object) -> String {
    match obj {
        Object::Enum(m) => m.class.name(),
        Object::Class(c) => c.metaclass().to_owned(),
        Object::Exception(e) => e.type_name(),
        Object::Socket(_) => "socket.socket".to_owned(),
        Object::Io(f) => super::io::type_name(f).to_owned(),
        Object::Real(r) => match r.kind {
            RealKind::Decimal => "decimal.Decimal".to_owned(),
            RealKind::Fraction => "fractions.Fraction".to_owned(),
        },
        other => builtin_type_name(other).to_owned(),
    }
}

fn builtin_type_name(obj: &Object) -> &'static str {
    match obj {
        Object::None => "NoneType",
        Object::Bool(_) => "bool",
        Object::Int(_) => "int",
        Object::Float(_) => "float",
        Object::Str(_) => "str",
        Object::Bytes(_) => "bytes",
        Object::ByteArray(_) => "bytearray",
        Object::Tuple(_) => "tuple",
        Object::List(_) => "list",
        Object::Function(name) if PYTHON_FUNCTIONS.contains(name) => "function",
        Object::Function(_) => "builtin_function_or_method",
        Object::Method(m) if m.is_python() => "method",
        Object::Method(_) | Object::Builtin(_) => "builtin_function_or_method",
        Object::ValueMethod(_, "encode") => "builtin_function_or_method",
        Object::ValueMethod(..) => "method-wrapper",
        Object::MemoryView(_) => "memoryview",
        Object::IoMethod(f, _) if super::io::type_name(f) == "socket.SocketIO" => "method",
        Object::IoMethod(..) => "builtin_function_or_method",
        Object::Enum(_)
        | Object::Class(_)
        | Object::Exception(_)
        | Object::Socket(_)
        | Object::Io(_)
        | Object::Real(_) => "object",
    }
}

/// The C `tp_name` of `type(obj)`, as CPython's error messages print it: like
/// [`type_name`] but without the module for classes defined in Python or created at run
/// time (`"AddressFamily"`, `"gaierror"`, `"EnumType"`).
pub fn tp_name(obj: &Object) -> &'static str {
    match obj {
        Object::Enum(m) => m.class.short_name(),
        Object::Class(Class::Enum(_)) => "EnumType",
        Object::Class(_) => "type",
        Object::Exception(e) => e.exc_type().short_name(),
        Object::Socket(_) => "socket",
        Object::Io(f) => super::io::tp_name_of(f),
        // The C Decimal's tp_name is qualified; Fraction is a Python class.
        Object::Real(r) => match r.kind {
            RealKind::Decimal => "decimal.Decimal",
            RealKind::Fraction => "Fraction",
        },
        other => builtin_type_name(other),
    }
}

/// `bool(obj)` (`PyObject_IsTrue`): false for `None`, zero numbers and empty
/// containers, true for everything else.
pub fn truthy(obj: &Object) -> bool {
    match obj {
        Object::None => false,
        Object::Bool(b) => *b,
        Object::Int(i) => i.sign() != num_bigint::Sign::NoSign,
        Object::Float(f) => *f != 0.0,
        Object::Str(s) => !s.is_empty(),
        Object::Bytes(b) => !b.is_empty(),
        Object::ByteArray(b) => !b.borrow().is_empty(),
        Object::MemoryView(v) => !v.data.borrow().is_empty(),
        Object::Tuple(items) | Object::List(items) => !items.is_empty(),
        Object::Enum(m) => m.value != 0,
        Object::Real(r) => r.value != 0.0,
        Object::Class(_)
        | Object::Exception(_)
        | Object::Function(_)
        | Object::Socket(_)
        | Object::Method(_)
        | Object::Builtin(_)
        | Object::ValueMethod(..)
        | Object::Io(_)
        | Object::IoMethod(..) => true,
    }
}

/// `repr(obj)`.
pub fn repr(obj: &Object) -> String {
    match obj {
        Object::None => "None".to_owned(),
        Object::Bool(true) => "True".to_owned(),
        Object::Bool(false) => "False".to_owned(),
        Object::Int(i) => i.to_string(),
        Object::Float(f) => float_repr(*f),
        Object::Str(s) => str_repr(s),
        Object::Bytes(b) => bytes_repr(b),
        Object::ByteArray(b) => format!("bytearray({})", bytes_repr(&b.borrow())),
        Object::Tuple(items) if items.len() == 1 => format!("({},)", repr(&items[0])),
        Object::Tuple(items) => format!("({})", join_reprs(items)),
        Object::List(items) => format!("[{}]", join_reprs(items)),
        Object::Enum(m) => match &m.name {
            Some(name) => format!("<{}.{}: {}>", m.class.short_name(), name, m.value),
            None => format!("<{}: {}>", m.class.short_name(), m.value),
        },
        Object::Class(Class::Enum(c)) => {
            let kind = if c.is_flag() { "flag" } else { "enum" };
            format!("<{kind} '{}'>", c.short_name())
        }
        Object::Class(c) => format!("<class '{}'>", c.name()),
        Object::Exception(e) => e.repr(),
        Object::Function(name) if PYTHON_FUNCTIONS.contains(name) => {
            format!("<function {name} at {:#x}>", name.as_ptr() as usize)
        }
        Object::Function(name) => format!("<built-in function {name}>"),
        Object::Socket(s) => socket::repr(s),
        Object::Method(m) => m.repr(),
        Object::Builtin(name) => format!("<built-in function {name}>"),
        Object::ValueMethod(obj, name) => {
            format!("<method-wrapper '{name}' of {} object>", tp_name(obj))
        }
        Object::MemoryView(v) => format!("<memory at {:#x}>", Rc::as_ptr(&v.id) as usize),
        Object::Io(f) => super::io::repr(f),
        Object::Real(r) => r.repr.clone(),
        Object::IoMethod(f, name) => format!(
            "<built-in method {name} of {} object at {:#x}>",
            super::io::tp_name_of(f),
            f.identity()
        ),
    }
}

/// `str(obj)`.
pub fn str(obj: &Object) -> String {
    match obj {
        Object::Str(s) => s.clone(),
        // IntEnum and IntFlag use int.__str__ (3.11+).
        Object::Enum(m) => m.value.to_string(),
        Object::Exception(e) => e.message(),
        other => repr(other),
    }
}

pub(crate) fn join_reprs(items: &[Object]) -> String {
    items.iter().map(repr).collect::<Vec<_>>().join(", ")
}

/// `repr(x)` of a float: the shortest text that reads back as the same value, in
/// fixed notation when the decimal exponent is in `-4..16`, else scientific with a
/// signed exponent of at least two digits (`1e-05`, `1e+16`, `0.0001`, `1.5`).
pub fn float_repr(x: f64) -> String {
    if x.is_nan() {
        return "nan".to_owned();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf" } else { "-inf" }.to_owned();
    }
    // Rust's `{:e}` prints the shortest round-trip digits: "-1.2345e-7".
    let sci = format!("{x:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => ("-", m),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let n = i32::try_from(digits.len()).unwrap_or(i32::MAX);
    let body = if (-4..16).contains(&exp) {
        if exp < 0 {
            format!("0.{}{digits}", "0".repeat(exp.unsigned_abs() as usize - 1))
        } else if exp + 1 >= n {
            format!("{digits}{}.0", "0".repeat((exp + 1 - n) as usize))
        } else {
            let (int, frac) = digits.split_at((exp + 1) as usize);
            format!("{int}.{frac}")
        }
    } else {
        let (first, rest) = digits.split_at(1);
        let frac = if rest.is_empty() {
            String::new()
        } else {
            format!(".{rest}")
        };
        let esign = if exp < 0 { '-' } else { '+' };
        format!("{first}{frac}e{esign}{:02}", exp.unsigned_abs())
    };
    format!("{sign}{body}")
}

/// Whether Python's `str.isprintable()` holds for one character (an approximation of
/// the Unicode categories it excludes: controls, separators other than the space,
/// format characters, surrogates, private use).
fn is_printable(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    !(c.is_control()
        || c.is_whitespace()
        || matches!(c,
            '\u{ad}' | '\u{600}'..='\u{605}' | '\u{61c}' | '\u{6dd}' | '\u{70f}'
            | '\u{180e}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}'
            | '\u{2060}'..='\u{206f}' | '\u{feff}' | '\u{fff9}'..='\u{fffb}'
            | '\u{e000}'..='\u{f8ff}' | '\u{f0000}'..='\u{10ffff}'))
}

/// `repr(s)` of a `str`.
pub fn str_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if is_printable(c) => out.push(c),
            c => {
                let code = u32::from(c);
                let _ = if code < 0x100 {
                    write!(out, "\\x{code:02x}")
                } else if code < 0x10000 {
                    write!(out, "\\u{code:04x}")
                } else {
                    write!(out, "\\U{code:08x}")
                };
            }
        }
    }
    out.push(quote);
    out
}

/// `repr(b)` of a `bytes`.
pub fn bytes_repr(b: &[u8]) -> String {
    let quote = if b.contains(&b'\'') && !b.contains(&b'"') {
        b'"'
    } else {
        b'\''
    };
    let mut out = String::with_capacity(b.len() + 3);
    out.push('b');
    out.push(char::from(quote));
    for &byte in b {
        match byte {
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            q if q == quote => {
                out.push('\\');
                out.push(char::from(q));
            }
            0x20..=0x7e => out.push(char::from(byte)),
            _ => {
                let _ = write!(out, "\\x{byte:02x}");
            }
        }
    }
    out.push(char::from(quote));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case(1.5, "1.5")]
    #[case(1.0, "1.0")]
    #[case(0.0, "0.0")]
    #[case(-0.0, "-0.0")]
    #[case(1e-5, "1e-05")]
    #[case(0.0001, "0.0001")]
    #[case(1e16, "1e+16")]
    #[case(1e15, "1000000000000000.0")]
    #[case(123.456, "123.456")]
    #[case(1e-9, "1e-09")]
    #[case(9_223_372_036.0, "9223372036.0")]
    #[case(0.1, "0.1")]
    #[case(2.5e-310, "2.5e-310")]
    #[case(1.7976931348623157e308, "1.7976931348623157e+308")]
    #[case(f64::INFINITY, "inf")]
    #[case(f64::NEG_INFINITY, "-inf")]
    #[case(f64::NAN, "nan")]
    fn floats(#[case] x: f64, #[case] expected: &str) {
        assert_eq!(float_repr(x), expected);
    }

    #[rstest]
    #[case("abc", "'abc'")]
    #[case("it's", "\"it's\"")]
    #[case("'\"", "'\\'\"'")]
    #[case("a\nb\t\\", "'a\\nb\\t\\\\'")]
    #[case("\0\x7f", "'\\x00\\x7f'")]
    #[case("é", "'é'")]
    #[case("\u{2028}", "'\\u2028'")]
    fn strs(#[case] s: &str, #[case] expected: &str) {
        assert_eq!(str_repr(s), expected);
    }

    #[rstest]
    #[case(b"abc", "b'abc'")]
    #[case(b"\x7f\0\0\x01", "b'\\x7f\\x00\\x00\\x01'")]
    #[case(b"it's", "b\"it's\"")]
    fn bytes(#[case] b: &[u8], #[case] expected: &str) {
        assert_eq!(bytes_repr(b), expected);
    }

    #[test]
    fn containers() {
        let one = Object::Tuple(vec![Object::int(1)]);
        assert_eq!(repr(&one), "(1,)");
        let t = Object::Tuple(vec![Object::str("a"), Object::None, Object::Bool(true)]);
        assert_eq!(repr(&t), "('a', None, True)");
        assert_eq!(repr(&Object::List(vec![])), "[]");
        assert_eq!(repr(&Object::bytearray(b"x".to_vec())), "bytearray(b'x')");
    }

    #[test]
    fn classes() {
        assert_eq!(
            repr(&Object::Class(Class::Exception(ExcType::Gaierror))),
            "<class 'socket.gaierror'>"
        );
        assert_eq!(
            repr(&Object::Class(Class::Enum(EnumClass::AddressFamily))),
            "<enum 'AddressFamily'>"
        );
        assert_eq!(
            repr(&Object::Class(Class::Enum(EnumClass::MsgFlag))),
            "<flag 'MsgFlag'>"
        );
        assert_eq!(
            repr(&Object::Class(Class::SocketType)),
            "<class '_socket.socket'>"
        );
        assert_eq!(type_name(&Object::Class(Class::Socket)), "type");
        assert_eq!(
            repr(&Object::Function("htons")),
            "<built-in function htons>"
        );
    }
}
