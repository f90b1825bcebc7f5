//! Cases: the typed model of a case file (format 2, `cases/FORMAT.md`) and its loader.

pub mod expected;
pub mod load;

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use serde::Deserialize;

pub use expected::{Expected, Input, Matcher, Raises};
pub use load::{LoadError, Suite, load_dir};

use crate::version::VersionReq;

/// The builtins a case may call or read: `builtins.NAME`.
pub const BUILTINS: &[&str] = &[
    "repr",
    "str",
    "len",
    "isinstance",
    "hasattr",
    "type",
    "bytes",
    "bytearray",
    "memoryview",
    "open",
];

/// The case format this runner reads.
pub const FORMAT_VERSION: u32 = 2;

/// The level an expectation is judged at (`cases/FORMAT.md`, *Levels*).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// What the docs state or any faithful implementation must do.
    Behaviour,
    /// CPython's own details: exact messages, `repr()` layouts, undocumented classes.
    Cpython,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Behaviour => "behaviour",
            Level::Cpython => "cpython",
        }
    }
}

impl std::str::FromStr for Level {
    type Err = String;
    fn from_str(s: &str) -> Result<Level, String> {
        match s {
            "behaviour" => Ok(Level::Behaviour),
            "cpython" => Ok(Level::Cpython),
            _ => Err(format!("a level is `behaviour` or `cpython`, not `{s}`")),
        }
    }
}

/// One case, ready to run.
#[derive(Debug, Clone)]
pub struct Case {
    pub id: String,
    pub summary: String,
    /// The documented item the case exercises (`socket.htons`).
    pub doc: String,
    /// The file it came from, relative to the cases folder.
    pub file: PathBuf,
    pub steps: Vec<Step>,
    pub needs: Needs,
    pub python: Option<VersionReq>,
    pub platforms: Option<Vec<String>>,
    pub platform_dependent: bool,
    pub timeout: Option<f64>,
    pub note: Option<String>,
    /// `level:` on the case: the level of every check in it that says none closer.
    pub level: Option<Level>,
    /// `peers:`: the scripted peers the runner plays for this case, by name.
    pub peers: BTreeMap<String, crate::peer::PeerSpec>,
}

/// Where a target path starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Root {
    /// The `socket` module.
    Module,
    /// An object saved by an earlier step (`$name…`).
    Saved,
    /// Python's `builtins` (`builtins.repr`), for the few functions cases may call there.
    Builtins,
}

/// A dotted path: `htons`, `AddressFamily.AF_INET`, `$s.bind`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub root: Root,
    pub path: Vec<String>,
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.root {
            Root::Saved => f.write_str("$")?,
            Root::Builtins => f.write_str("builtins.")?,
            Root::Module => {}
        }
        f.write_str(&self.path.join("."))
    }
}

/// What a step does.
#[derive(Debug, Clone)]
pub enum Action {
    Call {
        target: Target,
        args: Vec<Input>,
        kwargs: BTreeMap<String, Input>,
    },
    Get {
        target: Target,
    },
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Action::Get { target } => write!(f, "{target}"),
            Action::Call {
                target,
                args,
                kwargs,
            } => {
                write!(f, "{target}(")?;
                let mut first = true;
                for a in args {
                    if !first {
                        f.write_str(", ")?;
                    }
                    first = false;
                    write!(f, "{}", a.0)?;
                }
                for (k, v) in kwargs {
                    if !first {
                        f.write_str(", ")?;
                    }
                    first = false;
                    write!(f, "{k}={}", v.0)?;
                }
                f.write_str(")")
            }
        }
    }
}

/// What a step must give.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Return any value, without raising.
    Returns(Option<Expected>),
    Raises(Box<Matcher>),
}

impl Outcome {
    pub fn raises(&self) -> bool {
        matches!(self, Outcome::Raises(_))
    }
}

/// One alternative of `expect:`.
#[derive(Debug, Clone, PartialEq)]
pub struct Alternative {
    pub python: Option<VersionReq>,
    pub platforms: Option<Vec<String>>,
    pub outcome: Outcome,
    pub level: Option<Level>,
}

#[derive(Debug, Clone)]
pub struct Step {
    pub action: Action,
    pub save: Option<String>,
    /// A single alternative without conditions when the step used `returns`/`raises`.
    pub expect: Vec<Alternative>,
    pub note: Option<String>,
    pub level: Option<Level>,
    /// `audit:`: the `socket.*` audit events the step must raise, exactly and in order;
    /// `None` when the step states none (then they are not checked).
    pub audit: Option<Vec<AuditEvent>>,
    /// `elapsed: [LO, HI]`: how long the step's call must take, in seconds (`HI` may be
    /// absent: no upper bound).
    pub elapsed: Option<(f64, Option<f64>)>,
    /// `interrupt:`: a signal that arrives while the step runs.
    pub interrupt: Option<Interrupt>,
    /// `warns:`: the warnings the step must emit, exactly and in order, each matched as the
    /// warning object (an exception value: `type`, `message`, …); `None`: not checked.
    pub warns: Option<Vec<Matcher>>,
}

/// `interrupt: {after, handler}`: a signal delivered `after` seconds into the step, to
/// the thread making the call, whose Python handler returns or raises (PEP 475).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Interrupt {
    pub after: f64,
    pub handler: HandlerAction,
}

/// What the signal handler of `interrupt:` does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HandlerAction {
    /// Returns: the interrupted call is retried.
    Returns,
    /// Raises `RuntimeError("raised by the signal handler")`: the exception propagates.
    Raises,
}

/// One expected audit event (`audit:` item): `sys.audit(event, *args)` raised by the step.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEvent {
    /// The event name, e.g. `socket.bind`.
    pub event: String,
    /// The event's arguments, as an expected tuple.
    pub args: Expected,
    pub level: Option<Level>,
}

impl AuditEvent {
    /// The event as an expected value: the tuple `(event, args)` a hook receives, under
    /// the event's own `level:` when it has one.
    pub fn expected(&self) -> Expected {
        let tuple = Expected::Tuple(vec![
            Expected::Value(crate::value::Value::Str(self.event.clone())),
            self.args.clone(),
        ]);
        match self.level {
            None => tuple,
            Some(level) => Expected::Match(Box::new(Matcher {
                value: Some(tuple),
                level: Some(level),
                ..Matcher::default()
            })),
        }
    }
}

/// `needs:`: what the platform or environment must offer. A documented name the
/// implementation lacks is never a need: it is a failure.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Needs {
    #[serde(default)]
    pub families: Vec<String>,
    #[serde(default)]
    pub ipv6: bool,
    #[serde(default)]
    pub privileges: Vec<Privilege>,
    /// `sockets: [[FAMILY, TYPE, PROTO], …]`: a socket of these constants (by name) can be
    /// created here: the kernel offers the transport (SCTP, UDP-Lite, …).
    #[serde(default)]
    pub sockets: Vec<[String; 3]>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Privilege {
    NetAdmin,
    NetRaw,
    /// The case sets the host name (`sethostname`): it runs only in a private UTS
    /// namespace that the runner makes for it (Linux, where the runner may `unshare`).
    Hostname,
}
