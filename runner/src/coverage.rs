//! `sockconf coverage`: which documented items, audit events and version notes the cases
//! really exercise, judged from what their steps call and read rather than from their `doc:`
//! keys.
//!
//! # What a step exercises
//!
//! - Its target. A target that starts at the module resolves to the longest prefix of its path
//!   that names a documented item (`htons` → `socket.htons`, `socket.bind` →
//!   `socket.socket.bind`), or, for a one-name path, the item that documents that name
//!   ([`Spec::documenting`]): the wildcard group that covers it (`SO_REUSEADDR` →
//!   `socket.SO_*`), else, for a constant, the first data item of its family, the directive
//!   that introduces the family and says more such constants exist per system (`AF_X25` →
//!   `socket.AF_UNIX`). A path through an undocumented class resolves its second name the same
//!   way (`AddressFamily.AF_INET` → `socket.AF_INET`).
//! - A target through a saved socket: `$s.bind` → `socket.socket.bind` (methods and
//!   attributes documented under `socket.socket`). Which saved names are sockets is decided
//!   per case, step by step: the value saved from a call to `socket`, `SocketType`,
//!   `create_connection`, `create_server`, `fromfd` or `fromshare`, or from `$x.dup` /
//!   `$x.__enter__` on a socket, is a socket; the value saved from `socketpair` is a pair
//!   whose indexes `.0` and `.1` are sockets; the value saved from `$x.accept` on a socket is
//!   a pair whose index `.0` is a socket; `get: $pair.0` saves a socket.
//! - Every `!const NAME` and `!flags [NAME, …]` in its arguments, its expectation or its
//!   `audit:` arguments (the backend reads `socket.NAME`), resolved like a one-name module
//!   path.
//! - Every exception or class type named in its expectation (`raises: socket.gaierror`,
//!   `!match {type: socket.socket}`, `subclass_of`, `mro`, `!class`) that is a documented item.
//!
//! A case exercises the union of what its steps exercise. It tests an error path when some
//! step expects `raises` in any alternative of `expect:`.
//!
//! # Audit events
//!
//! The spec lists, per item, the audit events the docs attach to it. A case checks the event
//! `E` of the item `X` when one of its steps calls `X` (its target resolves to `X`) and
//! expects `E` in its `audit:` list.
//!
//! # Version notes
//!
//! Every `versionadded` / `versionchanged` version of an item newer than the oldest Python the
//! suite runs ([`OLDEST_PYTHON`], so 3.7 and later) is a note a case can observe. A case gates
//! on the note `V` of `X` when it exercises `X` and its `python:`, or the `python:` of one of
//! its steps' `expect:` alternatives, compares with `V` exactly (`>=3.7`, `<3.7`).
//!
//! # Findings
//!
//! An item no case exercises, or an audit event no case checks, is an error unless the
//! waivers (`spec/waivers.yaml`: `waivers:` by item, `events:` by `EVENT@ITEM`) give a reason.
//! A note no case gates on is a warning, an error under `--strict`, unless `notes:` (by
//! `ITEM@VERSION`) gives a reason. A waiver for something covered (stale) or that the spec
//! does not list is an error. A case whose `doc:` names an item none of its steps exercises is
//! a warning, an error under `--strict`.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::case::{Action, Case, Expected, Matcher, Outcome, Root, Step, Target};
use crate::spec::{Item, Kind, Spec};
use crate::value::Value;
use crate::version::{PyVersion, VersionReq};

/// The version of the JSON document [`Coverage::json`] writes.
pub const FORMAT_VERSION: u32 = 2;

/// Where the waivers live in the repository, relative to the workspace root.
pub const WAIVERS_PATH: &str = "spec/waivers.yaml";

/// The committed waivers, carried in the binary.
pub const WAIVERS_YAML: &str = include_str!("../../spec/waivers.yaml");

/// What the cases leave uncovered on purpose, each with the reason.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Waivers {
    /// Item name → why no case exercises it.
    #[serde(default)]
    pub waivers: BTreeMap<String, String>,
    /// `EVENT@ITEM` (`socket.bind@socket.socket.bind`) → why no case checks the audit event.
    #[serde(default)]
    pub events: BTreeMap<String, String>,
    /// `ITEM@VERSION` (`socket.socket.settimeout@3.7`) → why no case gates on the note.
    #[serde(default)]
    pub notes: BTreeMap<String, String>,
}

impl Waivers {
    /// Reads a waivers file: `waivers: {ITEM: "reason"}`, `events: {EVENT@ITEM: "reason"}`,
    /// `notes: {ITEM@VERSION: "reason"}`, each optional; every reason must say something.
    pub fn from_yaml(text: &str) -> Result<Waivers, String> {
        let w: Waivers = serde_yaml::from_str(text).map_err(|e| e.to_string())?;
        let all = w.waivers.iter().chain(&w.events).chain(&w.notes);
        if let Some((key, _)) = all.into_iter().find(|(_, r)| r.trim().is_empty()) {
            return Err(format!("the waiver of `{key}` gives no reason"));
        }
        Ok(w)
    }

    /// The waivers at `path`, or the committed ones.
    pub fn load(path: Option<&Path>) -> Result<Waivers, String> {
        match path {
            None => Waivers::from_yaml(WAIVERS_YAML).map_err(|e| format!("{WAIVERS_PATH}: {e}")),
            Some(p) => {
                let text =
                    std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()))?;
                Waivers::from_yaml(&text).map_err(|e| format!("{}: {e}", p.display()))
            }
        }
    }
}

/// What a saved name holds, as far as coverage cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Socket,
    /// `socketpair()`: both indexes are sockets.
    Pair,
    /// `accept()`: index 0 is a socket.
    Accepted,
    Other,
}

/// Module functions whose result is a socket.
const SOCKET_MAKERS: &[&str] = &[
    "socket",
    "SocketType",
    "create_connection",
    "create_server",
    "fromfd",
    "fromshare",
];

/// What one target resolves to: the documented item reached, and the shape of the value.
struct Resolved {
    item: Option<String>,
    shape: Shape,
}

fn module_name(spec: &Spec, name: &str) -> Option<String> {
    spec.documenting(&format!("{}.{name}", spec.module))
        .map(|i| i.name.clone())
}

fn resolve(spec: &Spec, target: &Target, saved: &HashMap<String, Shape>, call: bool) -> Resolved {
    match target.root {
        Root::Builtins => Resolved {
            item: None,
            shape: Shape::Other,
        },
        Root::Module => {
            let mut item = None;
            for k in 1..=target.path.len() {
                let q = format!("{}.{}", spec.module, target.path[..k].join("."));
                if spec.contains(&q) {
                    item = Some(q);
                }
            }
            if item.is_none() {
                item = match target.path.as_slice() {
                    [one] => module_name(spec, one),
                    [_, member, ..] => module_name(spec, member),
                    [] => None,
                };
            }
            let shape = match target.path.as_slice() {
                [f] if call && SOCKET_MAKERS.contains(&f.as_str()) => Shape::Socket,
                [f] if call && f == "socketpair" => Shape::Pair,
                _ => Shape::Other,
            };
            Resolved { item, shape }
        }
        Root::Saved => {
            let mut shape = saved.get(&target.path[0]).copied().unwrap_or(Shape::Other);
            let mut rest = target.path[1..].iter();
            for comp in rest.by_ref() {
                shape = match (shape, comp.as_str()) {
                    (Shape::Pair, "0" | "1") | (Shape::Accepted, "0") => Shape::Socket,
                    (Shape::Socket, name) => {
                        let q = format!("{}.socket.{name}", spec.module);
                        let item = spec.contains(&q).then_some(q);
                        let shape = match name {
                            "dup" | "__enter__" if call && rest.len() == 0 => Shape::Socket,
                            "accept" if call && rest.len() == 0 => Shape::Accepted,
                            _ => Shape::Other,
                        };
                        return Resolved { item, shape };
                    }
                    _ => Shape::Other,
                };
            }
            Resolved { item: None, shape }
        }
    }
}

fn value_names(spec: &Spec, v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::Const(n) => out.extend(module_name(spec, n)),
        Value::Flags(ns) => out.extend(ns.iter().filter_map(|n| module_name(spec, n))),
        Value::Tuple(vs) | Value::List(vs) => vs.iter().for_each(|v| value_names(spec, v, out)),
        _ => {}
    }
}

fn type_item(spec: &Spec, name: &str, out: &mut BTreeSet<String>) {
    if spec.contains(name) {
        out.insert(name.to_owned());
    }
}

fn expected_names(spec: &Spec, e: &Expected, out: &mut BTreeSet<String>) {
    match e {
        Expected::Value(v) => value_names(spec, v, out),
        Expected::Tuple(es) | Expected::List(es) => {
            es.iter().for_each(|e| expected_names(spec, e, out));
        }
        Expected::Class(n) => type_item(spec, n, out),
        Expected::Match(m) => matcher_names(spec, m, out),
        Expected::Any | Expected::Saved(_) => {}
    }
}

fn matcher_names(spec: &Spec, m: &Matcher, out: &mut BTreeSet<String>) {
    for n in
        m.ty.iter()
            .chain(&m.subclass_of)
            .chain(m.mro.iter().flatten())
    {
        type_item(spec, n, out);
    }
    for e in [&m.value, &m.args, &m.strerror, &m.not]
        .into_iter()
        .flatten()
    {
        expected_names(spec, e, out);
    }
    for e in m.one_of.iter().chain(&m.exceptions).flatten() {
        expected_names(spec, e, out);
    }
}

fn step_raises(step: &Step) -> bool {
    step.expect.iter().any(|a| a.outcome.raises())
}

/// What one step of a case exercises.
struct StepTrace<'a> {
    step: &'a Step,
    /// The documented item a `call:` step calls, if its target reaches one.
    called: Option<String>,
    /// Every documented item the step exercises, `called` included.
    items: BTreeSet<String>,
}

/// Traces every step of `case` (see the module docs for the rules).
fn trace<'a>(spec: &Spec, case: &'a Case) -> Vec<StepTrace<'a>> {
    let mut saved: HashMap<String, Shape> = HashMap::new();
    let mut steps = Vec::with_capacity(case.steps.len());
    for step in &case.steps {
        let mut items = BTreeSet::new();
        let (target, call) = match &step.action {
            Action::Call {
                target,
                args,
                kwargs,
            } => {
                for a in args.iter().chain(kwargs.values()) {
                    value_names(spec, &a.0, &mut items);
                }
                (target, true)
            }
            Action::Get { target } => (target, false),
        };
        let r = resolve(spec, target, &saved, call);
        items.extend(r.item.clone());
        for alt in &step.expect {
            match &alt.outcome {
                Outcome::Returns(Some(e)) => expected_names(spec, e, &mut items),
                Outcome::Returns(None) => {}
                Outcome::Raises(m) => matcher_names(spec, m, &mut items),
            }
        }
        for event in step.audit.iter().flatten() {
            expected_names(spec, &event.args, &mut items);
        }
        if let Some(name) = &step.save {
            saved.insert(name.clone(), r.shape);
        }
        steps.push(StepTrace {
            step,
            called: r.item.filter(|_| call),
            items,
        });
    }
    steps
}

/// The documented items `case` exercises (see the module docs for the rules).
pub fn exercised(spec: &Spec, case: &Case) -> BTreeSet<String> {
    exercised_by(&trace(spec, case))
}

/// The `(event, item)` pairs `case` checks: a step calls the documented item and its
/// `audit:` list expects the event.
pub fn audited(spec: &Spec, case: &Case) -> BTreeSet<(String, String)> {
    audited_by(&trace(spec, case))
}

fn exercised_by(steps: &[StepTrace<'_>]) -> BTreeSet<String> {
    steps.iter().flat_map(|t| t.items.iter().cloned()).collect()
}

fn audited_by(steps: &[StepTrace<'_>]) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for t in steps {
        let Some(item) = &t.called else { continue };
        for event in t.step.audit.iter().flatten() {
            out.insert((event.event.clone(), item.clone()));
        }
    }
    out
}

/// The Python versions `case` names in a condition: its own `python:` and those of its steps'
/// `expect:` alternatives.
fn gated_versions(case: &Case) -> BTreeSet<PyVersion> {
    let step_reqs = case
        .steps
        .iter()
        .flat_map(|s| &s.expect)
        .filter_map(|a| a.python.as_ref());
    case.python
        .iter()
        .chain(step_reqs)
        .flat_map(VersionReq::bounds)
        .collect()
}

/// Where the cases of an item can run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Platforms {
    /// Some case is ungated.
    All,
    /// The union of the cases' `platforms:` entries.
    Only(BTreeSet<String>),
}

impl Platforms {
    fn text(&self) -> String {
        match self {
            Platforms::All => "all".to_owned(),
            Platforms::Only(s) if s.is_empty() => "-".to_owned(),
            Platforms::Only(s) => s.iter().cloned().collect::<Vec<_>>().join(","),
        }
    }

    fn json(&self) -> serde_json::Value {
        match self {
            Platforms::All => serde_json::json!("all"),
            Platforms::Only(s) => serde_json::json!(s),
        }
    }
}

/// The cases that exercise something (an item, an audit event), counted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tally {
    /// Their ids, in suite order.
    pub cases: Vec<String>,
    /// How many of them expect `raises` in some step.
    pub error_path_cases: usize,
    pub platforms: Platforms,
}

impl Tally {
    fn of(hits: &[&Case]) -> Tally {
        let platforms = if hits.is_empty() {
            Platforms::Only(BTreeSet::new())
        } else if hits.iter().any(|c| c.platforms.is_none()) {
            Platforms::All
        } else {
            Platforms::Only(
                hits.iter()
                    .flat_map(|c| c.platforms.iter().flatten().cloned())
                    .collect(),
            )
        };
        Tally {
            cases: hits.iter().map(|c| c.id.clone()).collect(),
            error_path_cases: hits
                .iter()
                .filter(|c| c.steps.iter().any(step_raises))
                .count(),
            platforms,
        }
    }

    /// The table's last column: the platforms, or why there is no case.
    fn status(&self, waiver: Option<&String>) -> String {
        status(&self.cases, waiver, "UNCOVERED", || self.platforms.text())
    }

    fn json(&self, into: &mut serde_json::Map<String, serde_json::Value>) {
        into.insert("cases".into(), self.cases.len().into());
        into.insert("error_path_cases".into(), self.error_path_cases.into());
        into.insert("platforms".into(), self.platforms.json());
        into.insert("case_ids".into(), serde_json::json!(self.cases));
    }
}

/// A table's last column: `covered` when there are cases, else the waiver or `missing`.
fn status(
    cases: &[String],
    waiver: Option<&String>,
    missing: &str,
    covered: impl FnOnce() -> String,
) -> String {
    match (waiver, cases.is_empty()) {
        (Some(w), true) => format!("waived: {w}"),
        (None, true) => missing.to_owned(),
        _ => covered(),
    }
}

/// One documented item's coverage.
#[derive(Debug, Clone)]
pub struct ItemCoverage {
    pub name: String,
    pub kind: Kind,
    pub hits: Tally,
    pub waiver: Option<String>,
}

/// One documented audit event of one item (`.. audit-event::`), and the cases that check it.
#[derive(Debug, Clone)]
pub struct EventCoverage {
    /// The event name, `socket.bind`.
    pub event: String,
    /// The item the docs attach it to, `socket.socket.bind`.
    pub item: String,
    /// The documented argument names.
    pub args: Vec<String>,
    pub hits: Tally,
    pub waiver: Option<String>,
}

impl EventCoverage {
    /// `EVENT@ITEM`, the key of its waiver.
    pub fn key(&self) -> String {
        format!("{}@{}", self.event, self.item)
    }
}

/// One `versionadded` / `versionchanged` note newer than the oldest Python the suite runs,
/// and the cases that gate on its version.
#[derive(Debug, Clone)]
pub struct NoteCoverage {
    pub item: String,
    /// The version as the docs write it, `3.7`.
    pub version: String,
    /// `versionadded`, `versionchanged`, or both joined by `+`.
    pub directive: String,
    /// The ids of the cases that exercise the item and name the version in a `python:`
    /// condition, in suite order.
    pub cases: Vec<String>,
    pub waiver: Option<String>,
}

impl NoteCoverage {
    /// `ITEM@VERSION`, the key of its waiver.
    pub fn key(&self) -> String {
        format!("{}@{}", self.item, self.version)
    }
}

/// The oldest Python the suite runs: a note of this version or older cannot be observed.
pub const OLDEST_PYTHON: PyVersion = PyVersion {
    major: 3,
    minor: 6,
    patch: None,
};

/// The item's notes whose version is a newer minor release than [`OLDEST_PYTHON`], with the
/// directives that give each, in version order.
fn observable_notes(item: &Item) -> BTreeMap<PyVersion, (String, Vec<&'static str>)> {
    let mut notes: BTreeMap<PyVersion, (String, Vec<&'static str>)> = BTreeMap::new();
    let added = item.added.iter().map(|v| (v, "versionadded"));
    let changed = item.changed.iter().map(|v| (v, "versionchanged"));
    for (text, directive) in added.chain(changed) {
        let Ok(version) = text.parse::<PyVersion>() else {
            continue;
        };
        if (version.major, version.minor) > (OLDEST_PYTHON.major, OLDEST_PYTHON.minor) {
            let entry = notes
                .entry(version)
                .or_insert_with(|| (text.clone(), Vec::new()));
            if !entry.1.contains(&directive) {
                entry.1.push(directive);
            }
        }
    }
    notes
}

/// What a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum FindingKind {
    /// No case exercises the item (or checks the audit event) and no waiver gives a reason.
    Uncovered,
    /// A waiver for an item, event or note that cases cover.
    StaleWaiver,
    /// A waiver for a name the spec does not list.
    UnknownWaiver,
    /// A case whose `doc:` item none of its steps exercises.
    DocNotExercised,
    /// A version note no case gates on, without a waiver.
    UngatedNote,
    /// A function, method or class that cases call, but none with arguments it refuses
    /// (every callable has an error path: at least a wrong argument count).
    NoErrorPath,
}

impl FindingKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FindingKind::Uncovered => "uncovered",
            FindingKind::StaleWaiver => "stale_waiver",
            FindingKind::UnknownWaiver => "unknown_waiver",
            FindingKind::DocNotExercised => "doc_not_exercised",
            FindingKind::UngatedNote => "ungated_note",
            FindingKind::NoErrorPath => "no_error_path",
        }
    }

    /// Whether it fails the command: always, except a `doc:` mismatch, an ungated note or
    /// a callable without an error-path case without `--strict`.
    pub fn is_error(self, strict: bool) -> bool {
        strict
            || !matches!(
                self,
                FindingKind::DocNotExercised | FindingKind::UngatedNote | FindingKind::NoErrorPath
            )
    }
}

#[derive(Debug, Clone)]
pub struct Finding {
    pub kind: FindingKind,
    /// What it is about: an item name, `EVENT@ITEM` for an audit event, `ITEM@VERSION` for a
    /// version note (the keys of the waivers).
    pub item: String,
    /// The case, for [`FindingKind::DocNotExercised`].
    pub case: Option<String>,
    pub message: String,
}

impl Finding {
    fn about(kind: FindingKind, item: &str, message: String) -> Finding {
        Finding {
            kind,
            item: item.to_owned(),
            case: None,
            message,
        }
    }
}

/// The coverage of the whole spec by a set of cases.
#[derive(Debug, Clone)]
pub struct Coverage {
    pub items: Vec<ItemCoverage>,
    /// Every documented (event, item) pair, in spec order.
    pub events: Vec<EventCoverage>,
    /// Every observable version note, in spec order, then version order.
    pub notes: Vec<NoteCoverage>,
    pub findings: Vec<Finding>,
    /// How many cases were read.
    pub cases: usize,
}

/// Something the waivers can excuse: an item, an audit event of an item, a version note.
struct Waivable<'a> {
    /// Its key in `section` of the waivers.
    key: &'a str,
    section: &'static str,
    /// How messages name it: `` `socket.htons` ``.
    what: String,
    /// What a case does to cover it, as in "no case … it" / "2 case(s) … it".
    verb: (&'static str, &'static str),
    /// The finding when nothing covers it and no waiver gives a reason.
    missing: FindingKind,
}

impl Waivable<'_> {
    /// The finding about it, if any: [`Waivable::missing`] when no case covers it and no
    /// waiver excuses it; a stale waiver when cases cover it and a waiver excuses it anyway.
    fn finding(&self, covered_by: usize, waiver: Option<&String>) -> Option<Finding> {
        let (key, what, section) = (self.key, &self.what, self.section);
        let (verb_one, verb_many) = self.verb;
        match (covered_by, waiver) {
            (0, None) => Some(Finding::about(
                self.missing,
                key,
                format!(
                    "no case {verb_one} {what}: add one, or a waiver with the reason to {WAIVERS_PATH} ({section}: `{key}`)"
                ),
            )),
            (n, Some(_)) if n > 0 => Some(Finding::about(
                FindingKind::StaleWaiver,
                key,
                format!(
                    "{what} is waived in {WAIVERS_PATH} ({section}: `{key}`) but {n} case(s) {verb_many} it: remove the waiver"
                ),
            )),
            _ => None,
        }
    }
}

/// Findings for the waivers of `section` whose key `known` does not list.
fn unknown_waivers(
    waivers: &BTreeMap<String, String>,
    section: &str,
    known: &BTreeSet<String>,
    findings: &mut Vec<Finding>,
) {
    for key in waivers.keys().filter(|k| !known.contains(*k)) {
        findings.push(Finding::about(
            FindingKind::UnknownWaiver,
            key,
            format!(
                "{WAIVERS_PATH} waives `{key}` under `{section}:`, which spec/socket.yaml does not document"
            ),
        ));
    }
}

/// What coverage needs to know of one case.
struct CaseTrace<'a> {
    case: &'a Case,
    exercised: BTreeSet<String>,
    audited: BTreeSet<(String, String)>,
    versions: BTreeSet<PyVersion>,
}

impl<'a> CaseTrace<'a> {
    fn new(spec: &Spec, case: &'a Case) -> CaseTrace<'a> {
        let steps = trace(spec, case);
        CaseTrace {
            case,
            exercised: exercised_by(&steps),
            audited: audited_by(&steps),
            versions: gated_versions(case),
        }
    }

    /// The warning when its `doc:` item is not among those its steps exercise.
    fn doc_finding(&self) -> Option<Finding> {
        let (case, ex) = (self.case, &self.exercised);
        if ex.contains(&case.doc) {
            return None;
        }
        let they = if ex.is_empty() {
            String::new()
        } else {
            let names: Vec<&str> = ex.iter().map(String::as_str).collect();
            format!(" (they exercise {})", names.join(", "))
        };
        Some(Finding {
            kind: FindingKind::DocNotExercised,
            item: case.doc.clone(),
            case: Some(case.id.clone()),
            message: format!(
                "case `{}` ({}) says it exercises `{}`, but none of its steps calls or reads it{they}",
                case.id,
                case.file.display(),
                case.doc,
            ),
        })
    }
}

/// Computes the coverage of `spec` by `cases`, with `waivers`.
pub fn compute(spec: &Spec, cases: &[Case], waivers: &Waivers) -> Coverage {
    let traces: Vec<CaseTrace<'_>> = cases.iter().map(|c| CaseTrace::new(spec, c)).collect();
    let mut findings: Vec<Finding> = traces.iter().filter_map(CaseTrace::doc_finding).collect();
    let hits = |pred: &dyn Fn(&CaseTrace<'_>) -> bool| -> Vec<&Case> {
        traces.iter().filter(|t| pred(t)).map(|t| t.case).collect()
    };

    let mut items = Vec::new();
    let mut events = Vec::new();
    let mut notes = Vec::new();
    for item in &spec.items {
        let tally = Tally::of(&hits(&|t| t.exercised.contains(&item.name)));
        let waiver = waivers.waivers.get(&item.name).cloned();
        let waivable = Waivable {
            key: &item.name,
            section: "waivers",
            what: format!("`{}`", item.name),
            verb: ("exercises", "exercise"),
            missing: FindingKind::Uncovered,
        };
        findings.extend(waivable.finding(tally.cases.len(), waiver.as_ref()));
        let callable = matches!(item.kind, Kind::Function | Kind::Method | Kind::Class);
        if callable && !tally.cases.is_empty() && tally.error_path_cases == 0 {
            findings.push(Finding::about(
                FindingKind::NoErrorPath,
                &item.name,
                format!(
                    "`{}` is called by {} case(s), but none tests an error path: add a case with arguments it refuses",
                    item.name,
                    tally.cases.len()
                ),
            ));
        }
        items.push(ItemCoverage {
            name: item.name.clone(),
            kind: item.kind,
            hits: tally,
            waiver,
        });

        for audit in &item.audit {
            let pair = (audit.event.clone(), item.name.clone());
            let mut ev = EventCoverage {
                event: audit.event.clone(),
                item: item.name.clone(),
                args: audit.args.clone(),
                hits: Tally::of(&hits(&|t| t.audited.contains(&pair))),
                waiver: None,
            };
            let key = ev.key();
            ev.waiver = waivers.events.get(&key).cloned();
            let waivable = Waivable {
                key: &key,
                section: "events",
                what: format!("audit event `{}` of `{}`", ev.event, ev.item),
                verb: ("checks", "check"),
                missing: FindingKind::Uncovered,
            };
            findings.extend(waivable.finding(ev.hits.cases.len(), ev.waiver.as_ref()));
            events.push(ev);
        }

        for (version, (text, directives)) in observable_notes(item) {
            let gating =
                hits(&|t| t.exercised.contains(&item.name) && t.versions.contains(&version));
            let mut note = NoteCoverage {
                item: item.name.clone(),
                version: text,
                directive: directives.join("+"),
                cases: gating.iter().map(|c| c.id.clone()).collect(),
                waiver: None,
            };
            let key = note.key();
            note.waiver = waivers.notes.get(&key).cloned();
            let waivable = Waivable {
                key: &key,
                section: "notes",
                what: format!(
                    "the {} {} note of `{}`",
                    note.directive, note.version, note.item
                ),
                verb: ("gates on", "gate on"),
                missing: FindingKind::UngatedNote,
            };
            findings.extend(waivable.finding(note.cases.len(), note.waiver.as_ref()));
            notes.push(note);
        }
    }

    let item_keys = spec.items.iter().map(|i| i.name.clone()).collect();
    unknown_waivers(&waivers.waivers, "waivers", &item_keys, &mut findings);
    let event_keys = events.iter().map(EventCoverage::key).collect();
    unknown_waivers(&waivers.events, "events", &event_keys, &mut findings);
    let note_keys = notes.iter().map(NoteCoverage::key).collect();
    unknown_waivers(&waivers.notes, "notes", &note_keys, &mut findings);

    findings.sort_by(|a, b| (a.kind, &a.item, &a.case).cmp(&(b.kind, &b.item, &b.case)));
    Coverage {
        items,
        events,
        notes,
        findings,
        cases: cases.len(),
    }
}

/// The totals lines' numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub items: usize,
    pub covered: usize,
    pub waived: usize,
    pub uncovered: usize,
    pub cases: usize,
    pub error_path_items: usize,
    /// Documented (event, item) pairs, and how many cases check, waivers excuse, neither.
    pub events: usize,
    pub events_covered: usize,
    pub events_waived: usize,
    pub events_uncovered: usize,
    /// Observable version notes, and how many cases gate on, waivers excuse, neither.
    pub notes: usize,
    pub notes_gated: usize,
    pub notes_waived: usize,
    pub notes_ungated: usize,
}

/// `(covered, waived)` among things each with its cases and its waiver.
fn count<'a>(all: impl Iterator<Item = (&'a [String], &'a Option<String>)>) -> (usize, usize) {
    all.fold((0, 0), |(covered, waived), (cases, waiver)| {
        if !cases.is_empty() {
            (covered + 1, waived)
        } else {
            (covered, waived + usize::from(waiver.is_some()))
        }
    })
}

impl Coverage {
    pub fn totals(&self) -> Totals {
        let (covered, waived) = count(self.items.iter().map(|i| (&i.hits.cases[..], &i.waiver)));
        let (events_covered, events_waived) =
            count(self.events.iter().map(|e| (&e.hits.cases[..], &e.waiver)));
        let (notes_gated, notes_waived) =
            count(self.notes.iter().map(|n| (&n.cases[..], &n.waiver)));
        Totals {
            items: self.items.len(),
            covered,
            waived,
            uncovered: self.items.len() - covered - waived,
            cases: self.cases,
            error_path_items: self
                .items
                .iter()
                .filter(|i| i.hits.error_path_cases > 0)
                .count(),
            events: self.events.len(),
            events_covered,
            events_waived,
            events_uncovered: self.events.len() - events_covered - events_waived,
            notes: self.notes.len(),
            notes_gated,
            notes_waived,
            notes_ungated: self.notes.len() - notes_gated - notes_waived,
        }
    }

    /// Whether the command passes: no finding that is an error.
    pub fn ok(&self, strict: bool) -> bool {
        !self.findings.iter().any(|f| f.kind.is_error(strict))
    }

    /// The tables (items, audit events, version notes), the findings and the totals, for
    /// people.
    pub fn text(&self, strict: bool) -> String {
        let width = |names: &mut dyn Iterator<Item = usize>| names.max().unwrap_or(4).max(4);
        let w = width(&mut self.items.iter().map(|i| i.name.len()));
        let mut s = format!(
            "{:<w$}  {:<9}  {:>5}  {:>6}  platforms\n",
            "item", "kind", "cases", "errors"
        );
        for i in &self.items {
            let _ = writeln!(
                s,
                "{:<w$}  {:<9}  {:>5}  {:>6}  {}",
                i.name,
                i.kind.as_str(),
                i.hits.cases.len(),
                i.hits.error_path_cases,
                i.hits.status(i.waiver.as_ref())
            );
        }

        let keys: Vec<String> = self.events.iter().map(EventCoverage::key).collect();
        let w = width(&mut keys.iter().map(String::len));
        let _ = writeln!(
            s,
            "\n{:<w$}  {:>5}  {:>6}  platforms",
            "audit event@item", "cases", "errors"
        );
        for (e, key) in self.events.iter().zip(&keys) {
            let _ = writeln!(
                s,
                "{key:<w$}  {:>5}  {:>6}  {}",
                e.hits.cases.len(),
                e.hits.error_path_cases,
                e.hits.status(e.waiver.as_ref())
            );
        }

        let keys: Vec<String> = self.notes.iter().map(NoteCoverage::key).collect();
        let w = width(&mut keys.iter().map(String::len));
        let _ = writeln!(
            s,
            "\n{:<w$}  {:<14}  {:>5}  gating cases",
            "version note", "directive", "cases"
        );
        for (n, key) in self.notes.iter().zip(&keys) {
            let gating = status(&n.cases, n.waiver.as_ref(), "NOT GATED", || {
                n.cases.join(", ")
            });
            let _ = writeln!(
                s,
                "{key:<w$}  {:<14}  {:>5}  {gating}",
                n.directive,
                n.cases.len()
            );
        }

        if !self.findings.is_empty() {
            s.push('\n');
        }
        for f in &self.findings {
            let level = if f.kind.is_error(strict) {
                "error"
            } else {
                "warning"
            };
            let _ = writeln!(s, "{level}: {}", f.message);
        }
        let t = self.totals();
        let _ = writeln!(
            s,
            "\n{}/{} items covered ({} waived, {} uncovered), {} cases, {} items with error-path cases",
            t.covered, t.items, t.waived, t.uncovered, t.cases, t.error_path_items
        );
        let _ = writeln!(
            s,
            "{}/{} audit events checked ({} waived, {} uncovered)",
            t.events_covered, t.events, t.events_waived, t.events_uncovered
        );
        let _ = writeln!(
            s,
            "{}/{} version notes gated ({} waived, {} not gated)",
            t.notes_gated, t.notes, t.notes_waived, t.notes_ungated
        );
        s
    }

    /// The same for machines (schema [`FORMAT_VERSION`]): an object with
    /// - `format_version`, `ok` (whether the command passes), `strict`;
    /// - `totals`: `items`, `covered`, `waived`, `uncovered`, `cases`, `error_path_items`,
    ///   `events`, `events_covered`, `events_waived`, `events_uncovered`, `notes`,
    ///   `notes_gated`, `notes_waived`, `notes_ungated`;
    /// - `items` (spec order): each `name`, `kind`, `cases` (a count), `error_path_cases`,
    ///   `platforms` (`"all"` or a list of `platforms:` entries, empty when no case), `waiver`
    ///   (the reason or null), `case_ids`;
    /// - `events` (spec order): each `event`, `item`, `args` (the documented names), then as
    ///   an item: `cases`, `error_path_cases`, `platforms`, `waiver`, `case_ids`;
    /// - `notes` (spec order, then version): each `item`, `version`, `directive`
    ///   (`versionadded`, `versionchanged` or both joined by `+`), `cases` (a count of the
    ///   gating cases), `waiver`, `case_ids`;
    /// - `findings`: each `kind` (`uncovered` | `stale_waiver` | `unknown_waiver` |
    ///   `doc_not_exercised` | `ungated_note`), `severity` (`error` | `warning`), `item` (an
    ///   item name, `EVENT@ITEM` or `ITEM@VERSION`), `case` (or null), `message`.
    pub fn json(&self, strict: bool) -> serde_json::Value {
        let items: Vec<_> = self
            .items
            .iter()
            .map(|i| {
                let mut o = serde_json::Map::new();
                o.insert("name".into(), i.name.clone().into());
                o.insert("kind".into(), i.kind.as_str().into());
                i.hits.json(&mut o);
                o.insert("waiver".into(), serde_json::json!(i.waiver));
                serde_json::Value::Object(o)
            })
            .collect();
        let events: Vec<_> = self
            .events
            .iter()
            .map(|e| {
                let mut o = serde_json::Map::new();
                o.insert("event".into(), e.event.clone().into());
                o.insert("item".into(), e.item.clone().into());
                o.insert("args".into(), serde_json::json!(e.args));
                e.hits.json(&mut o);
                o.insert("waiver".into(), serde_json::json!(e.waiver));
                serde_json::Value::Object(o)
            })
            .collect();
        let notes: Vec<_> = self
            .notes
            .iter()
            .map(|n| {
                serde_json::json!({
                    "item": n.item,
                    "version": n.version,
                    "directive": n.directive,
                    "cases": n.cases.len(),
                    "waiver": n.waiver,
                    "case_ids": n.cases,
                })
            })
            .collect();
        let findings: Vec<_> = self
            .findings
            .iter()
            .map(|f| {
                serde_json::json!({
                    "kind": f.kind.as_str(),
                    "severity": if f.kind.is_error(strict) { "error" } else { "warning" },
                    "item": f.item,
                    "case": f.case,
                    "message": f.message,
                })
            })
            .collect();
        serde_json::json!({
            "format_version": FORMAT_VERSION,
            "ok": self.ok(strict),
            "strict": strict,
            "totals": self.totals(),
            "items": items,
            "events": events,
            "notes": notes,
            "findings": findings,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(added: Option<&str>, changed: &[&str]) -> Item {
        Item {
            name: "socket.x".into(),
            kind: Kind::Function,
            signature: None,
            section: "S".into(),
            availability: None,
            added: added.map(str::to_owned),
            changed: changed.iter().map(|v| v.to_string()).collect(),
            deprecated: None,
            audit: Vec::new(),
        }
    }

    #[test]
    fn only_notes_newer_than_the_oldest_python_are_observable() {
        let notes = observable_notes(&item(Some("3.3"), &["3.6", "3.6.5", "3.7", "3.15"]));
        let listed: Vec<(String, String)> =
            notes.into_values().map(|(v, d)| (v, d.join("+"))).collect();
        assert_eq!(
            listed,
            [
                ("3.7".to_owned(), "versionchanged".to_owned()),
                ("3.15".to_owned(), "versionchanged".to_owned()),
            ]
        );
    }

    #[test]
    fn an_added_and_changed_version_is_one_note() {
        let notes = observable_notes(&item(Some("3.8"), &["3.8", "3.10"]));
        let listed: Vec<String> = notes
            .into_values()
            .map(|(v, d)| format!("{v} {}", d.join("+")))
            .collect();
        assert_eq!(
            listed,
            ["3.8 versionadded+versionchanged", "3.10 versionchanged"]
        );
    }
}
