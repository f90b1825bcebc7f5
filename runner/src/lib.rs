//! The sockconf runner library: loads cases, runs them on backends, judges, and writes results
//! and reports.
//!
//! Discovery ([`case`]), execution ([`exec`], over [`backend`]s speaking [`protocol`]) and
//! reporting ([`results`], [`report`]) are separate: the executor emits events and never
//! prints.

pub mod backend;
pub mod case;
pub mod compare;
pub mod coverage;
pub mod exec;
pub mod peer;
pub mod protocol;
pub mod report;
pub mod results;
pub mod snapshot;
pub mod spec;
pub mod suite;
pub mod value;
pub mod version;

/// Everything that can go wrong in the runner library.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{} case file error(s)", .0.len())]
    Load(Vec<case::LoadError>),
    #[error(transparent)]
    Backend(#[from] backend::BackendError),
    #[error(transparent)]
    Spec(#[from] spec::SpecError),
    #[error("{path}: {source}")]
    Io {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
}
