//! A JSON document built from bytes into `Value::from_json`; what decodes must encode
//! (`to_json`) to a document that decodes to the same value and encodes the same again.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sockconf::value::Value;

fuzz_target!(|data: &[u8]| {
    let Ok(j) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    let Ok(v) = Value::from_json(&j) else {
        return;
    };
    let once = v.to_json();
    let back = Value::from_json(&once).expect("an encoded value decodes");
    let twice = back.to_json();
    assert_eq!(once, twice, "the round trip is not stable for {j}");
    let _ = v.to_string();
});
