//! The backend protocol (`runner/harness/PROTOCOL.md`): a case resolved for one backend, and
//! what the backend reports back. Every backend, in process or not, speaks these types.

use std::collections::HashMap;

use serde::Serialize;
use serde_json::{Value as Json, json};

use crate::case::{Action, Case, Expected, Interrupt, Level, Needs, Outcome, Root};
use crate::exec::Planned;
use crate::value::{ExceptionValue, Value, WireError};
use crate::version::PyVersion;

pub const PROTOCOL_VERSION: u32 = 2;

/// The kind of outcome the runner expects from a step; a backend stops after a step whose
/// outcome kind differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ExpectKind {
    Return,
    Raise,
    Any,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepKind {
    Call,
    Get,
}

#[derive(Debug, Clone)]
pub struct WireStep {
    pub kind: StepKind,
    pub root: Root,
    pub target: Vec<String>,
    pub args: Vec<Value>,
    pub kwargs: Vec<(String, Value)>,
    pub save: Option<String>,
    pub expect: ExpectKind,
    /// Record the step's side effects: the `socket.*` audit events it raises and the
    /// warnings it emits (asked for when the step states `audit:` or `warns:`).
    pub observe: bool,
    /// A signal to deliver while the step runs (`interrupt:`).
    pub interrupt: Option<Interrupt>,
}

impl WireStep {
    /// A call of `root`'s dotted `target` with positional `args`, its result saved under
    /// `save`, expecting anything: the plain step a request built by hand needs.
    pub fn call(root: Root, target: &str, args: Vec<Value>, save: Option<&str>) -> WireStep {
        WireStep {
            kind: StepKind::Call,
            root,
            target: target.split('.').map(str::to_owned).collect(),
            args,
            kwargs: vec![],
            save: save.map(str::to_owned),
            expect: ExpectKind::Any,
            observe: false,
            interrupt: None,
        }
    }
}

/// One case as a backend runs it.
#[derive(Debug, Clone)]
pub struct RunRequest {
    pub id: String,
    pub needs: Needs,
    pub steps: Vec<WireStep>,
    /// Constants named by expectations, whose values the backend reports back.
    pub consts: Vec<String>,
}

/// Adds to `out` the constants (`!const`, `!flags`) an expectation compares with: the
/// backend reports their values back.
fn collect_consts(e: &Expected, out: &mut Vec<String>) {
    match e {
        Expected::Value(v) => value_consts(v, out),
        Expected::Tuple(items) | Expected::List(items) => {
            items.iter().for_each(|i| collect_consts(i, out));
        }
        Expected::Match(m) => [&m.value, &m.args, &m.strerror, &m.not]
            .into_iter()
            .flatten()
            .chain(m.one_of.iter().flatten())
            .chain(m.exceptions.iter().flatten())
            .for_each(|x| collect_consts(x, out)),
        Expected::Any | Expected::Class(_) | Expected::Saved(_) => {}
    }
}

fn value_consts(v: &Value, out: &mut Vec<String>) {
    let names: &[String] = match v {
        Value::Const(n) => std::slice::from_ref(n),
        Value::Flags(names) => names,
        Value::Tuple(items) | Value::List(items) => {
            items.iter().for_each(|i| value_consts(i, out));
            return;
        }
        _ => return,
    };
    for n in names {
        if !out.contains(n) {
            out.push(n.clone());
        }
    }
}

impl RunRequest {
    /// Resolves `case` with the expectation chosen for each step (`planned[i]` for step i).
    /// A step judged only at the CPython level expects `any` outcome kind, so that the
    /// behaviour steps after it still run when it differs; unless it saves a value, which
    /// the later steps could not do without.
    /// `peers` are the addresses of the case's scripted peers, which replace `!peer NAME`
    /// in the inputs.
    pub fn new(
        case: &Case,
        planned: &[Planned],
        peers: &std::collections::BTreeMap<String, Value>,
    ) -> RunRequest {
        let mut consts = Vec::new();
        let steps = case
            .steps
            .iter()
            .zip(planned)
            .map(|(step, plan)| {
                let outcome = plan.outcome;
                match outcome {
                    Outcome::Returns(Some(e)) => collect_consts(e, &mut consts),
                    Outcome::Raises(m) => {
                        collect_consts(&Expected::Match(m.clone()), &mut consts);
                    }
                    Outcome::Returns(None) => {}
                }
                for event in step.audit.iter().flatten() {
                    collect_consts(&event.args, &mut consts);
                }
                for warning in step.warns.iter().flatten() {
                    collect_consts(&Expected::Match(Box::new(warning.clone())), &mut consts);
                }
                let (kind, target, args, kwargs) = match &step.action {
                    Action::Call {
                        target,
                        args,
                        kwargs,
                    } => (
                        StepKind::Call,
                        target,
                        args.iter().map(|a| a.0.with_peers(peers)).collect(),
                        kwargs
                            .iter()
                            .map(|(k, v)| (k.clone(), v.0.with_peers(peers)))
                            .collect(),
                    ),
                    Action::Get { target } => (StepKind::Get, target, vec![], vec![]),
                };
                WireStep {
                    kind,
                    root: target.root,
                    target: target.path.clone(),
                    args,
                    kwargs,
                    save: step.save.clone(),
                    observe: step.audit.is_some() || step.warns.is_some(),
                    interrupt: step.interrupt,
                    expect: if plan.scope == Some(Level::Cpython) && step.save.is_none() {
                        ExpectKind::Any
                    } else if outcome.raises() {
                        ExpectKind::Raise
                    } else {
                        ExpectKind::Return
                    },
                }
            })
            .collect();
        RunRequest {
            id: case.id.clone(),
            needs: case.needs.clone(),
            steps,
            consts,
        }
    }

    pub fn to_json(&self) -> Json {
        let steps: Vec<Json> = self
            .steps
            .iter()
            .map(|s| {
                let mut o = json!({
                    "kind": match s.kind { StepKind::Call => "call", StepKind::Get => "get" },
                    "root": match s.root {
                        Root::Module => "module",
                        Root::Saved => "saved",
                        Root::Builtins => "builtins",
                    },
                    "target": s.target.join("."),
                    "expect": s.expect,
                    "save": s.save,
                });
                if s.observe {
                    o["observe"] = Json::Bool(true);
                }
                if let Some(i) = &s.interrupt {
                    o["interrupt"] = json!(i);
                }
                if s.kind == StepKind::Call {
                    o["args"] = Json::Array(s.args.iter().map(Value::to_json).collect());
                    o["kwargs"] = Json::Object(
                        s.kwargs
                            .iter()
                            .map(|(k, v)| (k.clone(), v.to_json()))
                            .collect(),
                    );
                }
                o
            })
            .collect();
        json!({
            "op": "run",
            "id": self.id,
            "needs": {
                "families": self.needs.families,
                "ipv6": self.needs.ipv6,
                "privileges": self.needs.privileges,
                "sockets": self.needs.sockets,
            },
            "consts": self.consts,
            "steps": steps,
        })
    }
}

/// What one step did.
#[derive(Debug, Clone, PartialEq)]
pub enum Observed {
    Returned(Value),
    Raised(ExceptionValue),
}

#[derive(Debug, Clone, PartialEq)]
pub struct ObservedStep {
    pub result: Observed,
    pub elapsed: f64,
    /// When the step was observed: the `socket.*` audit events it raised, each a tuple
    /// `(event, args)`; `None` when not asked, or when the backend cannot record them
    /// (no `sys.addaudithook` before Python 3.8).
    pub audit: Option<Vec<Value>>,
    /// When the step was observed: the warnings it emitted, each an exception value.
    pub warnings: Option<Vec<Value>>,
    /// With `interrupt`: how many times the signal handler ran during the step; `None`
    /// when the backend cannot deliver signals (Windows).
    pub signals: Option<u64>,
}

/// A backend's answer to one case.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    Ran {
        steps: Vec<ObservedStep>,
        consts: HashMap<String, Value>,
        /// The case's temporary folder, when `!tmppath` made one.
        tmpdir: Option<String>,
    },
    Unsupported(String),
    /// The backend could not carry out the request (a harness bug, a bad reference).
    Error(String),
    /// No answer in time; `done` are the steps reported complete before (the next one
    /// was in flight).
    Timeout {
        done: Vec<ObservedStep>,
    },
    /// The backend died during the case: why (with its own last words), and the steps
    /// it reported complete before.
    Crash {
        why: String,
        done: Vec<ObservedStep>,
    },
}

impl Reply {
    /// A crash before any step was reported.
    pub fn crash(why: impl Into<String>) -> Reply {
        Reply::Crash {
            why: why.into(),
            done: Vec::new(),
        }
    }
}

impl Reply {
    /// Decodes a `run` response line.
    pub fn from_json(j: &Json) -> Result<Reply, WireError> {
        let reason = || j["reason"].as_str().unwrap_or("no reason given").to_owned();
        match j["status"].as_str() {
            Some("unsupported") => Ok(Reply::Unsupported(reason())),
            Some("error") => Ok(Reply::Error(reason())),
            Some("ran") => {
                let steps = j["steps"]
                    .as_array()
                    .ok_or_else(|| WireError("`steps` must be a list".into()))?
                    .iter()
                    .map(ObservedStep::from_json)
                    .collect::<Result<_, _>>()?;
                let consts = match j.get("consts") {
                    Some(Json::Object(m)) => m
                        .iter()
                        .map(|(k, v)| Ok((k.clone(), Value::from_json(v)?)))
                        .collect::<Result<_, WireError>>()?,
                    _ => HashMap::new(),
                };
                let tmpdir = j["tmpdir"].as_str().map(str::to_owned);
                Ok(Reply::Ran {
                    steps,
                    consts,
                    tmpdir,
                })
            }
            _ => Err(WireError(format!("response without a valid `status`: {j}"))),
        }
    }
}

impl ObservedStep {
    /// Decodes one step entry of a `run` response (or of a `progress` line).
    pub fn from_json(s: &Json) -> Result<ObservedStep, WireError> {
        let result = if let Some(v) = s.get("returned") {
            Observed::Returned(Value::from_json(v)?)
        } else if let Some(e) = s.get("raised") {
            Observed::Raised(ExceptionValue::from_json(e)?)
        } else {
            return Err(WireError(format!("step without result: {s}")));
        };
        let list = |key: &str| match s.get(key) {
            Some(Json::Array(items)) => items
                .iter()
                .map(Value::from_json)
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            None | Some(Json::Null) => Ok(None),
            Some(other) => Err(WireError(format!("`{key}` must be a list: {other}"))),
        };
        Ok(ObservedStep {
            result,
            elapsed: s["elapsed"].as_f64().unwrap_or(0.0),
            audit: list("audit")?,
            warnings: list("warnings")?,
            signals: s["signals"].as_u64(),
        })
    }
}

/// Where a backend runs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Platform {
    pub os: String,
    pub arch: String,
    pub kernel: String,
    pub tags: Vec<String>,
}

impl Platform {
    /// The platform this runner itself runs on.
    pub fn current() -> Platform {
        let os = match std::env::consts::OS {
            "macos" => "macos",
            other => other,
        }
        .to_owned();
        let arch = std::env::consts::ARCH.to_owned();
        let endian = if cfg!(target_endian = "little") {
            "little-endian"
        } else {
            "big-endian"
        };
        let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
            .map(|s| s.trim().to_owned())
            .or_else(|_| {
                std::process::Command::new("uname")
                    .arg("-r")
                    .output()
                    .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
            })
            .unwrap_or_default();
        let mut tags = vec![os.clone(), endian.to_owned(), arch.clone()];
        // `unix`: any POSIX system, as the docs' "Availability: Unix" means it.
        if std::env::consts::FAMILY == "unix" {
            tags.push("unix".to_owned());
        }
        Platform {
            tags,
            os,
            arch,
            kernel,
        }
    }
}

/// Who a backend is.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BackendInfo {
    /// `reference`, or `python` for a harness.
    pub name: String,
    /// A short label for summaries and reports: `reference`, `cpython-3.11.7`, `pypy-7.3.11`.
    pub label: String,
    pub implementation: String,
    pub version: String,
    #[serde(serialize_with = "crate::protocol::ser_version")]
    pub python_version: PyVersion,
    pub executable: Option<String>,
    pub patch: Option<String>,
    pub platform: Platform,
    /// The backend's `errno` table (`EAGAIN` → 11), to check `errno:` by value, so that
    /// aliases such as `EWOULDBLOCK` hold.
    #[serde(skip)]
    pub errno_values: HashMap<String, i64>,
    /// The backend's type aliases (see `compare::Context::aliases`): a class's qualified
    /// name → the `socket.NAME`s bound to it.
    #[serde(skip)]
    pub type_aliases: HashMap<String, Vec<String>>,
}

pub(crate) fn ser_version<S: serde::Serializer>(v: &PyVersion, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&v.to_string())
}

impl BackendInfo {
    /// Decodes a `hello` response.
    pub fn from_hello(j: &Json) -> Result<BackendInfo, WireError> {
        if j["ok"] != Json::Bool(true) {
            return Err(WireError(
                j["error"]
                    .as_str()
                    .unwrap_or("hello was refused")
                    .to_owned(),
            ));
        }
        let s = |k: &str| j[k].as_str().unwrap_or_default().to_owned();
        let p = &j["platform"];
        let ps = |k: &str| p[k].as_str().unwrap_or_default().to_owned();
        let implementation = s("implementation");
        let version = s("version");
        let patch = j["patch"].as_str().map(str::to_owned);
        let mut label = format!("{implementation}-{version}");
        if let Some(p) = &patch {
            label.push('+');
            label.push_str(p);
        }
        Ok(BackendInfo {
            name: "python".into(),
            label,
            python_version: s("python_version").parse().map_err(WireError)?,
            implementation,
            version,
            executable: j["executable"].as_str().map(str::to_owned),
            patch,
            errno_values: j["errno_values"]
                .as_object()
                .map(|m| {
                    m.iter()
                        .filter_map(|(k, v)| v.as_i64().map(|v| (k.clone(), v)))
                        .collect()
                })
                .unwrap_or_default(),
            type_aliases: j["type_aliases"]
                .as_object()
                .map(|m| {
                    m.iter()
                        .map(|(k, v)| {
                            let names = v.as_array().map_or_else(Vec::new, |a| {
                                a.iter()
                                    .filter_map(|x| x.as_str().map(str::to_owned))
                                    .collect()
                            });
                            (k.clone(), names)
                        })
                        .collect()
                })
                .unwrap_or_default(),
            platform: Platform {
                os: ps("os"),
                arch: ps("arch"),
                kernel: ps("kernel"),
                tags: p["tags"]
                    .as_array()
                    .map(|t| {
                        t.iter()
                            .filter_map(|x| x.as_str().map(str::to_owned))
                            .collect()
                    })
                    .unwrap_or_default(),
            },
        })
    }
}
