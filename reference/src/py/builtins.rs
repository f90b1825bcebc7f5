//! The few builtins cases reach as `builtins.NAME` — `repr`, `str`, `len`, `isinstance`,
//! `hasattr`, `type`, `bytes`, `bytearray` — and the methods of plain values cases call
//! (`x.__eq__(y)`, `n.__or__(m)`, `text.encode()`), with CPython's semantics and
//! messages for the values the reference has.

use num_bigint::BigInt;

use super::args::{self, Call};
use super::exception::PyException;
use super::module::Module;
use super::object::{Class, EnumMember, Object, repr, str as py_str, tp_name, type_name};
use crate::core::Error;

type PyResult = Result<Object, PyException>;

/// The builtins implemented here.
pub const NAMES: &[&str] = &[
    "bytearray",
    "bytes",
    "hasattr",
    "isinstance",
    "len",
    "memoryview",
    "open",
    "repr",
    "str",
    "type",
];

/// `builtins.NAME`, or `None` when there is no such builtin here.
pub fn lookup(name: &str) -> Option<Object> {
    NAMES
        .iter()
        .find(|&&n| n == name)
        .map(|&n| Object::Builtin(n))
}

/// The class of `obj` (`type(obj)`).
pub fn class_of(obj: &Object) -> Class {
    match obj {
        Object::Enum(m) => Class::Enum(m.class),
        Object::Exception(e) => Class::Exception(e.exc_type()),
        Object::Socket(_) => Class::Socket,
        Object::Class(Class::Enum(_)) => Class::Builtin("enum.EnumType"),
        Object::Class(_) => Class::Builtin("type"),
        other => Class::Builtin(builtin_class_name(other)),
    }
}

fn builtin_class_name(obj: &Object) -> &'static str {
    match type_name(obj).as_str() {
        "NoneType" => "NoneType",
        "bool" => "bool",
        "int" => "int",
        "float" => "float",
        "str" => "str",
        "bytes" => "bytes",
        "bytearray" => "bytearray",
        "tuple" => "tuple",
        "list" => "list",
        "method" => "method",
        "method-wrapper" => "method-wrapper",
        _ => "builtin_function_or_method",
    }
}

/// Calls the builtin `name`.
pub fn call(name: &str, call: &Call<'_>, module: &Module) -> PyResult {
    match name {
        "repr" => Ok(Object::Str(repr(one(call, "repr")?))),
        "str" => match call.args {
            [] if call.kwargs.is_empty() => Ok(Object::str("")),
            _ => Ok(Object::Str(py_str(one(call, "str")?))),
        },
        "len" => len(one(call, "len")?),
        "type" => match call.args {
            [obj] if call.kwargs.is_empty() => Ok(Object::Class(class_of(obj))),
            _ => Err(PyException::type_error("type() takes 1 or 3 arguments")),
        },
        "isinstance" => {
            let [obj, classes] = call.exactly("isinstance", 2)? else {
                unreachable!("exactly two arguments")
            };
            let mro = class_of(obj).mro();
            let wanted: Vec<&Object> = match classes {
                Object::Tuple(items) => items.iter().collect(),
                one => vec![one],
            };
            let mut hit = false;
            for c in wanted {
                let Object::Class(c) = c else {
                    return Err(PyException::type_error(
                        "isinstance() arg 2 must be a type, a tuple of types, or a union",
                    ));
                };
                hit |= mro.contains(&c.name());
            }
            Ok(Object::Bool(hit))
        }
        "hasattr" => {
            let [obj, name] = call.exactly("hasattr", 2)? else {
                unreachable!("exactly two arguments")
            };
            let Object::Str(name) = name else {
                return Err(PyException::type_error(format!(
                    "attribute name must be string, not '{}'",
                    tp_name(name)
                )));
            };
            Ok(Object::Bool(module.getattr_of(obj, name).is_ok()))
        }
        "bytes" | "bytearray" => {
            let data = match call.args {
                [] => Vec::new(),
                [Object::Str(_)] => {
                    return Err(PyException::type_error(
                        "string argument without an encoding",
                    ));
                }
                [n @ (Object::Int(_) | Object::Bool(_) | Object::Enum(_))] => {
                    let n = args::parse_n(n)?;
                    let n = usize::try_from(n)
                        .map_err(|_| PyException::value_error("negative count"))?;
                    vec![0; n]
                }
                [Object::Tuple(items) | Object::List(items)] => items
                    .iter()
                    .map(|i| {
                        args::index(i)?
                            .try_into()
                            .map_err(|_| PyException::value_error("bytes must be in range(0, 256)"))
                    })
                    .collect::<Result<Vec<u8>, _>>()?,
                [other] => args::buffer(other).map_err(|_| {
                    PyException::type_error(format!(
                        "cannot convert '{}' object to {name}",
                        tp_name(other)
                    ))
                })?,
                _ => {
                    return Err(
                        Error::not_implemented(&format!("{name}() with an encoding")).into(),
                    );
                }
            };
            Ok(if name == "bytes" {
                Object::Bytes(data)
            } else {
                Object::bytearray(data)
            })
        }
        other => Err(Error::not_implemented(&format!("builtins.{other}()")).into()),
    }
}

/// The one positional argument of a builtin taking exactly one.
fn one<'a>(call: &Call<'a>, name: &str) -> Result<&'a Object, PyException> {
    if !call.kwargs.is_empty() {
        return Err(PyException::type_error(format!(
            "{name}() takes no keyword arguments"
        )));
    }
    match call.args {
        [x] => Ok(x),
        other => Err(PyException::type_error(format!(
            "{name}() takes exactly one argument ({} given)",
            other.len()
        ))),
    }
}

/// `len(obj)`.
fn len(obj: &Object) -> PyResult {
    let n = match obj {
        Object::Str(s) => s.chars().count(),
        Object::Bytes(b) => b.len(),
        Object::ByteArray(b) => b.borrow().len(),
        Object::Tuple(items) | Object::List(items) => items.len(),
        other => {
            return Err(PyException::type_error(format!(
                "object of type '{}' has no len()",
                tp_name(other)
            )));
        }
    };
    Ok(Object::int(n))
}

/// The methods of plain values that cases call.
pub fn value_method(obj: &Object, name: &str) -> Option<&'static str> {
    let names: &[&'static str] = match obj {
        Object::Int(_) | Object::Bool(_) | Object::Enum(_) => &["__eq__", "__ne__", "__or__"],
        Object::Str(_) => &["__eq__", "__ne__", "encode"],
        Object::Float(_)
        | Object::Bytes(_)
        | Object::ByteArray(_)
        | Object::Tuple(_)
        | Object::List(_)
        | Object::None => &["__eq__", "__ne__"],
        _ => &[],
    };
    names.iter().find(|&&n| n == name).copied()
}

/// Python's `a == b` for the values the reference has (numbers across `bool`, `int`,
/// enum members and `float`; sequences item by item; sockets by identity).
pub fn py_eq(a: &Object, b: &Object) -> bool {
    match (a, b) {
        (Object::Float(x), y) | (y, Object::Float(x)) if y.as_int().is_some() => y
            .as_int()
            .and_then(|i| num_traits::ToPrimitive::to_f64(&i))
            .is_some_and(|f| f == *x),
        _ if a.as_int().is_some() && b.as_int().is_some() => a.as_int() == b.as_int(),
        (Object::Tuple(x), Object::Tuple(y)) | (Object::List(x), Object::List(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| py_eq(p, q))
        }
        (Object::Bytes(x), Object::ByteArray(y)) | (Object::ByteArray(y), Object::Bytes(x)) => {
            *x == *y.borrow()
        }
        _ => a == b,
    }
}

/// Calls a method of a plain value.
pub fn call_value_method(obj: &Object, name: &str, call: &Call<'_>) -> PyResult {
    match name {
        "__eq__" | "__ne__" => {
            let other = call.meth_o(&format!("{}.{name}", tp_name(obj)))?;
            let eq = py_eq(obj, other);
            Ok(Object::Bool(if name == "__eq__" { eq } else { !eq }))
        }
        "__or__" => {
            let other = call.meth_o(&format!("{}.__or__", tp_name(obj)))?;
            let (Some(a), Some(b)) = (obj.as_int(), other.as_int()) else {
                return Err(Error::not_implemented("__or__ of these types").into());
            };
            let value: BigInt = a | b;
            if let (Object::Enum(m), Object::Enum(n)) = (obj, other) {
                if m.class == n.class && m.class.is_flag() {
                    let v = num_traits::ToPrimitive::to_i64(&value).unwrap_or_default();
                    return Ok(Object::Enum(EnumMember {
                        class: m.class,
                        name: m.class.flag_name(v),
                        value: v,
                    }));
                }
            }
            Ok(Object::Int(value))
        }
        "encode" => {
            let Object::Str(s) = obj else {
                unreachable!("encode is a str method")
            };
            match call.args.first().or(call.kwargs.first().map(|(_, v)| v)) {
                None => Ok(Object::Bytes(s.as_bytes().to_vec())),
                Some(Object::Str(enc))
                    if matches!(enc.to_ascii_lowercase().as_str(), "utf-8" | "utf8") =>
                {
                    Ok(Object::Bytes(s.as_bytes().to_vec()))
                }
                Some(_) => Err(Error::not_implemented("str.encode() with an encoding").into()),
            }
        }
        other => Err(Error::not_implemented(&format!("{other}()")).into()),
    }
}
