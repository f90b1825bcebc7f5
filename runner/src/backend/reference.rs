//! The reference backend: runs cases in process on the Rust reference implementation
//! (`reference::py`), converting between the runner's values and the reference's objects.
//! Each case runs on a thread of its own, so that one that overruns can be abandoned.
//! When a case ends, every socket it made is closed and its temporary folder removed.

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{RecvTimeoutError, channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reference::py::{self, Identity, Module, Object, PyException};

use super::{Backend, BackendError, Worker};
use crate::case::{HandlerAction, Interrupt, Privilege, Root};
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
    /// The folders of cases abandoned at their time limit: their threads may still use
    /// them, so they are removed with the backend, at the end of the run.
    abandoned: Arc<Mutex<Vec<tempfile::TempDir>>>,
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
                type_aliases: type_aliases(&Module::new()),
            },
            abandoned: Arc::default(),
        }
    }
}

/// The classes the module binds under another name than their own (`socket.timeout` is
/// `TimeoutError`), as the harness reports them: qualified name → `socket.NAME`s.
fn type_aliases(m: &Module) -> HashMap<String, Vec<String>> {
    let mut aliases: HashMap<String, Vec<String>> = HashMap::new();
    for name in m.attribute_names() {
        if let Ok(Object::Class(class)) = m.getattr(&name) {
            let alias = format!("socket.{name}");
            if class.name() != alias {
                aliases.entry(class.name()).or_default().push(alias);
            }
        }
    }
    aliases
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
        Ok(Box::new(ReferenceWorker {
            abandoned: Arc::clone(&self.abandoned),
        }))
    }
}

struct ReferenceWorker {
    abandoned: Arc<Mutex<Vec<tempfile::TempDir>>>,
}

/// What a case's thread tells its worker: a step completed, or the case's reply.
enum Progress {
    Step(Box<ObservedStep>),
    Done(Box<Reply>),
}

impl Worker for ReferenceWorker {
    fn run(&mut self, request: &RunRequest, timeout: Duration) -> Reply {
        let (tx, rx) = channel();
        let request = request.clone();
        // Everything the case makes on disk (its working folder, its `!tmppath` folder)
        // lives in one folder, removed when the case ends — or, if the case is abandoned,
        // with the backend.
        let folder = tempfile::Builder::new()
            .prefix("sockconf-case-")
            .tempdir()
            .ok();
        let root = folder.as_ref().map(|f| f.path().to_owned());
        let spawned = std::thread::Builder::new()
            .name(format!("reference {}", request.id))
            .spawn(move || {
                // The case runs in a fresh empty working folder of its own where the OS
                // gives threads one (Linux); elsewhere in the runner's, which `sockconf run`
                // makes a scratch folder.
                if let Some(root) = &root {
                    let workdir = root.join("cwd");
                    if std::fs::create_dir(&workdir).is_ok() {
                        let _ = reference::core::io::private_cwd(&workdir);
                    }
                }
                let step = |s: &ObservedStep| {
                    let _ = tx.send(Progress::Step(Box::new(s.clone())));
                };
                let run = || execute_with(&request, &step, root.as_deref());
                let reply = catch_unwind(AssertUnwindSafe(run)).unwrap_or_else(|panic| {
                    let what = panic
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                        .unwrap_or_else(|| "unknown panic".into());
                    Reply::crash(format!("the reference panicked: {what}"))
                });
                let _ = tx.send(Progress::Done(Box::new(reply)));
            });
        if let Err(e) = spawned {
            return Reply::crash(format!("cannot start a thread: {e}"));
        }
        let deadline = Instant::now() + timeout;
        let mut done = Vec::new();
        loop {
            match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                Ok(Progress::Step(s)) => done.push(*s),
                Ok(Progress::Done(reply)) => {
                    return match *reply {
                        Reply::Crash { why, .. } => Reply::Crash { why, done },
                        reply => reply,
                    };
                }
                // The thread is abandoned: it finishes (or not) on its own.
                Err(RecvTimeoutError::Timeout) => {
                    if let Some(folder) = folder {
                        self.abandoned.lock().expect("not poisoned").push(folder);
                    }
                    return Reply::Timeout { done };
                }
                Err(RecvTimeoutError::Disconnected) => {
                    return Reply::Crash {
                        why: "the case thread died".into(),
                        done,
                    };
                }
            }
        }
    }
}

/// Gives each distinct object of a case a number, for identity in results, and keeps
/// every numbered object alive until the case ends (so that an identity, an address,
/// cannot be reused by a later object), as the protocol asks of backends.
#[derive(Default)]
struct Ids {
    seen: Vec<(Option<Identity>, Object)>,
}

impl Ids {
    /// The id of `obj`: the same number for the same object (`Object::identity`), a new
    /// one for an object without identity (a bound method is new at each lookup).
    fn id(&mut self, obj: &Object) -> u64 {
        let identity = obj.identity();
        let known = identity.and_then(|key| self.seen.iter().position(|(k, _)| *k == Some(key)));
        let index = known.unwrap_or_else(|| {
            self.seen.push((identity, obj.clone()));
            self.seen.len() - 1
        });
        index as u64 + 1
    }

    /// Every object numbered so far.
    fn objects(&self) -> impl Iterator<Item = &Object> {
        self.seen.iter().map(|(_, o)| o)
    }
}

/// The case's temporary folder for `!tmppath` inputs, made on first use and removed
/// (with what the case left in it) when dropped.
#[derive(Default)]
struct TmpDir {
    /// Where to make it; `None`: the system's temporary folder.
    within: Option<PathBuf>,
    dir: Option<tempfile::TempDir>,
}

impl TmpDir {
    fn within(folder: Option<&Path>) -> TmpDir {
        TmpDir {
            within: folder.map(Path::to_owned),
            dir: None,
        }
    }

    /// The path of `name` inside the folder.
    fn path(&mut self, name: &str) -> Result<String, String> {
        if name.is_empty() || name.contains('/') || name == "." || name == ".." {
            return Err("a tmppath must be a plain file name".into());
        }
        if self.dir.is_none() {
            let mut builder = tempfile::Builder::new();
            builder.prefix("sockconf-");
            let dir = match &self.within {
                Some(folder) => builder.tempdir_in(folder),
                None => builder.tempdir(),
            }
            .map_err(|e| format!("cannot make a temporary folder: {e}"))?;
            self.dir = Some(dir);
        }
        let dir = self.dir.as_ref().map(|d| d.path().join(name));
        dir.and_then(|p| p.to_str().map(str::to_owned))
            .ok_or_else(|| "the temporary folder's path is not UTF-8".into())
    }

    /// The folder's path, when it was made.
    fn dir(&self) -> Option<String> {
        self.dir
            .as_ref()
            .and_then(|d| d.path().to_str().map(str::to_owned))
    }
}

/// What one case holds. Dropping it closes every socket the case made or saved (before
/// the temporary folder goes), whichever way the case ended.
struct CaseState {
    module: Module,
    ids: Ids,
    saved: HashMap<String, Object>,
    /// Everything ever saved, including values a later `save` of the same name replaced.
    ever_saved: Vec<Object>,
    tmp: TmpDir,
}

impl Drop for CaseState {
    fn drop(&mut self) {
        for obj in self.ids.objects().chain(&self.ever_saved) {
            self.module.close_object(obj);
        }
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
        Object::Bytes(b) => Value::byte_string(b, false),
        Object::ByteArray(b) => Value::byte_string(&b.borrow(), true),
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
            id: ids.id(other),
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
        exceptions: e
            .exceptions()
            .map(|group| group.iter().map(|x| exception_value(x, ids)).collect()),
    }
}

/// Runner values → reference objects; `Err` names what is missing.
fn to_object(
    v: &Value,
    m: &Module,
    saved: &HashMap<String, Object>,
    tmp: &mut TmpDir,
) -> Result<Object, String> {
    let mut all = |items: &[Value]| -> Result<Vec<Object>, String> {
        items.iter().map(|i| to_object(i, m, saved, tmp)).collect()
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
        Value::TmpPath(name) => Object::Str(tmp.path(name)?),
        Value::Peer(name) => return Err(format!("the address of peer `{name}` was not resolved")),
        Value::Decimal(t) => Object::Real(
            reference::py::Real::decimal(t).ok_or_else(|| format!("bad decimal {t:?}"))?,
        ),
        Value::Fraction(t) => Object::Real(
            reference::py::Real::fraction(t).ok_or_else(|| format!("bad fraction {t:?}"))?,
        ),
        Value::Flags(names) => {
            let mut total = num_bigint::BigInt::from(0);
            for name in names {
                match m.getattr(name) {
                    Ok(Object::Int(i)) => total |= i,
                    Ok(Object::Enum(e)) => total |= num_bigint::BigInt::from(e.value),
                    _ => return Err(format!("the socket module has no int {name}")),
                }
            }
            Object::Int(total)
        }
        Value::Errno(name) => Object::Int(
            reference::sys::ERRNO
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| (*v).into())
                .ok_or_else(|| format!("no errno {name} here"))?,
        ),
        Value::Enum { .. }
        | Value::Class { .. }
        | Value::Exception(_)
        | Value::Object { .. }
        | Value::Summary { .. } => {
            return Err(format!("{v} cannot be passed as an input"));
        }
    })
}

/// Checks `needs`; `Some(reasons)` when some are missing: every reason, joined with
/// `"; "`, worded and ordered as `harness.py` does (families, IPv6, privileges).
fn missing_need(request: &RunRequest, m: &Module) -> Option<String> {
    let needs = &request.needs;
    let mut reasons: Vec<String> = Vec::new();
    for family in &needs.families {
        if let Err(why) = m.family_supported(family) {
            reasons.push(why);
        }
    }
    if needs.ipv6 {
        if let Err(why) = m.ipv6_usable() {
            reasons.push(why);
        }
    }
    for names in &needs.sockets {
        if let Err(why) = m.socket_supported(names) {
            reasons.push(why);
        }
    }
    for privilege in &needs.privileges {
        let missing = match privilege {
            // The case runs on a thread of its own: its namespace is the case's.
            Privilege::Hostname => reference::core::netdb::private_hostname().err(),
            Privilege::NetAdmin | Privilege::NetRaw => {
                Some("privileged cases need a private namespace (not implemented)".to_owned())
            }
        };
        if let Some(why) = missing {
            if !reasons.contains(&why) {
                reasons.push(why);
            }
        }
    }
    (!reasons.is_empty()).then(|| reasons.join("; "))
}

/// The first `!const`/`!flags` name among a step's inputs that the module lacks: reading
/// it raises AttributeError, as `socket.NAME` in Python code would.
fn missing_const_input<'a>(step: &'a crate::protocol::WireStep, m: &Module) -> Option<&'a str> {
    let mut inputs: Vec<&Value> = step
        .args
        .iter()
        .chain(step.kwargs.iter().map(|(_, v)| v))
        .rev()
        .collect();
    while let Some(v) = inputs.pop() {
        match v {
            Value::Const(name) if !m.has_attr(name) => return Some(name),
            Value::Flags(names) => {
                if let Some(n) = names.iter().find(|n| !m.has_attr(n)) {
                    return Some(n);
                }
            }
            Value::Tuple(items) | Value::List(items) => inputs.extend(items.iter().rev()),
            _ => {}
        }
    }
    None
}

/// Runs one request on a fresh module; the sockets it made are closed when it returns.
#[cfg(test)]
fn execute(request: &RunRequest) -> Reply {
    execute_with(request, &|_| {}, None)
}

/// [`execute`], telling `progress` of each step as it completes.
/// The case's `!tmppath` folder is made in `folder` (else in the system's temporary folder).
fn execute_with(
    request: &RunRequest,
    progress: &dyn Fn(&ObservedStep),
    folder: Option<&Path>,
) -> Reply {
    let module = Module::new();
    if let Some(why) = missing_need(request, &module) {
        return Reply::Unsupported(why);
    }
    let mut case = CaseState {
        module,
        ids: Ids::default(),
        saved: HashMap::new(),
        ever_saved: Vec::new(),
        tmp: TmpDir::within(folder),
    };
    let mut steps = Vec::new();
    for step in &request.steps {
        if step.observe {
            case.module.record_audit();
        }
        let interrupt = match step.interrupt.map(|i| arm_interrupt(&case.module, i)) {
            Some(Err(why)) => return Reply::Error(why),
            Some(Ok(armed)) => armed,
            None => None,
        };
        let start = Instant::now();
        let result = run_step(step, &mut case.module, &case.saved, &mut case.tmp);
        let elapsed = start.elapsed().as_secs_f64();
        let signals = interrupt.map(py::Interrupt::finish);
        let result = match result {
            Ok(r) => r,
            Err(why) => return Reply::Error(why),
        };
        let raised = result.is_err();
        let observed = match &result {
            Ok(obj) => Observed::Returned(to_value(obj, &mut case.ids)),
            Err(e) => Observed::Raised(exception_value(e, &mut case.ids)),
        };
        if let (Some(name), Ok(obj)) = (&step.save, result) {
            case.ever_saved.push(obj.clone());
            case.saved.insert(name.clone(), obj);
        }
        let audit = step.observe.then(|| {
            case.module
                .take_audit()
                .into_iter()
                .map(|(event, args)| {
                    Value::Tuple(vec![
                        Value::Str(event.to_owned()),
                        Value::Tuple(args.iter().map(|a| to_value(a, &mut case.ids)).collect()),
                    ])
                })
                .collect()
        });
        steps.push(ObservedStep {
            result: observed,
            elapsed,
            audit,
            // The reference implements the current documentation, under which no
            // function of the module warns: it records none.
            warnings: step.observe.then(Vec::new),
            signals,
        });
        progress(steps.last().expect("a step was just added"));
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
            case.module
                .getattr(name)
                .ok()
                .map(|o| (name.clone(), to_value(&o, &mut case.ids)))
        })
        .collect();
    Reply::Ran {
        steps,
        consts,
        tmpdir: case.tmp.dir(),
    }
}

/// A step's `interrupt:`: the reference's Python-level handler installed on the case's
/// thread and the signal due on it, armed just before the step's call (undone by
/// [`py::Interrupt::finish`]). `Ok(None)` where the platform has no signals (Windows),
/// so that the step reports none and the runner says why.
fn arm_interrupt(m: &Module, interrupt: Interrupt) -> Result<Option<py::Interrupt>, String> {
    if !reference::sys::FEATURES.signals {
        return Ok(None);
    }
    let action = match interrupt.handler {
        HandlerAction::Returns => py::HandlerAction::Returns,
        HandlerAction::Raises => py::HandlerAction::Raises,
    };
    let after = Duration::try_from_secs_f64(interrupt.after)
        .map_err(|e| format!("interrupt: bad delay {}: {e}", interrupt.after))?;
    m.interrupt(after, action).map(Some)
}

/// One step: `Err` only when the request itself is broken.
fn run_step(
    step: &crate::protocol::WireStep,
    m: &mut Module,
    saved: &HashMap<String, Object>,
    tmp: &mut TmpDir,
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
        Root::Builtins => match m.builtin(first) {
            Ok(o) => o,
            Err(e) => return Ok(Err(e)),
        },
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
            (Ok(i), _) => match m.getitem(&obj, i64::try_from(i).unwrap_or(i64::MAX)) {
                Ok(o) => o,
                Err(e) => return Ok(Err(e)),
            },
            _ => match m.getattr_of(&obj, attr) {
                Ok(o) => o,
                Err(e) => return Ok(Err(e)),
            },
        };
    }
    match step.kind {
        StepKind::Get => Ok(Ok(obj)),
        StepKind::Call => {
            if let Some(name) = missing_const_input(step, m) {
                return Ok(Err(m
                    .getattr(name)
                    .expect_err("missing_const_input found it missing")));
            }
            let args = step
                .args
                .iter()
                .map(|a| to_object(a, m, saved, tmp))
                .collect::<Result<Vec<_>, _>>()?;
            let kwargs = step
                .kwargs
                .iter()
                .map(|(k, v)| Ok((k.clone(), to_object(v, m, saved, tmp)?)))
                .collect::<Result<Vec<_>, String>>()?;
            Ok(m.call(&obj, args, kwargs))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::Needs;

    fn request(steps: Vec<crate::protocol::WireStep>, needs: Needs) -> RunRequest {
        RunRequest {
            id: "test".into(),
            needs,
            steps,
            consts: vec![],
        }
    }

    fn udp() -> Vec<Value> {
        vec![
            Value::Const("AF_INET".into()),
            Value::Const("SOCK_DGRAM".into()),
        ]
    }

    fn returned(reply: &Reply) -> Vec<Value> {
        let Reply::Ran { steps, .. } = reply else {
            panic!("not run: {reply:?}");
        };
        steps
            .iter()
            .map(|s| match &s.result {
                Observed::Returned(v) => v.clone(),
                Observed::Raised(e) => panic!("raised {}", e.message),
            })
            .collect()
    }

    #[test]
    fn a_socket_keeps_its_id() {
        let mut get = crate::protocol::WireStep::call(Root::Saved, "s", vec![], None);
        get.kind = StepKind::Get;
        let reply = execute(&request(
            vec![
                crate::protocol::WireStep::call(Root::Module, "socket", udp(), Some("s")),
                get,
                crate::protocol::WireStep::call(Root::Module, "socket", udp(), None),
            ],
            Needs::default(),
        ));
        let ids: Vec<u64> = returned(&reply)
            .iter()
            .map(|v| match v {
                Value::Object { type_name, id, .. } => {
                    assert_eq!(type_name, "socket.socket");
                    *id
                }
                other => panic!("not an object: {other:?}"),
            })
            .collect();
        assert_eq!(ids, vec![1, 1, 2]);
    }

    #[test]
    fn ending_a_case_closes_its_sockets() {
        let module = Module::new();
        let mut case = CaseState {
            module,
            ids: Ids::default(),
            saved: HashMap::new(),
            ever_saved: Vec::new(),
            tmp: TmpDir::default(),
        };
        let class = case.module.getattr("socket").unwrap();
        let shown = case.module.call(&class, vec![], vec![]).unwrap();
        let saved = case.module.call(&class, vec![], vec![]).unwrap();
        to_value(&shown, &mut case.ids);
        case.ever_saved.push(saved.clone());
        let dir = case.tmp.path("x.sock").unwrap();
        let dir = std::path::Path::new(&dir).parent().unwrap().to_owned();
        assert!(dir.is_dir());
        drop(case);
        for sock in [&shown, &saved] {
            assert!(sock.as_socket().unwrap().borrow().is_closed());
        }
        assert!(!dir.exists());
    }

    #[test]
    fn tmppaths_are_plain_names_in_one_folder() {
        let mut tmp = TmpDir::default();
        assert!(tmp.path("a/b").is_err());
        assert!(tmp.path("..").is_err());
        let a = tmp.path("a").unwrap();
        let b = tmp.path("b").unwrap();
        let dir = tmp.dir().unwrap();
        assert_eq!(a, format!("{dir}/a"));
        assert_eq!(b, format!("{dir}/b"));
    }

    #[test]
    fn needs_are_checked_for_real() {
        let needs = Needs {
            families: vec!["AF_INET".into(), "AF_UNIX".into()],
            ..Needs::default()
        };
        assert_eq!(missing_need(&request(vec![], needs), &Module::new()), None);
        let needs = Needs {
            families: vec!["AF_NOPE".into()],
            ipv6: false,
            privileges: vec![crate::case::Privilege::NetRaw],
            sockets: vec![[
                "AF_INET".into(),
                "SOCK_STREAM".into(),
                "IPPROTO_NOPE".into(),
            ]],
        };
        assert_eq!(
            missing_need(&request(vec![], needs), &Module::new()).as_deref(),
            Some(
                "socket.AF_NOPE is missing; socket.IPPROTO_NOPE is missing; privileged cases need a private namespace (not implemented)"
            )
        );
        let needs = Needs {
            sockets: vec![["AF_INET".into(), "SOCK_DGRAM".into(), "IPPROTO_UDP".into()]],
            ..Needs::default()
        };
        assert_eq!(missing_need(&request(vec![], needs), &Module::new()), None);
    }
}
