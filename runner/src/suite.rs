//! Where the suite's own files are, and the vocabulary case files are checked against.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::case::load::Vocabulary;
use crate::spec::{Spec, SpecError};

/// The committed inventory of the documented API, carried in the binary.
pub const SPEC_YAML: &str = include_str!("../../spec/socket.yaml");

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

/// What case files may name: the documented items, plus every attribute the reference's
/// `socket` module has.
pub fn vocabulary(spec: Spec) -> Arc<Vocabulary> {
    let extra_attributes: HashSet<String> = crate::backend::reference::attribute_names()
        .into_iter()
        .collect();
    Arc::new(Vocabulary {
        spec,
        extra_attributes,
    })
}
