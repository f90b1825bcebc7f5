//! Tests of the spec extractor on a small made-up excerpt of the socket docs.

use std::path::{Path, PathBuf};

use rstest::{fixture, rstest};
use sockconf::spec::{Audit, Duplicate, Item, Kind, Spec, SpecError, extract, extract_with_report};

fn fixture_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/spec/mini_socket.rst")
}

#[fixture]
fn spec() -> Spec {
    let rst = std::fs::read_to_string(fixture_path()).expect("fixture is readable");
    extract(&rst).expect("fixture extracts")
}

fn snapshot_settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("fixtures/spec/snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings
}

#[rstest]
fn whole_inventory(spec: Spec) {
    snapshot_settings().bind(|| insta::assert_snapshot!("mini_socket", spec.to_yaml()));
}

#[rstest]
fn names_in_document_order(spec: Spec) {
    let names: Vec<&str> = spec.items.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "socket.error",
            "socket.AF_UNIX",
            "socket.AF_INET",
            "socket.SOCK_CLOEXEC",
            "socket.SOCK_NONBLOCK",
            "socket.SO_*",
            "socket.SO_L2CAP_*",
            "socket.VMADDR*",
            "socket.AF_LINK",
            "socket.socket",
            "socket.socket.detach",
            "socket.socket.timeout",
            "socket.socketpair",
            "socket.create_server",
            "socket.socket.sendto",
            "socket.socket.family",
            "socket.socket.bind",
            "socket.socket.connect",
            "socket.gethostname",
            "socket.gethostbyname_ex",
        ]
    );
    assert_eq!(spec.module, "socket");
}

const CONSTANTS: &str = "Module contents / Constants";
const CREATING: &str = "Module contents / Functions / Creating socket objects";

/// `(availability, versionadded)` as the item's notes give them.
type Notes = (Option<&'static str>, Option<&'static str>);

#[rstest]
#[case::exception("socket.error", Kind::Exception, None, "Module contents / Exceptions", (None, None), &["3.3"])]
#[case::module_level_note_is_not_body("socket.AF_UNIX", Kind::Data, None, CONSTANTS, (None, None), &[])]
#[case::multi_name_shares_notes("socket.SOCK_NONBLOCK", Kind::Data, None, CONSTANTS, (Some("Linux >= 2.6.27, FreeBSD >= 10."), Some("3.2")), &[])]
#[case::duplicate_merged("socket.SOCK_CLOEXEC", Kind::Data, None, CONSTANTS, (Some("Linux >= 2.6.27, FreeBSD >= 10."), Some("3.2")), &["3.9"])]
#[case::group("socket.SO_*", Kind::Group, None, CONSTANTS, (None, None), &["3.6", "3.14"])]
#[case::group_without_underscore("socket.VMADDR*", Kind::Group, None, CONSTANTS, (None, None), &["3.6", "3.14"])]
#[case::two_space_body("socket.AF_LINK", Kind::Data, None, CONSTANTS, (Some("BSD, macOS."), Some("3.4")), &[])]
#[case::class("socket.socket", Kind::Class, Some("(family=AF_INET, type=SOCK_STREAM, proto=0, fileno=None)"), CREATING, (None, None), &["3.7"])]
#[case::nested_method("socket.socket.detach", Kind::Method, Some("()"), CREATING, (None, Some("3.2")), &[])]
#[case::nested_attribute("socket.socket.timeout", Kind::Attribute, None, CREATING, (None, None), &[])]
#[case::note_in_note_literal_skipped("socket.socketpair", Kind::Function, Some("([family[, type[, proto]]])"), CREATING, (None, None), &["3.5"])]
#[case::continued_signature("socket.create_server", Kind::Function, Some("(address, *, family=AF_INET, backlog=None)"), CREATING, (None, None), &[])]
#[case::qualified_method_overloads("socket.socket.sendto", Kind::Method, Some("(bytes, address)\n(bytes, flags, address)"), "Socket Objects", (Some("not WASI."), None), &[])]
#[case::qualified_attribute("socket.socket.family", Kind::Attribute, None, "Socket Objects", (None, None), &[])]
fn item_facts(
    spec: Spec,
    #[case] name: &str,
    #[case] kind: Kind,
    #[case] signature: Option<&str>,
    #[case] section: &str,
    #[case] notes: Notes,
    #[case] changed: &[&str],
) {
    let (availability, added) = notes;
    let item = spec
        .get(name)
        .unwrap_or_else(|| panic!("{name} is extracted"));
    assert_eq!(item.kind, kind);
    assert_eq!(item.signature.as_deref(), signature);
    assert_eq!(item.section, section);
    assert_eq!(item.availability.as_deref(), availability);
    assert_eq!(item.added.as_deref(), added);
    assert_eq!(item.changed, changed);
}

#[rstest]
fn deprecation(spec: Spec) {
    let item = spec.get("socket.create_server").unwrap();
    assert_eq!(item.deprecated.as_deref(), Some("3.13"));
    assert_eq!(spec.get("socket.socketpair").unwrap().deprecated, None);
}

#[rstest]
fn literal_blocks_and_non_object_directives_are_not_items(spec: Spec) {
    assert!(!spec.contains("socket.NOT_AN_ITEM"));
    assert!(!spec.contains("socket.socket.sendto.availability"));
    assert_eq!(spec.items.len(), 20);
}

#[rstest]
fn duplicates_are_reported() {
    let rst = std::fs::read_to_string(fixture_path()).unwrap();
    let extraction = extract_with_report(&rst).unwrap();
    assert_eq!(
        extraction.duplicates,
        [Duplicate {
            name: "socket.SOCK_CLOEXEC".into(),
            first_line: 29,
            line: 95,
        }]
    );
    assert_eq!(
        extraction.duplicates[0].to_string(),
        "line 95: `socket.SOCK_CLOEXEC` is already documented at line 29; merged into it"
    );
}

fn audit(event: &str, args: &[&str]) -> Audit {
    Audit {
        event: event.to_owned(),
        args: args.iter().map(|a| a.to_string()).collect(),
    }
}

#[rstest]
#[case::named_target("socket.socket.bind", vec![audit("socket.bind", &["self", "address"])])]
#[case::no_target_means_the_enclosing_object("socket.socket.connect", vec![audit("socket.connect", &["self", "address"])])]
#[case::empty_quotes_mean_no_arguments("socket.gethostname", vec![audit("socket.gethostname", &[])])]
#[case::same_event_listed_once("socket.gethostbyname_ex", vec![audit("socket.gethostbyname", &["hostname"])])]
#[case::target_elsewhere_in_the_document("socket.socket", vec![audit("socket.__new__", &["self", "family", "type", "protocol"])])]
#[case::none("socket.socketpair", vec![])]
fn audit_events(spec: Spec, #[case] name: &str, #[case] events: Vec<Audit>) {
    assert_eq!(spec.get(name).expect("extracted").audit, events);
}

#[rstest]
#[case::documented("socket.AF_INET", None)]
#[case::covered("socket.SO_REUSEADDR", Some("socket.SO_*"))]
#[case::longest_pattern_wins("socket.SO_L2CAP_MTU", Some("socket.SO_L2CAP_*"))]
#[case::no_underscore("socket.VMADDR_CID_ANY", Some("socket.VMADDR*"))]
#[case::prefix_is_not_enough("socket.SOL_SOCKET", None)]
#[case::no_dots_in_wildcard("socket.SO_X.y", None)]
#[case::other_module("select.SO_REUSEADDR", None)]
fn group_for(spec: Spec, #[case] name: &str, #[case] group: Option<&str>) {
    assert_eq!(spec.group_for(name).map(|i| i.name.as_str()), group);
}

#[rstest]
#[case::itself("socket.AF_INET", Some("socket.AF_INET"))]
#[case::group("socket.SO_REUSEADDR", Some("socket.SO_*"))]
#[case::family_first_data_item("socket.AF_X25", Some("socket.AF_UNIX"))]
#[case::family_of_mixed_case_name("socket.AF_DECnet", Some("socket.AF_UNIX"))]
#[case::family_without_data_item("socket.NETLINK_ROUTE", None)]
#[case::not_a_constant("socket.AddressFamily", None)]
#[case::method_name("socket.sock_x", None)]
#[case::other_module("select.AF_X25", None)]
fn documenting(spec: Spec, #[case] name: &str, #[case] item: Option<&str>) {
    assert_eq!(spec.documenting(name).map(|i| i.name.as_str()), item);
}

#[rstest]
fn counts(spec: Spec) {
    assert_eq!(
        spec.counts(),
        [
            (Kind::Function, 4),
            (Kind::Class, 1),
            (Kind::Method, 4),
            (Kind::Attribute, 2),
            (Kind::Exception, 1),
            (Kind::Data, 5),
            (Kind::Group, 3),
        ]
    );
}

#[rstest]
fn yaml_round_trip(spec: Spec) {
    let yaml = spec.to_yaml();
    assert!(yaml.starts_with("# Generated by `sockconf spec extract`"));
    let back = Spec::from_yaml(&yaml).expect("own output reads back");
    assert_eq!(back, spec);
    assert_eq!(back.to_yaml(), yaml);
}

#[rstest]
fn load_and_save(spec: Spec) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("socket.yaml");
    spec.save(&path).unwrap();
    assert_eq!(Spec::load(&path).unwrap(), spec);
    let missing = dir.path().join("missing.yaml");
    assert!(matches!(Spec::load(&missing), Err(SpecError::Io { .. })));
}

#[test]
fn versions_stay_strings() {
    let spec = Spec {
        module: "socket".into(),
        items: vec![Item {
            name: "socket.x".into(),
            kind: Kind::Data,
            signature: None,
            section: "S".into(),
            availability: None,
            added: Some("3.10".into()),
            changed: vec!["3.6.5".into(), "3.10".into()],
            deprecated: None,
            audit: vec![],
        }],
    };
    let yaml = spec.to_yaml();
    assert!(yaml.contains("added: '3.10'"), "{yaml}");
    assert_eq!(Spec::from_yaml(&yaml).unwrap(), spec);
}

fn extract_err(body: &str) -> SpecError {
    let rst = format!("Title\n=====\n\n.. module:: socket\n\n{body}");
    extract(&rst).expect_err("extraction fails")
}

#[rstest]
#[case::unterminated(
    ".. function:: f(a, \\\n",
    "line 6: the signature continues (trailing `\\`) but no line follows"
)]
#[case::unterminated_before_blank(
    ".. function:: f(a, \\\n\n   Body.\n",
    "line 6: the signature continues (trailing `\\`) but no line follows"
)]
#[case::no_name(".. data::\n\n   Text.\n", "line 6: `.. data::` names no object")]
#[case::unbalanced(
    ".. function:: f(a[, b)\n",
    "line 6: cannot read the signature `f(a[, b)`: unbalanced brackets"
)]
#[case::body_without_blank_line(
    ".. function:: f()\n   Says what f does.\n",
    "line 7: cannot read the signature `Says what f does.`: unexpected `what f does.` after the name"
)]
#[case::trailing_text(
    ".. function:: f() returns\n",
    "line 6: cannot read the signature `f() returns`: unexpected `returns` after the arguments"
)]
#[case::no_version(
    ".. data:: X\n\n   .. versionadded::\n",
    "line 8: `.. versionadded::` has no version"
)]
#[case::empty_availability(
    ".. data:: X\n\n   .. availability::\n",
    "line 8: `.. availability::` names no platform"
)]
#[case::audit_event_unknown_target(
    ".. function:: f()\n\n   .. audit-event:: socket.f a socket.g\n",
    "line 8: `.. audit-event:: socket.f` targets `socket.g`, which is not a documented object"
)]
#[case::audit_event_without_target_outside_a_body(
    ".. audit-event:: socket.f a\n",
    "line 6: `.. audit-event:: socket.f` names no target and is in no object's body"
)]
#[case::audit_event_without_name(
    ".. function:: f()\n\n   .. audit-event::\n",
    "line 8: `.. audit-event::` names no object"
)]
#[case::skipped_level(
    "Sub\n---\n\nSubsub\n~~~~~~\n\nAgain\n-----\n\nDeep\n^^^^\n",
    "line 15: heading `Deep` skips a level"
)]
fn extraction_errors(#[case] body: &str, #[case] message: &str) {
    assert_eq!(extract_err(body).to_string(), message);
}

#[test]
fn object_before_module_is_an_error() {
    let err = extract("Title\n=====\n\n.. data:: X\n").unwrap_err();
    assert_eq!(
        err.to_string(),
        "line 4: `.. data::` comes before any `.. module::` directive"
    );
    let err = extract("Just text.\n").unwrap_err();
    assert!(matches!(err, SpecError::NoModuleDirective));
}

#[rstest]
#[case::unknown_key(
    "module: socket\nitems:\n- name: socket.x\n  kind: data\n  section: S\n  since: '3.3'\n",
    "line 6"
)]
#[case::bad_kind(
    "module: socket\nitems:\n- name: socket.x\n  kind: constant\n  section: S\n",
    "line 4"
)]
#[case::duplicate(
    "module: socket\nitems:\n- {name: socket.x, kind: data, section: S}\n- {name: socket.x, kind: data, section: S}\n",
    "item 1: `socket.x` is listed twice"
)]
#[case::outside_module(
    "module: socket\nitems:\n- {name: select.x, kind: data, section: S}\n",
    "item 0 (`select.x`): the name is not inside `socket`"
)]
#[case::group_without_star(
    "module: socket\nitems:\n- {name: socket.x, kind: group, section: S}\n",
    "item 0 (`socket.x`): a name has a `*` exactly when its kind is `group`"
)]
#[case::star_without_group(
    "module: socket\nitems:\n- {name: socket.X_*, kind: data, section: S}\n",
    "item 0 (`socket.X_*`): a name has a `*` exactly when its kind is `group`"
)]
fn yaml_errors(#[case] yaml: &str, #[case] message_start: &str) {
    let err = Spec::from_yaml(yaml).expect_err("invalid inventory");
    let message = err.to_string();
    assert!(message.starts_with(message_start), "{message}");
}

/// Lines that reStructuredText docs are made of, to shuffle into documents.
const PIECES: &[&str] = &[
    "",
    "Title",
    "=====",
    "-----",
    "^^^",
    ".. module:: socket",
    ".. data:: A_*",
    "          B",
    ".. function:: f(a[, b]) \\",
    "   g(x)",
    "   .. versionchanged:: 3.1",
    "  .. versionadded:: 3.2",
    "   .. availability:: Linux.",
    ".. class:: C(x)",
    "   .. method:: m()",
    "      .. deprecated:: 3.9",
    "   .. audit-event:: socket.e \"\"",
    ".. audit-event:: socket.e a,b socket.C",
    "Example::",
    "   :noindex:",
    "\t.. attribute:: t",
    ".. method:: C.n(",
    "é ü \\",
];

proptest::proptest! {
    #[test]
    fn any_document_extracts_or_fails_cleanly(
        picks in proptest::collection::vec(0..PIECES.len(), 0..40)
    ) {
        let rst: String = picks.iter().map(|&i| format!("{}\n", PIECES[i])).collect();
        if let Ok(spec) = extract(&rst) {
            let yaml = spec.to_yaml();
            proptest::prop_assert_eq!(Spec::from_yaml(&yaml).expect("own output reads back"), spec);
        }
    }
}
