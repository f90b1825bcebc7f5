//! The value model shared by cases, backends and results, and its JSON wire encoding.
//!
//! One enum describes every Python value a case can pass or observe (see `cases/FORMAT.md`,
//! *Values*, and `runner/harness/PROTOCOL.md`, *Wire values*). `Const` and `Ref` occur only
//! in inputs; `Enum`, `Class`, `Exception` and `Object` only in observations.

use std::fmt::{self, Write as _};

use num_bigint::BigInt;
use serde_json::{Map, Value as Json, json};

/// A Python value, as a case writes it or a backend reports it.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    None,
    Bool(bool),
    Int(BigInt),
    Float(f64),
    Str(String),
    Bytes(Vec<u8>),
    ByteArray(Vec<u8>),
    Tuple(Vec<Value>),
    List(Vec<Value>),
    /// A member of an `IntEnum`/`IntFlag` such as `socket.AddressFamily.AF_INET`.
    Enum {
        class: String,
        name: Option<String>,
        value: BigInt,
    },
    /// A class object, by qualified name, with its method resolution order.
    Class {
        name: String,
        mro: Vec<String>,
    },
    Exception(Box<ExceptionValue>),
    /// A `bytes` or `bytearray` longer than [`SUMMARY_LIMIT`], kept as its type, length,
    /// SHA-256 digest (hex) and first bytes, so that results stay proportional to the
    /// number of cases. An expected value still compares with it exactly, by digest.
    Summary {
        type_name: String,
        len: usize,
        sha256: String,
        head: Vec<u8>,
    },
    /// Any other object: sockets, files, functions. `id` is unique within one case run.
    Object {
        type_name: String,
        repr: String,
        id: u64,
    },
    /// Input only: the backend's own value of `socket.NAME`.
    Const(String),
    /// Input only: the object an earlier step saved under this name.
    Ref(String),
    /// A file name inside the case's own temporary folder, as a `str` path.
    TmpPath(String),
    /// The address of the case's scripted peer `NAME` (`!peer NAME`): resolved by the
    /// runner before a request goes out, never on the wire.
    Peer(String),
    /// The bitwise OR of the backend's values of these `socket` constants, as an `int`.
    Flags(Vec<String>),
    /// The backend's value of `errno.NAME`, as an `int`.
    Errno(String),
    /// Input only: `decimal.Decimal(TEXT)`.
    Decimal(String),
    /// Input only: `fractions.Fraction(TEXT)` (`"1/2"`).
    Fraction(String),
}

/// An exception, raised or returned.
#[derive(Debug, Clone, PartialEq)]
pub struct ExceptionValue {
    pub type_name: String,
    pub mro: Vec<String>,
    pub args: Vec<Value>,
    pub errno: Option<i64>,
    pub errno_name: Option<String>,
    pub strerror: Option<Value>,
    pub message: String,
    /// The `exceptions` of an exception group.
    pub exceptions: Option<Vec<ExceptionValue>>,
}

/// A value that could not be decoded from the wire.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("malformed wire value: {0}")]
pub struct WireError(pub String);

fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

fn unhex(s: &str) -> Result<Vec<u8>, WireError> {
    if s.len() % 2 != 0 || !s.is_ascii() {
        return Err(WireError(format!("bad hex string {s:?}")));
    }
    (0..s.len())
        .step_by(2)
        .map(|i| {
            u8::from_str_radix(&s[i..i + 2], 16)
                .map_err(|_| WireError(format!("bad hex string {s:?}")))
        })
        .collect()
}

/// Python's `repr` of a float.
pub fn float_repr(f: f64) -> String {
    if f.is_nan() {
        "nan".into()
    } else if f.is_infinite() {
        if f > 0.0 { "inf".into() } else { "-inf".into() }
    } else if f == f.trunc() && f.abs() < 1e16 {
        format!("{f:.1}")
    } else {
        let s = format!("{f:?}");
        // Rust writes 1e-5 as "1e-5"; Python as "1e-05".
        match s.split_once('e') {
            Some((m, e)) => {
                let (sign, digits) = match e.strip_prefix('-') {
                    Some(d) => ("-", d),
                    None => ("+", e),
                };
                format!("{m}e{sign}{digits:0>2}")
            }
            None => s,
        }
    }
}

fn parse_float(s: &str) -> Result<f64, WireError> {
    match s {
        "nan" => Ok(f64::NAN),
        "inf" => Ok(f64::INFINITY),
        "-inf" => Ok(f64::NEG_INFINITY),
        _ => s.parse().map_err(|_| WireError(format!("bad float {s:?}"))),
    }
}

fn parse_int(s: &str) -> Result<BigInt, WireError> {
    s.parse().map_err(|_| WireError(format!("bad int {s:?}")))
}

/// Byte strings longer than this travel and are kept as a [`Value::Summary`].
pub const SUMMARY_LIMIT: usize = 65536;
/// How many leading bytes a summary keeps.
pub const SUMMARY_HEAD: usize = 32;

/// The SHA-256 digest of `data`, in lower-case hex.
pub fn sha256_hex(data: &[u8]) -> String {
    use sha2::Digest;
    hex(&sha2::Sha256::digest(data))
}

impl Value {
    /// `data` as a `bytes` (or, with `bytearray`, a `bytearray`) value, summarised when
    /// longer than [`SUMMARY_LIMIT`].
    pub fn byte_string(data: &[u8], bytearray: bool) -> Value {
        if data.len() > SUMMARY_LIMIT {
            return Value::Summary {
                type_name: if bytearray { "bytearray" } else { "bytes" }.to_owned(),
                len: data.len(),
                sha256: sha256_hex(data),
                head: data[..SUMMARY_HEAD].to_vec(),
            };
        }
        if bytearray {
            Value::ByteArray(data.to_vec())
        } else {
            Value::Bytes(data.to_vec())
        }
    }

    /// This value with every `!peer NAME` replaced by the peer's address from `peers`
    /// (left as it is when `peers` lacks the name).
    pub fn with_peers(&self, peers: &std::collections::BTreeMap<String, Value>) -> Value {
        match self {
            Value::Peer(n) => peers.get(n).cloned().unwrap_or_else(|| self.clone()),
            Value::Tuple(items) => {
                Value::Tuple(items.iter().map(|v| v.with_peers(peers)).collect())
            }
            Value::List(items) => Value::List(items.iter().map(|v| v.with_peers(peers)).collect()),
            other => other.clone(),
        }
    }

    pub fn int(i: impl Into<BigInt>) -> Value {
        Value::Int(i.into())
    }

    /// The wire (JSON) encoding of this value.
    pub fn to_json(&self) -> Json {
        match self {
            Value::None => Json::Null,
            Value::Bool(b) => Json::Bool(*b),
            Value::Int(i) => json!({ "int": i.to_string() }),
            Value::Float(f) => json!({ "float": float_repr(*f) }),
            Value::Str(s) => json!({ "str": s }),
            Value::Bytes(b) => json!({ "bytes": hex(b) }),
            Value::ByteArray(b) => json!({ "bytearray": hex(b) }),
            Value::Tuple(v) => json!({ "tuple": v.iter().map(Value::to_json).collect::<Vec<_>>() }),
            Value::List(v) => json!({ "list": v.iter().map(Value::to_json).collect::<Vec<_>>() }),
            Value::Enum { class, name, value } => {
                json!({ "enum": class, "name": name, "int": value.to_string() })
            }
            Value::Class { name, mro } => json!({ "class": name, "mro": mro }),
            Value::Exception(e) => json!({ "exception": e.to_json() }),
            Value::Object {
                type_name,
                repr,
                id,
            } => json!({ "object": type_name, "repr": repr, "id": id }),
            Value::Summary {
                type_name,
                len,
                sha256,
                head,
            } => json!({ "summary": {
                "type": type_name, "len": len, "sha256": sha256, "head": hex(head),
            }}),
            Value::Const(n) => json!({ "const": n }),
            Value::Ref(n) => json!({ "ref": n }),
            Value::TmpPath(n) => json!({ "tmppath": n }),
            Value::Peer(n) => json!({ "peer": n }),
            Value::Flags(names) => json!({ "flags": names }),
            Value::Errno(n) => json!({ "errno": n }),
            Value::Decimal(t) => json!({ "decimal": t }),
            Value::Fraction(t) => json!({ "fraction": t }),
        }
    }

    /// Decodes a wire value.
    pub fn from_json(j: &Json) -> Result<Value, WireError> {
        let obj = match j {
            Json::Null => return Ok(Value::None),
            Json::Bool(b) => return Ok(Value::Bool(*b)),
            Json::Object(o) => o,
            other => return Err(WireError(format!("expected an object, got {other}"))),
        };
        let s = |key: &str| -> Result<&str, WireError> {
            obj.get(key)
                .and_then(Json::as_str)
                .ok_or_else(|| WireError(format!("`{key}` must be a string in {j}")))
        };
        let list = |key: &str| -> Result<Vec<Value>, WireError> {
            obj.get(key)
                .and_then(Json::as_array)
                .ok_or_else(|| WireError(format!("`{key}` must be a list in {j}")))?
                .iter()
                .map(Value::from_json)
                .collect()
        };
        let strings = |key: &str| -> Result<Vec<String>, WireError> {
            obj.get(key)
                .and_then(Json::as_array)
                .ok_or_else(|| WireError(format!("`{key}` must be a list in {j}")))?
                .iter()
                .map(|x| {
                    x.as_str()
                        .map(str::to_owned)
                        .ok_or_else(|| WireError(format!("`{key}` must hold strings in {j}")))
                })
                .collect()
        };
        if obj.contains_key("enum") {
            return Ok(Value::Enum {
                class: s("enum")?.to_owned(),
                name: obj.get("name").and_then(Json::as_str).map(str::to_owned),
                value: parse_int(s("int")?)?,
            });
        }
        if obj.contains_key("int") {
            return Ok(Value::Int(parse_int(s("int")?)?));
        }
        if obj.contains_key("float") {
            return Ok(Value::Float(parse_float(s("float")?)?));
        }
        if obj.contains_key("str") {
            return Ok(Value::Str(s("str")?.to_owned()));
        }
        if obj.contains_key("bytes") {
            return Ok(Value::Bytes(unhex(s("bytes")?)?));
        }
        if obj.contains_key("bytearray") {
            return Ok(Value::ByteArray(unhex(s("bytearray")?)?));
        }
        if obj.contains_key("tuple") {
            return Ok(Value::Tuple(list("tuple")?));
        }
        if obj.contains_key("list") {
            return Ok(Value::List(list("list")?));
        }
        if obj.contains_key("class") {
            return Ok(Value::Class {
                name: s("class")?.to_owned(),
                mro: strings("mro")?,
            });
        }
        if let Some(e) = obj.get("exception") {
            return Ok(Value::Exception(Box::new(ExceptionValue::from_json(e)?)));
        }
        if let Some(Json::Object(sum)) = obj.get("summary") {
            let text = |k: &str| {
                sum.get(k)
                    .and_then(Json::as_str)
                    .ok_or_else(|| WireError(format!("a summary needs `{k}`: {j}")))
            };
            let type_name = text("type")?;
            if type_name != "bytes" && type_name != "bytearray" {
                return Err(WireError(format!(
                    "a summary is of bytes or bytearray: {j}"
                )));
            }
            let len = sum
                .get("len")
                .and_then(Json::as_u64)
                .and_then(|n| usize::try_from(n).ok())
                .ok_or_else(|| WireError(format!("a summary needs `len`: {j}")))?;
            return Ok(Value::Summary {
                type_name: type_name.to_owned(),
                len,
                sha256: text("sha256")?.to_ascii_lowercase(),
                head: unhex(text("head")?)?,
            });
        }
        if obj.contains_key("object") {
            return Ok(Value::Object {
                type_name: s("object")?.to_owned(),
                repr: s("repr")?.to_owned(),
                id: obj.get("id").and_then(Json::as_u64).unwrap_or(0),
            });
        }
        if obj.contains_key("const") {
            return Ok(Value::Const(s("const")?.to_owned()));
        }
        if obj.contains_key("ref") {
            return Ok(Value::Ref(s("ref")?.to_owned()));
        }
        if obj.contains_key("tmppath") {
            return Ok(Value::TmpPath(s("tmppath")?.to_owned()));
        }
        if obj.contains_key("flags") {
            return Ok(Value::Flags(strings("flags")?));
        }
        if obj.contains_key("errno") {
            return Ok(Value::Errno(s("errno")?.to_owned()));
        }
        if obj.contains_key("decimal") {
            return Ok(Value::Decimal(s("decimal")?.to_owned()));
        }
        if obj.contains_key("fraction") {
            return Ok(Value::Fraction(s("fraction")?.to_owned()));
        }
        Err(WireError(format!("unknown value {j}")))
    }

    /// The Python type name of the value (`int`, `socket.AddressFamily`, …).
    pub fn type_name(&self) -> String {
        match self {
            Value::None => "NoneType".into(),
            Value::Bool(_) => "bool".into(),
            Value::Int(_) => "int".into(),
            Value::Float(_) => "float".into(),
            Value::Str(_) => "str".into(),
            Value::Bytes(_) => "bytes".into(),
            Value::ByteArray(_) => "bytearray".into(),
            Value::Tuple(_) => "tuple".into(),
            Value::List(_) => "list".into(),
            Value::Enum { class, .. } => class.clone(),
            Value::Class { .. } => "type".into(),
            Value::Exception(e) => e.type_name.clone(),
            Value::Object { type_name, .. } | Value::Summary { type_name, .. } => type_name.clone(),
            Value::Const(_) => "const".into(),
            Value::Ref(_) => "ref".into(),
            Value::TmpPath(_) => "str".into(),
            Value::Peer(_) => "peer".into(),
            Value::Flags(_) | Value::Errno(_) => "int".into(),
            Value::Decimal(_) => "decimal.Decimal".into(),
            Value::Fraction(_) => "fractions.Fraction".into(),
        }
    }
}

impl ExceptionValue {
    pub fn to_json(&self) -> Json {
        let mut m = Map::new();
        m.insert("type".into(), json!(self.type_name));
        m.insert("mro".into(), json!(self.mro));
        m.insert("args".into(), Value::Tuple(self.args.clone()).to_json());
        m.insert("errno".into(), json!(self.errno));
        m.insert("errno_name".into(), json!(self.errno_name));
        m.insert(
            "strerror".into(),
            self.strerror.as_ref().map_or(Json::Null, Value::to_json),
        );
        m.insert("message".into(), json!(self.message));
        if let Some(group) = &self.exceptions {
            m.insert(
                "exceptions".into(),
                Json::Array(group.iter().map(ExceptionValue::to_json).collect()),
            );
        }
        Json::Object(m)
    }

    pub fn from_json(j: &Json) -> Result<ExceptionValue, WireError> {
        let get = |k: &str| j.get(k).unwrap_or(&Json::Null);
        let type_name = get("type")
            .as_str()
            .ok_or_else(|| WireError(format!("exception without `type`: {j}")))?
            .to_owned();
        let mro = match get("mro") {
            Json::Array(a) => a
                .iter()
                .filter_map(|x| x.as_str().map(str::to_owned))
                .collect(),
            _ => vec![type_name.clone()],
        };
        let args = match Value::from_json(get("args"))? {
            Value::Tuple(v) | Value::List(v) => v,
            Value::None => vec![],
            other => vec![other],
        };
        let strerror = match get("strerror") {
            Json::Null => None,
            v => Some(Value::from_json(v)?),
        };
        Ok(ExceptionValue {
            type_name,
            mro,
            args,
            errno: get("errno").as_i64(),
            errno_name: get("errno_name").as_str().map(str::to_owned),
            strerror,
            message: get("message").as_str().unwrap_or_default().to_owned(),
            exceptions: match get("exceptions") {
                Json::Array(items) => Some(
                    items
                        .iter()
                        .map(ExceptionValue::from_json)
                        .collect::<Result<_, _>>()?,
                ),
                _ => None,
            },
        })
    }
}

fn bytes_repr(prefix: &str, b: &[u8], f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let quote = if b.contains(&b'\'') && !b.contains(&b'"') {
        '"'
    } else {
        '\''
    };
    write!(f, "{prefix}{quote}")?;
    for &c in b {
        match c {
            b'\\' => f.write_str("\\\\")?,
            b'\n' => f.write_str("\\n")?,
            b'\r' => f.write_str("\\r")?,
            b'\t' => f.write_str("\\t")?,
            c if c as char == quote => write!(f, "\\{quote}")?,
            0x20..=0x7e => f.write_char(c as char)?,
            c => write!(f, "\\x{c:02x}")?,
        }
    }
    f.write_char(quote)
}

fn str_repr(s: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    f.write_char(quote)?;
    for c in s.chars() {
        match c {
            '\\' => f.write_str("\\\\")?,
            '\n' => f.write_str("\\n")?,
            '\r' => f.write_str("\\r")?,
            '\t' => f.write_str("\\t")?,
            c if c == quote => write!(f, "\\{quote}")?,
            c if (c as u32) < 0x20 || c as u32 == 0x7f => write!(f, "\\x{:02x}", c as u32)?,
            c => f.write_char(c)?,
        }
    }
    f.write_char(quote)
}

/// Writes `items` Python-style between `open` and `close` (a one-item tuple gets its comma).
pub(crate) fn seq<T: fmt::Display>(
    f: &mut fmt::Formatter<'_>,
    open: &str,
    items: &[T],
    close: &str,
) -> fmt::Result {
    f.write_str(open)?;
    for (i, v) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        write!(f, "{v}")?;
    }
    if open == "(" && items.len() == 1 {
        f.write_char(',')?;
    }
    f.write_str(close)
}

/// A Python-like rendering, used in messages, snapshots and reports.
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::None => f.write_str("None"),
            Value::Bool(true) => f.write_str("True"),
            Value::Bool(false) => f.write_str("False"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Float(x) => f.write_str(&float_repr(*x)),
            Value::Str(s) => str_repr(s, f),
            Value::Bytes(b) => bytes_repr("b", b, f),
            Value::ByteArray(b) => {
                f.write_str("bytearray(")?;
                bytes_repr("b", b, f)?;
                f.write_char(')')
            }
            Value::Tuple(v) => seq(f, "(", v, ")"),
            Value::List(v) => seq(f, "[", v, "]"),
            Value::Enum { class, name, value } => {
                let short = class.rsplit('.').next().unwrap_or(class);
                match name {
                    Some(n) => write!(f, "<{short}.{n}: {value}>"),
                    None => write!(f, "<{short}: {value}>"),
                }
            }
            Value::Class { name, .. } => write!(f, "<class '{name}'>"),
            Value::Exception(e) => write!(f, "{e}"),
            Value::Object { repr, .. } => f.write_str(repr),
            Value::Summary {
                type_name,
                len,
                sha256,
                head,
            } => {
                let start = Value::Bytes(head.clone()).to_string();
                let short = &sha256[..sha256.len().min(16)];
                write!(
                    f,
                    "<{type_name} of {len} bytes, sha256 {short}…, starting {start}>"
                )
            }
            Value::Const(n) => write!(f, "{n}"),
            Value::Ref(n) => write!(f, "${n}"),
            Value::TmpPath(n) => write!(f, "'[tmp]/{n}'"),
            Value::Peer(n) => write!(f, "<peer {n}>"),
            Value::Flags(names) => f.write_str(&names.join("|")),
            Value::Errno(n) => write!(f, "errno.{n}"),
            Value::Decimal(t) => write!(f, "Decimal('{t}')"),
            Value::Fraction(t) => write!(f, "Fraction('{t}')"),
        }
    }
}

impl fmt::Display for ExceptionValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.message.is_empty() {
            f.write_str(&self.type_name)
        } else {
            write!(f, "{}: {}", self.type_name, self.message)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rstest::rstest;

    #[rstest]
    #[case(1.5, "1.5")]
    #[case(1.0, "1.0")]
    #[case(1e-5, "1e-05")]
    #[case(1e300, "1e+300")]
    #[case(-0.25, "-0.25")]
    #[case(f64::INFINITY, "inf")]
    fn floats_print_like_python(#[case] f: f64, #[case] repr: &str) {
        assert_eq!(float_repr(f), repr);
    }

    #[rstest]
    #[case(Value::Bytes(b"\x7f\0'".to_vec()), r#"b"\x7f\x00'""#)]
    #[case(Value::Tuple(vec![Value::int(1)]), "(1,)")]
    #[case(Value::Str("a'b\"".into()), r#"'a\'b"'"#)]
    #[case(Value::ByteArray(b"ab".to_vec()), "bytearray(b'ab')")]
    fn display_is_python_repr(#[case] v: Value, #[case] repr: &str) {
        assert_eq!(v.to_string(), repr);
    }

    #[test]
    fn unknown_wire_value_is_an_error() {
        assert!(Value::from_json(&json!({"nope": 1})).is_err());
        assert!(Value::from_json(&json!({"bytes": "zz"})).is_err());
        assert!(Value::from_json(&json!(3)).is_err());
    }

    fn arb_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::None),
            any::<bool>().prop_map(Value::Bool),
            any::<i128>().prop_map(Value::int),
            any::<f64>()
                .prop_filter("nan compares unequal", |f| !f.is_nan())
                .prop_map(Value::Float),
            ".*".prop_map(Value::Str),
            proptest::collection::vec(any::<u8>(), 0..8).prop_map(Value::Bytes),
            proptest::collection::vec(any::<u8>(), 0..8).prop_map(Value::ByteArray),
        ];
        leaf.prop_recursive(3, 16, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Tuple),
                proptest::collection::vec(inner, 0..4).prop_map(Value::List),
            ]
        })
    }

    proptest! {
        #[test]
        fn wire_round_trip(v in arb_value()) {
            prop_assert_eq!(Value::from_json(&v.to_json()).unwrap(), v);
        }
    }
}
