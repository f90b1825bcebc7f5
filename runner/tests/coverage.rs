//! `sockconf coverage`: which documented items the steps of the cases really exercise, the
//! error paths among them, the audit events they check, the version notes they gate on,
//! waivers, and the findings that fail the command.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::Path;
use std::sync::Arc;

use sockconf::case::Case;
use sockconf::case::load::{Vocabulary, load_str};
use sockconf::coverage::{self, Coverage, FindingKind, Platforms, Waivers};
use sockconf::spec::Spec;

const SPEC: &str = "module: socket
items:
- {name: socket.timeout, kind: exception, section: Exceptions}
- {name: socket.AF_INET, kind: data, section: Constants}
- {name: socket.AF_INET6, kind: data, section: Constants}
- {name: socket.SOCK_STREAM, kind: data, section: Constants}
- {name: socket.SO_*, kind: group, section: Constants}
- {name: socket.socket, kind: class, section: Creating sockets}
- {name: socket.socketpair, kind: function, section: Creating sockets}
- {name: socket.htons, kind: function, section: Other functions, added: '3.7', changed: ['3.6', 3.6.5, '3.10']}
- {name: socket.ntohs, kind: function, section: Other functions}
- {name: socket.socket.accept, kind: method, section: Socket Objects}
- name: socket.socket.bind
  kind: method
  section: Socket Objects
  audit: [{event: socket.bind, args: [self, address]}]
- {name: socket.socket.listen, kind: method, section: Socket Objects}
- {name: socket.socket.recv, kind: method, section: Socket Objects}
- {name: socket.socket.send, kind: method, section: Socket Objects}
- {name: socket.socket.family, kind: attribute, section: Socket Objects}
";

fn spec() -> Spec {
    Spec::from_yaml(SPEC).expect("fixture spec")
}

fn load(text: &str) -> Vec<Case> {
    let vocab = Arc::new(Vocabulary {
        spec: spec(),
        extra_attributes: HashSet::from(
            ["SO_REUSEADDR", "AddressFamily", "AF_X25", "NETLINK_ROUTE"].map(str::to_owned),
        ),
    });
    load_str(text, Path::new("cases/x.yaml"), &vocab).expect("fixture cases load")
}

fn exercised(text: &str) -> Vec<String> {
    let cases = load(text);
    assert_eq!(cases.len(), 1);
    coverage::exercised(&spec(), &cases[0])
        .into_iter()
        .collect()
}

fn one_case(doc: &str, steps: &str) -> String {
    format!("format: 2\ndoc: [{doc}]\ncases:\n  - id: a.b\n    summary: s\n    steps:\n{steps}")
}

#[test]
fn module_calls_resolve_to_their_items() {
    let got = exercised(&one_case(
        "socket.htons",
        "      - call: htons\n        args: [1]\n        save: n\n      - call: ntohs\n        args: [!ref n]\n",
    ));
    assert_eq!(got, ["socket.htons", "socket.ntohs"]);
}

#[test]
fn saved_sockets_resolve_to_socket_methods() {
    let got = exercised(&one_case(
        "socket.socket.bind",
        "      - call: socket\n        save: s\n      - call: $s.bind\n        args: [!tuple [\"127.0.0.1\", 0]]\n      - get: $s.family\n",
    ));
    assert_eq!(
        got,
        [
            "socket.socket",
            "socket.socket.bind",
            "socket.socket.family"
        ]
    );
}

#[test]
fn pair_indexes_and_accepted_sockets_are_sockets() {
    let got = exercised(&one_case(
        "socket.socketpair",
        "      - call: socketpair
        save: pair
      - call: $pair.0.send
        args: [!bytes \"x\"]
      - get: $pair.1
        save: b
      - call: $b.listen
      - call: $b.accept
        save: acc
      - call: $acc.0.recv
        args: [1]
",
    ));
    assert_eq!(
        got,
        [
            "socket.socket.accept",
            "socket.socket.listen",
            "socket.socket.recv",
            "socket.socket.send",
            "socket.socketpair",
        ]
    );
}

#[test]
fn other_saved_values_are_not_sockets() {
    // `n` is an int: `$n.bind` would not be a socket method, and `.1` of an accept result is
    // the address.
    let got = exercised(&one_case(
        "socket.htons",
        "      - call: htons\n        args: [1]\n        save: n\n      - get: $n.bind\n",
    ));
    assert_eq!(got, ["socket.htons"]);
}

#[test]
fn constants_resolve_to_their_item_or_group() {
    let got = exercised(&one_case(
        "socket.SO_*",
        "      - get: SO_REUSEADDR
      - get: AddressFamily.AF_INET6
      - call: socket
        args: [!const AF_INET, !flags [SOCK_STREAM]]
        save: s
      - call: $s.family.__eq__
        args: [0]
",
    ));
    assert_eq!(
        got,
        [
            "socket.AF_INET",
            "socket.AF_INET6",
            "socket.SOCK_STREAM",
            "socket.SO_*",
            "socket.socket",
            "socket.socket.family",
        ]
    );
}

#[test]
fn an_undocumented_constant_exercises_the_first_item_of_its_family() {
    // `AF_X25` has no item and no group: the first `AF_` data item documents the family.
    // `NETLINK_ROUTE` has no family item at all.
    let got = exercised(&one_case(
        "socket.AF_INET",
        "      - get: AF_X25\n      - get: AddressFamily.AF_X25\n      - get: NETLINK_ROUTE\n",
    ));
    assert_eq!(got, ["socket.AF_INET"]);
}

#[test]
fn raised_documented_exceptions_are_exercised() {
    let got = exercised(&one_case(
        "socket.timeout",
        "      - call: socket\n        save: s\n      - call: $s.recv\n        args: [1]\n        raises: socket.timeout\n",
    ));
    assert!(got.contains(&"socket.timeout".to_owned()), "{got:?}");
}

const TWO_FILES: &str = "format: 2
doc: [socket.htons]
cases:
  - id: htons.ok
    summary: s
    steps:
      - call: htons
        args: [1]
  - id: htons.too-big
    summary: s
    platforms: [linux]
    steps:
      - call: htons
        args: [65536]
        expect:
          - python: \"<3.10\"
            returns: 0
          - python: \">=3.10\"
            raises: OverflowError
  - id: ntohs.linux
    summary: s
    doc: socket.ntohs
    platforms: [linux, macos]
    steps:
      - call: ntohs
        args: [1]
        raises: OverflowError
";

/// Waivers for every item [`TWO_FILES`] leaves uncovered.
fn waive_rest(cases: &[Case]) -> Waivers {
    let cov = coverage::compute(&spec(), cases, &Waivers::default());
    Waivers {
        waivers: cov
            .items
            .iter()
            .filter(|i| i.hits.cases.is_empty())
            .map(|i| (i.name.clone(), "no case yet".to_owned()))
            .collect(),
        events: cov
            .events
            .iter()
            .filter(|e| e.hits.cases.is_empty())
            .map(|e| (e.key(), "no case yet".to_owned()))
            .collect(),
        notes: cov
            .notes
            .iter()
            .filter(|n| n.cases.is_empty())
            .map(|n| (n.key(), "no case yet".to_owned()))
            .collect(),
    }
}

/// Whether `cov` passes under `--strict` apart from callables without an error-path
/// case (the fixtures of the event and note tests have none: not what they test).
fn ok_but_error_paths(cov: &Coverage) -> bool {
    cov.findings
        .iter()
        .all(|f| f.kind == FindingKind::NoErrorPath || !f.kind.is_error(true))
}

fn item<'a>(cov: &'a Coverage, name: &str) -> &'a coverage::ItemCoverage {
    cov.items.iter().find(|i| i.name == name).expect("listed")
}

#[test]
fn counts_cases_error_paths_and_platforms() {
    let cases = load(TWO_FILES);
    let cov = coverage::compute(&spec(), &cases, &waive_rest(&cases));
    let htons = &item(&cov, "socket.htons").hits;
    assert_eq!(htons.cases, ["htons.ok", "htons.too-big"]);
    assert_eq!(htons.error_path_cases, 1);
    assert_eq!(htons.platforms, Platforms::All);
    let ntohs = &item(&cov, "socket.ntohs").hits;
    assert_eq!(ntohs.error_path_cases, 1);
    assert_eq!(
        ntohs.platforms,
        Platforms::Only(BTreeSet::from(["linux".to_owned(), "macos".to_owned()]))
    );
    let t = cov.totals();
    assert_eq!(
        (t.covered, t.items, t.cases, t.error_path_items),
        (2, 15, 3, 2)
    );
    assert_eq!(t.waived, 13);
    assert!(cov.ok(true), "{}", cov.text(true));
    assert!(
        cov.text(false)
            .contains("2/15 items covered (13 waived, 0 uncovered), 3 cases")
    );
}

#[test]
fn an_uncovered_item_fails_and_a_waiver_makes_it_pass() {
    let cases = load(TWO_FILES);
    let mut waivers = waive_rest(&cases);
    waivers.waivers.remove("socket.socket.recv");
    let cov = coverage::compute(&spec(), &cases, &waivers);
    assert!(!cov.ok(false));
    let f: Vec<_> = cov
        .findings
        .iter()
        .map(|f| (f.kind, f.item.as_str()))
        .collect();
    assert_eq!(f, [(FindingKind::Uncovered, "socket.socket.recv")]);
    assert!(cov.text(false).contains("UNCOVERED"));
    assert_eq!(cov.totals().uncovered, 1);

    waivers
        .waivers
        .insert("socket.socket.recv".into(), "no case yet".into());
    let cov = coverage::compute(&spec(), &cases, &waivers);
    assert!(cov.ok(false));
    assert!(cov.text(false).contains("waived: no case yet"));
}

#[test]
fn a_stale_or_unknown_waiver_fails() {
    let cases = load(TWO_FILES);
    let mut waivers = waive_rest(&cases);
    waivers
        .waivers
        .insert("socket.htons".into(), "no case yet".into());
    waivers
        .waivers
        .insert("socket.nonesuch".into(), "gone".into());
    let cov = coverage::compute(&spec(), &cases, &waivers);
    assert!(!cov.ok(false));
    let f: Vec<_> = cov
        .findings
        .iter()
        .map(|f| (f.kind, f.item.as_str()))
        .collect();
    assert_eq!(
        f,
        [
            (FindingKind::StaleWaiver, "socket.htons"),
            (FindingKind::UnknownWaiver, "socket.nonesuch"),
        ]
    );
}

#[test]
fn a_doc_no_step_exercises_is_a_warning_or_under_strict_an_error() {
    // The file's default `doc:` sends the ntohs case to htons.
    let text = "format: 2
doc: [socket.htons, socket.ntohs]
cases:
  - id: htons.ok
    summary: s
    steps: [{call: htons, args: [1]}, {call: htons, args: [-1], raises: OverflowError}]
  - id: ntohs.ok
    summary: s
    steps: [{call: ntohs, args: [1]}, {call: ntohs, args: [-1], raises: OverflowError}]
";
    let cases = load(text);
    let cov = coverage::compute(&spec(), &cases, &waive_rest(&cases));
    let f: Vec<_> = cov
        .findings
        .iter()
        .map(|f| (f.kind, f.item.as_str(), f.case.as_deref()))
        .collect();
    assert_eq!(
        f,
        [(
            FindingKind::DocNotExercised,
            "socket.htons",
            Some("ntohs.ok")
        )]
    );
    assert!(cov.ok(false));
    assert!(!cov.ok(true));
    assert!(cov.text(false).contains("warning: case `ntohs.ok`"));
    assert!(cov.text(true).contains("error: case `ntohs.ok`"));
}

#[test]
fn json_has_a_stable_schema() {
    let cases = load(TWO_FILES);
    let cov = coverage::compute(&spec(), &cases, &waive_rest(&cases));
    let j = cov.json(false);
    assert_eq!(j["format_version"], coverage::FORMAT_VERSION);
    assert_eq!(j["ok"], true);
    assert_eq!(j["totals"]["covered"], 2);
    let htons = &j["items"][7];
    assert_eq!(htons["name"], "socket.htons");
    assert_eq!(htons["cases"], 2);
    assert_eq!(htons["error_path_cases"], 1);
    assert_eq!(htons["platforms"], "all");
    assert_eq!(htons["waiver"], serde_json::Value::Null);
    assert_eq!(
        j["items"][8]["platforms"],
        serde_json::json!(["linux", "macos"])
    );
    assert_eq!(j["items"][0]["waiver"], "no case yet");
    assert_eq!(j["events"][0]["event"], "socket.bind");
    assert_eq!(j["events"][0]["item"], "socket.socket.bind");
    assert_eq!(
        j["events"][0]["args"],
        serde_json::json!(["self", "address"])
    );
    assert_eq!(j["events"][0]["cases"], 0);
    assert_eq!(j["events"][0]["waiver"], "no case yet");
    assert_eq!(j["notes"][0]["item"], "socket.htons");
    assert_eq!(j["notes"][0]["version"], "3.7");
    assert_eq!(j["notes"][0]["directive"], "versionadded");
    assert_eq!(
        j["notes"][1]["case_ids"],
        serde_json::json!(["htons.too-big"])
    );
    assert_eq!(j["totals"]["notes_gated"], 1);
    assert_eq!(j["totals"]["events_waived"], 1);
}

#[test]
fn waivers_files_are_checked() {
    let w = Waivers::from_yaml("waivers:\n  socket.htons: \"no case yet\"\n").unwrap();
    assert_eq!(
        w.waivers,
        BTreeMap::from([("socket.htons".to_owned(), "no case yet".to_owned())])
    );
    assert!(Waivers::from_yaml("waivers:\n  socket.htons: \"\"\n").is_err());
    assert!(Waivers::from_yaml("waiver: {}\n").is_err());
    let w = Waivers::from_yaml(
        "events:\n  socket.bind@socket.socket.bind: \"later\"\nnotes:\n  socket.htons@3.7: \"docs only\"\n",
    )
    .unwrap();
    assert_eq!(w.events["socket.bind@socket.socket.bind"], "later");
    assert_eq!(w.notes["socket.htons@3.7"], "docs only");
    assert!(Waivers::from_yaml("notes:\n  socket.htons@3.7: \" \"\n").is_err());
    assert!(Waivers::from_yaml("events:\n  socket.bind@socket.socket.bind: \"\"\n").is_err());
    Waivers::load(None).expect("the committed waivers load");
}

/// Three cases around the `socket.bind` audit event of `socket.socket.bind`: one checks it, one
/// calls bind without `audit:`, one lists the event on a step that calls something else.
const AUDIT: &str = "format: 2
doc: [socket.socket.bind]
cases:
  - id: bind.audited
    summary: s
    python: \">=3.8\"
    steps:
      - call: socket
        save: s
      - call: $s.bind
        args: [!tuple [\"127.0.0.1\", 0]]
        audit: [{event: socket.bind, args: !tuple [!ref s, !tuple [\"127.0.0.1\", 0]]}]
  - id: bind.unaudited
    summary: s
    platforms: [linux]
    steps:
      - call: socket
        save: s
      - call: $s.bind
        args: [!tuple [\"127.0.0.1\", 0]]
  - id: bind.event-on-another-call
    summary: s
    python: \">=3.8\"
    steps:
      - call: socket
        save: s
        audit: [{event: socket.bind}]
      - call: $s.bind
        args: [!tuple [\"127.0.0.1\", 0]]
";

fn event<'a>(cov: &'a Coverage, key: &str) -> &'a coverage::EventCoverage {
    cov.events.iter().find(|e| e.key() == key).expect("listed")
}

#[test]
fn audit_events_count_the_cases_whose_call_of_the_item_expects_them() {
    let cases = load(AUDIT);
    assert_eq!(
        coverage::audited(&spec(), &cases[0]),
        BTreeSet::from([("socket.bind".to_owned(), "socket.socket.bind".to_owned())])
    );
    assert!(coverage::audited(&spec(), &cases[1]).is_empty());
    // The event is listed on the `socket()` call, which is `socket.socket`, not bind.
    assert_eq!(
        coverage::audited(&spec(), &cases[2]),
        BTreeSet::from([("socket.bind".to_owned(), "socket.socket".to_owned())])
    );

    let cov = coverage::compute(&spec(), &cases, &waive_rest(&cases));
    assert_eq!(cov.events.len(), 1);
    let bind = event(&cov, "socket.bind@socket.socket.bind");
    assert_eq!(bind.args, ["self", "address"]);
    assert_eq!(bind.hits.cases, ["bind.audited"]);
    assert_eq!(bind.hits.error_path_cases, 0);
    assert_eq!(bind.hits.platforms, Platforms::All);
    assert_eq!(bind.waiver, None);
    let t = cov.totals();
    assert_eq!((t.events, t.events_covered, t.events_uncovered), (1, 1, 0));
    assert!(ok_but_error_paths(&cov), "{}", cov.text(true));
    assert!(
        cov.text(false)
            .contains("socket.bind@socket.socket.bind      1       0  all")
    );
    assert!(
        cov.text(false)
            .contains("1/1 audit events checked (0 waived, 0 uncovered)")
    );
}

#[test]
fn an_unchecked_audit_event_fails_unless_waived_and_a_stale_event_waiver_fails() {
    let cases = load(AUDIT);
    let unaudited: Vec<Case> = cases[1..].to_vec();
    let mut waivers = waive_rest(&cases);
    let cov = coverage::compute(&spec(), &unaudited, &waivers);
    let f: Vec<_> = cov
        .findings
        .iter()
        .filter(|f| f.kind != FindingKind::NoErrorPath)
        .map(|f| (f.kind, f.item.as_str()))
        .collect();
    assert_eq!(
        f,
        [(FindingKind::Uncovered, "socket.bind@socket.socket.bind")]
    );
    assert!(!cov.ok(false));
    assert_eq!(cov.totals().events_uncovered, 1);
    assert!(
        cov.text(false)
            .contains("error: no case checks audit event `socket.bind` of `socket.socket.bind`")
    );

    waivers.events.insert(
        "socket.bind@socket.socket.bind".into(),
        "audit cases come next".into(),
    );
    let cov = coverage::compute(&spec(), &unaudited, &waivers);
    assert!(ok_but_error_paths(&cov), "{}", cov.text(true));
    assert_eq!(
        event(&cov, "socket.bind@socket.socket.bind")
            .waiver
            .as_deref(),
        Some("audit cases come next")
    );
    assert!(cov.text(false).contains("waived: audit cases come next"));

    // With the checking case back, the waiver is stale; a waiver for an event the docs do not
    // attach to the item is unknown.
    waivers
        .events
        .insert("socket.bind@socket.socket.listen".into(), "x".into());
    let cov = coverage::compute(&spec(), &cases, &waivers);
    let f: Vec<_> = cov
        .findings
        .iter()
        .filter(|f| f.kind != FindingKind::NoErrorPath)
        .map(|f| (f.kind, f.item.as_str()))
        .collect();
    assert_eq!(
        f,
        [
            (FindingKind::StaleWaiver, "socket.bind@socket.socket.bind"),
            (
                FindingKind::UnknownWaiver,
                "socket.bind@socket.socket.listen"
            ),
        ]
    );
    assert!(!cov.ok(false));
}

/// Cases around the notes of `socket.htons` (versionadded 3.7; versionchanged 3.6, 3.6.5,
/// 3.10): the fixture lists only 3.7 and 3.10.
const NOTES: &str = "format: 2
doc: [socket.htons]
cases:
  - id: htons.gates-3-7
    summary: s
    python: \">=3.7\"
    steps: [{call: htons, args: [1]}]
  - id: htons.gates-3-10-in-a-step
    summary: s
    steps:
      - call: htons
        args: [65536]
        expect:
          - python: \"<3.10\"
            returns: 0
          - raises: OverflowError
  - id: htons.bound-elsewhere
    summary: s
    python: \">=3.8,<3.10.1\"
    steps: [{call: htons, args: [1]}]
  - id: ntohs.bound-at-3-10
    summary: s
    doc: socket.ntohs
    python: \">=3.10\"
    steps: [{call: ntohs, args: [1]}]
";

fn note<'a>(cov: &'a Coverage, key: &str) -> &'a coverage::NoteCoverage {
    cov.notes.iter().find(|n| n.key() == key).expect("listed")
}

#[test]
fn notes_newer_than_the_oldest_python_are_listed_with_the_cases_gating_on_them() {
    let cases = load(NOTES);
    let mut waivers = waive_rest(&cases);
    waivers.notes.clear();
    let cov = coverage::compute(&spec(), &cases, &waivers);
    let keys: Vec<String> = cov.notes.iter().map(|n| n.key()).collect();
    assert_eq!(keys, ["socket.htons@3.7", "socket.htons@3.10"]);
    let n37 = note(&cov, "socket.htons@3.7");
    assert_eq!(n37.directive, "versionadded");
    assert_eq!(n37.cases, ["htons.gates-3-7"]);
    // `<3.10.1` is not a bound at 3.10; the ntohs case is bound at 3.10 but exercises ntohs.
    let n310 = note(&cov, "socket.htons@3.10");
    assert_eq!(n310.directive, "versionchanged");
    assert_eq!(n310.cases, ["htons.gates-3-10-in-a-step"]);
    let t = cov.totals();
    assert_eq!((t.notes, t.notes_gated, t.notes_ungated), (2, 2, 0));
    assert!(ok_but_error_paths(&cov), "{}", cov.text(true));
    assert!(
        cov.text(false)
            .contains("2/2 version notes gated (0 waived, 0 not gated)")
    );
}

#[test]
fn an_ungated_note_warns_and_under_strict_fails_unless_waived() {
    let cases = load(NOTES);
    let ungated: Vec<Case> = cases
        .iter()
        .filter(|c| c.id != "htons.gates-3-10-in-a-step")
        .cloned()
        .collect();
    let mut waivers = waive_rest(&cases);
    waivers.notes.clear();
    let cov = coverage::compute(&spec(), &ungated, &waivers);
    let f: Vec<_> = cov
        .findings
        .iter()
        .filter(|f| f.kind != FindingKind::NoErrorPath)
        .map(|f| (f.kind, f.item.as_str()))
        .collect();
    assert_eq!(f, [(FindingKind::UngatedNote, "socket.htons@3.10")]);
    assert!(cov.ok(false));
    assert!(!ok_but_error_paths(&cov));
    assert!(
        cov.text(false)
            .contains("warning: no case gates on the versionchanged 3.10 note of `socket.htons`")
    );
    assert!(
        cov.text(true)
            .contains("error: no case gates on the versionchanged 3.10 note of `socket.htons`")
    );
    assert!(cov.text(false).contains("NOT GATED"));
    assert_eq!(cov.json(true)["findings"][0]["kind"], "ungated_note");
    assert_eq!(cov.json(true)["findings"][0]["severity"], "error");

    waivers
        .notes
        .insert("socket.htons@3.10".into(), "wording only".into());
    let cov = coverage::compute(&spec(), &ungated, &waivers);
    assert!(ok_but_error_paths(&cov), "{}", cov.text(true));
    assert!(cov.text(false).contains("waived: wording only"));
    assert_eq!(cov.totals().notes_waived, 1);

    // A waiver for a gated note is stale, one for a note the spec does not have is unknown:
    // both fail even without `--strict`.
    waivers
        .notes
        .insert("socket.htons@3.7".into(), "wording only".into());
    waivers
        .notes
        .insert("socket.htons@3.6".into(), "not observable".into());
    let cov = coverage::compute(&spec(), &ungated, &waivers);
    let f: Vec<_> = cov
        .findings
        .iter()
        .filter(|f| f.kind != FindingKind::NoErrorPath)
        .map(|f| (f.kind, f.item.as_str()))
        .collect();
    assert_eq!(
        f,
        [
            (FindingKind::StaleWaiver, "socket.htons@3.7"),
            (FindingKind::UnknownWaiver, "socket.htons@3.6"),
        ]
    );
    assert!(!cov.ok(false));
}

#[test]
fn the_committed_spec_lists_every_documented_audit_event() {
    let spec = Spec::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/socket.yaml"))
        .expect("the committed spec loads");
    let pairs: Vec<String> = spec
        .items
        .iter()
        .flat_map(|i| {
            i.audit
                .iter()
                .map(move |a| format!("{}@{}", a.event, i.name))
        })
        .collect();
    assert_eq!(pairs.len(), 15, "{pairs:?}");
    for pair in [
        "socket.__new__@socket.socket",
        "socket.gethostbyname@socket.gethostbyname",
        "socket.gethostbyname@socket.gethostbyname_ex",
        "socket.connect@socket.socket.connect",
        "socket.connect@socket.socket.connect_ex",
        "socket.sendmsg@socket.socket.sendmsg",
    ] {
        assert!(
            pairs.iter().any(|p| p == pair),
            "{pair} missing from {pairs:?}"
        );
    }
    let gethostname = spec.get("socket.gethostname").unwrap();
    assert_eq!(gethostname.audit[0].args, Vec::<String>::new());
}

#[test]
fn a_callable_without_an_error_path_case_is_a_warning_or_under_strict_an_error() {
    let text = "format: 2
doc: [socket.htons]
cases:
  - id: htons.ok
    summary: s
    steps: [{call: htons, args: [1], returns: 256}]
";
    let cases = load(text);
    let cov = coverage::compute(&spec(), &cases, &waive_rest(&cases));
    let f: Vec<_> = cov
        .findings
        .iter()
        .map(|f| (f.kind, f.item.as_str()))
        .collect();
    assert_eq!(f, [(FindingKind::NoErrorPath, "socket.htons")]);
    assert!(cov.ok(false));
    assert!(!cov.ok(true));
    assert!(cov.text(true).contains("none tests an error path"));

    // One refused argument is enough.
    let text = text.replace(
        "returns: 256}]",
        "returns: 256}, {call: htons, args: [-1], raises: OverflowError}]",
    );
    let cases = load(&text);
    let cov = coverage::compute(&spec(), &cases, &waive_rest(&cases));
    assert!(cov.findings.is_empty(), "{:?}", cov.findings);
}
