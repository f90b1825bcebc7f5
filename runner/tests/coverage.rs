//! `sockconf coverage`: which documented items the steps of the cases really exercise, the
//! error paths among them, waivers, and the findings that fail the command.

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
- {name: socket.SOCK_STREAM, kind: data, section: Constants}
- {name: socket.SO_*, kind: group, section: Constants}
- {name: socket.socket, kind: class, section: Creating sockets}
- {name: socket.socketpair, kind: function, section: Creating sockets}
- {name: socket.htons, kind: function, section: Other functions}
- {name: socket.ntohs, kind: function, section: Other functions}
- {name: socket.socket.accept, kind: method, section: Socket Objects}
- {name: socket.socket.bind, kind: method, section: Socket Objects}
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
        extra_attributes: HashSet::from(["SO_REUSEADDR".to_owned(), "AddressFamily".to_owned()]),
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
      - get: AddressFamily.AF_INET
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
            "socket.SOCK_STREAM",
            "socket.SO_*",
            "socket.socket",
            "socket.socket.family",
        ]
    );
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
            .filter(|i| i.cases.is_empty())
            .map(|i| (i.name.clone(), "no case yet".to_owned()))
            .collect(),
    }
}

fn item<'a>(cov: &'a Coverage, name: &str) -> &'a coverage::ItemCoverage {
    cov.items.iter().find(|i| i.name == name).expect("listed")
}

#[test]
fn counts_cases_error_paths_and_platforms() {
    let cases = load(TWO_FILES);
    let cov = coverage::compute(&spec(), &cases, &waive_rest(&cases));
    let htons = item(&cov, "socket.htons");
    assert_eq!(htons.cases, ["htons.ok", "htons.too-big"]);
    assert_eq!(htons.error_path_cases, 1);
    assert_eq!(htons.platforms, Platforms::All);
    let ntohs = item(&cov, "socket.ntohs");
    assert_eq!(ntohs.error_path_cases, 1);
    assert_eq!(
        ntohs.platforms,
        Platforms::Only(BTreeSet::from(["linux".to_owned(), "macos".to_owned()]))
    );
    let t = cov.totals();
    assert_eq!(
        (t.covered, t.items, t.cases, t.error_path_items),
        (2, 14, 3, 2)
    );
    assert_eq!(t.waived, 12);
    assert!(cov.ok(true), "{}", cov.text(true));
    assert!(
        cov.text(false)
            .contains("2/14 items covered (12 waived, 0 uncovered), 3 cases")
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
    steps: [{call: htons, args: [1]}]
  - id: ntohs.ok
    summary: s
    steps: [{call: ntohs, args: [1]}]
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
    let htons = &j["items"][6];
    assert_eq!(htons["name"], "socket.htons");
    assert_eq!(htons["cases"], 2);
    assert_eq!(htons["error_path_cases"], 1);
    assert_eq!(htons["platforms"], "all");
    assert_eq!(htons["waiver"], serde_json::Value::Null);
    assert_eq!(
        j["items"][7]["platforms"],
        serde_json::json!(["linux", "macos"])
    );
    assert_eq!(j["items"][0]["waiver"], "no case yet");
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
    Waivers::load(None).expect("the committed waivers load");
}
