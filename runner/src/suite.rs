//! Where the suite's own files are, and the vocabulary case files are checked against.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::case::load::Vocabulary;
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

/// The repository this binary was built from.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the runner crate lives in the workspace")
        .to_owned()
}

/// The default cases folder: `./cases` when run from a checkout, else the one the binary was
/// built from.
pub fn default_cases_dir() -> PathBuf {
    let here = Path::new("cases");
    if here.join("FORMAT.md").is_file() {
        here.to_owned()
    } else {
        repo_root().join("cases")
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
