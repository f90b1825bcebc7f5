//! Arbitrary bytes as a backend's response line: UTF-8 (lossy) → the python backend's line
//! parser → every decoder of the protocol. Decoding may fail, only with an error; it must
//! never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sockconf::backend::python::parse_line;
use sockconf::protocol::{BackendInfo, ObservedStep, Reply};
use sockconf::value::{ExceptionValue, Value};

fuzz_target!(|data: &[u8]| {
    let line = String::from_utf8_lossy(data);
    let Ok(j) = parse_line(&line) else {
        return;
    };
    let _ = Reply::from_json(&j);
    let _ = BackendInfo::from_hello(&j);
    let _ = ObservedStep::from_json(&j);
    if let Ok(v) = Value::from_json(&j) {
        let _ = v.to_json();
        let _ = v.to_string();
    }
    let _ = ExceptionValue::from_json(&j);
});
