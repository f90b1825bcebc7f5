//! `sockconf coverage`: which documented items the cases really exercise, judged from what
//! their steps call and read rather than from their `doc:` keys.
//!
//! # What a step exercises
//!
//! - Its target. A target that starts at the module resolves to the longest prefix of its path
//!   that names a documented item (`htons` → `socket.htons`, `socket.bind` →
//!   `socket.socket.bind`), or, for a one-name path, the wildcard group that covers it
//!   (`SO_REUSEADDR` → `socket.SO_*`). A path through an undocumented class resolves its
//!   second name the same way (`AddressFamily.AF_INET` → `socket.AF_INET`).
//! - A target through a saved socket: `$s.bind` → `socket.socket.bind` (methods and
//!   attributes documented under `socket.socket`). Which saved names are sockets is decided
//!   per case, step by step: the value saved from a call to `socket`, `SocketType`,
//!   `create_connection`, `create_server`, `fromfd` or `fromshare`, or from `$x.dup` /
//!   `$x.__enter__` on a socket, is a socket; the value saved from `socketpair` is a pair
//!   whose indexes `.0` and `.1` are sockets; the value saved from `$x.accept` on a socket is
//!   a pair whose index `.0` is a socket; `get: $pair.0` saves a socket.
//! - Every `!const NAME` and `!flags [NAME, …]` in its arguments or its expectation (the
//!   backend reads `socket.NAME`), resolved like a one-name module path.
//! - Every exception or class type named in its expectation (`raises: socket.gaierror`,
//!   `!match {type: socket.socket}`, `subclass_of`, `mro`, `!class`) that is a documented item.
//!
//! A case exercises the union of what its steps exercise. It tests an error path when some
//! step expects `raises` in any alternative of `expect:`.
//!
//! # Findings
//!
//! An item no case exercises is an error unless the waivers (`spec/waivers.yaml`) give a
//! reason; a waiver for an exercised item (stale) or for an item the spec does not list is an
//! error too. A case whose `doc:` names an item none of its steps exercises is a warning, an
//! error under `--strict`.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::case::{Action, Case, Expected, Matcher, Outcome, Root, Step, Target};
use crate::spec::{Kind, Spec};
use crate::value::Value;

/// The version of the JSON document [`Coverage::json`] writes.
pub const FORMAT_VERSION: u32 = 1;

/// Where the waivers live in the repository, relative to the workspace root.
pub const WAIVERS_PATH: &str = "spec/waivers.yaml";

/// The committed waivers, carried in the binary.
pub const WAIVERS_YAML: &str = include_str!("../../spec/waivers.yaml");

/// Documented items that no case exercises yet, each with the reason.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Waivers {
    /// Item name → why it has no case.
    #[serde(default)]
    pub waivers: BTreeMap<String, String>,
}

impl Waivers {
    /// Reads a waivers file: `waivers: {ITEM: "reason"}`; every reason must say something.
    pub fn from_yaml(text: &str) -> Result<Waivers, String> {
        let w: Waivers = serde_yaml::from_str(text).map_err(|e| e.to_string())?;
        if let Some((item, _)) = w.waivers.iter().find(|(_, r)| r.trim().is_empty()) {
            return Err(format!("the waiver of `{item}` gives no reason"));
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
    let q = format!("{}.{name}", spec.module);
    if spec.contains(&q) {
        Some(q)
    } else {
        spec.group_for(&q).map(|g| g.name.clone())
    }
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

/// The documented items `case` exercises (see the module docs for the rules).
pub fn exercised(spec: &Spec, case: &Case) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut saved: HashMap<String, Shape> = HashMap::new();
    for step in &case.steps {
        let (target, call) = match &step.action {
            Action::Call {
                target,
                args,
                kwargs,
            } => {
                for a in args.iter().chain(kwargs.values()) {
                    value_names(spec, &a.0, &mut out);
                }
                (target, true)
            }
            Action::Get { target } => (target, false),
        };
        let r = resolve(spec, target, &saved, call);
        out.extend(r.item);
        for alt in &step.expect {
            match &alt.outcome {
                Outcome::Returns(Some(e)) => expected_names(spec, e, &mut out),
                Outcome::Returns(None) => {}
                Outcome::Raises(m) => matcher_names(spec, m, &mut out),
            }
        }
        if let Some(name) = &step.save {
            saved.insert(name.clone(), r.shape);
        }
    }
    out
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

/// One documented item's coverage.
#[derive(Debug, Clone)]
pub struct ItemCoverage {
    pub name: String,
    pub kind: Kind,
    /// The ids of the cases that exercise it, in suite order.
    pub cases: Vec<String>,
    /// How many of those expect `raises` in some step.
    pub error_path_cases: usize,
    pub platforms: Platforms,
    pub waiver: Option<String>,
}

/// What a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum FindingKind {
    /// No case exercises the item and no waiver gives a reason.
    Uncovered,
    /// A waiver for an item that cases exercise.
    StaleWaiver,
    /// A waiver for a name the spec does not list.
    UnknownWaiver,
    /// A case whose `doc:` item none of its steps exercises.
    DocNotExercised,
}

impl FindingKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FindingKind::Uncovered => "uncovered",
            FindingKind::StaleWaiver => "stale_waiver",
            FindingKind::UnknownWaiver => "unknown_waiver",
            FindingKind::DocNotExercised => "doc_not_exercised",
        }
    }

    /// Whether it fails the command: always, except a `doc:` mismatch without `--strict`.
    pub fn is_error(self, strict: bool) -> bool {
        strict || self != FindingKind::DocNotExercised
    }
}

#[derive(Debug, Clone)]
pub struct Finding {
    pub kind: FindingKind,
    pub item: String,
    /// The case, for [`FindingKind::DocNotExercised`].
    pub case: Option<String>,
    pub message: String,
}

/// The coverage of the whole spec by a set of cases.
#[derive(Debug, Clone)]
pub struct Coverage {
    pub items: Vec<ItemCoverage>,
    pub findings: Vec<Finding>,
    /// How many cases were read.
    pub cases: usize,
}

/// Computes the coverage of `spec` by `cases`, with `waivers`.
pub fn compute(spec: &Spec, cases: &[Case], waivers: &Waivers) -> Coverage {
    let mut findings = Vec::new();
    let mut by_item: HashMap<&str, Vec<&Case>> = HashMap::new();
    for case in cases {
        let ex = exercised(spec, case);
        if !ex.contains(&case.doc) {
            findings.push(Finding {
                kind: FindingKind::DocNotExercised,
                item: case.doc.clone(),
                case: Some(case.id.clone()),
                message: format!(
                    "case `{}` ({}) says it exercises `{}`, but none of its steps calls or reads it{}",
                    case.id,
                    case.file.display(),
                    case.doc,
                    if ex.is_empty() {
                        String::new()
                    } else {
                        format!(
                            " (they exercise {})",
                            ex.iter().cloned().collect::<Vec<_>>().join(", ")
                        )
                    }
                ),
            });
        }
        for name in ex {
            if let Some(item) = spec.get(&name) {
                by_item.entry(item.name.as_str()).or_default().push(case);
            }
        }
    }
    let mut items = Vec::new();
    for item in &spec.items {
        let hits = by_item.remove(item.name.as_str()).unwrap_or_default();
        let waiver = waivers.waivers.get(&item.name).cloned();
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
        match (hits.is_empty(), &waiver) {
            (true, None) => findings.push(Finding {
                kind: FindingKind::Uncovered,
                item: item.name.clone(),
                case: None,
                message: format!(
                    "no case exercises `{}`: add one, or a waiver with the reason to {WAIVERS_PATH}",
                    item.name
                ),
            }),
            (false, Some(_)) => findings.push(Finding {
                kind: FindingKind::StaleWaiver,
                item: item.name.clone(),
                case: None,
                message: format!(
                    "`{}` is waived in {WAIVERS_PATH} but {} case(s) exercise it: remove the waiver",
                    item.name,
                    hits.len()
                ),
            }),
            _ => {}
        }
        items.push(ItemCoverage {
            name: item.name.clone(),
            kind: item.kind,
            error_path_cases: hits
                .iter()
                .filter(|c| c.steps.iter().any(step_raises))
                .count(),
            cases: hits.iter().map(|c| c.id.clone()).collect(),
            platforms,
            waiver,
        });
    }
    for name in waivers.waivers.keys().filter(|n| !spec.contains(n)) {
        findings.push(Finding {
            kind: FindingKind::UnknownWaiver,
            item: name.clone(),
            case: None,
            message: format!(
                "{WAIVERS_PATH} waives `{name}`, which spec/socket.yaml does not list"
            ),
        });
    }
    findings.sort_by(|a, b| (a.kind, &a.item, &a.case).cmp(&(b.kind, &b.item, &b.case)));
    Coverage {
        items,
        findings,
        cases: cases.len(),
    }
}

/// The totals line's numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub items: usize,
    pub covered: usize,
    pub waived: usize,
    pub uncovered: usize,
    pub cases: usize,
    pub error_path_items: usize,
}

impl Coverage {
    pub fn totals(&self) -> Totals {
        let covered = self.items.iter().filter(|i| !i.cases.is_empty()).count();
        let waived = self
            .items
            .iter()
            .filter(|i| i.cases.is_empty() && i.waiver.is_some())
            .count();
        Totals {
            items: self.items.len(),
            covered,
            waived,
            uncovered: self.items.len() - covered - waived,
            cases: self.cases,
            error_path_items: self.items.iter().filter(|i| i.error_path_cases > 0).count(),
        }
    }

    /// Whether the command passes: no finding that is an error.
    pub fn ok(&self, strict: bool) -> bool {
        !self.findings.iter().any(|f| f.kind.is_error(strict))
    }

    /// The table, the findings and the totals, for people.
    pub fn text(&self, strict: bool) -> String {
        let width = self
            .items
            .iter()
            .map(|i| i.name.len())
            .max()
            .unwrap_or(4)
            .max(4);
        let mut s = format!(
            "{:<width$}  {:<9}  {:>5}  {:>6}  platforms\n",
            "item", "kind", "cases", "errors"
        );
        for i in &self.items {
            let platforms = match (&i.waiver, i.cases.is_empty()) {
                (Some(w), true) => format!("waived: {w}"),
                (None, true) => "UNCOVERED".to_owned(),
                _ => i.platforms.text(),
            };
            let _ = writeln!(
                s,
                "{:<width$}  {:<9}  {:>5}  {:>6}  {platforms}",
                i.name,
                i.kind.as_str(),
                i.cases.len(),
                i.error_path_cases
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
        s
    }

    /// The same for machines (schema [`FORMAT_VERSION`]): an object with `format_version`,
    /// `ok` (whether the command passes), `strict`, `totals` (`items`, `covered`, `waived`,
    /// `uncovered`, `cases`, `error_path_items`), `items` (spec order; each `name`, `kind`,
    /// `cases` (a count), `error_path_cases`, `platforms` (`"all"` or a list of `platforms:`
    /// entries, empty when no case), `waiver` (the reason or null), `case_ids`) and `findings`
    /// (each `kind`: `uncovered` | `stale_waiver` | `unknown_waiver` | `doc_not_exercised`,
    /// `severity`: `error` | `warning`, `item`, `case` (or null), `message`).
    pub fn json(&self, strict: bool) -> serde_json::Value {
        let items: Vec<_> = self
            .items
            .iter()
            .map(|i| {
                serde_json::json!({
                    "name": i.name,
                    "kind": i.kind.as_str(),
                    "cases": i.cases.len(),
                    "error_path_cases": i.error_path_cases,
                    "platforms": i.platforms.json(),
                    "waiver": i.waiver,
                    "case_ids": i.cases,
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
            "findings": findings,
        })
    }
}
