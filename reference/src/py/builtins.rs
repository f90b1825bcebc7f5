//! The few builtins cases reach as `builtins.NAME` — `repr`, `str`, `len`, `isinstance`,
//! `hasattr`, `type`, `bytes`, `bytearray` — and the methods of plain values cases call
//! (`x.__eq__(y)`, `n.__or__(m)`, `text.encode()`), with CPython's semantics and
//! messages for the values the reference has.

use num_bigint::BigInt;

use super::args::{self, Call};
use super::exception::PyException;
use super::module::Module;
use super::object::{
    Class, EnumMember, MemoryView, Object, repr, str as py_str, tp_name, type_name,
};
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
        Object::Io(f) => Class::Builtin(super::io::type_name(f)),
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
        "memoryview" => "memoryview",
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
        "memoryview" => {
            let sig = args::PySig {
                name: "memoryview",
                params: &["object"],
                required: 1,
                kwonly: &[],
                method: false,
            };
            let bound = call.bind(&sig)?;
            let obj = bound[0].unwrap_or(&Object::None);
            match obj {
                Object::Bytes(b) => Ok(Object::MemoryView(MemoryView::new(
                    std::rc::Rc::new(std::cell::RefCell::new(b.clone())),
                    true,
                ))),
                Object::ByteArray(b) => Ok(Object::MemoryView(MemoryView::new(b.clone(), false))),
                Object::MemoryView(v) => Ok(Object::MemoryView(MemoryView::new(
                    v.data.clone(),
                    v.readonly,
                ))),
                other => Err(PyException::type_error(format!(
                    "memoryview: a bytes-like object is required, not '{}'",
                    tp_name(other)
                ))),
            }
        }
        "open" => super::io::open(call),
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
        Object::MemoryView(v) => v.data.borrow().len() / v.itemsize(),
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
        Object::Int(_) | Object::Bool(_) | Object::Enum(_) => {
            &["__eq__", "__ne__", "__or__", "to_bytes"]
        }
        Object::Str(_) => &["__eq__", "__ne__", "encode"],
        Object::Bytes(_) | Object::ByteArray(_) => &["__eq__", "__ne__", "__add__"],
        Object::MemoryView(_) => &["cast", "tobytes", "tolist", "__len__"],
        Object::Float(_) | Object::Tuple(_) | Object::List(_) | Object::None => {
            &["__eq__", "__ne__"]
        }
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

/// `obj[index]` for the sequences the reference has (`bytes`, `bytearray`,
/// `memoryview`, `tuple`, `list`, `str`); `None` when `obj` is not one of them.
pub fn getitem(obj: &Object, index: i64) -> Option<PyResult> {
    let pick = |n: usize, what: &str| -> Result<usize, PyException> {
        let i = if index < 0 { index + n as i64 } else { index };
        usize::try_from(i).ok().filter(|&i| i < n).ok_or_else(|| {
            PyException::with_message(
                crate::core::ExcType::IndexError,
                format!("{what} index out of range"),
            )
        })
    };
    Some(match obj {
        Object::Bytes(b) => pick(b.len(), "index").map(|i| Object::int(b[i])),
        Object::ByteArray(b) => {
            let b = b.borrow();
            pick(b.len(), "bytearray").map(|i| Object::int(b[i]))
        }
        Object::Tuple(items) => pick(items.len(), "tuple").map(|i| items[i].clone()),
        Object::List(items) => pick(items.len(), "list").map(|i| items[i].clone()),
        Object::Str(s) => {
            let chars: Vec<char> = s.chars().collect();
            pick(chars.len(), "string").map(|i| Object::Str(chars[i].to_string()))
        }
        Object::MemoryView(v) => v.item(index).ok_or_else(|| {
            PyException::with_message(
                crate::core::ExcType::IndexError,
                "index out of bounds on dimension 1",
            )
        }),
        _ => return None,
    })
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
        "__add__" => {
            let other = call.meth_o(&format!("{}.__add__", tp_name(obj)))?;
            let mut data = args::buffer(obj)?;
            data.extend(args::buffer(other).map_err(|_| {
                PyException::type_error(format!(
                    "can't concat {} to {}",
                    tp_name(other),
                    tp_name(obj)
                ))
            })?);
            Ok(match obj {
                Object::ByteArray(_) => Object::bytearray(data),
                _ => Object::Bytes(data),
            })
        }
        "cast" | "tobytes" | "tolist" | "__len__" => {
            let Object::MemoryView(v) = obj else {
                unreachable!("memoryview methods")
            };
            match name {
                "tobytes" => Ok(Object::Bytes(v.data.borrow().clone())),
                "__len__" => len(obj),
                "tolist" => {
                    let n = v.data.borrow().len() / v.itemsize();
                    Ok(Object::List(
                        (0..n as i64).filter_map(|i| v.item(i)).collect(),
                    ))
                }
                _ => {
                    let sig = args::PySig {
                        name: "cast",
                        params: &["format", "shape"],
                        required: 1,
                        kwonly: &[],
                        method: false,
                    };
                    let bound = call.bind(&sig)?;
                    let format = match bound[0] {
                        Some(Object::Str(f)) if f == "B" || f == "i" => f.as_bytes()[0],
                        Some(Object::Str(_)) => {
                            return Err(
                                Error::not_implemented("memoryview.cast() to this format").into()
                            );
                        }
                        Some(other) => {
                            return Err(PyException::type_error(format!(
                                "cast() argument 'format' must be str, not {}",
                                tp_name(other)
                            )));
                        }
                        None => unreachable!("format is required"),
                    };
                    let cast = v.cast(format);
                    if v.data.borrow().len() % cast.itemsize() != 0 {
                        return Err(PyException::type_error(
                            "memoryview: length is not a multiple of itemsize",
                        ));
                    }
                    Ok(Object::MemoryView(cast))
                }
            }
        }
        "to_bytes" => {
            let sig = args::PySig {
                name: "to_bytes",
                params: &["length", "byteorder"],
                required: 0,
                kwonly: &["signed"],
                method: false,
            };
            let bound = call.bind(&sig)?;
            let length = bound[0].map(args::parse_n).transpose()?.unwrap_or(1);
            let little = match bound[1] {
                None => false,
                Some(Object::Str(o)) if o == "little" => true,
                Some(Object::Str(o)) if o == "big" => false,
                Some(Object::Str(_)) => {
                    return Err(PyException::value_error(
                        "byteorder must be either 'little' or 'big'",
                    ));
                }
                Some(other) => {
                    return Err(PyException::type_error(format!(
                        "to_bytes() argument 'byteorder' must be str, not {}",
                        tp_name(other)
                    )));
                }
            };
            let signed = bound[2].is_some_and(super::object::truthy);
            let length = usize::try_from(length)
                .map_err(|_| PyException::value_error("length argument must be non-negative"))?;
            let value = obj.as_int().unwrap_or_default();
            if value.sign() == num_bigint::Sign::Minus && !signed {
                return Err(PyException::overflow_error(
                    "can't convert negative int to unsigned",
                ));
            }
            let mut bytes = value.to_signed_bytes_le();
            let fill = if value.sign() == num_bigint::Sign::Minus {
                0xff
            } else {
                0
            };
            if !signed {
                while bytes.len() > 1 && bytes.last() == Some(&0) {
                    bytes.pop();
                }
                if value.sign() == num_bigint::Sign::NoSign {
                    bytes.clear();
                }
            }
            if bytes.len() > length {
                return Err(PyException::overflow_error("int too big to convert"));
            }
            bytes.resize(length, fill);
            if !little {
                bytes.reverse();
            }
            Ok(Object::Bytes(bytes))
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
