//! Backends: what runs a case. The reference runs in process; a Python interpreter runs the
//! harness out of process. Both take a [`RunRequest`] and give a [`Reply`], with the runner
//! owning the clock.

pub mod python;
pub mod reference;

use std::time::Duration;

use crate::protocol::{BackendInfo, Reply, RunRequest};

/// A backend: describes itself and hands out workers, one per parallel job.
pub trait Backend: Send + Sync {
    fn info(&self) -> &BackendInfo;
    fn worker(&self) -> Result<Box<dyn Worker>, BackendError>;
}

/// Runs cases one after another. A worker that times out or crashes recovers by itself
/// (a new harness process) before its next case.
pub trait Worker: Send {
    /// Gets ready to run a case at once (a Python worker starts its interpreter if none is
    /// running), so that what starts with the case — its peers, its clock — is not spent
    /// on start-up. A failure to get ready shows when the case runs.
    fn prepare(&mut self) {}

    fn run(&mut self, request: &RunRequest, timeout: Duration) -> Reply;
}

/// A backend that cannot be used at all.
#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    #[error("cannot start `{exe}`: {source}")]
    Spawn { exe: String, source: std::io::Error },
    #[error("`{exe}` did not answer the harness handshake: {reason}")]
    Handshake { exe: String, reason: String },
    #[error("`{exe}` implements Python {version}; the harness needs Python 3.6 or newer")]
    TooOld { exe: String, version: String },
    #[error("cannot write the harness to a temporary file: {0}")]
    Io(#[from] std::io::Error),
}
