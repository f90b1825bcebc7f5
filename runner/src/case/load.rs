//! Loading case files: YAML → typed cases, rejecting anything format 2 does not allow with
//! the file, line, column and key at fault.
//!
//! Checks that need knowledge beyond one value (documented item names, constant names, saved
//! names, duplicate ids) run inside deserialisation, through a per-thread context, so that
//! serde_yaml locates their errors like any other.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Deserializer, de};

use super::expected::{Expected, Input, Raises};
use super::{
    Action, Alternative, AuditEvent, Case, FORMAT_VERSION, Level, Needs, Outcome, Root, Step,
    Target,
};
use crate::spec::Spec;
use crate::version::{PyVersion, VersionReq};

/// What the loader checks names against.
pub struct Vocabulary {
    pub spec: Spec,
    /// Attributes of the `socket` module that exist though the docs do not list them one by
    /// one (platform constants, enum classes): `AF_NETLINK`, `AddressFamily`.
    pub extra_attributes: HashSet<String>,
}

impl Vocabulary {
    fn knows_attribute(&self, name: &str) -> bool {
        let q = format!("{}.{name}", self.spec.module);
        self.spec.contains(&q)
            || self.spec.group_for(&q).is_some()
            || self.extra_attributes.contains(name)
    }
}

/// A case file that breaks the format.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub struct LoadError {
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file.display(),
            self.line,
            self.column,
            self.message
        )
    }
}

/// Every case of a folder, in file order.
#[derive(Debug, Default)]
pub struct Suite {
    pub cases: Vec<Case>,
}

pub(super) mod ctx {
    //! The per-thread state of the file being loaded.
    use super::*;
    use std::cell::RefCell;

    pub(in crate::case) struct State {
        pub vocab: Arc<Vocabulary>,
        pub file: PathBuf,
        /// Case id → the file that defined it, across the whole load.
        pub ids: HashMap<String, PathBuf>,
        /// Names saved by the steps read so far in the current case.
        pub saved: HashSet<String>,
        /// Peers the current case's values name (`!peer NAME`), checked against its
        /// `peers:` once the case is read.
        pub peers_used: Vec<String>,
        /// The plain integers of the file's text too long for 128 bits, which serde_yaml
        /// reads as floats: each with its digits, so that they can be refused as ints.
        pub big_ints: Vec<(f64, String)>,
    }

    /// The plain integers of `text` too long for 128 bits (39 digits and more).
    pub(in crate::case) fn big_ints(text: &str) -> Vec<(f64, String)> {
        static PLAIN: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
            regex::Regex::new(r"(?m)(?:^|[\s\[,:])([-+]?[0-9]{39,})[ \t]*(?:$|[,\]}#])")
                .expect("valid regex")
        });
        PLAIN
            .captures_iter(text)
            .filter_map(|c| {
                let digits = c[1].trim_start_matches('+');
                Some((digits.parse::<f64>().ok()?, digits.to_owned()))
            })
            .collect()
    }

    /// The digits of a plain integer of the file that serde_yaml read as the float `v`.
    pub fn plain_big_int(v: f64) -> Option<String> {
        if !(v.is_finite() && v.fract() == 0.0 && v.abs() >= 1.7e38) {
            return None;
        }
        get(|s| {
            s.big_ints
                .iter()
                .find(|(f, _)| *f == v)
                .map(|(_, d)| d.clone())
        })
    }

    thread_local! {
        static STATE: RefCell<Option<State>> = const { RefCell::new(None) };
    }

    /// Runs `f` with `state` installed for this thread; gives back the ids seen.
    pub(in crate::case) fn with<R>(
        state: State,
        f: impl FnOnce() -> R,
    ) -> (R, HashMap<String, PathBuf>) {
        STATE.with(|s| *s.borrow_mut() = Some(state));
        let r = f();
        let ids = STATE.with(|s| s.borrow_mut().take().map(|s| s.ids).unwrap_or_default());
        (r, ids)
    }

    fn get<R>(f: impl FnOnce(&mut State) -> R) -> R {
        STATE.with(|s| {
            f(s.borrow_mut()
                .as_mut()
                .expect("case files are read through load_file"))
        })
    }

    pub fn check_doc(name: &str) -> Result<(), String> {
        get(|s| {
            if s.vocab.spec.contains(name) {
                Ok(())
            } else {
                Err(format!(
                    "unknown documented item `{name}`: spec/socket.yaml lists no such item{}",
                    suggest(name, s.vocab.spec.items.iter().map(|i| i.name.as_str()))
                ))
            }
        })
    }

    pub fn check_const(name: &str) -> Result<(), String> {
        get(|s| {
            if s.vocab.knows_attribute(name) {
                Ok(())
            } else {
                Err(format!(
                    "unknown constant `{name}`: neither the docs nor the reference know it{}",
                    suggest(name, s.vocab.extra_attributes.iter().map(String::as_str))
                ))
            }
        })
    }

    pub fn check_module_attr(name: &str) -> Result<(), String> {
        get(|s| {
            if s.vocab.knows_attribute(name) {
                Ok(())
            } else {
                Err(format!(
                    "unknown name `{name}` in the socket module (a saved object is written `${name}`){}",
                    suggest(
                        name,
                        s.vocab
                            .spec
                            .items
                            .iter()
                            .filter_map(|i| i.name.strip_prefix("socket."))
                            .chain(s.vocab.extra_attributes.iter().map(String::as_str))
                    )
                ))
            }
        })
    }

    pub fn check_ref(name: &str) -> Result<(), String> {
        get(|s| {
            if s.saved.contains(name) {
                Ok(())
            } else {
                Err(format!(
                    "`{name}` is not saved by an earlier step of this case (add `save: {name}` to one)"
                ))
            }
        })
    }

    pub fn register_save(name: &str) {
        get(|s| s.saved.insert(name.to_owned()));
    }

    pub fn start_case() {
        get(|s| {
            s.saved.clear();
            s.peers_used.clear();
        });
    }

    /// Notes a `!peer NAME`.
    pub fn use_peer(name: &str) {
        get(|s| s.peers_used.push(name.to_owned()));
    }

    /// The peers named by the current case's values.
    pub fn peers_used() -> Vec<String> {
        get(|s| s.peers_used.clone())
    }

    pub fn register_id(id: &str) -> Result<(), String> {
        get(|s| match s.ids.get(id) {
            Some(first) => Err(format!(
                "duplicate case id `{id}` (already defined in {})",
                first.display()
            )),
            None => {
                s.ids.insert(id.to_owned(), s.file.clone());
                Ok(())
            }
        })
    }

    pub fn check_type_name(name: &str) -> Result<(), String> {
        if name.contains('.') {
            let ok = name
                .split('.')
                .all(|p| !p.is_empty() && p.chars().all(|c| c.is_alphanumeric() || c == '_'));
            return if ok {
                Ok(())
            } else {
                Err(format!("`{name}` is not a qualified type name"))
            };
        }
        if BUILTIN_TYPES.contains(&name) {
            Ok(())
        } else {
            Err(format!(
                "unknown builtin type `{name}` (types outside builtins are qualified, e.g. `socket.gaierror`){}",
                suggest(name, BUILTIN_TYPES.iter().copied())
            ))
        }
    }

    /// `(did you mean `x`?)` for the closest known name, when one is close.
    fn suggest<'a>(name: &str, known: impl Iterator<Item = &'a str>) -> String {
        let best = known
            .map(|k| (strsim(name, k), k))
            .filter(|(d, _)| *d <= 2.max(name.len() / 4))
            .min();
        match best {
            Some((_, k)) => format!(" (did you mean `{k}`?)"),
            None => String::new(),
        }
    }

    /// Levenshtein distance.
    fn strsim(a: &str, b: &str) -> usize {
        let b: Vec<char> = b.chars().collect();
        let mut row: Vec<usize> = (0..=b.len()).collect();
        for (i, ca) in a.chars().enumerate() {
            let mut prev = row[0];
            row[0] = i + 1;
            for (j, cb) in b.iter().enumerate() {
                let cur = row[j + 1];
                row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
                prev = cur;
            }
        }
        row[b.len()]
    }
}

/// Builtin type names a case may use without a module.
const BUILTIN_TYPES: &[&str] = &[
    "NoneType",
    "bool",
    "int",
    "float",
    "complex",
    "str",
    "bytes",
    "bytearray",
    "memoryview",
    "tuple",
    "list",
    "dict",
    "set",
    "frozenset",
    "type",
    "object",
    "function",
    "builtin_function_or_method",
    "method",
    "BaseException",
    "BaseExceptionGroup",
    "Exception",
    "ExceptionGroup",
    "ArithmeticError",
    "AssertionError",
    "AttributeError",
    "BlockingIOError",
    "BrokenPipeError",
    "BufferError",
    "ChildProcessError",
    "ConnectionAbortedError",
    "ConnectionError",
    "ConnectionRefusedError",
    "ConnectionResetError",
    "EOFError",
    "FileExistsError",
    "FileNotFoundError",
    "FloatingPointError",
    "ImportError",
    "IndexError",
    "InterruptedError",
    "IsADirectoryError",
    "KeyError",
    "LookupError",
    "MemoryError",
    "ModuleNotFoundError",
    "NameError",
    "NotADirectoryError",
    "NotImplementedError",
    "OSError",
    "OverflowError",
    "PermissionError",
    "ProcessLookupError",
    "RecursionError",
    "ReferenceError",
    "RuntimeError",
    "SystemError",
    "StopIteration",
    "TimeoutError",
    "TypeError",
    "UnboundLocalError",
    "UnicodeDecodeError",
    "UnicodeEncodeError",
    "UnicodeError",
    "ValueError",
    "ZeroDivisionError",
    "Warning",
    "DeprecationWarning",
    "ResourceWarning",
    "RuntimeWarning",
    "UserWarning",
];

/// Reads a string and checks it inside the scalar's own deserialisation, so that an error
/// carries the scalar's line and column (a check made after `String::deserialize` returns
/// would be located at the enclosing map).
pub(super) fn checked_str<'de, D: Deserializer<'de>, T>(
    d: D,
    check: impl FnOnce(&str) -> Result<T, String>,
) -> Result<T, D::Error> {
    struct V<F>(F);
    impl<'de, T, F: FnOnce(&str) -> Result<T, String>> de::Visitor<'de> for V<F> {
        type Value = T;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a string")
        }
        fn visit_str<E: de::Error>(self, s: &str) -> Result<T, E> {
            (self.0)(s).map_err(E::custom)
        }
    }
    d.deserialize_str(V(check))
}

// ---- the YAML shapes -------------------------------------------------------------------

struct FormatNumber;

impl<'de> Deserialize<'de> for FormatNumber {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // Checked inside the scalar's own visit, so the error names `format` and its place.
        struct V;
        impl de::Visitor<'_> for V {
            type Value = FormatNumber;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                write!(f, "the format number {FORMAT_VERSION}")
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<FormatNumber, E> {
                match n {
                    n if n == u64::from(FORMAT_VERSION) => Ok(FormatNumber),
                    1 => Err(E::custom(format!(
                        "format 1 is no longer read: this runner reads case format \
                         {FORMAT_VERSION}; see `From format 1 to 2` in cases/FORMAT.md \
                         (messages become CPython details, `needs: {{attributes}}` becomes \
                         `platforms:`/`python:` gates)"
                    ))),
                    _ => Err(E::custom(format!(
                        "this runner reads case format {FORMAT_VERSION}, the file says {n}"
                    ))),
                }
            }
        }
        d.deserialize_u64(V)
    }
}

struct DocName(String);

impl<'de> Deserialize<'de> for DocName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        checked_str(d, |s| ctx::check_doc(s).map(|()| DocName(s.to_owned())))
    }
}

struct CaseId(String);

impl<'de> Deserialize<'de> for CaseId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        checked_str(d, |s| {
            let mut chars = s.chars();
            let valid = chars
                .next()
                .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
                && chars.all(|c| {
                    c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-')
                });
            if !valid {
                return Err(format!("case id `{s}` must match [a-z0-9][a-z0-9._-]*"));
            }
            ctx::register_id(s)?;
            Ok(CaseId(s.to_owned()))
        })
    }
}

struct SaveName(String);

fn is_identifier(s: &str) -> bool {
    let mut c = s.chars();
    c.next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && c.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

impl<'de> Deserialize<'de> for SaveName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        checked_str(d, |s| {
            if !is_identifier(s) {
                return Err(format!(
                    "`{s}` is not a name (letters, digits, _; not starting with a digit)"
                ));
            }
            ctx::register_save(s);
            Ok(SaveName(s.to_owned()))
        })
    }
}

impl<'de> Deserialize<'de> for Target {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        checked_str(d, |s| {
            let (root, rest) = match (s.strip_prefix('$'), s.strip_prefix("builtins.")) {
                (Some(r), _) => (Root::Saved, r),
                (None, Some(r)) => (Root::Builtins, r),
                (None, None) => (Root::Module, s),
            };
            let path: Vec<String> = rest.split('.').map(str::to_owned).collect();
            let is_index = |p: &String| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
            if let Some(bad) = path
                .iter()
                .enumerate()
                .find(|(i, p)| !(is_identifier(p) || (*i > 0 && is_index(p))))
                .map(|(_, p)| p)
            {
                return Err(format!("`{s}` is not a dotted path of names (`{bad}`)"));
            }
            match root {
                Root::Saved => ctx::check_ref(&path[0]),
                Root::Module => ctx::check_module_attr(&path[0]),
                Root::Builtins
                    if super::BUILTINS.contains(&path[0].as_str()) && path.len() == 1 =>
                {
                    Ok(())
                }
                Root::Builtins => Err(format!(
                    "`{s}`: cases may use only builtins.{}",
                    super::BUILTINS.join(", builtins.")
                )),
            }?;
            Ok(Target { root, path })
        })
    }
}

impl<'de> Deserialize<'de> for Level {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        checked_str(d, str::parse)
    }
}

/// `needs:`, with a pointed message, at the key, for format 1's `attributes`.
struct NeedsSeed(Needs);

impl<'de> Deserialize<'de> for NeedsSeed {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> de::Visitor<'de> for V {
            type Value = NeedsSeed;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a map of `families`, `ipv6`, `privileges`, `sockets`")
            }
            fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<NeedsSeed, A::Error> {
                let mut rest = serde_yaml::Mapping::new();
                while let Some(key) = map.next_key::<String>()? {
                    if key == "attributes" {
                        return Err(de::Error::custom(
                            "`needs: {attributes}` is gone in format 2: a documented name that \
                             the implementation lacks is a FAIL, not UNSUPPORTED; state where \
                             the name exists with `platforms:` and `python:` instead",
                        ));
                    }
                    let value: serde_yaml::Value = map.next_value()?;
                    rest.insert(key.into(), value);
                }
                Needs::deserialize(serde_yaml::Value::Mapping(rest))
                    .map(NeedsSeed)
                    .map_err(de::Error::custom)
            }
        }
        d.deserialize_map(V)
    }
}

impl<'de> Deserialize<'de> for VersionReq {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        checked_str(d, str::parse)
    }
}

/// `RawCase` with the per-case context reset before its keys are read.
struct RawCaseSeed(RawCase);

impl<'de> Deserialize<'de> for RawCaseSeed {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        ctx::start_case();
        let case = RawCase::deserialize(d)?;
        // Audit hooks exist from Python 3.8 (PEP 578): a case that states audit events
        // says it is for 3.8 and later, so that older versions skip it instead of failing.
        let before_hooks: PyVersion = "3.7".parse().expect("a version");
        let audits = case.steps.iter().any(|s| s.audit.is_some());
        if audits && case.python.as_ref().is_none_or(|r| r.matches(before_hooks)) {
            return Err(de::Error::custom(format!(
                "case `{}` states audit events, which exist from Python 3.8: give it `python: \">=3.8\"` (or a narrower range)",
                case.id.0
            )));
        }
        let peers = case.peers.as_ref();
        for name in ctx::peers_used() {
            if !peers.is_some_and(|p| p.contains_key(&name)) {
                return Err(de::Error::custom(format!(
                    "case `{}` uses `!peer {name}`, but its `peers:` declares no peer `{name}`",
                    case.id.0
                )));
            }
        }
        for (name, spec) in peers.into_iter().flatten() {
            spec.validate()
                .map_err(|e| de::Error::custom(format!("peers: {name}: {e}")))?;
        }
        Ok(RawCaseSeed(case))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCase {
    id: CaseId,
    summary: String,
    doc: Option<DocName>,
    steps: Vec<Step>,
    needs: Option<NeedsSeed>,
    python: Option<VersionReq>,
    platforms: Option<Vec<String>>,
    #[serde(default)]
    platform_dependent: bool,
    timeout: Option<f64>,
    note: Option<String>,
    level: Option<Level>,
    peers: Option<BTreeMap<String, crate::peer::PeerSpec>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStep {
    call: Option<Target>,
    get: Option<Target>,
    args: Option<Vec<Input>>,
    kwargs: Option<BTreeMap<String, Input>>,
    #[serde(default, deserialize_with = "present")]
    returns: Option<Expected>,
    raises: Option<Raises>,
    expect: Option<Vec<RawAlternative>>,
    save: Option<SaveName>,
    note: Option<String>,
    level: Option<Level>,
    audit: Option<Vec<RawAuditEvent>>,
    warns: Option<Vec<Raises>>,
    elapsed: Option<Elapsed>,
    interrupt: Option<RawInterrupt>,
}

/// `elapsed: [LO, HI]` (`HI` may be `null`).
struct Elapsed(f64, Option<f64>);

impl<'de> Deserialize<'de> for Elapsed {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let (lo, hi) = <(f64, Option<f64>)>::deserialize(d)?;
        let ok = lo.is_finite() && lo >= 0.0 && hi.is_none_or(|h| h.is_finite() && h >= lo);
        if !ok {
            return Err(de::Error::custom(format!(
                "elapsed: [LO, HI] takes seconds with 0 <= LO <= HI (HI may be null), not [{lo}, {hi:?}]"
            )));
        }
        Ok(Elapsed(lo, hi))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawInterrupt {
    after: f64,
    handler: crate::case::HandlerAction,
}

/// One item of `audit:`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAuditEvent {
    event: AuditName,
    #[serde(default = "no_args")]
    args: Expected,
    level: Option<Level>,
}

fn no_args() -> Expected {
    Expected::Tuple(Vec::new())
}

/// An audit event name: dotted, of the `socket` module (the events the backends record).
struct AuditName(String);

impl<'de> Deserialize<'de> for AuditName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        checked_str(d, |s| {
            let rest = s.strip_prefix("socket.").unwrap_or("");
            if !rest.is_empty() && rest.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                Ok(AuditName(s.to_owned()))
            } else {
                Err(format!(
                    "an audit event is `socket.NAME` (only the socket module's events are recorded), not `{s}`"
                ))
            }
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAlternative {
    python: Option<VersionReq>,
    platforms: Option<Vec<String>>,
    #[serde(default, deserialize_with = "present")]
    returns: Option<Expected>,
    raises: Option<Raises>,
    level: Option<Level>,
}

impl<'de> Deserialize<'de> for Step {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = RawStep::deserialize(d)?;
        let action = match (raw.call, raw.get) {
            (Some(target), None) => Action::Call {
                target,
                args: raw.args.unwrap_or_default(),
                kwargs: raw.kwargs.unwrap_or_default(),
            },
            (None, Some(target)) => {
                if raw.args.is_some() || raw.kwargs.is_some() {
                    return Err(de::Error::custom(
                        "`args`/`kwargs` belong to a `call` step, not a `get`",
                    ));
                }
                Action::Get { target }
            }
            _ => {
                return Err(de::Error::custom(
                    "a step needs exactly one of `call` or `get`",
                ));
            }
        };
        let expect = match (raw.returns, raw.raises, raw.expect) {
            (r, None, None) => vec![Alternative {
                python: None,
                platforms: None,
                outcome: Outcome::Returns(r),
                level: None,
            }],
            (None, Some(Raises(m)), None) => vec![Alternative {
                python: None,
                platforms: None,
                outcome: Outcome::Raises(Box::new(m)),
                level: None,
            }],
            (None, None, Some(alts)) => {
                if alts.is_empty() {
                    return Err(de::Error::custom("`expect` needs at least one alternative"));
                }
                alts.into_iter()
                    .map(|a| {
                        let outcome = match (a.returns, a.raises) {
                            (Some(r), None) => Outcome::Returns(Some(r)),
                            (None, Some(Raises(m))) => Outcome::Raises(Box::new(m)),
                            _ => {
                                return Err(de::Error::custom(
                                    "each `expect` alternative needs exactly one of `returns` or `raises`",
                                ));
                            }
                        };
                        Ok(Alternative {
                            python: a.python,
                            platforms: a.platforms,
                            outcome,
                            level: a.level,
                        })
                    })
                    .collect::<Result<_, _>>()?
            }
            _ => {
                return Err(de::Error::custom(
                    "a step takes at most one of `returns`, `raises`, `expect`",
                ));
            }
        };
        Ok(Step {
            action,
            save: raw.save.map(|s| s.0),
            expect,
            note: raw.note,
            level: raw.level,
            audit: raw.audit.map(|events| {
                events
                    .into_iter()
                    .map(|e| AuditEvent {
                        event: e.event.0,
                        args: e.args,
                        level: e.level,
                    })
                    .collect()
            }),
            elapsed: raw.elapsed.map(|Elapsed(lo, hi)| (lo, hi)),
            interrupt: match raw.interrupt {
                Some(i) if !(i.after.is_finite() && i.after > 0.0 && i.after < 60.0) => {
                    return Err(de::Error::custom(format!(
                        "interrupt: `after` is a number of seconds above 0 and below 60, not {}",
                        i.after
                    )));
                }
                Some(i) => Some(crate::case::Interrupt {
                    after: i.after,
                    handler: i.handler,
                }),
                None => None,
            },
            warns: raw
                .warns
                .map(|w| w.into_iter().map(|Raises(m)| m).collect()),
        })
    }
}

/// A key that is present, even with a `null` value, is `Some` (`returns: null` expects None).
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Expected>, D::Error> {
    Expected::deserialize(d).map(Some)
}

// ---- loading ---------------------------------------------------------------------------

fn yaml_error(file: &Path, e: &serde_yaml::Error) -> LoadError {
    let (line, column) = e.location().map_or((1, 1), |l| (l.line(), l.column()));
    let mut message = e.to_string();
    // serde_yaml appends " at line L column C"; the location is already in front.
    if let Some(i) = message.rfind(" at line ") {
        message.truncate(i);
    }
    LoadError {
        file: file.to_owned(),
        line,
        column,
        message,
    }
}

/// Parses one case file's text. `shown` is the path used in errors and in `Case::file`;
/// `ids` carries the ids seen in earlier files.
fn load_text(
    text: &str,
    shown: &Path,
    vocab: &Arc<Vocabulary>,
    ids: HashMap<String, PathBuf>,
) -> (Result<Vec<Case>, LoadError>, HashMap<String, PathBuf>) {
    let state = ctx::State {
        vocab: Arc::clone(vocab),
        file: shown.to_owned(),
        ids,
        saved: HashSet::new(),
        peers_used: Vec::new(),
        big_ints: ctx::big_ints(text),
    };
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct SeededFile {
        format: FormatNumber,
        doc: Vec<DocName>,
        cases: Vec<RawCaseSeed>,
    }
    let (parsed, ids) = ctx::with(state, || serde_yaml::from_str::<SeededFile>(text));
    let result = parsed.map_err(|e| yaml_error(shown, &e)).and_then(|f| {
        let _ = f.format;
        let default_doc = f
            .doc
            .first()
            .map(|d| d.0.clone())
            .ok_or_else(|| LoadError {
                file: shown.to_owned(),
                line: 1,
                column: 1,
                message: "doc: a case file names at least one documented item".into(),
            })?;
        if f.cases.is_empty() {
            return Err(LoadError {
                file: shown.to_owned(),
                line: 1,
                column: 1,
                message: "cases: a case file holds at least one case".into(),
            });
        }
        Ok(f.cases
            .into_iter()
            .map(|RawCaseSeed(c)| Case {
                id: c.id.0,
                summary: c.summary,
                doc: c.doc.map_or_else(|| default_doc.clone(), |d| d.0),
                file: shown.to_owned(),
                steps: c.steps,
                needs: c.needs.map(|n| n.0).unwrap_or_default(),
                python: c.python,
                platforms: c.platforms,
                platform_dependent: c.platform_dependent,
                timeout: c.timeout,
                note: c.note,
                level: c.level,
                peers: c.peers.unwrap_or_default(),
            })
            .collect())
    });
    (result, ids)
}

/// Parses one case file's text on its own (used by tests and tools).
pub fn load_str(text: &str, shown: &Path, vocab: &Arc<Vocabulary>) -> Result<Vec<Case>, LoadError> {
    load_text(text, shown, vocab, HashMap::new()).0
}

/// One case file to load: the path errors and [`Case::file`] show, relative to the folder
/// above the cases folder (`cases/functions/htons-ntohs.yaml`), and its text or why it could
/// not be read.
#[derive(Debug)]
pub struct CaseFile {
    pub shown: PathBuf,
    pub text: Result<std::borrow::Cow<'static, str>, String>,
}

/// Loads case files, whatever they were read from ([`load_dir`], [`load_embedded`]): in the
/// order of their shown paths, ids checked for duplicates across all of them. Errors are
/// collected across files, one per broken file; any error means nothing should run.
pub fn load_files(
    mut files: Vec<CaseFile>,
    vocab: &Arc<Vocabulary>,
) -> Result<Suite, Vec<LoadError>> {
    files.sort_by(|a, b| a.shown.cmp(&b.shown));
    let mut errors = Vec::new();
    let mut ids = HashMap::new();
    let mut suite = Suite::default();
    for CaseFile { shown, text } in files {
        let text = match text {
            Ok(t) => t,
            Err(e) => {
                errors.push(LoadError {
                    file: shown,
                    line: 1,
                    column: 1,
                    message: format!("cannot read: {e}"),
                });
                continue;
            }
        };
        let (r, seen) = load_text(&text, &shown, vocab, std::mem::take(&mut ids));
        ids = seen;
        match r {
            Ok(cases) => suite.cases.extend(cases),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(suite)
    } else {
        Err(errors)
    }
}

/// Loads every `*.yaml` below `dir`, in path order, each shown as `<dir's name>/<path below
/// dir>` (through [`load_files`]).
pub fn load_dir(dir: &Path, vocab: &Arc<Vocabulary>) -> Result<Suite, Vec<LoadError>> {
    let mut paths = Vec::new();
    let mut errors = Vec::new();
    collect_yaml(dir, &mut paths, &mut errors);
    let files = paths
        .into_iter()
        .map(|path| {
            let shown = path.strip_prefix(dir).unwrap_or(&path).to_owned();
            CaseFile {
                shown: Path::new(dir.file_name().unwrap_or_default()).join(shown),
                text: std::fs::read_to_string(&path)
                    .map(Into::into)
                    .map_err(|e| e.to_string()),
            }
        })
        .collect();
    match load_files(files, vocab) {
        Ok(suite) if errors.is_empty() => Ok(suite),
        Ok(_) => Err(errors),
        Err(more) => {
            errors.extend(more);
            Err(errors)
        }
    }
}

/// Loads case files carried in the binary (`suite::EMBEDDED_CASES`): `(shown path, text)`
/// pairs whose paths are `/`-separated, as `runner/build.rs` writes them. They load exactly
/// like the same files read from a folder by [`load_dir`] (through [`load_files`]).
pub fn load_embedded(
    files: &'static [(&'static str, &'static str)],
    vocab: &Arc<Vocabulary>,
) -> Result<Suite, Vec<LoadError>> {
    let files = files
        .iter()
        .map(|&(shown, text)| CaseFile {
            shown: shown.split('/').collect(),
            text: Ok(text.into()),
        })
        .collect();
    load_files(files, vocab)
}

fn collect_yaml(dir: &Path, files: &mut Vec<PathBuf>, errors: &mut Vec<LoadError>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            errors.push(LoadError {
                file: dir.to_owned(),
                line: 0,
                column: 0,
                message: format!("cannot read the cases folder: {e}"),
            });
            return;
        }
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_yaml(&path, files, errors);
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            files.push(path);
        }
    }
}
