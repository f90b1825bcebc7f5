//! Differential tests: proptest generates inputs, each becomes a small request run on both the
//! reference and `python3` (through the harness), and the two must agree — the same returned
//! value, or the same exception type (and errno where there is one). Messages are CPython
//! details and are not compared.
//!
//! Every input stays on this machine: hosts are numeric (`AI_NUMERICHOST`,
//! `NI_NUMERICHOST | NI_NUMERICSERV`, or strings that `inet_aton` or `inet_pton` parse, which
//! CPython and the C library resolve without a name server), sockets bind only to
//! `127.0.0.1`, `0.0.0.0` or `::1` on port 0, and `AF_UNIX` paths lie in the case's own
//! temporary folders.
//!
//! The number of inputs per property is `PROPTEST_CASES` (default 64); `just differential
//! CASES` runs more. Without `python3` on PATH the tests say so and pass.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use num_bigint::BigInt;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

use sockconf::backend::python::PythonBackend;
use sockconf::backend::reference::ReferenceBackend;
use sockconf::backend::{Backend, Worker};
use sockconf::case::{Needs, Root};
use sockconf::protocol::{Observed, Reply, RunRequest, WireStep};
use sockconf::value::Value;

/// What a property's inputs came to: the backends agreed with every step returning, or with
/// some step raising; or the input was skipped (a version difference, or something this
/// machine lacks).
#[derive(Default)]
struct Tally {
    returned: AtomicUsize,
    raised: AtomicUsize,
    skipped: AtomicUsize,
}

impl Tally {
    fn add(counter: &AtomicUsize) {
        counter.fetch_add(1, Ordering::Relaxed);
    }
}

/// One worker of each backend, shared by every property of this test binary.
struct Pair {
    reference: Box<dyn Worker>,
    python: Box<dyn Worker>,
    _backend: PythonBackend,
}

/// python3's `(major, minor)`, once it has started.
static PYTHON3: OnceLock<(u32, u32)> = OnceLock::new();

/// Whether python3 is older than `major.minor`: where it may differ from the reference,
/// which behaves as the newest documented version.
fn python3_before(major: u32, minor: u32) -> bool {
    PYTHON3.get().is_none_or(|&v| v < (major, minor))
}

fn pair() -> Option<&'static Mutex<Pair>> {
    static PAIR: OnceLock<Option<Mutex<Pair>>> = OnceLock::new();
    PAIR.get_or_init(|| {
        let backend = match PythonBackend::start("python3", None) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("skipped: python3 is not usable here: {e}");
                return None;
            }
        };
        let v = backend.info().python_version;
        let _ = PYTHON3.set((v.major, v.minor));
        let python = backend.worker().expect("a python3 worker starts");
        let reference = ReferenceBackend::new()
            .worker()
            .expect("a reference worker starts");
        Some(Mutex::new(Pair {
            reference,
            python,
            _backend: backend,
        }))
    })
    .as_ref()
}

fn config() -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(64);
    Config {
        cases,
        failure_persistence: None,
        max_shrink_iters: 512,
        ..Config::default()
    }
}

// ---------------------------------------------------------------------------------------
// Requests

/// `socket.NAME(*args)`.
fn call(name: &str, args: Vec<Value>) -> WireStep {
    WireStep::call(Root::Module, name, args, None)
}

/// `s = socket.socket(FAMILY, TYPE)`.
fn make_socket(family: &str, kind: &str) -> WireStep {
    WireStep::call(Root::Module, "socket", vec![c(family), c(kind)], Some("s"))
}

/// `s.METHOD(*args)` on the socket saved as `s`.
fn method(name: &str, args: Vec<Value>) -> WireStep {
    WireStep::call(Root::Saved, &format!("s.{name}"), args, None)
}

fn c(name: &str) -> Value {
    Value::Const(name.to_owned())
}

fn int(i: impl Into<BigInt>) -> Value {
    Value::Int(i.into())
}

fn s(text: &str) -> Value {
    Value::Str(text.to_owned())
}

fn tuple(items: Vec<Value>) -> Value {
    Value::Tuple(items)
}

/// What a step did, as far as the docs say: the value (objects by type only), or the
/// exception's type and errno.
#[derive(Debug, PartialEq)]
enum Seen {
    Returned(Value),
    Raised {
        type_name: String,
        errno: Option<String>,
    },
}

fn normalise(v: Value) -> Value {
    match v {
        Value::Object { type_name, .. } => Value::Object {
            type_name,
            repr: String::new(),
            id: 0,
        },
        Value::Tuple(items) => Value::Tuple(items.into_iter().map(normalise).collect()),
        Value::List(items) => Value::List(items.into_iter().map(normalise).collect()),
        other => other,
    }
}

/// What each step did; `None` when the backend lacks something the request needs.
fn seen(reply: Reply, who: &str) -> Result<Option<Vec<Seen>>, TestCaseError> {
    match reply {
        Reply::Ran { steps, .. } => Ok(Some(
            steps
                .into_iter()
                .map(|s| match s.result {
                    Observed::Returned(v) => Seen::Returned(normalise(v)),
                    Observed::Raised(e) => Seen::Raised {
                        errno: e.errno_name.clone().or(e.errno.map(|n| n.to_string())),
                        // The `idna` codec raises UnicodeError up to 3.12 and its subclass
                        // UnicodeEncodeError from 3.13 (the reference's version): a version
                        // difference, not a disagreement (`getaddrinfo.idna-ascii-labels`).
                        type_name: match e.type_name.as_str() {
                            "UnicodeEncodeError" if python3_before(3, 13) => {
                                "UnicodeError".to_owned()
                            }
                            _ => e.type_name,
                        },
                    },
                })
                .collect(),
        )),
        Reply::Unsupported(_) => Ok(None),
        other => Err(TestCaseError::fail(format!(
            "{who} did not run the request: {other:?}"
        ))),
    }
}

/// Runs `steps` on both backends and fails unless every step agrees; no steps is an input
/// the property skips.
fn agree(
    pair: &Mutex<Pair>,
    needs: Needs,
    steps: Vec<WireStep>,
    tally: &Tally,
) -> Result<(), TestCaseError> {
    if steps.is_empty() {
        Tally::add(&tally.skipped);
        return Ok(());
    }
    let request = RunRequest {
        id: "differential".into(),
        needs,
        steps,
        consts: vec![],
    };
    let mut p = pair.lock().unwrap_or_else(|e| e.into_inner());
    let timeout = Duration::from_secs(20);
    let r = seen(p.reference.run(&request, timeout), "the reference")?;
    let py = seen(p.python.run(&request, timeout), "python3")?;
    let (Some(r), Some(py)) = (r, py) else {
        Tally::add(&tally.skipped);
        return Ok(());
    };
    if r == py {
        if r.iter().any(|s| matches!(s, Seen::Raised { .. })) {
            Tally::add(&tally.raised);
        } else {
            Tally::add(&tally.returned);
        }
    } else {
        let shown: Vec<String> = request
            .steps
            .iter()
            .map(|s| {
                let args: Vec<String> = s.args.iter().map(ToString::to_string).collect();
                format!("{}({})", s.target.join("."), args.join(", "))
            })
            .collect();
        return Err(TestCaseError::fail(format!(
            "the backends disagree on {}:\n  reference: {r:?}\n  python3:   {py:?}",
            shown.join("; ")
        )));
    }
    Ok(())
}

/// Runs the property `check` on inputs from `strategy`, on the shared pair of workers.
fn property<S: Strategy>(strategy: S, check: impl Fn(S::Value) -> Vec<WireStep>)
where
    S::Value: std::fmt::Debug,
{
    property_with(strategy, Needs::default(), check);
}

fn property_with<S: Strategy>(strategy: S, needs: Needs, check: impl Fn(S::Value) -> Vec<WireStep>)
where
    S::Value: std::fmt::Debug,
{
    let Some(pair) = pair() else { return };
    let mut runner = TestRunner::new(config());
    let tally = Tally::default();
    let result = runner.run(&strategy, |input| {
        agree(pair, needs.clone(), check(input), &tally)
    });
    let n = |c: &AtomicUsize| c.load(Ordering::Relaxed);
    // With `--nocapture` (`just differential`): what each property ran.
    eprintln!(
        "{}: {} inputs agreed ({} returned, {} raised), {} skipped",
        std::thread::current().name().unwrap_or("property"),
        n(&tally.returned) + n(&tally.raised),
        n(&tally.returned),
        n(&tally.raised),
        n(&tally.skipped),
    );
    if let Err(e) = result {
        panic!("{e}");
    }
}

// ---------------------------------------------------------------------------------------
// Strategies

/// An int near `base`, or near `-base`.
fn near(bases: &'static [BigInt], spread: i64) -> impl Strategy<Value = BigInt> {
    (prop::sample::select(bases), -spread..=spread, any::<bool>()).prop_map(|(b, d, neg)| {
        let v = b + d;
        if neg { -v } else { v }
    })
}

fn pow2(n: u32) -> BigInt {
    BigInt::from(1) << n
}

fn int_bases() -> &'static [BigInt] {
    static B: OnceLock<Vec<BigInt>> = OnceLock::new();
    B.get_or_init(|| {
        vec![
            BigInt::from(0),
            pow2(15),
            pow2(16),
            pow2(31),
            pow2(32),
            pow2(63),
            pow2(64),
        ]
    })
}

/// An argument for the integer functions: mostly ints around the limits, a few other types.
fn int_arg() -> impl Strategy<Value = Value> {
    prop_oneof![
        6 => near(int_bases(), 3).prop_map(|i| Value::Int(num_traits::Signed::abs(&i))),
        2 => near(int_bases(), 3).prop_map(Value::Int),
        1 => any::<i64>().prop_map(int),
        1 => prop_oneof![
            Just(Value::Float(1.0)),
            Just(s("1")),
            Just(Value::Bool(true)),
            Just(Value::None),
            Just(Value::Bytes(b"\x01".to_vec())),
        ],
    ]
}

/// One component of a dotted IPv4 text, in any of the forms `inet_aton` knows.
fn v4_part() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => (0u32..=255).prop_map(|n| n.to_string()),
        2 => "[0-9]{1,3}",
        1 => "[0-9]{4,11}",
        1 => "0[xX][0-9a-fA-F]{0,9}",
        1 => "0[0-9]{1,12}",
        1 => Just(String::new()),
    ]
}

/// IPv4-like texts: dotted forms of 1 to 5 parts, with now and then some noise.
fn v4_text() -> impl Strategy<Value = String> {
    let dotted = || prop::collection::vec(v4_part(), 1..=5).prop_map(|p| p.join("."));
    prop_oneof![
        4 => prop::collection::vec(v4_part(), 4..=4).prop_map(|p| p.join(".")),
        6 => dotted(),
        2 => (dotted(), "[ \t\n\r\x0b\x0c.a-zA-Z\\-+]{1,3}", any::<bool>())
            .prop_map(|(d, noise, front)| if front { noise + &d } else { d + &noise }),
        1 => "[0-9a-zA-Z. \t]{0,12}",
        1 => "[0-9.]{100,300}",
        1 => prop::sample::select(vec![
            "", "1.2.3.4\0", "1.2.3.４", "255.255.255.255", "256.1.1.1", "0x", "1..2",
            "1.2.3.4.", ".1.2.3", "0x100000000", "4294967296", "4294967295", "0xffffffff",
            "037777777777", "040000000000", "1.16777216", "1.2.65536", "1.0xffffff", "0x", "0X1",
            "1.2.3.0x", "00000000000000000001", "1.2.3.4 junk", "1.2.3.4\tx", "1.2.3.4\n",
        ])
        .prop_map(str::to_owned),
    ]
}

/// A valid IPv6 text: 8 groups, mostly zeros, in any of its spellings (a `::` at any run of
/// zero groups, leading zeros, upper case, the last 32 bits in dotted form).
fn valid_v6() -> impl Strategy<Value = String> {
    let group = prop_oneof![
        4 => Just(0u16),
        1 => Just(0xffff),
        2 => any::<u16>(),
    ];
    (
        prop::collection::vec(group, 8..=8),
        any::<prop::sample::Index>(),
        0usize..=3,
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(groups, at, style, upper, dotted)| {
            let mut parts: Vec<String> = groups
                .iter()
                .map(|g| match style {
                    0 => format!("{g:04x}"),
                    _ => format!("{g:x}"),
                })
                .collect();
            if dotted {
                let (a, b) = (groups[6], groups[7]);
                parts.truncate(6);
                parts.push(format!("{}.{}.{}.{}", a >> 8, a & 0xff, b >> 8, b & 0xff));
            }
            if upper {
                parts.iter_mut().for_each(|p| *p = p.to_uppercase());
            }
            // Compress one run of zero groups, when there is one and the style asks for it.
            let zero = |p: &String| p.chars().all(|c| c == '0');
            let runs: Vec<(usize, usize)> = (0..parts.len())
                .filter(|&i| zero(&parts[i]) && (i == 0 || !zero(&parts[i - 1])))
                .map(|i| (i, (i..parts.len()).take_while(|&j| zero(&parts[j])).count()))
                .collect();
            if style >= 2 && !runs.is_empty() {
                let (start, len) = runs[at.index(runs.len())];
                let head = parts[..start].join(":");
                let tail = parts[start + len..].join(":");
                format!("{head}::{tail}")
            } else {
                parts.join(":")
            }
        })
}

/// IPv6-like texts: groups, `::`, embedded IPv4, zone ids, too many groups.
fn v6_text() -> impl Strategy<Value = String> {
    let group = prop_oneof![
        4 => "[0-9a-fA-F]{1,4}",
        1 => "[0-9a-fA-F]{5}",
        1 => Just(String::new()),
        1 => "[g-z]",
    ];
    let groups = prop::collection::vec(group, 0..=10);
    let tail = prop_oneof![
        4 => Just(String::new()),
        2 => "[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}",
        1 => v4_text(),
    ];
    let zone = prop_oneof![
        6 => Just(String::new()),
        1 => prop::sample::select(vec!["%lo", "%1", "%", "%eth99", "%0"]).prop_map(str::to_owned),
    ];
    let composed = (groups, 0usize..=11, any::<bool>(), tail, zone).prop_map(
        |(groups, at, double, tail, zone)| {
            let mut text = groups.join(":");
            if double {
                // `::` at a group boundary, or twice.
                let bounds: Vec<usize> = std::iter::once(0)
                    .chain(text.match_indices(':').map(|(i, _)| i))
                    .chain(std::iter::once(text.len()))
                    .collect();
                let i = bounds[at % bounds.len()];
                text.insert_str(i, "::");
            }
            if !tail.is_empty() {
                if !text.is_empty() && !text.ends_with(':') {
                    text.push(':');
                }
                text.push_str(&tail);
            }
            text + &zone
        },
    );
    prop_oneof![
        6 => valid_v6(),
        8 => composed,
        2 => prop::sample::select(vec![
            "::", ":::", "::1", "1::", "::ffff:1.2.3.4", "::1.2.3.4", "1:2:3:4:5:6:7:8",
            "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8", "1:2:3:4:5:6:1.2.3.4",
            "1:2:3:4:5:6:7:1.2.3.4", "fe80::1%lo", "::1%1", "1::2::3", "::ffff:256.1.1.1",
            "::ffff:1.2.3", "02001:db8::1", "", " ::1", "::1 ", "::1\0",
        ])
        .prop_map(str::to_owned),
    ]
}

fn family() -> impl Strategy<Value = Value> {
    prop_oneof![
        8 => prop::sample::select(vec!["AF_INET", "AF_INET6"]).prop_map(c),
        1 => prop_oneof![
            Just(c("AF_UNIX")),
            Just(c("AF_UNSPEC")),
            Just(int(99)),
            Just(int(-1)),
            Just(Value::Int(pow2(32) + 2)),
            Just(s("AF_INET")),
        ],
    ]
}

/// A text argument, now and then of another type.
fn text_arg(text: impl Strategy<Value = String>) -> impl Strategy<Value = Value> {
    prop_oneof![
        12 => text.prop_map(|t| s(&t)),
        1 => prop_oneof![
            Just(Value::Bytes(b"1.2.3.4".to_vec())),
            Just(Value::None),
            Just(int(1)),
        ],
    ]
}

// ---------------------------------------------------------------------------------------
// Properties

#[test]
fn inet_aton_agrees() {
    property(text_arg(v4_text()), |text| {
        vec![call("inet_aton", vec![text])]
    });
}

#[test]
fn inet_ntoa_agrees() {
    let packed = (prop::collection::vec(any::<u8>(), 0..=6), any::<bool>()).prop_map(|(b, ba)| {
        if ba {
            Value::ByteArray(b)
        } else {
            Value::Bytes(b)
        }
    });
    property(packed, |p| vec![call("inet_ntoa", vec![p])]);
}

#[test]
fn inet_pton_agrees() {
    let text = text_arg(prop_oneof![v4_text(), v6_text()]);
    property((family(), text), |(f, t)| {
        vec![call("inet_pton", vec![f, t])]
    });
}

#[test]
fn inet_ntop_agrees() {
    let packed = prop_oneof![
        1 => prop::collection::vec(any::<u8>(), 0..=20),
        2 => prop::collection::vec(any::<u8>(), 4..=4),
        2 => prop::collection::vec(any::<u8>(), 16..=16),
        // Mostly zeros, for `::` and the IPv4-mapped and -compatible forms.
        3 => prop::collection::vec(prop_oneof![6 => Just(0u8), 1 => Just(0xffu8), 2 => any::<u8>()], 16..=16),
        // A prefix of the forms that print the last 32 bits dotted (and near them), then
        // any 4 bytes.
        2 => (
            prop::sample::select(vec![
                [0u8; 12],
                [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff],
                [0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0],
                [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
                [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xfe],
                [0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0],
            ]),
            prop::collection::vec(prop_oneof![2 => Just(0u8), 1 => any::<u8>()], 4..=4),
        )
            .prop_map(|(head, tail)| [head.to_vec(), tail].concat()),
    ];
    let packed = prop_oneof![
        12 => packed.prop_map(Value::Bytes),
        1 => prop::collection::vec(any::<u8>(), 4..=4).prop_map(Value::ByteArray),
        1 => prop_oneof![Just(s("1234")), Just(Value::None)],
    ];
    property((family(), packed), |(f, p)| {
        vec![call("inet_ntop", vec![f, p])]
    });
}

#[test]
fn byte_order_functions_agree() {
    let name = prop::sample::select(vec!["htons", "ntohs", "htonl", "ntohl"]);
    property((name, int_arg()), |(n, v)| {
        // A negative int is an OverflowError up to 3.13 and a ValueError from 3.14 (the
        // converters of gh-132987; the reference is 3.15): a version difference, which
        // `htons.negative` states.
        if python3_before(3, 14) && matches!(&v, Value::Int(i) if *i < BigInt::from(0)) {
            return vec![];
        }
        vec![call(n, vec![v])]
    });
}

#[test]
fn cmsg_sizes_agree() {
    static BASES: OnceLock<Vec<BigInt>> = OnceLock::new();
    let bases = BASES.get_or_init(|| {
        vec![
            BigInt::from(0),
            pow2(31),
            pow2(32),
            pow2(63),
            pow2(64),
            // Just below the largest `SSIZE_MAX`, where the sizes stop fitting.
            pow2(63) - 64,
        ]
    });
    let arg = prop_oneof![
        8 => near(bases, 40).prop_map(Value::Int),
        4 => (0i64..=100_000).prop_map(int),
        1 => prop_oneof![Just(Value::Float(1.0)), Just(s("1")), Just(Value::None)],
    ];
    let name = prop::sample::select(vec!["CMSG_LEN", "CMSG_SPACE"]);
    property((name, arg), |(n, v)| vec![call(n, vec![v])]);
}

/// A port for `bind`: around the limits, and a few other types. Only port 0 is ever bound.
fn port() -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => Just(int(0)),
        4 => prop::sample::select(vec![-2i64, -1, 65535, 65536, 65537, 1 << 31, -(1 << 31) - 1])
            .prop_map(int),
        1 => Just(Value::Int(pow2(64))),
        1 => prop_oneof![
            Just(Value::Float(0.0)),
            Just(s("0")),
            Just(Value::None),
            Just(Value::Bool(false)),
        ],
    ]
}

/// A host for an `AF_INET` bind: forms of `127.0.0.1` and `0.0.0.0` that `inet_aton`
/// parses (so that no resolver is asked), or hosts refused before any resolution.
fn inet_host() -> impl Strategy<Value = Value> {
    prop_oneof![
        6 => prop::sample::select(vec![
            "127.0.0.1", "0.0.0.0", "", "127.1", "127.0.1", "0x7f000001", "2130706433",
            "0177.0.0.1", "0", "0.0", "0x7f.0.0.01", "127.000.000.001",
        ])
        .prop_map(s),
        1 => Just(Value::Bytes(b"127.0.0.1".to_vec())),
        1 => Just(Value::ByteArray(b"127.0.0.1".to_vec())),
        2 => prop_oneof![
            Just(s("127.0.0.1\0")),
            Just(s("\0")),
            Just(Value::Bytes(b"127.0.0.1\0x".to_vec())),
            Just(Value::None),
            Just(int(2130706433)),
            Just(s("::1")),
        ],
    ]
}

#[test]
fn bind_inet_addresses_agree() {
    let address = prop_oneof![
        8 => (inet_host(), port()).prop_map(|(h, p)| tuple(vec![h, p])),
        1 => (inet_host(), port()).prop_map(|(h, p)| Value::List(vec![h, p])),
        1 => prop_oneof![
            Just(tuple(vec![s("127.0.0.1")])),
            Just(tuple(vec![s("127.0.0.1"), int(0), int(0)])),
            Just(tuple(vec![])),
            Just(s("127.0.0.1")),
            Just(Value::None),
        ],
    ];
    // Ports 1-65535 are valid: never bind them (only with a host that is refused first).
    let address = address.prop_filter("binds a nonzero port", |a| {
        let items = match a {
            Value::Tuple(i) | Value::List(i) => i,
            _ => return true,
        };
        let valid_port = matches!(items.get(1), Some(Value::Int(p)) if *p > BigInt::from(0) && *p <= BigInt::from(65535));
        let refused_host = matches!(items.first(), Some(Value::Str(h)) if h.contains('\0') || h == "::1")
            || matches!(items.first(), Some(Value::Bytes(b)) if b.contains(&0))
            || matches!(items.first(), Some(Value::None | Value::Int(_)));
        !valid_port || refused_host
    });
    let kind = prop::sample::select(vec!["SOCK_STREAM", "SOCK_DGRAM"]);
    property((kind, address), |(k, a)| {
        vec![make_socket("AF_INET", k), method("bind", vec![a])]
    });
}

#[test]
fn bind_inet6_addresses_agree() {
    static FLOW: OnceLock<Vec<BigInt>> = OnceLock::new();
    let bases = FLOW.get_or_init(|| vec![BigInt::from(0), pow2(20), pow2(31), pow2(32), pow2(64)]);
    let field = prop_oneof![
        4 => Just(int(0)),
        6 => near(bases, 2).prop_map(Value::Int),
        1 => prop_oneof![Just(Value::Float(0.0)), Just(s("0")), Just(Value::None)],
    ];
    let host = prop_oneof![
        8 => Just(s("::1")),
        // Scope ids: CPython leaves a host with `%` to getaddrinfo, which parses these
        // numerically.
        1 => prop::sample::select(vec!["::1%lo", "::1%1", "0:0:0:0:0:0:0:1", "::0001"]).prop_map(s),
        1 => Just(Value::Bytes(b"::1".to_vec())),
        1 => prop_oneof![Just(s("::1\0")), Just(Value::None), Just(s("127.0.0.1"))],
    ];
    let port = prop_oneof![
        6 => Just(int(0)),
        1 => prop::sample::select(vec![-1i64, 65536]).prop_map(int),
        1 => Just(Value::None),
    ];
    let address = (host, port, field.clone(), field, 2usize..=4).prop_map(|(h, p, fl, sc, n)| {
        let mut items = vec![h, p, fl, sc];
        items.truncate(n);
        tuple(items)
    });
    let needs = Needs {
        ipv6: true,
        ..Needs::default()
    };
    property_with(address, needs, |a| {
        vec![
            make_socket("AF_INET6", "SOCK_DGRAM"),
            method("bind", vec![a]),
        ]
    });
}

#[test]
fn bind_unix_addresses_agree() {
    // Relative paths lie in the case's own working folder (a fresh temporary folder on both
    // backends), so their length is exact; `!tmppath` names lie in the case's temporary
    // folder, whose own path differs in length between the backends: they stay short.
    let name = "[a-z]{1,8}";
    let path = prop_oneof![
        3 => (name, any::<bool>()).prop_map(|(n, b)| if b { Value::Bytes(n.into_bytes()) } else { s(&n) }),
        3 => (100usize..=112, any::<bool>()).prop_map(|(n, b)| {
            let p = "p".repeat(n);
            if b { Value::Bytes(p.into_bytes()) } else { s(&p) }
        }),
        2 => (name, name).prop_map(|(a, b)| Value::TmpPath(format!("{a}\0{b}"))),
        // Linux's abstract names, up to too long.
        2 => (100usize..=112, any::<bool>()).prop_map(|(n, b)| {
            let p = format!("\0{}", "a".repeat(n));
            if b { Value::Bytes(p.into_bytes()) } else { s(&p) }
        }),
        2 => name.prop_map(Value::TmpPath),
        2 => (name, name, any::<bool>()).prop_map(|(a, b, by)| {
            let p = format!("{a}\0{b}");
            if by { Value::Bytes(p.into_bytes()) } else { s(&p) }
        }),
        1 => prop_oneof![
            Just(s("")),
            Just(Value::Bytes(vec![])),
            Just(Value::ByteArray(b"ba".to_vec())),
            Just(Value::None),
            Just(int(1)),
            Just(tuple(vec![s("x")])),
        ],
    ];
    let needs = Needs {
        families: vec!["AF_UNIX".into()],
        ..Needs::default()
    };
    let kind = prop::sample::select(vec!["SOCK_STREAM", "SOCK_DGRAM"]);
    property_with((kind, path), needs, |(k, p)| {
        vec![make_socket("AF_UNIX", k), method("bind", vec![p])]
    });
}

/// A numeric host for `getaddrinfo`/`getnameinfo`.
fn numeric_host() -> impl Strategy<Value = Value> {
    prop_oneof![
        3 => prop::sample::select(vec!["127.0.0.1", "::1", "0.0.0.0", "::", "::ffff:127.0.0.1", "fe80::1%lo", "fe80::1%1"])
            .prop_map(s),
        3 => v4_text().prop_map(|t| s(&t)),
        3 => v6_text().prop_map(|t| s(&t)),
        1 => prop_oneof![Just(Value::None), Just(Value::Bytes(b"127.0.0.1".to_vec())), Just(int(1))],
    ]
}

fn service() -> impl Strategy<Value = Value> {
    prop_oneof![
        3 => prop::sample::select(vec![0i64, 1, 80, 65535, 65536, -1]).prop_map(int),
        3 => prop::sample::select(vec!["0", "80", "65535", "65536", "-1", "", "http", " 80", "8x"]).prop_map(s),
        1 => prop_oneof![Just(Value::None), Just(Value::Bytes(b"80".to_vec())), Just(Value::Float(80.0))],
    ]
}

#[test]
fn getaddrinfo_numeric_agrees() {
    let fam = prop_oneof![
        8 => prop::sample::select(vec!["AF_UNSPEC", "AF_INET", "AF_INET6"]).prop_map(c),
        1 => prop_oneof![Just(c("AF_UNIX")), Just(int(99)), Just(int(-1))],
    ];
    let kind = prop_oneof![
        8 => prop::sample::select(vec![None, Some("SOCK_STREAM"), Some("SOCK_DGRAM")]),
        1 => Just(Some("SOCK_RAW")),
    ];
    let proto = prop_oneof![
        8 => Just(int(0)),
        1 => prop::sample::select(vec![6i64, 17, 132, 255, -1]).prop_map(int),
    ];
    let extra = prop::sample::select(vec![None, Some("AI_PASSIVE"), Some("AI_CANONNAME")]);
    property(
        (numeric_host(), service(), fam, kind, proto, extra),
        |(host, port, fam, kind, proto, extra)| {
            let mut flags = vec!["AI_NUMERICHOST".to_owned(), "AI_NUMERICSERV".to_owned()];
            flags.extend(extra.map(str::to_owned));
            let kind = kind.map_or_else(|| int(0), c);
            vec![call(
                "getaddrinfo",
                vec![host, port, fam, kind, proto, Value::Flags(flags)],
            )]
        },
    );
}

#[test]
fn getnameinfo_numeric_agrees() {
    let port = prop_oneof![
        3 => prop::sample::select(vec![0i64, 80, 65535, 65536, -1]).prop_map(int),
        1 => prop_oneof![Just(s("80")), Just(Value::None)],
    ];
    let extra = prop_oneof![
        2 => Just(vec![]),
        1 => prop::sample::select(vec![0i64, 1, 1 << 32, -1]).prop_map(|i| vec![int(i)]),
    ];
    let address = prop_oneof![
        12 => (numeric_host(), port, extra).prop_map(|(h, p, extra)| {
            let mut items = vec![h, p];
            items.extend(extra);
            tuple(items)
        }),
        1 => prop_oneof![
            Just(Value::List(vec![s("127.0.0.1"), int(80)])),
            Just(tuple(vec![s("127.0.0.1")])),
            Just(tuple(vec![s("::1"), int(80), int(0), int(0), int(0)])),
            Just(s("127.0.0.1")),
        ],
    ];
    let dgram = any::<bool>();
    property((address, dgram), |(a, dgram)| {
        let mut flags = vec!["NI_NUMERICHOST".to_owned(), "NI_NUMERICSERV".to_owned()];
        if dgram {
            flags.push("NI_DGRAM".to_owned());
        }
        vec![call("getnameinfo", vec![a, Value::Flags(flags)])]
    });
}

/// A timeout value: floats of every kind, ints around the limits, a few other types.
fn timeout_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => any::<f64>().prop_map(Value::Float),
        4 => (0.0f64..100.0).prop_map(Value::Float),
        2 => (-1e-6f64..1e-6).prop_map(Value::Float),
        2 => prop::sample::select(vec![
            f64::NAN, f64::INFINITY, f64::NEG_INFINITY, -0.0, 0.0, 1e300, 9.3e9, 9.2e9, 1e-9,
            5e-10, 1.5e-9, -1e-10, 0.1, 1e-320, 9223372036.854776, 9223372036.0,
        ])
        .prop_map(Value::Float),
        3 => near(int_bases(), 2).prop_map(Value::Int),
        // Around the largest timeout, 2**63 - 1 nanoseconds.
        2 => (9_223_372_030i64..=9_223_372_040).prop_map(int),
        2 => (9.223_372_036e9f64..9.223_372_037e9).prop_map(Value::Float),
        1 => prop_oneof![
            Just(Value::None),
            Just(Value::Bool(true)),
            Just(s("1")),
            Just(Value::Decimal("0.5".into())),
            Just(Value::Fraction("1/3".into())),
        ],
    ]
}

/// From 3.15 any real number is a timeout (versionchanged 3.15 of `settimeout` and
/// `setdefaulttimeout`); python3 refuses a Decimal or a Fraction: a version difference,
/// which `timeouts.real.*` state.
fn real_number_only_from_3_15(v: &Value) -> bool {
    python3_before(3, 15) && matches!(v, Value::Decimal(_) | Value::Fraction(_))
}

#[test]
fn settimeout_agrees() {
    property(timeout_value(), |v| {
        if real_number_only_from_3_15(&v) {
            return vec![];
        }
        vec![
            make_socket("AF_INET", "SOCK_STREAM"),
            method("settimeout", vec![v]),
            method("gettimeout", vec![]),
        ]
    });
}

#[test]
fn setdefaulttimeout_agrees() {
    property(timeout_value(), |v| {
        if real_number_only_from_3_15(&v) {
            return vec![];
        }
        vec![
            call("setdefaulttimeout", vec![v]),
            call("getdefaulttimeout", vec![]),
            make_socket("AF_INET", "SOCK_STREAM"),
            method("gettimeout", vec![]),
        ]
    });
}
