//! CPython's argument parsing for built-in functions, with its exact messages.
//!
//! Two families matter for the `socket` module:
//!
//! * functions converted to Argument Clinic with one positional argument (`METH_O`) or
//!   none (`METH_NOARGS`): their count errors name the function by its qualified name,
//!   `_socket.htons() takes exactly one argument (0 given)`;
//! * functions parsing with `PyArg_ParseTuple` (`METH_VARARGS`): `inet_pton() takes
//!   exactly 2 arguments (1 given)`, and per-argument messages like `inet_pton()
//!   argument 2 must be str, not bytes`.
//!
//! Both refuse keyword arguments first: `… takes no keyword arguments`.

use num_bigint::BigInt;
use num_traits::ToPrimitive;

use super::exception::PyException;
use super::object::{Object, tp_name};

/// The call's positional and keyword arguments.
pub struct Call<'a> {
    /// Positional arguments.
    pub args: &'a [Object],
    /// Keyword arguments.
    pub kwargs: &'a [(String, Object)],
}

impl Call<'_> {
    fn no_kwargs(&self, display_name: &str) -> Result<(), PyException> {
        if self.kwargs.is_empty() {
            Ok(())
        } else {
            Err(PyException::type_error(format!(
                "{display_name}() takes no keyword arguments"
            )))
        }
    }

    /// `METH_O`: exactly one positional argument, no keywords. `qualname` is the
    /// function's qualified name (`"_socket.htons"`).
    pub fn meth_o(&self, qualname: &str) -> Result<&Object, PyException> {
        self.no_kwargs(qualname)?;
        match self.args {
            [one] => Ok(one),
            other => Err(PyException::type_error(format!(
                "{qualname}() takes exactly one argument ({} given)",
                other.len()
            ))),
        }
    }

    /// `METH_NOARGS`: no arguments at all.
    pub fn meth_noargs(&self, qualname: &str) -> Result<(), PyException> {
        self.no_kwargs(qualname)?;
        if self.args.is_empty() {
            Ok(())
        } else {
            Err(PyException::type_error(format!(
                "{qualname}() takes no arguments ({} given)",
                self.args.len()
            )))
        }
    }

    /// `PyArg_ParseTuple` with exactly `n` arguments; `name` is the format's
    /// `:name` (`"inet_pton"`).
    pub fn exactly(&self, name: &str, n: usize) -> Result<&[Object], PyException> {
        self.no_kwargs(name)?;
        if self.args.len() == n {
            Ok(self.args)
        } else {
            let plural = if n == 1 { "" } else { "s" };
            Err(PyException::type_error(format!(
                "{name}() takes exactly {n} argument{plural} ({} given)",
                self.args.len()
            )))
        }
    }
}

impl Call<'_> {
    /// `PyArg_ParseTuple` with optional arguments (`"n|i:recv"`): between `min` and `max`
    /// positional arguments; `name` is the format's `:name`.
    pub fn between(&self, name: &str, min: usize, max: usize) -> Result<&[Object], PyException> {
        self.no_kwargs(name)?;
        let n = self.args.len();
        let plural = |k: usize| if k == 1 { "" } else { "s" };
        if n < min {
            return Err(PyException::type_error(format!(
                "{name}() takes at least {min} argument{} ({n} given)",
                plural(min)
            )));
        }
        if n > max {
            return Err(PyException::type_error(format!(
                "{name}() takes at most {max} argument{} ({n} given)",
                plural(max)
            )));
        }
        Ok(self.args)
    }

    /// A module function defined in Python that takes no arguments:
    /// `has_dualstack_ipv6() takes 0 positional arguments but 1 was given`.
    pub fn python_noargs_fn(&self, name: &str) -> Result<(), PyException> {
        let sig = PySig {
            name,
            params: &[],
            required: 0,
            kwonly: &[],
            method: false,
        };
        self.bind(&sig).map(|_| ())
    }

    /// A method defined in Python (`socket.py`) that takes no argument but `self`:
    /// keyword arguments are reported first (`socket.close() got an unexpected keyword
    /// argument 'x'`), then extra positional ones (`socket.close() takes 1 positional
    /// argument but 2 were given`, counting `self`).
    pub fn python_noargs(&self, qualname: &str) -> Result<(), PyException> {
        if let Some((kw, _)) = self.kwargs.first() {
            return Err(PyException::type_error(format!(
                "{qualname}() got an unexpected keyword argument '{kw}'"
            )));
        }
        if !self.args.is_empty() {
            return Err(PyException::type_error(format!(
                "{qualname}() takes 1 positional argument but {} were given",
                self.args.len() + 1
            )));
        }
        Ok(())
    }
}

/// `PyNumber_Index`: the integer value of an `int` (or `bool`, or enum member).
pub fn index(obj: &Object) -> Result<BigInt, PyException> {
    obj.as_int().ok_or_else(|| {
        PyException::type_error(format!(
            "'{}' object cannot be interpreted as an integer",
            tp_name(obj)
        ))
    })
}

/// Argument Clinic's unsigned fixed-width converters (`_PyLong_UInt16_Converter`,
/// `_PyLong_UInt32_Converter`): `PyLong_AsNativeBytes` with `__index__` allowed and
/// negative values rejected. `c_type` names the type in the overflow message.
pub fn unsigned<T: TryFrom<BigInt>>(obj: &Object, c_type: &str) -> Result<T, PyException> {
    let value = index(obj)?;
    if value.sign() == num_bigint::Sign::Minus {
        return Err(PyException::value_error("Cannot convert negative int"));
    }
    T::try_from(value)
        .map_err(|_| PyException::overflow_error(format!("Python int too large for C {c_type}")))
}

/// Argument Clinic's `int` converter (`PyLong_AsInt`), as the C socket initialiser
/// uses it for `family`, `type` and `proto`.
pub fn c_int(obj: &Object) -> Result<i32, PyException> {
    index(obj)?
        .to_i32()
        .ok_or_else(|| PyException::overflow_error("Python int too large to convert to C int"))
}

/// `PyArg_ParseTuple`'s `i` format: a C `int`, through a C `long`.
pub fn parse_i(obj: &Object) -> Result<i32, PyException> {
    let long = index(obj)?
        .to_i64()
        .ok_or_else(|| PyException::overflow_error("Python int too large to convert to C long"))?;
    i32::try_from(long).map_err(|_| {
        PyException::overflow_error(if long > 0 {
            "signed integer is greater than maximum"
        } else {
            "signed integer is less than minimum"
        })
    })
}

/// `PyArg_ParseTuple`'s `n` format: a `Py_ssize_t`.
pub fn parse_n(obj: &Object) -> Result<i64, PyException> {
    index(obj)?
        .to_isize()
        .and_then(|n| n.to_i64())
        .ok_or_else(|| PyException::overflow_error("Python int too large to convert to C ssize_t"))
}

/// A bytes-like argument (`y*` / `Py_buffer`): `bytes` or `bytearray`.
pub fn buffer(obj: &Object) -> Result<Vec<u8>, PyException> {
    match obj {
        Object::Bytes(b) => Ok(b.clone()),
        Object::ByteArray(b) => Ok(b.borrow().clone()),
        Object::MemoryView(v) => Ok(v.data.borrow().clone()),
        other => Err(PyException::type_error(format!(
            "a bytes-like object is required, not '{}'",
            tp_name(other)
        ))),
    }
}

/// A writable buffer argument (`w*`): a `bytearray` or a writable `memoryview`; the
/// shared storage.
pub fn writable_buffer(obj: &Object) -> Option<std::rc::Rc<std::cell::RefCell<Vec<u8>>>> {
    match obj {
        Object::ByteArray(b) => Some(b.clone()),
        Object::MemoryView(v) if !v.readonly => Some(v.data.clone()),
        _ => None,
    }
}

/// The type as `_PyArg_BadArgument` names it: `None` for `None`, else the `tp_name`.
fn bad_argument_type(obj: &Object) -> &'static str {
    match obj {
        Object::None => "None",
        other => tp_name(other),
    }
}

/// A `str` argument without NUL characters (Argument Clinic's `str` converter and
/// `PyArg_ParseTuple`'s `s` format). `what` names the argument in the message:
/// `"inet_aton() argument"` or `"inet_pton() argument 2"`.
/// `PyUnicode_FSConverter`: a `str` encoded as the file system encoding (UTF-8), or
/// `bytes` as they are; no NUL byte (`ValueError("embedded null byte")`).
pub fn fs_path(obj: &Object) -> Result<Vec<u8>, PyException> {
    let bytes = match obj {
        Object::Str(s) => s.as_bytes().to_vec(),
        Object::Bytes(b) => b.clone(),
        other => {
            return Err(PyException::type_error(format!(
                "expected str, bytes or os.PathLike object, not {}",
                tp_name(other)
            )));
        }
    };
    if bytes.contains(&0) {
        return Err(PyException::value_error("embedded null byte"));
    }
    Ok(bytes)
}

pub fn c_str<'a>(obj: &'a Object, what: &str) -> Result<&'a str, PyException> {
    let Object::Str(s) = obj else {
        return Err(PyException::type_error(format!(
            "{what} must be str, not {}",
            bad_argument_type(obj)
        )));
    };
    if s.contains('\0') {
        return Err(PyException::value_error("embedded null character"));
    }
    Ok(s)
}

/// The signature of a function or method defined in Python (`socket.py`), for binding
/// arguments as the interpreter does, with its messages.
pub struct PySig<'a> {
    /// The qualified name the messages use (`"fromfd"`, `"socket.set_inheritable"`).
    pub name: &'a str,
    /// Positional-or-keyword parameters, `self` excluded.
    pub params: &'a [&'a str],
    /// How many of `params` have no default.
    pub required: usize,
    /// Keyword-only parameters (all with defaults).
    pub kwonly: &'a [&'a str],
    /// Whether it is a method (`self` counts in "takes N positional arguments").
    pub method: bool,
}

/// The joined names of missing parameters: `'a'`, `'a' and 'b'`, `'a', 'b', and 'c'`.
fn name_list(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("'{n}'")).collect();
    match quoted.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [a, b] => format!("{a} and {b}"),
        [init @ .., last] => format!("{}, and {last}", init.join(", ")),
    }
}

impl<'o> Call<'o> {
    /// Binds the arguments to `sig` as a Python function call does: one slot per
    /// parameter (`params` then `kwonly`), `None` where the default applies. Errors, in
    /// CPython's order: an unknown keyword, a keyword given twice, too many positional
    /// arguments, missing required ones.
    pub fn bind(&self, sig: &PySig<'_>) -> Result<Vec<Option<&'o Object>>, PyException> {
        let n = sig.params.len();
        let mut slots: Vec<Option<&'o Object>> = vec![None; n + sig.kwonly.len()];
        for (slot, arg) in slots.iter_mut().zip(self.args.iter().take(n)) {
            *slot = Some(arg);
        }
        for (key, value) in self.kwargs {
            let Some(i) = sig.params.iter().chain(sig.kwonly).position(|p| p == key) else {
                return Err(PyException::type_error(format!(
                    "{}() got an unexpected keyword argument '{key}'",
                    sig.name
                )));
            };
            if slots[i].is_some() {
                return Err(PyException::type_error(format!(
                    "{}() got multiple values for argument '{key}'",
                    sig.name
                )));
            }
            slots[i] = Some(value);
        }
        if self.args.len() > n {
            let extra = usize::from(sig.method);
            let (lo, hi) = (sig.required + extra, n + extra);
            let given = self.args.len() + extra;
            let takes = if lo == hi {
                format!("{hi} positional argument{}", if hi == 1 { "" } else { "s" })
            } else {
                format!("from {lo} to {hi} positional arguments")
            };
            let verb = if given == 1 { "was" } else { "were" };
            return Err(PyException::type_error(format!(
                "{}() takes {takes} but {given} {verb} given",
                sig.name
            )));
        }
        let missing: Vec<&str> = sig.params[..sig.required]
            .iter()
            .zip(&slots)
            .filter(|(_, v)| v.is_none())
            .map(|(p, _)| *p)
            .collect();
        if !missing.is_empty() {
            return Err(PyException::type_error(format!(
                "{}() missing {} required positional argument{}: {}",
                sig.name,
                missing.len(),
                if missing.len() == 1 { "" } else { "s" },
                name_list(&missing)
            )));
        }
        Ok(slots)
    }
}

/// `PyArg_ParseTuple`'s `I` format: a C `unsigned int` taken modulo 2**32, without
/// overflow checking (`PyLong_AsUnsignedLongMask`).
pub fn parse_uint_mask(obj: &Object) -> Result<u32, PyException> {
    let value = index(obj)?;
    let modulus = BigInt::from(1u64 << 32);
    let wrapped = ((value % &modulus) + &modulus) % &modulus;
    Ok(wrapped.to_u32().unwrap_or(0))
}

/// `PyLong_AsLong` (the `SOCKET_T` converter of `socket.dup(fd)`, `socket.close(fd)`,
/// `socket(fileno=…)`).
pub fn c_long(obj: &Object) -> Result<i64, PyException> {
    index(obj)?
        .to_i64()
        .ok_or_else(|| PyException::overflow_error("Python int too large to convert to C long"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn call(args: &[Object]) -> Call<'_> {
        Call { args, kwargs: &[] }
    }

    #[rstest]
    #[case(vec![], "_socket.htons() takes exactly one argument (0 given)")]
    #[case(vec![Object::int(1), Object::int(2)], "_socket.htons() takes exactly one argument (2 given)")]
    fn meth_o_counts(#[case] args: Vec<Object>, #[case] message: &str) {
        assert_eq!(
            call(&args).meth_o("_socket.htons").unwrap_err().message(),
            message
        );
    }

    #[test]
    fn keywords_first() {
        let kwargs = [("x".to_owned(), Object::int(1))];
        let args = [Object::int(1), Object::int(2)];
        let c = Call {
            args: &args,
            kwargs: &kwargs,
        };
        assert_eq!(
            c.meth_o("_socket.htons").unwrap_err().message(),
            "_socket.htons() takes no keyword arguments"
        );
        assert_eq!(
            c.exactly("inet_pton", 2).unwrap_err().message(),
            "inet_pton() takes no keyword arguments"
        );
    }

    #[rstest]
    #[case(1, "CMSG_LEN() takes exactly 1 argument (0 given)")]
    #[case(2, "CMSG_LEN() takes exactly 2 arguments (0 given)")]
    fn exactly_plural(#[case] n: usize, #[case] message: &str) {
        assert_eq!(
            call(&[]).exactly("CMSG_LEN", n).unwrap_err().message(),
            message
        );
    }

    #[rstest]
    #[case(Object::int(1i64 << 31), "signed integer is greater than maximum")]
    #[case(Object::int(-(1i64 << 31) - 1), "signed integer is less than minimum")]
    #[case(Object::Int(BigInt::from(1) << 64), "Python int too large to convert to C long")]
    #[case(
        Object::Float(2.0),
        "'float' object cannot be interpreted as an integer"
    )]
    #[case(Object::str("a"), "'str' object cannot be interpreted as an integer")]
    #[case(Object::None, "'NoneType' object cannot be interpreted as an integer")]
    fn parse_i_errors(#[case] obj: Object, #[case] message: &str) {
        assert_eq!(parse_i(&obj).unwrap_err().message(), message);
    }

    #[test]
    fn str_argument() {
        let what = "inet_pton() argument 2";
        assert_eq!(
            c_str(&Object::Bytes(b"x".to_vec()), what)
                .unwrap_err()
                .message(),
            "inet_pton() argument 2 must be str, not bytes"
        );
        assert_eq!(
            c_str(&Object::None, what).unwrap_err().message(),
            "inet_pton() argument 2 must be str, not None"
        );
        assert_eq!(
            c_str(&Object::str("a\0"), what).unwrap_err().message(),
            "embedded null character"
        );
    }
}
