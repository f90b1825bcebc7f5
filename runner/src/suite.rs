//! Where the suite's own files are, and the vocabulary case files are checked against.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::case::load::{self, LoadError, Suite, Vocabulary};
use crate::spec::{Spec, SpecError};

/// The committed inventory of the documented API, carried in the binary.
pub const SPEC_YAML: &str = include_str!("../../spec/socket.yaml");

/// The `socket` attributes some platform has that the docs name only through a wildcard
/// group or not at all (`AF_NETLINK`, `AddressFamily`), one per line: case files may name
/// them wherever sockconf runs, not only where the reference has them.
pub const PLATFORM_NAMES: &str = include_str!("../../spec/platform-names.txt");

/// The names of [`PLATFORM_NAMES`].
pub fn platform_names() -> impl Iterator<Item = &'static str> {
    PLATFORM_NAMES
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// The case files below `cases/` when this binary was built, carried in it (written by
/// `runner/build.rs`): `(shown path, text)`, the path `/`-separated and relative to the
/// repository (`cases/functions/htons-ntohs.yaml`). The suite `sockconf` runs when no
/// `--cases` folder is given, wherever it runs.
pub static EMBEDDED_CASES: &[(&str, &str)] =
    include!(concat!(env!("OUT_DIR"), "/embedded_cases.rs"));

/// The repository this crate was built from: for tests, benches and tools that run inside the
/// checkout. Nothing the installed binary does by default may depend on it (it is a path of
/// the build machine).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the runner crate lives in the workspace")
        .to_owned()
}

/// The cases: those of the folder `dir` when given, else the ones built into the binary
/// ([`EMBEDDED_CASES`]). Both load through the same loader, with the same file names in
/// errors and the same order.
pub fn load_cases(dir: Option<&Path>, vocab: &Arc<Vocabulary>) -> Result<Suite, Vec<LoadError>> {
    match dir {
        Some(dir) => load::load_dir(dir, vocab),
        None => load::load_embedded(EMBEDDED_CASES, vocab),
    }
}

/// How [`load_cases`] names where the cases came from, for messages.
pub fn cases_source(dir: Option<&Path>) -> String {
    match dir {
        Some(dir) => dir.display().to_string(),
        None => "the suite built into sockconf".to_owned(),
    }
}

/// The spec: `path` when given, else the committed one.
pub fn spec(path: Option<&Path>) -> Result<Spec, SpecError> {
    match path {
        Some(p) => Spec::load(p),
        None => Spec::from_yaml(SPEC_YAML),
    }
}

/// What case files may name: the documented items, the names some platform has
/// ([`PLATFORM_NAMES`]), and every attribute the reference's `socket` module has here.
pub fn vocabulary(spec: Spec) -> Arc<Vocabulary> {
    let extra_attributes: HashSet<String> = crate::backend::reference::attribute_names()
        .into_iter()
        .chain(platform_names().map(str::to_owned))
        .collect();
    Arc::new(Vocabulary {
        spec,
        extra_attributes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocab() -> Arc<Vocabulary> {
        vocabulary(spec(None).expect("the committed spec loads"))
    }

    /// The embedded cases are the checkout's `cases/`, loaded the same way: same cases, same
    /// order, same file names.
    #[test]
    fn embedded_cases_load_like_the_folder() {
        let vocab = vocab();
        let embedded = load_cases(None, &vocab).expect("the embedded cases load");
        let folder =
            load_cases(Some(&repo_root().join("cases")), &vocab).expect("the cases folder loads");
        let key = |s: &Suite| -> Vec<(String, PathBuf)> {
            s.cases
                .iter()
                .map(|c| (c.id.clone(), c.file.clone()))
                .collect()
        };
        assert!(!embedded.cases.is_empty());
        assert_eq!(key(&embedded), key(&folder));
        assert_eq!(
            embedded.cases.first().map(|c| c.file.iter().next()),
            Some(Some(std::ffi::OsStr::new("cases")))
        );
    }

    /// A broken file reads the same from a folder and from embedded pairs, and files load in
    /// path order whatever order they are given in.
    #[test]
    fn embedded_files_report_errors_like_a_folder() {
        const OK: &str = "format: 2\ndoc: [socket.htons]\ncases:\n  - id: a.one\n    summary: s\n    steps:\n      - call: htons\n        args: [0]\n        returns: 0\n";
        const OK2: &str = "format: 2\ndoc: [socket.htons]\ncases:\n  - id: b.two\n    summary: s\n    steps:\n      - call: htons\n        args: [0]\n        returns: 0\n";
        const BROKEN: &str =
            "format: 2\ndoc: [socket.htons]\ncases:\n  - id: c.three\n    sumary: s\n";
        static FILES: &[(&str, &str)] = &[
            ("cases/z/broken.yaml", BROKEN),
            ("cases/b.yaml", OK2),
            ("cases/a/one.yaml", OK),
        ];
        let vocab = vocab();
        let dir = tempfile::tempdir().expect("a temporary folder");
        let cases = dir.path().join("cases");
        for (shown, text) in FILES {
            let path = dir.path().join(shown);
            std::fs::create_dir_all(path.parent().expect("a folder")).expect("mkdir");
            std::fs::write(path, text).expect("write");
        }
        let from_dir = load_cases(Some(&cases), &vocab).expect_err("a broken file");
        let embedded = load::load_embedded(FILES, &vocab).expect_err("a broken file");
        assert_eq!(from_dir, embedded);
        assert_eq!(embedded.len(), 1, "{embedded:?}");
        assert_eq!(
            embedded[0].file,
            Path::new("cases").join("z").join("broken.yaml")
        );
        assert_eq!((embedded[0].line, embedded[0].column), (5, 5));

        let good = &FILES[1..];
        std::fs::remove_file(cases.join("z/broken.yaml")).expect("rm");
        let from_dir = load_cases(Some(&cases), &vocab).expect("loads");
        let embedded = load::load_embedded(good, &vocab).expect("loads");
        let ids = |s: &Suite| s.cases.iter().map(|c| c.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&embedded), ["a.one", "b.two"]);
        assert_eq!(ids(&from_dir), ids(&embedded));
    }

    /// The reference's names on this platform are all known wherever sockconf runs: each is
    /// documented or listed in `spec/platform-names.txt` (add a new constant there).
    #[test]
    fn platform_names_cover_the_reference_here() {
        let spec = spec(None).expect("the committed spec loads");
        let listed: HashSet<&str> = platform_names().collect();
        let missing: Vec<String> = crate::backend::reference::attribute_names()
            .into_iter()
            .filter(|n| {
                let q = format!("{}.{n}", spec.module);
                !spec.contains(&q) && !listed.contains(n.as_str())
            })
            .collect();
        assert!(
            missing.is_empty(),
            "add to spec/platform-names.txt:\n{}",
            missing.join("\n")
        );
    }
}
