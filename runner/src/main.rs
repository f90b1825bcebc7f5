//! The `sockconf` command line: run the suite, list cases, extract the spec.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime};

use clap::{Parser, Subcommand, ValueEnum};

use sockconf::backend::Backend;
use sockconf::backend::python::PythonBackend;
use sockconf::backend::reference::ReferenceBackend;
use sockconf::case::{Case, Level};
use sockconf::exec::{self, Event, Verdict};
use sockconf::results::{self, BackendRun, Summary};
use sockconf::{spec, suite};

/// Exit status for unusable input: bad case files, a missing interpreter, bad arguments.
const EXIT_USAGE: u8 = 2;

/// Exit status of a run ended early because its output was gone (as a program killed by
/// SIGPIPE: 128 + 13).
const EXIT_STOPPED: u8 = 141;

/// Set once standard output is gone (`sockconf run --verbose | head -1`): from then on
/// nothing more is printed; a run without `--results` ends after the cases in progress,
/// quietly, and one with `--results` runs to the end and writes them.
static STDOUT_GONE: AtomicBool = AtomicBool::new(false);

/// Writes `text` to standard output, unless it is gone; never panics (unlike `println!` on
/// a closed pipe).
fn emit(text: &str) {
    if STDOUT_GONE.load(Ordering::Relaxed) {
        return;
    }
    let mut out = std::io::stdout().lock();
    if out
        .write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .is_err()
    {
        STDOUT_GONE.store(true, Ordering::Relaxed);
    }
}

/// `println!` through [`emit`].
macro_rules! say {
    ($($arg:tt)*) => {
        emit(&format!("{}\n", format_args!($($arg)*)))
    };
}

#[derive(Parser)]
#[command(
    name = "sockconf",
    version,
    about = "Conformance suite for Python's socket module"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the cases on one or more backends.
    Run(RunArgs),
    /// List the cases (id, documented item, summary).
    List(SelectArgs),
    /// Turn results files into a compatibility report (Markdown, HTML, JUnit XML).
    Report(ReportArgs),
    /// How many cases exercise each documented item; fails on uncovered items without a waiver.
    Coverage(CoverageArgs),
    /// The machine-readable inventory of the documented API.
    Spec {
        #[command(subcommand)]
        command: SpecCommand,
    },
}

#[derive(Subcommand)]
enum SpecCommand {
    /// Read the Sphinx source of the socket docs and write the spec YAML.
    Extract {
        /// The `socket.rst` file.
        rst: PathBuf,
        /// Where to write (relative to the working folder: run it from the checkout's root to
        /// update the committed spec).
        #[arg(long, default_value = "spec/socket.yaml")]
        out: PathBuf,
    },
}

#[derive(clap::Args)]
struct SelectArgs {
    /// A folder of case files (default: the suite's own cases, built into sockconf).
    #[arg(long, value_name = "DIR")]
    cases: Option<PathBuf>,
    /// Only cases whose id contains this, or matches it with `*` wildcards (repeatable).
    #[arg(long = "filter", value_name = "PATTERN")]
    filters: Vec<String>,
    /// A spec YAML to check documented item names against (default: the committed one,
    /// built into sockconf).
    #[arg(long)]
    spec: Option<PathBuf>,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum CoverageFormat {
    Text,
    Json,
}

#[derive(clap::Args)]
struct CoverageArgs {
    /// A folder of case files (default: the suite's own cases, built into sockconf).
    #[arg(long, value_name = "DIR")]
    cases: Option<PathBuf>,
    /// A spec YAML to measure against (default: the committed one, built into sockconf).
    #[arg(long)]
    spec: Option<PathBuf>,
    /// A waivers YAML (default: the committed `spec/waivers.yaml`, built into sockconf).
    #[arg(long)]
    waivers: Option<PathBuf>,
    /// `text` for people, `json` for machines.
    #[arg(long, value_enum, default_value_t = CoverageFormat::Text)]
    format: CoverageFormat,
    /// Cases whose `doc:` item none of their steps exercises, and version notes no case
    /// gates on without a waiver, fail the command too.
    #[arg(long)]
    strict: bool,
}

#[derive(clap::Args)]
struct ReportArgs {
    /// Results files written by `sockconf run --results` (any number: backends, platforms).
    #[arg(required = true)]
    results: Vec<PathBuf>,
    /// The folder to write `report.md`, `report.html` and `junit.xml` into (a relative one is
    /// below the working folder).
    #[arg(long, value_name = "DIR", default_value = "reports")]
    out: PathBuf,
    /// A folder of case files, for the cases' summaries and expectations (default: the
    /// suite's own cases, built into sockconf). A case of the results it does not hold is
    /// still reported, without them.
    #[arg(long, value_name = "DIR")]
    cases: Option<PathBuf>,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum BackendName {
    Reference,
}

/// The level a run is judged at (`cases/FORMAT.md`, *Levels*).
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum LevelArg {
    /// Only documented behaviour fails the run; CPython details that differ are DIFFERS.
    Behaviour,
    /// CPython's details count too: DIFFERS fails the run.
    Cpython,
}

impl From<LevelArg> for Level {
    fn from(l: LevelArg) -> Level {
        match l {
            LevelArg::Behaviour => Level::Behaviour,
            LevelArg::Cpython => Level::Cpython,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Patch {
    Gevent,
    Eventlet,
}

#[derive(clap::Args)]
struct RunArgs {
    #[command(flatten)]
    select: SelectArgs,
    /// An in-process backend. The default when no `--python` is given.
    #[arg(long)]
    backend: Option<BackendName>,
    /// A Python interpreter to run the harness with (repeatable: one backend each).
    #[arg(long = "python", value_name = "EXE")]
    pythons: Vec<String>,
    /// Monkey-patch the Python backends with a green-thread library before `socket` loads.
    #[arg(long, value_enum)]
    patch: Option<Patch>,
    /// Write the results (JSON) here (its folder is checked before anything runs; the file
    /// is replaced whole, never left half-written).
    #[arg(long, value_name = "FILE")]
    results: Option<PathBuf>,
    /// Cases run at once on each backend (at least 1); the cases that state a time limit of
    /// their own (they wait rather than compute) get 16 more workers, or as many if more.
    #[arg(long, short = 'j', default_value_t = exec::default_jobs())]
    jobs: usize,
    /// Seconds a case may take when it states no limit of its own.
    #[arg(
        long,
        value_name = "SECS",
        default_value_t = 10.0,
        allow_negative_numbers = true
    )]
    timeout: f64,
    /// Seconds an interpreter may take to start the harness and answer its handshake.
    #[arg(
        long,
        value_name = "SECS",
        default_value_t = 60.0,
        allow_negative_numbers = true
    )]
    handshake_timeout: f64,
    /// What fails the run: documented behaviour only, or CPython's details too.
    #[arg(long, value_enum, default_value_t = LevelArg::Behaviour)]
    level: LevelArg,
    /// Print every case, not only the ones that did not pass.
    #[arg(long, short)]
    verbose: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Run(args) => run(&args),
        Command::List(args) => list(&args),
        Command::Report(args) => report(&args),
        Command::Coverage(args) => coverage(&args),
        Command::Spec {
            command: SpecCommand::Extract { rst, out },
        } => extract(&rst, &out),
    }
}

fn usage_error(msg: impl std::fmt::Display) -> ExitCode {
    eprintln!("sockconf: {msg}");
    ExitCode::from(EXIT_USAGE)
}

/// Loads and filters nothing: every load error is printed, one per line.
fn load(args: &SelectArgs) -> Result<Vec<Case>, ExitCode> {
    check_cases_folder(args.cases.as_deref())?;
    let spec = suite::spec(args.spec.as_deref()).map_err(usage_error)?;
    let vocab = suite::vocabulary(spec);
    match suite::load_cases(args.cases.as_deref(), &vocab) {
        Ok(s) if s.cases.is_empty() => Err(usage_error(format!(
            "no cases in {}",
            suite::cases_source(args.cases.as_deref())
        ))),
        Ok(s) => Ok(s.cases),
        Err(errors) => {
            for e in &errors {
                eprintln!("{e}");
            }
            Err(usage_error(format!(
                "{} case file(s) could not be loaded; nothing was run",
                errors.len()
            )))
        }
    }
}

/// A `--cases` that is not a folder gets a plain message, not a load error.
fn check_cases_folder(cases: Option<&Path>) -> Result<(), ExitCode> {
    match cases {
        Some(dir) if !dir.exists() => Err(usage_error(format!(
            "--cases {}: no such folder",
            dir.display()
        ))),
        Some(dir) if !dir.is_dir() => Err(usage_error(format!(
            "--cases {}: not a folder",
            dir.display()
        ))),
        _ => Ok(()),
    }
}

fn list(args: &SelectArgs) -> ExitCode {
    let cases = match load(args) {
        Ok(c) => c,
        Err(code) => return code,
    };
    for c in cases.iter().filter(|c| {
        args.filters.is_empty() || args.filters.iter().any(|f| exec::id_matches(&c.id, f))
    }) {
        say!("{}\t{}\t{}", c.id, c.doc, c.summary);
        if STDOUT_GONE.load(Ordering::Relaxed) {
            break;
        }
    }
    ExitCode::SUCCESS
}

fn coverage(args: &CoverageArgs) -> ExitCode {
    let select = SelectArgs {
        cases: args.cases.clone(),
        filters: Vec::new(),
        spec: args.spec.clone(),
    };
    let cases = match load(&select) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let spec = match suite::spec(args.spec.as_deref()) {
        Ok(s) => s,
        Err(e) => return usage_error(e),
    };
    let waivers = match sockconf::coverage::Waivers::load(args.waivers.as_deref()) {
        Ok(w) => w,
        Err(e) => return usage_error(e),
    };
    let cov = sockconf::coverage::compute(&spec, &cases, &waivers);
    let text = match args.format {
        CoverageFormat::Text => cov.text(args.strict),
        CoverageFormat::Json => {
            serde_json::to_string_pretty(&cov.json(args.strict)).expect("JSON values serialise")
                + "\n"
        }
    };
    emit(&text);
    if cov.ok(args.strict) {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn report(args: &ReportArgs) -> ExitCode {
    let runs = match sockconf::report::load(&args.results) {
        Ok(r) => r,
        Err(e) => return usage_error(e),
    };
    let spec = match suite::spec(None) {
        Ok(s) => s,
        Err(e) => return usage_error(e),
    };
    let vocab = suite::vocabulary(spec.clone());
    if let Err(code) = check_cases_folder(args.cases.as_deref()) {
        return code;
    }
    let cases = match suite::load_cases(args.cases.as_deref(), &vocab) {
        Ok(s) => s.cases,
        Err(errors) => {
            for e in &errors {
                eprintln!("{e}");
            }
            return usage_error(format!(
                "{} case file(s) of {} could not be loaded",
                errors.len(),
                suite::cases_source(args.cases.as_deref())
            ));
        }
    };
    let matrix = sockconf::report::Matrix::new(&runs, &spec, &cases);
    if let Err(e) = std::fs::create_dir_all(&args.out) {
        return usage_error(format!("{}: {e}", args.out.display()));
    }
    let files = [
        ("report.md", sockconf::report::markdown(&matrix)),
        ("report.html", sockconf::report::html(&matrix)),
        ("junit.xml", sockconf::report::junit(&runs)),
    ];
    for (name, text) in files {
        let path = args.out.join(name);
        if let Err(e) = std::fs::write(&path, text) {
            return usage_error(format!("{}: {e}", path.display()));
        }
        say!("wrote {}", path.display());
    }
    ExitCode::SUCCESS
}

fn extract(rst: &Path, out: &Path) -> ExitCode {
    let text = match std::fs::read_to_string(rst) {
        Ok(t) => t,
        Err(e) => return usage_error(format!("{}: {e}", rst.display())),
    };
    let spec = match spec::extract_with_report(&text) {
        Ok(extraction) => {
            for d in &extraction.duplicates {
                eprintln!("{}: {d}", rst.display());
            }
            extraction.spec
        }
        Err(e) => return usage_error(format!("{}: {e}", rst.display())),
    };
    if let Err(e) = spec.save(out) {
        return usage_error(e);
    }
    let counts: Vec<String> = spec
        .counts()
        .iter()
        .map(|(k, n)| format!("{n} {k}"))
        .collect();
    say!(
        "wrote {} ({} items: {})",
        out.display(),
        spec.items.len(),
        counts.join(", ")
    );
    ExitCode::SUCCESS
}

/// `value` as a time limit: a positive, finite number of seconds.
fn seconds(option: &str, value: f64) -> Result<Duration, ExitCode> {
    if value > 0.0 && value.is_finite() {
        Duration::try_from_secs_f64(value)
            .map_err(|_| usage_error(format!("{option} {value}: too long a time")))
    } else {
        Err(usage_error(format!(
            "{option} must be a positive number of seconds, not {value}"
        )))
    }
}

/// Checks before anything runs that a results file can be written at `path`: its folder
/// exists and takes a new file, and `path` is not a folder.
fn check_results_path(path: &Path) -> Result<(), String> {
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if path.is_dir() {
        return Err(format!("--results {}: is a folder", path.display()));
    }
    if folder.exists() && !folder.is_dir() {
        return Err(format!(
            "--results {}: {} is not a folder",
            path.display(),
            folder.display()
        ));
    }
    if !folder.is_dir() {
        return Err(format!(
            "--results {}: the folder {} does not exist",
            path.display(),
            folder.display()
        ));
    }
    tempfile::Builder::new()
        .prefix(".sockconf-results-")
        .tempfile_in(folder)
        .map(drop)
        .map_err(|e| {
            format!(
                "--results {}: cannot write in the folder {}: {e}",
                path.display(),
                folder.display()
            )
        })
}

/// Checks every option of `run` that can be checked before anything runs.
fn check_run_args(args: &RunArgs) -> Result<(Duration, Duration), ExitCode> {
    let timeout = seconds("--timeout", args.timeout)?;
    let handshake = seconds("--handshake-timeout", args.handshake_timeout)?;
    if args.jobs == 0 {
        return Err(usage_error("--jobs must be at least 1"));
    }
    if args.patch.is_some() && args.pythons.is_empty() {
        return Err(usage_error(
            "--patch monkey-patches Python interpreters: it needs --python",
        ));
    }
    if let Some(path) = &args.results {
        check_results_path(path).map_err(usage_error)?;
    }
    Ok((timeout, handshake))
}

fn run(args: &RunArgs) -> ExitCode {
    let (timeout, handshake) = match check_run_args(args) {
        Ok(limits) => limits,
        Err(code) => return code,
    };
    let cases = match load(&args.select) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let filters = &args.select.filters;
    if !filters.is_empty()
        && !cases
            .iter()
            .any(|c| filters.iter().any(|f| exec::id_matches(&c.id, f)))
    {
        return usage_error(format!(
            "no case matches --filter {}; nothing was run",
            filters.join(", --filter ")
        ));
    }
    let mut backends: Vec<Box<dyn Backend>> = Vec::new();
    if args.backend == Some(BackendName::Reference) || args.pythons.is_empty() {
        backends.push(Box::new(ReferenceBackend::new()));
    }
    let patch = args.patch.map(|p| match p {
        Patch::Gevent => "gevent",
        Patch::Eventlet => "eventlet",
    });
    // Paths the user gave are made absolute: the run works in a scratch folder (below).
    let results_path = args.results.as_deref().map(absolute);
    for exe in &args.pythons {
        // A bare name is looked up on PATH; a path is the user's, from their folder.
        let exe = if exe.contains(['/', '\\']) {
            absolute(Path::new(exe)).to_string_lossy().into_owned()
        } else {
            exe.clone()
        };
        match PythonBackend::start_with_limit(&exe, patch, handshake) {
            Ok(b) => backends.push(Box::new(b)),
            Err(e) => return usage_error(e),
        }
    }
    let opts = exec::Options {
        jobs: args.jobs,
        timeout,
        filters: filters.clone(),
        // With no one left to read what is printed and no results file to write, there is
        // nothing left to run for.
        stop: results_path.is_none().then_some(&STDOUT_GONE),
    };
    // Every backend runs a case in a working folder of its own where it can (the harness
    // always; the reference where threads can have one); the run itself works in a scratch
    // folder, so that on the others a relative path a case uses never lands in the user's.
    let _scratch = enter_scratch_folder();
    let started = SystemTime::now();
    let mut runs = Vec::new();
    let verbose = args.verbose;
    let level = Level::from(args.level);
    let position: HashMap<&str, usize> = cases
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.as_str(), i))
        .collect();
    for backend in &backends {
        let info = backend.info();
        say!(
            "== {} (Python {}, {} {}) — {} cases",
            info.label,
            info.python_version,
            info.platform.os,
            info.platform.arch,
            cases.len()
        );
        // Cases finish in any order; they are printed in case order, each as soon as the
        // ones before it have finished.
        let pending = Mutex::new(InOrder::new(cases.len()));
        let report = |e: &Event| {
            let Event::CaseFinished { result, case, .. } = e;
            let shown = verbose || result.verdict.is_failure(level);
            let mut text = String::new();
            if shown
                && !(result.verdict == Verdict::Skip
                    && result.message.as_deref() == Some("filtered out"))
            {
                text = format!("{:<11} {}\n", result.verdict.as_str(), result.id);
                for m in result.message.iter().chain(&result.details) {
                    for line in m.lines() {
                        text.push_str(&format!("            {line}\n"));
                    }
                }
            }
            let i = position[case.id.as_str()];
            // Printed under the lock: what is released later is printed later.
            let mut pending = pending.lock().expect("not poisoned");
            let ready = pending.finish(i, text);
            if !ready.is_empty() {
                emit(&ready);
            }
        };
        if opts.stopped() {
            break;
        }
        match exec::run(backend.as_ref(), &cases, &opts, &report) {
            Ok(results) => {
                say!("{}: {}", info.label, summary_line(&results));
                runs.push(BackendRun {
                    info: info.clone(),
                    results,
                });
            }
            Err(e) => return usage_error(e),
        }
    }
    if let Some(path) = &results_path {
        let doc = results::document(&runs, started, level);
        let text = serde_json::to_string_pretty(&doc).expect("JSON values serialise");
        if let Err(e) = results::write_atomic(path, &(text + "\n")) {
            return usage_error(format!("{}: {e}", path.display()));
        }
        say!("results written to {}", path.display());
    }
    if opts.stopped() {
        // Ended early, as a program that writes to a closed pipe is (128 + SIGPIPE).
        return ExitCode::from(EXIT_STOPPED);
    }
    let ok = runs.iter().all(|r| Summary::of(&r.results).ok(level));
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// `path` made absolute against the working folder (as it is).
fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_owned())
}

/// A temporary folder that is the process's working folder until it is dropped; then the
/// working folder is the one before again, and the folder is removed.
struct ScratchFolder {
    home: PathBuf,
    _dir: tempfile::TempDir,
}

impl Drop for ScratchFolder {
    fn drop(&mut self) {
        // Windows cannot remove a folder that is some process's working folder.
        let _ = std::env::set_current_dir(&self.home);
    }
}

/// Makes a new temporary folder the working folder for the rest of the run. `None` (and
/// the folder unchanged) if it cannot.
fn enter_scratch_folder() -> Option<ScratchFolder> {
    let home = std::env::current_dir().ok()?;
    let dir = tempfile::Builder::new()
        .prefix("sockconf-run-")
        .tempdir()
        .ok()?;
    std::env::set_current_dir(dir.path()).ok()?;
    Some(ScratchFolder { home, _dir: dir })
}

/// The lines of the cases finished so far, released in case order.
struct InOrder {
    texts: Vec<Option<String>>,
    next: usize,
}

impl InOrder {
    fn new(cases: usize) -> InOrder {
        InOrder {
            texts: vec![None; cases],
            next: 0,
        }
    }

    /// Case `i` finished with `text` (empty when it prints nothing): what can be printed now.
    fn finish(&mut self, i: usize, text: String) -> String {
        self.texts[i] = Some(text);
        let mut ready = String::new();
        while let Some(Some(t)) = self.texts.get_mut(self.next).map(Option::take) {
            ready.push_str(&t);
            self.next += 1;
        }
        ready
    }
}

/// `967 cases: 900 pass, 28 differs, 0 fail, 36 unsupported, 3 skip`; cases left out by
/// `--filter` are counted apart (they are `SKIP` in the results file).
fn summary_line(results: &[exec::CaseResult]) -> String {
    let filtered = results
        .iter()
        .filter(|r| r.verdict == Verdict::Skip && r.message.as_deref() == Some("filtered out"))
        .count();
    let mut s = Summary::of(results);
    s.skip -= filtered;
    s.total -= filtered;
    let parts: Vec<String> = Verdict::ALL
        .iter()
        .filter(|v| s.count(**v) > 0 || **v == Verdict::Pass || **v == Verdict::Fail)
        .map(|v| format!("{} {}", s.count(*v), v.as_str().to_lowercase()))
        .collect();
    let filtered = if filtered > 0 {
        format!(" ({filtered} filtered out)")
    } else {
        String::new()
    };
    format!("{} cases{filtered}: {}", s.total, parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::InOrder;

    #[test]
    fn finished_cases_are_released_in_case_order() {
        let mut pending = InOrder::new(4);
        assert_eq!(pending.finish(2, "c\n".into()), "");
        assert_eq!(pending.finish(1, String::new()), "");
        assert_eq!(pending.finish(0, "a\n".into()), "a\nc\n");
        assert_eq!(pending.finish(3, "d\n".into()), "d\n");
    }
}
