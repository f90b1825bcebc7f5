//! `cargo install --path runner` gives a `sockconf` that works from any folder without the
//! checkout it was built from: its cases, spec and waivers travel inside the binary.
//!
//! The test installs the binary into a temporary root (into the workspace's own target folder,
//! so that it reuses what `cargo test` has just built: `--debug`, the profile of that build;
//! the profile changes nothing about what is embedded, and an optimised build would recompile
//! both crates on every change — a minute and more — where this takes seconds once the test
//! build is done), copies it elsewhere, deletes the root, and runs it from an empty temporary
//! folder with a cleared environment — on Linux with the checkout hidden under an empty
//! mount in a private mount namespace (`unshare`), where that is allowed. `--help`, `list`,
//! `run --filter htons` and `coverage` must work, print no path of the checkout, and say what
//! the checkout's own binary says with `--cases` pointed at the checkout's `cases/`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Instant;

use sockconf::case::load_dir;
use sockconf::suite;

fn checkout() -> PathBuf {
    suite::repo_root()
}

fn cargo() -> Command {
    Command::new(env!("CARGO"))
}

/// The workspace's target folder, as cargo sees it (`CARGO_TARGET_DIR`, config, or `target/`).
fn target_dir() -> PathBuf {
    let out = cargo()
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(checkout())
        .output()
        .expect("cargo runs");
    assert!(out.status.success(), "cargo metadata: {out:?}");
    let meta: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("cargo metadata prints JSON");
    PathBuf::from(
        meta["target_directory"]
            .as_str()
            .expect("cargo metadata names the target folder"),
    )
}

/// Installs the binary from the checkout into `root` and gives its path.
fn install(root: &Path) -> PathBuf {
    let started = Instant::now();
    let out = cargo()
        .args(["install", "--debug", "--locked", "--offline", "--path"])
        .arg(checkout().join("runner"))
        .arg("--root")
        .arg(root)
        .env("CARGO_TARGET_DIR", target_dir())
        .current_dir(checkout())
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "cargo install failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    eprintln!("cargo install took {:.1}s", started.elapsed().as_secs_f64());
    let bin = root
        .join("bin")
        .join(format!("sockconf{}", std::env::consts::EXE_SUFFIX));
    assert!(bin.is_file(), "cargo install wrote no {}", bin.display());
    bin
}

/// Whether a process can be started with the checkout hidden under an empty mount.
#[cfg(target_os = "linux")]
fn can_hide(checkout: &Path) -> bool {
    Command::new("unshare")
        .args([
            "-rm",
            "sh",
            "-c",
            r#"mount -t tmpfs sockconf-hidden "$0" && test ! -e "$0/Cargo.toml""#,
        ])
        .arg(checkout)
        .output()
        .is_ok_and(|o| o.status.success())
}

#[cfg(not(target_os = "linux"))]
fn can_hide(_: &Path) -> bool {
    false
}

/// Runs the installed binary from an empty folder, with only what it needs of the
/// environment, and with the checkout hidden when `hide`.
struct Installed {
    bin: PathBuf,
    cwd: PathBuf,
    hide: Option<PathBuf>,
}

impl Installed {
    fn run(&self, args: &[&str]) -> Output {
        let mut cmd = match &self.hide {
            Some(checkout) => {
                let mut c = Command::new("unshare");
                c.args([
                    "-rm",
                    "sh",
                    "-c",
                    r#"mount -t tmpfs sockconf-hidden "$0" && exec "$@""#,
                ])
                .arg(checkout)
                .arg(&self.bin);
                c
            }
            None => Command::new(&self.bin),
        };
        cmd.args(args).current_dir(&self.cwd).env_clear();
        for keep in ["PATH", "SYSTEMROOT", "TEMP", "TMP", "TMPDIR"] {
            if let Some(v) = std::env::var_os(keep) {
                cmd.env(keep, v);
            }
        }
        cmd.output().expect("the installed sockconf starts")
    }
}

/// The checkout's own binary, run in the checkout.
fn in_checkout(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sockconf"))
        .args(args)
        .current_dir(checkout())
        .output()
        .expect("sockconf starts")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Every spelling of the checkout's path an output could hold.
fn checkout_spellings() -> Vec<String> {
    let mut v = vec![checkout().display().to_string()];
    if let Ok(c) = checkout().canonicalize() {
        v.push(c.display().to_string());
    }
    v.push(env!("CARGO_MANIFEST_DIR").to_owned());
    v
}

fn assert_no_checkout_path(what: &str, out: &Output) {
    let t = text(out);
    for p in checkout_spellings() {
        assert!(
            !t.contains(&p),
            "`sockconf {what}` mentions the checkout ({p}):\n{t}"
        );
    }
}

#[test]
fn the_installed_binary_works_anywhere() {
    let temp = tempfile::tempdir().expect("a temporary folder");
    let root = temp.path().join("root");
    let installed = install(&root);
    // Somewhere else, and the install root gone: nothing points back at the build.
    let elsewhere = temp.path().join("elsewhere");
    std::fs::create_dir(&elsewhere).expect("mkdir");
    let bin = elsewhere.join(installed.file_name().expect("a file name"));
    std::fs::copy(&installed, &bin).expect("copy the binary");
    std::fs::remove_dir_all(&root).expect("remove the install root");
    let empty = temp.path().join("empty");
    std::fs::create_dir(&empty).expect("mkdir");

    let outside = !temp.path().starts_with(checkout())
        && !temp
            .path()
            .canonicalize()
            .is_ok_and(|t| checkout().canonicalize().is_ok_and(|c| t.starts_with(c)));
    assert!(
        outside,
        "the temporary folder is inside the checkout: set TMPDIR elsewhere"
    );
    let hide = can_hide(&checkout()).then(checkout);
    eprintln!(
        "{}",
        if hide.is_some() {
            "the checkout is hidden from the installed binary"
        } else {
            "the checkout cannot be hidden here (no unprivileged mount namespace): it is only \
             out of the way"
        }
    );
    let sockconf = Installed {
        bin,
        cwd: empty.clone(),
        hide,
    };

    // --help: no default is a path of the build machine, and the cases default is the
    // embedded suite. (`report --help` is not checked here: its `--out` default is the
    // report command's own business.)
    for args in [
        &["--help"][..],
        &["run", "--help"],
        &["list", "--help"],
        &["coverage", "--help"],
        &["spec", "extract", "--help"],
    ] {
        let out = sockconf.run(args);
        assert!(out.status.success(), "sockconf {args:?}: {}", text(&out));
        assert_no_checkout_path(&args.join(" "), &out);
    }
    let help = text(&sockconf.run(&["run", "--help"]));
    assert!(
        help.contains("--cases <DIR>") && help.contains("built into sockconf"),
        "run --help does not say the cases are built in:\n{help}"
    );

    // list: every case of the checkout's cases/, in the same order, from the embedded copy.
    let vocab = suite::vocabulary(suite::spec(None).expect("the committed spec loads"));
    let cases = load_dir(&checkout().join("cases"), &vocab)
        .unwrap_or_else(|e| panic!("the checkout's cases load: {e:?}"))
        .cases;
    assert!(cases.len() > 100, "only {} cases", cases.len());
    let list = sockconf.run(&["list"]);
    assert!(list.status.success(), "sockconf list: {}", text(&list));
    assert_no_checkout_path("list", &list);
    let listed: Vec<String> = String::from_utf8_lossy(&list.stdout)
        .lines()
        .map(|l| l.split('\t').next().unwrap_or_default().to_owned())
        .collect();
    let ids: Vec<String> = cases.iter().map(|c| c.id.clone()).collect();
    assert_eq!(listed, ids, "the installed binary lists other cases");
    let from_checkout = in_checkout(&["list", "--cases", "cases"]);
    assert_eq!(text(&list), text(&from_checkout));

    // run: the htons cases on the reference, as the checkout's binary runs them.
    let htons = ids.iter().filter(|id| id.contains("htons")).count();
    assert!(htons > 0, "no htons case in the checkout");
    let run = sockconf.run(&["run", "--filter", "htons"]);
    assert_no_checkout_path("run --filter htons", &run);
    let run_text = text(&run);
    assert!(
        run_text.contains(&format!("reference: {htons} cases (")),
        "the installed binary did not run the {htons} htons cases:\n{run_text}"
    );
    let from_checkout = in_checkout(&["run", "--filter", "htons", "--cases", "cases"]);
    assert_eq!(run_text, text(&from_checkout));
    assert_eq!(run.status.code(), from_checkout.status.code());

    // coverage: the embedded spec, waivers and cases, as the checkout measures them.
    let cov = sockconf.run(&["coverage"]);
    assert_no_checkout_path("coverage", &cov);
    let cov_text = text(&cov);
    assert!(
        cov_text.contains(&format!(", {} cases,", ids.len())),
        "coverage did not measure the {} cases:\n{cov_text}",
        ids.len()
    );
    let from_checkout = in_checkout(&[
        "coverage",
        "--cases",
        "cases",
        "--spec",
        "spec/socket.yaml",
        "--waivers",
        "spec/waivers.yaml",
    ]);
    assert_eq!(cov_text, text(&from_checkout));
    assert_eq!(cov.status.code(), from_checkout.status.code());

    // The options still override the embedded copies.
    let own = empty.join("mine");
    std::fs::create_dir(&own).expect("mkdir");
    std::fs::write(
        own.join("one.yaml"),
        "format: 2\ndoc: [socket.htons]\ncases:\n  - id: mine.htons\n    summary: s\n    steps:\n      - call: htons\n        args: [0]\n        returns: 0\n",
    )
    .expect("write a case");
    let mine = sockconf.run(&["list", "--cases", "mine"]);
    assert!(mine.status.success(), "list --cases mine: {}", text(&mine));
    assert_eq!(
        String::from_utf8_lossy(&mine.stdout).lines().count(),
        1,
        "{}",
        text(&mine)
    );
    let broken = sockconf.run(&["list", "--spec", "nowhere.yaml"]);
    assert_eq!(broken.status.code(), Some(2), "{}", text(&broken));
}
