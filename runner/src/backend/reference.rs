//! The reference backend: runs cases in process on the Rust reference implementation
//! (`reference::py`), converting between the runner's values and the reference's objects.
//! Each case runs on a thread of its own, so that one that overruns can be abandoned.

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc::{RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use reference::py::{self, Module, Object, PyException};

use super::{Backend, BackendError, Worker};
use crate::case::Root;
use crate::protocol::{
    BackendInfo, ExpectKind, Observed, ObservedStep, Platform, Reply, RunRequest, StepKind,
};
use crate::value::{ExceptionValue, Value};

/// Every attribute name of the reference's `socket` module.
pub fn attribute_names() -> Vec<String> {
    Module::new().attribute_names()
}

pub struct ReferenceBackend {
    info: BackendInfo,
}

impl ReferenceBackend {
    pub fn new() -> ReferenceBackend {
        ReferenceBackend {
            info: BackendInfo {
                name: "reference".into(),
                label: "reference".into(),
                implementation: "sockconf-reference".into(),
                version: env!("CARGO_PKG_VERSION").into(),
                python_version: Module::PYTHON_VERSION
                    .parse()
                    .expect("the reference states a valid version"),
                executable: None,
                patch: None,
                platform: Platform::current(),
                errno_values: reference::sys::ERRNO
                    .iter()
                    .map(|(name, value)| ((*name).to_owned(), i64::from(*value)))
                    .collect(),
            },
        }
    }
}

impl Default for ReferenceBackend {
    fn default() -> Self {
        Self::new()
    }
}

impl Backend for ReferenceBackend {
    fn info(&self) -> &BackendInfo {
        &self.info
    }

    fn worker(&self) -> Result<Box<dyn Worker>, BackendError> {
        Ok(Box::new(ReferenceWorker))
    }
}

struct ReferenceWorker;

impl Worker for ReferenceWorker {
    fn run(&mut self, request: &RunRequest, timeout: Duration) -> Reply {
        let (tx, rx) = channel();
        let request = request.clone();
        let spawned = std::thread::Builder::new()
            .name(format!("reference {}", request.id))
            .spawn(move || {
                let reply =
                    catch_unwind(AssertUnwindSafe(|| execute(&request))).unwrap_or_else(|panic| {
                        let what = panic
                            .downcast_ref::<String>()
                            .cloned()
                            .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                            .unwrap_or_else(|| "unknown panic".into());
                        Reply::Crash(format!("the reference panicked: {what}"))
                    });
                let _ = tx.send(reply);
            });
        if let Err(e) = spawned {
            return Reply::Crash(format!("cannot start a thread: {e}"));
        }
        match rx.recv_timeout(timeout) {
            Ok(reply) => reply,
            // The thread is abandoned: it finishes (or not) on its own.
            Err(RecvTimeoutError::Timeout) => Reply::Timeout,
            Err(RecvTimeoutError::Disconnected) => Reply::Crash("the case thread died".into()),
        }
    }
}

/// Gives each distinct object of a case a number, for identity in results.
#[derive(Default)]
struct Ids {
    seen: Vec<(String, u64)>,
}

impl Ids {
    /// The id of the object with this identity key (functions: their repr).
    fn id(&mut self, key: &str) -> u64 {
        if let Some((_, id)) = self.seen.iter().find(|(k, _)| *k == key) {
            return *id;
        }
        let id = self.seen.len() as u64 + 1;
        self.seen.push((key.to_owned(), id));
        id
    }
}

/// Reference objects → runner values.
fn to_value(obj: &Object, ids: &mut Ids) -> Value {
    match obj {
        Object::None => Value::None,
        Object::Bool(b) => Value::Bool(*b),
        Object::Int(i) => Value::Int(i.clone()),
        Object::Float(f) => Value::Float(*f),
        Object::Str(s) => Value::Str(s.clone()),
        Object::Bytes(b) => Value::Bytes(b.clone()),
        Object::ByteArray(b) => Value::ByteArray(b.borrow().clone()),
        Object::Tuple(items) => Value::Tuple(items.iter().map(|o| to_value(o, ids)).collect()),
        Object::List(items) => Value::List(items.iter().map(|o| to_value(o, ids)).collect()),
        Object::Enum(m) => Value::Enum {
            class: m.class_name(),
            name: m.name.clone(),
            value: m.value.into(),
        },
        Object::Class(c) => Value::Class {
            name: c.name(),
            mro: c.mro(),
        },
        Object::Exception(e) => Value::Exception(Box::new(exception_value(e, ids))),
        other => Value::Object {
            type_name: py::type_name(other),
            repr: py::repr(other),
            id: ids.id(&py::repr(other)),
        },
    }
}

fn exception_value(e: &PyException, ids: &mut Ids) -> ExceptionValue {
    ExceptionValue {
        type_name: e.type_name(),
        mro: e.mro(),
        args: e.args().iter().map(|a| to_value(a, ids)).collect(),
        errno: e.errno(),
        errno_name: e.errno_name(),
        strerror: e.strerror().map(|s| to_value(&s, ids)),
        message: e.message(),
        exceptions: None,
    }
}

/// Runner values → reference objects; `Err` names what is missing.
fn to_object(v: &Value, m: &Module, saved: &HashMap<String, Object>) -> Result<Object, String> {
    let all = |items: &[Value]| -> Result<Vec<Object>, String> {
        items.iter().map(|i| to_object(i, m, saved)).collect()
    };
    Ok(match v {
        Value::None => Object::None,
        Value::Bool(b) => Object::Bool(*b),
        Value::Int(i) => Object::Int(i.clone()),
        Value::Float(f) => Object::Float(*f),
        Value::Str(s) => Object::Str(s.clone()),
        Value::Bytes(b) => Object::Bytes(b.clone()),
        Value::ByteArray(b) => {
            Object::ByteArray(std::rc::Rc::new(std::cell::RefCell::new(b.clone())))
        }
        Value::Tuple(items) => Object::Tuple(all(items)?),
        Value::List(items) => Object::List(all(items)?),
        Value::Const(name) => m
            .getattr(name)
            .map_err(|_| format!("the socket module has no {name}"))?,
        Value::Ref(name) => saved
            .get(name)
            .cloned()
            .ok_or_else(|| format!("nothing saved as `{name}`"))?,
        Value::TmpPath(_) => {
            return Err("the reference has no temporary paths yet".into());
        }
        Value::Enum { .. } | Value::Class { .. } | Value::Exception(_) | Value::Object { .. } => {
            return Err(format!("{v} cannot be passed as an input"));
        }
    })
}

/// Checks `needs`; `Some(reason)` when one is missing.
fn missing_need(request: &RunRequest, m: &Module) -> Option<String> {
    let needs = &request.needs;
    if let Some(a) = needs.attributes.iter().find(|a| !m.has_attr(a)) {
        return Some(format!("the socket module has no {a}"));
    }
    if !needs.privileges.is_empty() {
        return Some("privileged cases need a private namespace (not implemented)".into());
    }
    if let Some(family) = needs.families.first() {
        return Some(format!("the reference cannot create {family} sockets yet"));
    }
    if needs.ipv6 {
        return Some("the reference cannot create IPv6 sockets yet".into());
    }
    let mut inputs: Vec<&Value> = request
        .steps
        .iter()
        .flat_map(|s| s.args.iter().chain(s.kwargs.iter().map(|(_, v)| v)))
        .collect();
    while let Some(v) = inputs.pop() {
        match v {
            Value::Const(name) if !m.has_attr(name) => {
                return Some(format!("the socket module has no {name}"));
            }
            Value::Tuple(items) | Value::List(items) => inputs.extend(items),
            _ => {}
        }
    }
    None
}

/// Runs one request on a fresh module.
fn execute(request: &RunRequest) -> Reply {
    let mut m = Module::new();
    if let Some(why) = missing_need(request, &m) {
        return Reply::Unsupported(why);
    }
    let mut ids = Ids::default();
    let mut saved: HashMap<String, Object> = HashMap::new();
    let mut steps = Vec::new();
    for step in &request.steps {
        let start = Instant::now();
        let result = run_step(step, &mut m, &saved);
        let result = match result {
            Ok(r) => r,
            Err(why) => return Reply::Error(why),
        };
        let elapsed = start.elapsed().as_secs_f64();
        let raised = result.is_err();
        let observed = match &result {
            Ok(obj) => Observed::Returned(to_value(obj, &mut ids)),
            Err(e) => Observed::Raised(exception_value(e, &mut ids)),
        };
        if let (Some(name), Ok(obj)) = (&step.save, result) {
            saved.insert(name.clone(), obj);
        }
        steps.push(ObservedStep {
            result: observed,
            elapsed,
        });
        let expected_raise = match step.expect {
            ExpectKind::Raise => Some(true),
            ExpectKind::Return => Some(false),
            ExpectKind::Any => None,
        };
        if expected_raise.is_some_and(|r| r != raised) {
            break;
        }
    }
    let consts = request
        .consts
        .iter()
        .filter_map(|name| {
            m.getattr(name)
                .ok()
                .map(|o| (name.clone(), to_value(&o, &mut ids)))
        })
        .collect();
    Reply::Ran {
        steps,
        consts,
        tmpdir: None,
    }
}

/// One step: `Err` only when the request itself is broken.
fn run_step(
    step: &crate::protocol::WireStep,
    m: &mut Module,
    saved: &HashMap<String, Object>,
) -> Result<Result<Object, PyException>, String> {
    let (first, rest) = step
        .target
        .split_first()
        .ok_or_else(|| "empty target".to_owned())?;
    let mut obj = match step.root {
        Root::Module => match m.getattr(first) {
            Ok(o) => o,
            Err(e) => return Ok(Err(e)),
        },
        Root::Builtins => return Err("the reference has no builtins yet".into()),
        Root::Saved => saved
            .get(first)
            .cloned()
            .ok_or_else(|| format!("nothing saved as `{first}`"))?,
    };
    for attr in rest {
        obj = match (attr.parse::<usize>(), &obj) {
            (Ok(i), Object::Tuple(items) | Object::List(items)) => items
                .get(i)
                .cloned()
                .ok_or_else(|| format!("index {i} is out of range in {}", step.target.join(".")))?,
            _ => match m.getattr_of(&obj, attr) {
                Ok(o) => o,
                Err(e) => return Ok(Err(e)),
            },
        };
    }
    match step.kind {
        StepKind::Get => Ok(Ok(obj)),
        StepKind::Call => {
            let args = step
                .args
                .iter()
                .map(|a| to_object(a, m, saved))
                .collect::<Result<Vec<_>, _>>()?;
            let kwargs = step
                .kwargs
                .iter()
                .map(|(k, v)| Ok((k.clone(), to_object(v, m, saved)?)))
                .collect::<Result<Vec<_>, String>>()?;
            Ok(m.call(&obj, args, kwargs))
        }
    }
}
