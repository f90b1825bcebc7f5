//! Arbitrary bytes as a case file's text through the loader: `load_str`, and `load_files`
//! (the path `load_dir` and `load_embedded` share) next to a committed case file. Loading
//! may fail, only with a `LoadError`; it must never panic.
#![no_main]

use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock};

use libfuzzer_sys::fuzz_target;
use sockconf::case::load::{CaseFile, Vocabulary, load_files, load_str};
use sockconf::suite;

static VOCAB: LazyLock<Arc<Vocabulary>> =
    LazyLock::new(|| suite::vocabulary(suite::spec(None).expect("the committed spec loads")));

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = load_str(text, Path::new("cases/fuzz.yaml"), &VOCAB);
    // With a committed file beside it, so that ids are checked across files.
    let files = vec![
        CaseFile {
            shown: PathBuf::from("cases/fuzz.yaml"),
            text: Ok(text.to_owned().into()),
        },
        CaseFile {
            shown: PathBuf::from("cases/functions/htons-ntohs.yaml"),
            text: Ok(include_str!("../../../cases/functions/htons-ntohs.yaml").into()),
        },
    ];
    let _ = load_files(files, &VOCAB);
});
