//! Expected values and matchers as case files spell them (`!tuple`, `!match {…}`, `raises:`),
//! and their YAML deserialisation.
//!
//! Values are read through one visitor that understands the format's tags; every error it
//! raises is located by serde_yaml (file path inside the document, line and column).

use std::fmt;

use num_bigint::BigInt;
use serde::de::{self, Deserialize, Deserializer, EnumAccess, MapAccess, SeqAccess, VariantAccess};

use super::load::{checked_str, ctx};
use crate::value::{Value, seq};

/// What a step must return: a value whose parts may be matchers.
#[derive(Debug, Clone, PartialEq)]
pub enum Expected {
    /// A plain value (scalars, `!const`, `!ref`): compared exactly.
    Value(Value),
    Tuple(Vec<Expected>),
    List(Vec<Expected>),
    /// `!any`.
    Any,
    /// `!class NAME`.
    Class(String),
    /// `!saved NAME`: equal to the value the step that saved `NAME` returned.
    Saved(String),
    /// `!match {…}`.
    Match(Box<Matcher>),
}

/// `!match {…}` and `raises: {…}`: every key given must hold.
#[derive(Debug, Clone, PartialEq, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Matcher {
    #[serde(rename = "type", default, deserialize_with = "type_name")]
    pub ty: Option<String>,
    pub value: Option<Expected>,
    pub name: Option<String>,
    pub range: Option<(Number, Number)>,
    #[serde(default, deserialize_with = "regex")]
    pub regex: Option<Regex>,
    pub one_of: Option<Vec<Expected>>,
    pub len: Option<usize>,
    #[serde(default, deserialize_with = "type_names")]
    pub mro: Option<Vec<String>>,
    #[serde(default, deserialize_with = "type_name")]
    pub subclass_of: Option<String>,
    pub errno: Option<String>,
    pub message: Option<String>,
    #[serde(default, deserialize_with = "regex")]
    pub message_regex: Option<Regex>,
    pub args: Option<Expected>,
    pub strerror: Option<Expected>,
    pub exceptions: Option<Vec<Expected>>,
    pub not: Option<Expected>,
    /// `level:`: the level of every check of this matcher (and inside it).
    pub level: Option<super::Level>,
}

/// A regular expression that must match a whole string.
#[derive(Debug, Clone)]
pub struct Regex(pub regex::Regex);

impl PartialEq for Regex {
    fn eq(&self, other: &Self) -> bool {
        self.0.as_str() == other.0.as_str()
    }
}

impl Regex {
    pub fn full_match(&self, s: &str) -> bool {
        self.0.is_match(s)
    }
}

fn regex<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Regex>, D::Error> {
    checked_str(d, |s| {
        regex::Regex::new(&format!("^(?:{s})$"))
            .map(|r| Some(Regex(r)))
            .map_err(|e| format!("bad regular expression: {e}"))
    })
}

fn type_name<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    checked_str(d, |s| ctx::check_type_name(s).map(|()| Some(s.to_owned())))
}

fn type_names<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
    struct Name(String);
    impl<'de> Deserialize<'de> for Name {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            checked_str(d, |s| ctx::check_type_name(s).map(|()| Name(s.to_owned())))
        }
    }
    Ok(Some(
        Vec::<Name>::deserialize(d)?
            .into_iter()
            .map(|n| n.0)
            .collect(),
    ))
}

/// An int or float bound of `range:`.
#[derive(Debug, Clone, Copy, PartialEq, serde::Deserialize)]
#[serde(untagged)]
pub enum Number {
    Int(i128),
    Float(f64),
}

impl Number {
    pub fn as_f64(self) -> f64 {
        match self {
            Number::Int(i) => i as f64,
            Number::Float(f) => f,
        }
    }
}

/// `raises:`: a type name, or a matcher whose `type` is required.
#[derive(Debug, Clone, PartialEq)]
pub struct Raises(pub Matcher);

impl<'de> Deserialize<'de> for Raises {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> de::Visitor<'de> for V {
            type Value = Raises;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an exception type name, or a map with `type` and optional `errno`, `message`, `message_regex`, `args`, `strerror`")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Raises, E> {
                ctx::check_type_name(s).map_err(E::custom)?;
                Ok(Raises(Matcher {
                    ty: Some(s.to_owned()),
                    ..Matcher::default()
                }))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Raises, A::Error> {
                let m = Matcher::deserialize(de::value::MapAccessDeserializer::new(map))?;
                if m.ty.is_none() && m.subclass_of.is_none() {
                    return Err(de::Error::custom(
                        "`raises` needs a `type` (or, where only the family is portable, `subclass_of`)",
                    ));
                }
                Ok(Raises(m))
            }
        }
        d.deserialize_any(V)
    }
}

/// `"2.5"`, `"-1e3"`: a decimal number, as `decimal.Decimal(text)` reads one.
fn is_decimal_literal(text: &str) -> bool {
    let t = text.trim();
    !t.is_empty() && t.parse::<f64>().is_ok_and(f64::is_finite)
}

/// `"1/2"`, `"-3"`: a fraction with integer numerator and non-zero denominator.
fn is_fraction_literal(text: &str) -> bool {
    let int = |s: &str| {
        let s = s.trim();
        let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
        !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
    };
    match text.split_once('/') {
        Some((n, d)) => {
            int(n)
                && int(d)
                && d.trim()
                    .trim_start_matches(['-', '+'])
                    .bytes()
                    .any(|b| b != b'0')
        }
        None => int(text),
    }
}

/// The error for a plain YAML integer beyond 64 bits.
fn too_big<E: de::Error>(digits: &str) -> E {
    E::custom(format!(
        "{digits} is a plain integer beyond 64 bits: write it `!int \"{digits}\"`"
    ))
}

/// The text of a `!bytes`/`!bytearray` literal: a YAML string only (`!bytes 5` is an int
/// under a bytes tag, not a bytes literal).
struct ByteString(String);

impl<'de> Deserialize<'de> for ByteString {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<ByteString, D::Error> {
        struct V;
        impl de::Visitor<'_> for V {
            type Value = ByteString;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string (one character per byte, e.g. `!bytes \"\\x00ab\"`)")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ByteString, E> {
                Ok(ByteString(v.to_owned()))
            }
        }
        d.deserialize_any(V)
    }
}

/// Reads a YAML node as a value; `expected` allows matchers (`!match`, `!any`, `!class`).
struct ValueVisitor {
    expected: bool,
}

fn latin1<E: de::Error>(s: &str, tag: &str) -> Result<Vec<u8>, E> {
    s.chars()
        .map(|c| {
            u8::try_from(u32::from(c)).map_err(|_| {
                E::custom(format!(
                    "`!{tag}` takes one byte per character (code points 0-255); {c:?} is U+{:04X}",
                    u32::from(c)
                ))
            })
        })
        .collect()
}

impl<'de> de::Visitor<'de> for ValueVisitor {
    type Value = Expected;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a value (null, bool, int, float, str, list, or a tagged !tuple, !bytes, !bytearray, !int, !const, !ref")?;
        if self.expected {
            f.write_str(", !match, !any, !class")?;
        }
        f.write_str(")")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Expected, E> {
        Ok(Expected::Value(Value::Bool(v)))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Expected, E> {
        Ok(Expected::Value(Value::int(v)))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Expected, E> {
        Ok(Expected::Value(Value::int(v)))
    }
    // serde_yaml reads a plain integer beyond 64 bits as an i128/u128, and one beyond 128
    // bits as a float: FORMAT.md wants `!int` for both.
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Expected, E> {
        match i64::try_from(v) {
            Ok(v) => Ok(Expected::Value(Value::int(v))),
            Err(_) => Err(too_big(&v.to_string())),
        }
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Expected, E> {
        match u64::try_from(v) {
            Ok(v) => Ok(Expected::Value(Value::int(v))),
            Err(_) => Err(too_big(&v.to_string())),
        }
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Expected, E> {
        if let Some(digits) = ctx::plain_big_int(v) {
            return Err(too_big(&digits));
        }
        Ok(Expected::Value(Value::Float(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Expected, E> {
        Ok(Expected::Value(Value::Str(v.to_owned())))
    }
    fn visit_unit<E>(self) -> Result<Expected, E> {
        Ok(Expected::Value(Value::None))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Expected, A::Error> {
        Ok(Expected::List(self.items(seq)?))
    }
    fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<Expected, A::Error> {
        Err(de::Error::custom(
            "maps are not values (a matcher is written `!match {…}`)",
        ))
    }
    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<Expected, A::Error> {
        let (tag, content): (String, _) = data.variant()?;
        let matcher_tag = matches!(tag.as_str(), "match" | "any" | "class" | "saved");
        if matcher_tag && !self.expected {
            return Err(de::Error::custom(format!(
                "`!{tag}` is a matcher: it can only appear in an expectation, not in an input"
            )));
        }
        let expected = self.expected;
        let value = |v| Ok(Expected::Value(v));
        match tag.as_str() {
            "tuple" => {
                let items = content.newtype_variant_seed(SeqSeed { expected })?;
                Ok(Expected::Tuple(items))
            }
            "bytes" => value(Value::Bytes(latin1(
                &content.newtype_variant::<ByteString>()?.0,
                "bytes",
            )?)),
            "bytearray" => value(Value::ByteArray(latin1(
                &content.newtype_variant::<ByteString>()?.0,
                "bytearray",
            )?)),
            "int" => {
                let s: String = content.newtype_variant()?;
                let i: BigInt = s.trim().parse().map_err(|_| {
                    de::Error::custom(format!("`!int` takes decimal digits, got {s:?}"))
                })?;
                value(Value::Int(i))
            }
            "const" => {
                let name: String = content.newtype_variant()?;
                ctx::check_const(&name).map_err(de::Error::custom)?;
                value(Value::Const(name))
            }
            "ref" => {
                let name: String = content.newtype_variant()?;
                ctx::check_ref(&name).map_err(de::Error::custom)?;
                value(Value::Ref(name))
            }
            "tmppath" => {
                let name: String = content.newtype_variant()?;
                if name.is_empty() || name.contains('/') || name == "." || name == ".." {
                    return Err(de::Error::custom(format!(
                        "`!tmppath` takes a plain file name, got {name:?}"
                    )));
                }
                value(Value::TmpPath(name))
            }
            "peer" => {
                let name: String = content.newtype_variant()?;
                ctx::use_peer(&name);
                value(Value::Peer(name))
            }
            "any" => {
                content.newtype_variant::<()>()?;
                Ok(Expected::Any)
            }
            "saved" => {
                let name: String = content.newtype_variant()?;
                ctx::check_ref(&name).map_err(de::Error::custom)?;
                Ok(Expected::Saved(name))
            }
            "flags" => {
                let names: Vec<String> = content.newtype_variant()?;
                if names.is_empty() {
                    return Err(de::Error::custom(
                        "`!flags` takes a non-empty list of constant names",
                    ));
                }
                for n in &names {
                    ctx::check_const(n).map_err(de::Error::custom)?;
                }
                value(Value::Flags(names))
            }
            "decimal" | "fraction" => {
                let text: String = content.newtype_variant()?;
                let valid = if tag == "decimal" {
                    is_decimal_literal(&text)
                } else {
                    is_fraction_literal(&text)
                };
                if !valid {
                    return Err(de::Error::custom(format!(
                        "`!{tag}` takes a literal like {}, got {text:?}",
                        if tag == "decimal" {
                            "\"2.5\""
                        } else {
                            "\"1/2\""
                        }
                    )));
                }
                value(if tag == "decimal" {
                    Value::Decimal(text)
                } else {
                    Value::Fraction(text)
                })
            }
            "errno" => {
                let name: String = content.newtype_variant()?;
                let valid = name.starts_with('E')
                    && name
                        .bytes()
                        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
                if !valid {
                    return Err(de::Error::custom(format!(
                        "`!errno` takes an errno name like ECONNREFUSED, got {name:?}"
                    )));
                }
                value(Value::Errno(name))
            }
            "class" => {
                let name: String = content.newtype_variant()?;
                ctx::check_type_name(&name).map_err(de::Error::custom)?;
                Ok(Expected::Class(name))
            }
            "match" => Ok(Expected::Match(Box::new(
                content.newtype_variant::<Matcher>()?,
            ))),
            other => Err(de::Error::custom(format!(
                "unknown tag `!{other}` (known: !tuple, !bytes, !bytearray, !int, !const, !flags, !errno, !decimal, !fraction, !ref, !tmppath, !peer{})",
                if expected {
                    ", !match, !any, !class, !saved"
                } else {
                    ""
                }
            ))),
        }
    }
}

impl ValueVisitor {
    fn items<'de, A: SeqAccess<'de>>(&self, mut seq: A) -> Result<Vec<Expected>, A::Error> {
        let mut out = Vec::new();
        while let Some(item) = seq.next_element_seed(Seed {
            expected: self.expected,
        })? {
            out.push(item);
        }
        Ok(out)
    }
}

#[derive(Clone, Copy)]
struct Seed {
    expected: bool,
}

impl<'de> de::DeserializeSeed<'de> for Seed {
    type Value = Expected;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Expected, D::Error> {
        d.deserialize_any(ValueVisitor {
            expected: self.expected,
        })
    }
}

struct SeqSeed {
    expected: bool,
}

impl<'de> de::DeserializeSeed<'de> for SeqSeed {
    type Value = Vec<Expected>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Vec<Expected>, D::Error> {
        struct V(bool);
        impl<'de> de::Visitor<'de> for V {
            type Value = Vec<Expected>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a sequence after `!tuple`")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Vec<Expected>, A::Error> {
                ValueVisitor { expected: self.0 }.items(seq)
            }
        }
        d.deserialize_seq(V(self.expected))
    }
}

impl<'de> Deserialize<'de> for Expected {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ValueVisitor { expected: true })
    }
}

/// An input value: no matchers allowed.
#[derive(Debug, Clone, PartialEq)]
pub struct Input(pub Value);

impl Expected {
    /// The plain value, when this holds no matcher.
    fn into_value(self) -> Value {
        match self {
            Expected::Value(v) => v,
            Expected::Tuple(v) => Value::Tuple(v.into_iter().map(Expected::into_value).collect()),
            Expected::List(v) => Value::List(v.into_iter().map(Expected::into_value).collect()),
            Expected::Any | Expected::Class(_) | Expected::Saved(_) | Expected::Match(_) => {
                unreachable!("inputs are read without matchers")
            }
        }
    }
}

impl<'de> Deserialize<'de> for Input {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Input(
            d.deserialize_any(ValueVisitor { expected: false })?
                .into_value(),
        ))
    }
}

impl fmt::Display for Expected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expected::Value(v) => write!(f, "{v}"),
            Expected::Tuple(v) => seq(f, "(", v, ")"),
            Expected::List(v) => seq(f, "[", v, "]"),
            Expected::Any => f.write_str("<anything>"),
            Expected::Class(n) => write!(f, "<class '{n}'>"),
            Expected::Saved(n) => write!(f, "<the value saved as {n}>"),
            Expected::Match(m) => write!(f, "{m}"),
        }
    }
}

impl fmt::Display for Matcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if let Some(t) = &self.ty {
            parts.push(format!("type {t}"));
        }
        if let Some(v) = &self.value {
            parts.push(format!("value {v}"));
        }
        if let Some(n) = &self.name {
            parts.push(format!("name {n}"));
        }
        if let Some((lo, hi)) = &self.range {
            parts.push(format!("in [{}, {}]", lo.as_f64(), hi.as_f64()));
        }
        if let Some(r) = &self.regex {
            parts.push(format!("matching /{}/", r.0.as_str()));
        }
        if let Some(o) = &self.one_of {
            let alts: Vec<String> = o.iter().map(ToString::to_string).collect();
            parts.push(format!("one of [{}]", alts.join(", ")));
        }
        if let Some(l) = self.len {
            parts.push(format!("len {l}"));
        }
        if let Some(m) = &self.mro {
            parts.push(format!("mro [{}]", m.join(", ")));
        }
        if let Some(s) = &self.subclass_of {
            parts.push(format!("subclass of {s}"));
        }
        if let Some(e) = &self.errno {
            parts.push(format!("errno {e}"));
        }
        if let Some(m) = &self.message {
            parts.push(format!("message {m:?}"));
        }
        if let Some(r) = &self.message_regex {
            parts.push(format!("message matching /{}/", r.0.as_str()));
        }
        if let Some(a) = &self.args {
            parts.push(format!("args {a}"));
        }
        if let Some(s) = &self.strerror {
            parts.push(format!("strerror {s}"));
        }
        if let Some(n) = &self.not {
            parts.push(format!("not {n}"));
        }
        if let Some(g) = &self.exceptions {
            let items: Vec<String> = g.iter().map(ToString::to_string).collect();
            parts.push(format!("exceptions [{}]", items.join(", ")));
        }
        write!(f, "<{}>", parts.join(", "))
    }
}
