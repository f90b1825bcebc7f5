//! Comparing what a backend observed with what a case expects (`cases/FORMAT.md`,
//! *Expected values*, *Exceptions* and *Levels*).
//!
//! Every check has a level: `message`/`message_regex` are CPython details unless a `level:`
//! around them says otherwise, every other check is documented behaviour unless a `level:`
//! around it says `cpython`. A comparison reports the worst mismatch it found: a behaviour
//! one if there is any, else the first CPython detail that differs.

use std::collections::HashMap;

use num_bigint::BigInt;
use num_traits::ToPrimitive;

use crate::case::{Expected, Level, Matcher};
use crate::value::{ExceptionValue, Value};

/// What a comparison may look up: the backend's values of named constants and the values
/// the case's steps saved.
pub struct Context<'a> {
    pub consts: &'a HashMap<String, Value>,
    pub saved: &'a HashMap<String, Value>,
    /// The backend's errno values by name.
    pub errno_values: &'a HashMap<String, i64>,
    /// The case's temporary folder on the backend, for `!tmppath`.
    pub tmpdir: Option<&'a str>,
    /// The addresses of the case's scripted peers, for `!peer`.
    pub peers: &'a std::collections::BTreeMap<String, Value>,
    /// The backend's type aliases: a class's qualified name → the `socket.NAME`s its
    /// `socket` module binds to that very class (PyPy's `_socket.timeout` is
    /// `socket.timeout`), so that classes compare by identity, not by `__module__`.
    pub aliases: &'a HashMap<String, Vec<String>>,
}

impl Context<'_> {
    /// Whether an observed class named `observed` is the class the format calls
    /// `expected`: the same name, or the object the backend's `socket` module binds to
    /// `expected`.
    pub fn same_type(&self, expected: &str, observed: &str) -> bool {
        expected == observed
            || self
                .aliases
                .get(observed)
                .is_some_and(|names| names.iter().any(|n| n == expected))
    }

    /// [`Context::same_type`] item by item.
    fn same_mro(&self, expected: &[String], observed: &[String]) -> bool {
        expected.len() == observed.len()
            && expected
                .iter()
                .zip(observed)
                .all(|(e, o)| self.same_type(e, o))
    }
}

/// Why an observed value does not match, and at which level the failed check stands.
#[derive(Debug, Clone, PartialEq)]
pub struct Mismatch {
    pub level: Level,
    pub why: String,
}

impl Mismatch {
    fn context(self, f: impl FnOnce(String) -> String) -> Mismatch {
        Mismatch {
            level: self.level,
            why: f(self.why),
        }
    }
}

impl std::fmt::Display for Mismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.why)
    }
}

/// The explicit `level:` innermost around a check, if any.
pub type Scope = Option<Level>;

/// The level of an ordinary check in `scope`.
pub fn behaviour_in(scope: Scope) -> Level {
    scope.unwrap_or(Level::Behaviour)
}

/// The level of a message check in `scope`.
fn wording_in(scope: Scope) -> Level {
    scope.unwrap_or(Level::Cpython)
}

/// Keeps the worst of several mismatches: the first behaviour one, else the first detail.
#[derive(Default)]
struct Worst(Option<Mismatch>);

impl Worst {
    /// Records `r`; `Err` (to stop at once) when it is a behaviour mismatch.
    fn add(&mut self, r: Result<(), Mismatch>) -> Result<(), Mismatch> {
        match r {
            Err(m) if m.level == Level::Behaviour => Err(m),
            Err(m) => {
                self.0.get_or_insert(m);
                Ok(())
            }
            Ok(()) => Ok(()),
        }
    }

    fn finish(self) -> Result<(), Mismatch> {
        self.0.map_or(Ok(()), Err)
    }
}

fn int_of(v: &Value) -> Option<&BigInt> {
    match v {
        Value::Int(i) | Value::Enum { value: i, .. } => Some(i),
        _ => None,
    }
}

/// Checks `observed` against `expected`, in `scope`.
pub fn check(
    expected: &Expected,
    observed: &Value,
    cx: &Context,
    scope: Scope,
) -> Result<(), Mismatch> {
    let level = behaviour_in(scope);
    let miss = |why: String| Err(Mismatch { level, why });
    let fail = || miss(format!("expected {expected}, got {observed}"));
    match expected {
        Expected::Any => Ok(()),
        Expected::Match(m) => check_matcher(m, observed, cx, scope),
        Expected::Saved(name) => match cx.saved.get(name) {
            Some(v) if check_value(v, observed, cx) => Ok(()),
            Some(v) => miss(format!(
                "expected {v} (the value saved as {name}), got {observed}"
            )),
            None => miss(format!("nothing was saved as {name}")),
        },
        Expected::Class(name) => match observed {
            Value::Class { name: n, .. } if cx.same_type(name, n) => Ok(()),
            _ => fail(),
        },
        Expected::Tuple(items) => match observed {
            Value::Tuple(got) => check_items(items, got, cx, scope, expected, observed),
            _ => fail(),
        },
        Expected::List(items) => match observed {
            Value::List(got) => check_items(items, got, cx, scope, expected, observed),
            _ => fail(),
        },
        Expected::Value(v) => {
            if check_value(v, observed, cx) {
                Ok(())
            } else {
                fail()
            }
        }
    }
}

fn check_items(
    items: &[Expected],
    got: &[Value],
    cx: &Context,
    scope: Scope,
    expected: &Expected,
    observed: &Value,
) -> Result<(), Mismatch> {
    if items.len() != got.len() {
        return Err(Mismatch {
            level: behaviour_in(scope),
            why: format!(
                "expected {expected} ({} items), got {observed} ({} items)",
                items.len(),
                got.len()
            ),
        });
    }
    let mut worst = Worst::default();
    for (i, (e, g)) in items.iter().zip(got).enumerate() {
        worst.add(check(e, g, cx, scope).map_err(|m| m.context(|w| format!("item {i}: {w}"))))?;
    }
    worst.finish()
}

/// Exact, type-strict equality with the two int-subclass rules of the format.
fn check_value(expected: &Value, observed: &Value, cx: &Context) -> bool {
    match (expected, observed) {
        (Value::Int(e), Value::Int(o) | Value::Enum { value: o, .. }) => e == o,
        (Value::Const(name), _) => match observed {
            Value::Enum {
                name: Some(n),
                value,
                ..
            } => {
                n == name
                    && cx
                        .consts
                        .get(name)
                        .and_then(int_of)
                        .is_none_or(|c| c == value)
            }
            Value::Int(o) => cx.consts.get(name).and_then(int_of) == Some(o),
            _ => false,
        },
        (Value::Ref(name), Value::Object { id, .. }) => matches!(
            cx.saved.get(name),
            Some(Value::Object { id: saved, .. }) if saved == id
        ),
        (Value::Flags(names), Value::Int(o) | Value::Enum { value: o, .. }) => {
            let mut total = BigInt::from(0);
            for n in names {
                match cx.consts.get(n).and_then(int_of) {
                    Some(v) => total |= v,
                    None => return false,
                }
            }
            &total == o
        }
        (Value::Errno(name), Value::Int(o)) => cx
            .errno_values
            .get(name)
            .is_some_and(|v| BigInt::from(*v) == *o),
        // The folder joined with the name by the platform's separator (`\\` on Windows).
        (Value::Peer(name), o) => cx.peers.get(name).is_some_and(|e| check_value(e, o, cx)),
        (Value::TmpPath(name), Value::Str(o)) => cx.tmpdir.is_some_and(|dir| {
            o.strip_prefix(dir)
                .and_then(|rest| rest.strip_prefix(['/', '\\']))
                .is_some_and(|rest| rest == name)
        }),
        (Value::Float(e), Value::Float(o)) => e == o || (e.is_nan() && o.is_nan()),
        // A long byte string came back summarised: equal when type, length and digest are.
        (
            Value::Bytes(e) | Value::ByteArray(e),
            Value::Summary {
                type_name,
                len,
                sha256,
                ..
            },
        ) => {
            let kind = if matches!(expected, Value::Bytes(_)) {
                "bytes"
            } else {
                "bytearray"
            };
            type_name == kind && e.len() == *len && crate::value::sha256_hex(e) == *sha256
        }
        (Value::Tuple(e), Value::Tuple(o)) | (Value::List(e), Value::List(o)) => {
            e.len() == o.len() && e.iter().zip(o).all(|(e, o)| check_value(e, o, cx))
        }
        _ => expected == observed,
    }
}

fn mro_of(v: &Value) -> Option<&[String]> {
    match v {
        Value::Class { mro, .. } => Some(mro),
        Value::Exception(e) => Some(&e.mro),
        _ => None,
    }
}

fn len_of(v: &Value) -> Option<usize> {
    match v {
        Value::Str(s) => Some(s.chars().count()),
        Value::Bytes(b) | Value::ByteArray(b) => Some(b.len()),
        Value::Summary { len, .. } => Some(*len),
        Value::Tuple(t) | Value::List(t) => Some(t.len()),
        _ => None,
    }
}

/// Checks every key of a matcher.
pub fn check_matcher(
    m: &Matcher,
    observed: &Value,
    cx: &Context,
    scope: Scope,
) -> Result<(), Mismatch> {
    let scope = m.level.or(scope);
    let level = behaviour_in(scope);
    let miss = |why: String| Err(Mismatch { level, why });
    let fail = |what: String| miss(format!("expected {what}, got {observed}"));
    let mut worst = Worst::default();
    if let Some(t) = &m.ty {
        let have = observed.type_name();
        if !cx.same_type(t, &have) {
            return miss(format!("expected a {t}, got {observed} (a {have})"));
        }
    }
    if let Some(v) = &m.value {
        worst.add(check(v, observed, cx, scope))?;
    }
    if let Some(n) = &m.name {
        match observed {
            Value::Enum {
                name: Some(have), ..
            } if have == n => {}
            _ => return fail(format!("an enum member named {n}")),
        }
    }
    if let Some((lo, hi)) = &m.range {
        let x = match observed {
            Value::Int(i) | Value::Enum { value: i, .. } => i.to_f64(),
            Value::Float(f) => Some(*f),
            _ => None,
        };
        match x {
            Some(x) if lo.as_f64() <= x && x <= hi.as_f64() => {}
            _ => return fail(format!("a number in [{}, {}]", lo.as_f64(), hi.as_f64())),
        }
    }
    if let Some(r) = &m.regex {
        match observed {
            Value::Str(s) if r.full_match(s) => {}
            _ => return fail(format!("a str matching /{}/", r.0.as_str())),
        }
    }
    if let Some(alts) = &m.one_of {
        // The best alternative counts: one that holds, else one that differs only in detail.
        let results: Vec<_> = alts.iter().map(|a| check(a, observed, cx, scope)).collect();
        if !results.iter().any(Result::is_ok) {
            match results
                .into_iter()
                .flat_map(Result::err)
                .find(|m| m.level == Level::Cpython)
            {
                Some(detail) => worst.add(Err(detail))?,
                None => {
                    let alts: Vec<String> = alts.iter().map(ToString::to_string).collect();
                    return fail(format!("one of [{}]", alts.join(", ")));
                }
            }
        }
    }
    if let Some(n) = m.len {
        if len_of(observed) != Some(n) {
            return fail(format!("length {n}"));
        }
    }
    if let Some(mro) = &m.mro {
        if !mro_of(observed).is_some_and(|o| cx.same_mro(mro, o)) {
            return miss(format!(
                "expected mro [{}], got {}",
                mro.join(", "),
                mro_of(observed)
                    .map_or_else(|| observed.to_string(), |m| format!("[{}]", m.join(", ")))
            ));
        }
    }
    if let Some(n) = &m.not {
        // What `not` forbids is there as soon as it holds at the behaviour level.
        let forbidden = match check(n, observed, cx, scope) {
            Ok(()) => true,
            Err(m) => m.level == Level::Cpython,
        };
        if forbidden {
            return fail(format!("anything but {n}"));
        }
    }
    if let Some(base) = &m.subclass_of {
        if !mro_of(observed).is_some_and(|m| m.iter().any(|o| cx.same_type(base, o))) {
            return fail(format!("a subclass of {base}"));
        }
    }
    let exc_keys = m.errno.is_some()
        || m.message.is_some()
        || m.message_regex.is_some()
        || m.args.is_some()
        || m.strerror.is_some()
        || m.exceptions.is_some();
    if exc_keys {
        match observed {
            Value::Exception(e) => worst.add(check_exception_fields(m, e, cx, scope))?,
            _ => return fail("an exception".into()),
        }
    }
    worst.finish()
}

fn check_exception_fields(
    m: &Matcher,
    e: &ExceptionValue,
    cx: &Context,
    scope: Scope,
) -> Result<(), Mismatch> {
    let level = behaviour_in(scope);
    let mut worst = Worst::default();
    if let Some(name) = &m.errno {
        let holds = match cx.errno_values.get(name) {
            Some(v) => e.errno == Some(*v),
            // gaierror's EAI_* names are socket constants, not errno names.
            None => e.errno_name.as_deref() == Some(name.as_str()),
        };
        if !holds {
            return Err(Mismatch {
                level,
                why: format!(
                    "expected errno {name}, got {} ({e})",
                    match (&e.errno_name, e.errno) {
                        (Some(n), _) => n.clone(),
                        (None, Some(n)) => n.to_string(),
                        (None, None) => "None".into(),
                    }
                ),
            });
        }
    }
    if let Some(args) = &m.args {
        worst.add(
            check(args, &Value::Tuple(e.args.clone()), cx, scope)
                .map_err(|m| m.context(|w| format!("args: {w}"))),
        )?;
    }
    if let Some(s) = &m.strerror {
        worst.add(
            check(s, e.strerror.as_ref().unwrap_or(&Value::None), cx, scope)
                .map_err(|m| m.context(|w| format!("strerror: {w}"))),
        )?;
    }
    if let Some(wanted) = &m.exceptions {
        let Some(group) = &e.exceptions else {
            return Err(Mismatch {
                level,
                why: format!("expected an exception group, got {e}"),
            });
        };
        let got = Value::Tuple(
            group
                .iter()
                .map(|x| Value::Exception(Box::new(x.clone())))
                .collect(),
        );
        worst.add(
            check(&Expected::Tuple(wanted.clone()), &got, cx, scope)
                .map_err(|m| m.context(|w| format!("exceptions: {w}"))),
        )?;
    }
    let wording = wording_in(scope);
    if let Some(msg) = &m.message {
        if &e.message != msg {
            worst.add(Err(Mismatch {
                level: wording,
                why: format!(
                    "expected message {msg:?}, got {:?} ({})",
                    e.message, e.type_name
                ),
            }))?;
        }
    }
    if let Some(r) = &m.message_regex {
        if !r.full_match(&e.message) {
            worst.add(Err(Mismatch {
                level: wording,
                why: format!(
                    "expected a message matching /{}/, got {:?}",
                    r.0.as_str(),
                    e.message
                ),
            }))?;
        }
    }
    worst.finish()
}

/// Checks a raised exception against `raises:`.
pub fn check_raised(
    m: &Matcher,
    e: &ExceptionValue,
    cx: &Context,
    scope: Scope,
) -> Result<(), Mismatch> {
    check_matcher(m, &Value::Exception(Box::new(e.clone())), cx, scope)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn cx_check(e: &Expected, o: &Value) -> Result<(), Mismatch> {
        let consts = HashMap::from([("AF_INET".to_owned(), Value::int(2))]);
        let saved = HashMap::new();
        let errno_values = HashMap::new();
        check(
            e,
            o,
            &Context {
                consts: &consts,
                saved: &saved,
                errno_values: &errno_values,
                tmpdir: None,
                peers: &Default::default(),
                aliases: &Default::default(),
            },
            None,
        )
    }

    fn af_inet() -> Value {
        Value::Enum {
            class: "socket.AddressFamily".into(),
            name: Some("AF_INET".into()),
            value: 2.into(),
        }
    }

    #[rstest]
    #[case(Expected::Value(Value::int(1)), Value::int(1), true)]
    #[case(Expected::Value(Value::int(1)), Value::Float(1.0), false)]
    #[case(Expected::Value(Value::int(1)), Value::Bool(true), false)]
    #[case(Expected::Value(Value::int(2)), af_inet(), true)]
    #[case(Expected::Value(Value::Const("AF_INET".into())), af_inet(), true)]
    #[case(Expected::Value(Value::Const("AF_INET".into())), Value::int(2), true)]
    #[case(Expected::Value(Value::Const("AF_INET".into())), Value::int(3), false)]
    #[case(Expected::Tuple(vec![Expected::Value(Value::int(1))]), Value::List(vec![Value::int(1)]), false)]
    #[case(Expected::Value(Value::Bytes(b"a".to_vec())), Value::ByteArray(b"a".to_vec()), false)]
    #[case(Expected::Value(Value::Str("a".into())), Value::Bytes(b"a".to_vec()), false)]
    #[case(Expected::Value(Value::Float(f64::NAN)), Value::Float(f64::NAN), true)]
    #[case(Expected::Any, Value::None, true)]
    fn equality_is_type_strict(#[case] e: Expected, #[case] o: Value, #[case] ok: bool) {
        assert_eq!(cx_check(&e, &o).is_ok(), ok, "{e} vs {o}");
    }

    #[test]
    fn flags_errno_saved_and_not() {
        let consts = HashMap::from([
            ("SOCK_STREAM".to_owned(), Value::int(1)),
            ("SOCK_CLOEXEC".to_owned(), Value::int(0o2000000)),
        ]);
        let saved = HashMap::from([("fd".to_owned(), Value::int(5))]);
        let errno_values = HashMap::from([("ECONNREFUSED".to_owned(), 111)]);
        let aliases = HashMap::from([(
            "_socket.timeout".to_owned(),
            vec!["socket.timeout".to_owned()],
        )]);
        let peers = std::collections::BTreeMap::from([(
            "srv".to_owned(),
            Value::Tuple(vec![Value::Str("127.0.0.1".into()), Value::int(4242)]),
        )]);
        let cx = Context {
            consts: &consts,
            saved: &saved,
            errno_values: &errno_values,
            tmpdir: Some("/t"),
            peers: &peers,
            aliases: &aliases,
        };
        let flags = Expected::Value(Value::Flags(vec![
            "SOCK_STREAM".into(),
            "SOCK_CLOEXEC".into(),
        ]));
        assert!(check(&flags, &Value::int(0o2000001), &cx, None).is_ok());
        assert!(check(&flags, &Value::int(1), &cx, None).is_err());
        let errno = Expected::Value(Value::Errno("ECONNREFUSED".into()));
        assert!(check(&errno, &Value::int(111), &cx, None).is_ok());
        assert!(check(&errno, &Value::int(11), &cx, None).is_err());
        assert!(check(&Expected::Saved("fd".into()), &Value::int(5), &cx, None).is_ok());
        let other = Matcher {
            not: Some(Expected::Saved("fd".into())),
            ..Matcher::default()
        };
        assert!(
            check(
                &Expected::Match(Box::new(other.clone())),
                &Value::int(6),
                &cx,
                None
            )
            .is_ok()
        );
        assert!(check(&Expected::Match(Box::new(other)), &Value::int(5), &cx, None).is_err());
        let tmp = Expected::Value(Value::TmpPath("a.sock".into()));
        assert!(check(&tmp, &Value::Str("/t/a.sock".into()), &cx, None).is_ok());
        assert!(check(&tmp, &Value::Str("/t\\a.sock".into()), &cx, None).is_ok());
        assert!(check(&tmp, &Value::Str("/t/b.sock".into()), &cx, None).is_err());
        let peer = Expected::Value(Value::Peer("srv".into()));
        let addr = |port: i64| Value::Tuple(vec![Value::Str("127.0.0.1".into()), Value::int(port)]);
        assert!(check(&peer, &addr(4242), &cx, None).is_ok());
        assert!(check(&peer, &addr(4243), &cx, None).is_err());
        let unknown = Expected::Value(Value::Peer("nope".into()));
        assert!(check(&unknown, &addr(4242), &cx, None).is_err());
        // A long byte string comes back summarised; equality still holds by digest.
        let long = vec![7u8; crate::value::SUMMARY_LIMIT + 1];
        let seen = Value::byte_string(&long, false);
        assert!(matches!(seen, Value::Summary { .. }));
        let round = Value::from_json(&seen.to_json()).expect("a summary decodes");
        assert_eq!(round, seen);
        assert!(
            check(
                &Expected::Value(Value::Bytes(long.clone())),
                &seen,
                &cx,
                None
            )
            .is_ok()
        );
        let mut other = long.clone();
        other[100] = 8;
        assert!(check(&Expected::Value(Value::Bytes(other)), &seen, &cx, None).is_err());
        assert!(
            check(
                &Expected::Value(Value::ByteArray(long.clone())),
                &seen,
                &cx,
                None
            )
            .is_err()
        );
        let len = Matcher {
            ty: Some("bytes".into()),
            len: Some(long.len()),
            ..Matcher::default()
        };
        assert!(check(&Expected::Match(Box::new(len)), &seen, &cx, None).is_ok());
        // Short ones stay whole.
        assert_eq!(
            Value::byte_string(b"ab", true),
            Value::ByteArray(b"ab".to_vec())
        );
    }

    #[test]
    fn matcher_keys_all_hold() {
        let m = Matcher {
            ty: Some("socket.AddressFamily".into()),
            name: Some("AF_INET".into()),
            value: Some(Expected::Value(Value::int(2))),
            ..Matcher::default()
        };
        assert!(cx_check(&Expected::Match(Box::new(m.clone())), &af_inet()).is_ok());
        let wrong = Matcher {
            name: Some("AF_UNIX".into()),
            ..m
        };
        assert!(cx_check(&Expected::Match(Box::new(wrong)), &af_inet()).is_err());
        let plain = Matcher {
            ty: Some("int".into()),
            ..Matcher::default()
        };
        assert!(cx_check(&Expected::Match(Box::new(plain)), &af_inet()).is_err());
    }

    fn raised(ty: &str, message: &str) -> Value {
        Value::Exception(Box::new(ExceptionValue {
            type_name: ty.into(),
            mro: vec![ty.into(), "Exception".into()],
            errno: None,
            errno_name: None,
            strerror: None,
            args: vec![Value::Str(message.into())],
            message: message.into(),
            exceptions: None,
        }))
    }

    fn raises(ty: &str, message: &str, level: Option<Level>) -> Expected {
        Expected::Match(Box::new(Matcher {
            ty: Some(ty.into()),
            message: Some(message.into()),
            level,
            ..Matcher::default()
        }))
    }

    #[rstest]
    // Wording is a CPython detail by default; the type is behaviour.
    #[case(raises("ValueError", "a", None), raised("ValueError", "a"), None)]
    #[case(
        raises("ValueError", "a", None),
        raised("ValueError", "b"),
        Some(Level::Cpython)
    )]
    #[case(
        raises("ValueError", "a", None),
        raised("TypeError", "a"),
        Some(Level::Behaviour)
    )]
    #[case(
        raises("ValueError", "a", None),
        raised("TypeError", "b"),
        Some(Level::Behaviour)
    )]
    // A message the docs quote is marked behaviour; `level: cpython` demotes everything.
    #[case(
        raises("ValueError", "a", Some(Level::Behaviour)),
        raised("ValueError", "b"),
        Some(Level::Behaviour)
    )]
    #[case(
        raises("ValueError", "a", Some(Level::Cpython)),
        raised("TypeError", "a"),
        Some(Level::Cpython)
    )]
    fn levels_of_checks(#[case] e: Expected, #[case] o: Value, #[case] level: Option<Level>) {
        assert_eq!(cx_check(&e, &o).err().map(|m| m.level), level, "{e} vs {o}");
    }

    #[test]
    fn worst_mismatch_wins_and_scope_reaches_inside() {
        // A detail in item 0 must not hide a behaviour mismatch in item 1.
        let e = Expected::Tuple(vec![
            raises("ValueError", "a", None),
            Expected::Value(Value::int(1)),
        ]);
        let o = Value::Tuple(vec![raised("ValueError", "b"), Value::int(2)]);
        let m = cx_check(&e, &o).unwrap_err();
        assert_eq!(m.level, Level::Behaviour);
        assert!(m.why.starts_with("item 1:"), "{}", m.why);
        // The enclosing scope makes a plain value check a detail.
        let consts = HashMap::new();
        let saved = HashMap::new();
        let errno_values = HashMap::new();
        let cx = Context {
            consts: &consts,
            saved: &saved,
            errno_values: &errno_values,
            tmpdir: None,
            peers: &Default::default(),
            aliases: &Default::default(),
        };
        let m = check(&e, &o, &cx, Some(Level::Cpython)).unwrap_err();
        assert_eq!(m.level, Level::Cpython);
        // one_of: an alternative that differs only in wording beats a wrong one.
        let one_of = Expected::Match(Box::new(Matcher {
            one_of: Some(vec![
                Expected::Value(Value::int(7)),
                raises("ValueError", "a", None),
            ]),
            ..Matcher::default()
        }));
        let m = check(&one_of, &raised("ValueError", "b"), &cx, None).unwrap_err();
        assert_eq!(m.level, Level::Cpython);
        // not: forbidden as soon as the inner holds at the behaviour level.
        let not = Expected::Match(Box::new(Matcher {
            not: Some(raises("ValueError", "a", None)),
            ..Matcher::default()
        }));
        assert_eq!(
            check(&not, &raised("ValueError", "b"), &cx, None)
                .unwrap_err()
                .level,
            Level::Behaviour
        );
        assert!(check(&not, &raised("TypeError", "a"), &cx, None).is_ok());
    }
}
