//! The loader rejects every break of the case format with the file, line, column and key at
//! fault, and reads every valid spelling as the format says.

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;

use rstest::rstest;
use sockconf::case::load::{Vocabulary, load_str};
use sockconf::case::{Action, Expected, Outcome};
use sockconf::spec::Spec;
use sockconf::value::Value;

fn vocab() -> Arc<Vocabulary> {
    let spec = Spec::from_yaml(
        "module: socket
items:
- {name: socket.htons, kind: function, section: Functions}
- {name: socket.socket, kind: class, section: Functions}
- {name: socket.AF_INET, kind: data, section: Constants}
- {name: socket.SO_*, kind: group, section: Constants}
",
    )
    .expect("fixture spec");
    Arc::new(Vocabulary {
        spec,
        extra_attributes: HashSet::from(["AddressFamily".to_owned()]),
    })
}

fn file(cases: &str) -> String {
    format!("format: 2\ndoc: [socket.htons]\ncases:\n{cases}")
}

const GOOD_CASE: &str = "  - id: a.b
    summary: s
    steps:
      - call: htons
        args: [1]
        returns: 256
";

fn error_of(text: &str) -> String {
    load_str(text, Path::new("cases/x.yaml"), &vocab())
        .expect_err("the file must be rejected")
        .to_string()
}

#[rstest]
#[case::unknown_case_key(
    "  - id: a.b\n    summary: s\n    sumary: t\n    steps: [{call: htons}]\n",
    "cases/x.yaml:6:5: cases[0]: unknown field `sumary`"
)]
#[case::unknown_step_key(
    "  - id: a.b\n    summary: s\n    steps:\n      - call: htons\n        retruns: 1\n",
    "cases/x.yaml:8:9: cases[0].steps[0]: unknown field `retruns`"
)]
#[case::unknown_doc_item(
    "  - id: a.b\n    summary: s\n    doc: socket.htosn\n    steps: [{call: htons}]\n",
    "cases/x.yaml:6:10: cases[0].doc: unknown documented item `socket.htosn`: spec/socket.yaml lists no such item (did you mean `socket.htons`?)"
)]
#[case::misspelled_constant(
    "  - id: a.b\n    summary: s\n    steps: [{call: htons, args: [!const AF_INTE]}]\n",
    "cases[0].steps[0].args[0]: unknown constant `AF_INTE`"
)]
#[case::unknown_function(
    "  - id: a.b\n    summary: s\n    steps: [{call: htnos}]\n",
    "cases[0].steps[0].call: unknown name `htnos` in the socket module (a saved object is written `$htnos`) (did you mean `htons`?)"
)]
#[case::unsaved_ref(
    "  - id: a.b\n    summary: s\n    steps: [{call: htons, args: [!ref n]}]\n",
    "`n` is not saved by an earlier step"
)]
#[case::bad_id(
    "  - id: A.B\n    summary: s\n    steps: [{call: htons}]\n",
    "must match"
)]
#[case::matcher_in_input(
    "  - id: a.b\n    summary: s\n    steps:\n      - call: htons\n        args:\n          - !any\n",
    "`!any` is a matcher"
)]
#[case::wide_bytes(
    "  - id: a.b\n    summary: s\n    steps: [{call: htons, args: [!bytes \"\\u0100\"]}]\n",
    "one byte per character"
)]
#[case::plain_int_beyond_64_bits(
    "  - id: a.b\n    summary: s\n    steps: [{call: htons, args: [18446744073709551616]}]\n",
    "cases/x.yaml:6:34: cases[0].steps[0].args[0]: 18446744073709551616 is a plain integer beyond 64 bits: write it `!int \"18446744073709551616\"`"
)]
#[case::plain_negative_int_beyond_64_bits(
    "  - id: a.b\n    summary: s\n    steps: [{call: htons, args: [-9223372036854775809]}]\n",
    "-9223372036854775809 is a plain integer beyond 64 bits: write it `!int \"-9223372036854775809\"`"
)]
#[case::plain_int_beyond_128_bits(
    "  - id: a.b\n    summary: s\n    steps:\n      - call: htons\n        returns: 1000000000000000000000000000000000000000000\n",
    "cases/x.yaml:8:18: cases[0].steps[0].returns: 1000000000000000000000000000000000000000000 is a plain integer beyond 64 bits: write it `!int"
)]
#[case::int_under_bytes_tag(
    "  - id: a.b\n    summary: s\n    steps: [{call: htons, args: [!bytes 5]}]\n",
    "cases[0].steps[0].args[0]: invalid type: integer `5`, expected a string"
)]
#[case::int_under_bytearray_tag(
    "  - id: a.b\n    summary: s\n    steps: [{call: htons, args: [!bytearray 5]}]\n",
    "cases[0].steps[0].args[0]: invalid type: integer `5`, expected a string"
)]
#[case::list_under_bytes_tag(
    "  - id: a.b\n    summary: s\n    steps: [{call: htons, returns: !bytes [1, 2]}]\n",
    "expected a string"
)]
#[case::bad_big_int(
    "  - id: a.b\n    summary: s\n    steps: [{call: htons, args: [!int \"12x\"]}]\n",
    "`!int` takes decimal digits"
)]
#[case::bad_fraction(
    "  - id: a.b\n    summary: s\n    steps: [{call: htons, args: [!fraction \"1/0\"]}]\n",
    "`!fraction` takes a literal like \"1/2\""
)]
#[case::bad_decimal(
    "  - id: a.b\n    summary: s\n    steps: [{call: htons, args: [!decimal \"two\"]}]\n",
    "`!decimal` takes a literal like \"2.5\""
)]
#[case::unknown_tag(
    "  - id: a.b\n    summary: s\n    steps: [{call: htons, args: [!tupel [1]]}]\n",
    "unknown tag `!tupel`"
)]
#[case::map_value(
    "  - id: a.b\n    summary: s\n    steps: [{call: htons, args: [{a: 1}]}]\n",
    "maps are not values"
)]
#[case::two_actions(
    "  - id: a.b\n    summary: s\n    steps: [{call: htons, get: AF_INET}]\n",
    "exactly one of `call` or `get`"
)]
#[case::two_expectations(
    "  - id: a.b\n    summary: s\n    steps: [{call: htons, returns: 1, raises: TypeError}]\n",
    "at most one of `returns`, `raises`, `expect`"
)]
#[case::misspelled_exception(
    "  - id: a.b\n    summary: s\n    steps: [{call: htons, raises: OverflowErorr}]\n",
    "unknown builtin type `OverflowErorr`"
)]
#[case::raises_without_type(
    "  - id: a.b\n    summary: s\n    steps: [{call: htons, raises: {message: x}}]\n",
    "`raises` needs a `type` (or, where only the family is portable, `subclass_of`)"
)]
#[case::bad_version(
    "  - id: a.b\n    summary: s\n    python: \"3.10\"\n    steps: [{call: htons}]\n",
    "must start with one of"
)]
#[case::bad_regex(
    "  - id: a.b\n    summary: s\n    steps: [{call: htons, returns: !match {regex: \"(\"}}]\n",
    "bad regular expression"
)]
#[case::empty_alternative(
    "  - id: a.b\n    summary: s\n    steps: [{call: htons, expect: [{python: \">=3.6\"}]}]\n",
    "exactly one of `returns` or `raises`"
)]
#[case::attribute_needs(
    "  - id: a.b\n    summary: s\n    needs: {families: [AF_UNIX], attributes: [AF_UNIX]}\n    steps: [{call: htons}]\n",
    "cases/x.yaml:6:12: cases[0].needs: `needs: {attributes}` is gone in format 2"
)]
#[case::bad_level(
    "  - id: a.b\n    summary: s\n    level: cpyton\n    steps: [{call: htons}]\n",
    "cases/x.yaml:6:12: cases[0].level: a level is `behaviour` or `cpython`, not `cpyton`"
)]
#[case::bad_matcher_level(
    "  - id: a.b\n    summary: s\n    steps: [{call: htons, raises: {type: TypeError, level: docs}}]\n",
    "cases[0].steps[0].raises.level: a level is `behaviour` or `cpython`, not `docs`"
)]
#[case::args_on_get(
    "  - id: a.b\n    summary: s\n    steps: [{get: AF_INET, args: [1]}]\n",
    "belong to a `call` step"
)]
fn bad_files_are_rejected_with_a_location(#[case] cases: &str, #[case] wanted: &str) {
    let err = error_of(&file(cases));
    assert!(err.contains(wanted), "{err}\n  does not contain\n{wanted}");
    assert!(err.starts_with("cases/x.yaml:"), "{err}");
}

#[test]
fn duplicate_ids_name_the_first_definition() {
    let err = error_of(&file(&format!("{GOOD_CASE}{GOOD_CASE}")));
    assert!(
        err.contains("duplicate case id `a.b` (already defined in cases/x.yaml)"),
        "{err}"
    );
    assert!(err.starts_with("cases/x.yaml:10:"), "{err}");
}

#[test]
fn wrong_format_number_is_rejected() {
    let err = error_of(&file(GOOD_CASE).replace("format: 2", "format: 3"));
    assert!(
        err.contains("reads case format 2, the file says 3"),
        "{err}"
    );
    let err = error_of(&file(GOOD_CASE).replace("format: 2", "format: 1"));
    assert!(
        err.starts_with("cases/x.yaml:1:9: format: format 1 is no longer read")
            && err.contains("`From format 1 to 2` in cases/FORMAT.md"),
        "{err}"
    );
}

#[test]
fn malformed_yaml_is_located() {
    let err = error_of("format: 2\ndoc: [socket.htons]\ncases:\n  - id: \"a\n");
    assert!(
        err.starts_with("cases/x.yaml:5:1: found unexpected end of stream"),
        "{err}"
    );
}

#[test]
fn values_keep_their_python_types() {
    let text = file(
        "  - id: a.b
    summary: s
    steps:
      - call: socket
        args: [!tuple [\"h\", 1], [1.0, true, null], !bytes \"\\x00\\xff\", !bytearray \"a\",
               !int \"18446744073709551616\", !const AF_INET, !const SO_REUSEADDR,
               9223372036854775807, -9223372036854775808, 18446744073709551615, 1.0e+40,
               !bytes plain, !bytes \"5\", !bytes \"\"]
        save: s
      - get: $s.family
        returns: !match {type: socket.AddressFamily, value: !ref s}
",
    );
    let cases = load_str(&text, Path::new("x.yaml"), &vocab()).expect("valid");
    let Action::Call { args, .. } = &cases[0].steps[0].action else {
        panic!("a call")
    };
    let args: Vec<&Value> = args.iter().map(|a| &a.0).collect();
    assert_eq!(
        args,
        [
            &Value::Tuple(vec![Value::Str("h".into()), Value::int(1)]),
            &Value::List(vec![Value::Float(1.0), Value::Bool(true), Value::None]),
            &Value::Bytes(vec![0, 255]),
            &Value::ByteArray(b"a".to_vec()),
            &Value::Int("18446744073709551616".parse().unwrap()),
            &Value::Const("AF_INET".into()),
            &Value::Const("SO_REUSEADDR".into()),
            &Value::int(i64::MAX),
            &Value::int(i64::MIN),
            &Value::int(u64::MAX),
            &Value::Float(1.0e40),
            &Value::Bytes(b"plain".to_vec()),
            &Value::Bytes(b"5".to_vec()),
            &Value::Bytes(vec![]),
        ]
    );
    let Outcome::Returns(Some(Expected::Match(m))) = &cases[0].steps[1].expect[0].outcome else {
        panic!("a matcher")
    };
    assert_eq!(m.value, Some(Expected::Value(Value::Ref("s".into()))));
    assert_eq!(
        cases[0].doc, "socket.htons",
        "the file's first item is the default"
    );
}
