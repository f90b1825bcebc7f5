# Everyday recipes; `ci` mirrors what CI runs (.ci/run).

# Run the suite on the reference backend.
suite *ARGS:
    cargo run -q -p sockconf -- run {{ARGS}}

# Run the suite on every CPython that pyenv knows, plus python3.
suite-all-pythons:
    #!/usr/bin/env bash
    set -euo pipefail
    args=(--python python3)
    if command -v pyenv >/dev/null; then
      for v in $(pyenv versions --bare | grep -E '^3\.[0-9]+\.[0-9]+$'); do
        args+=(--python "$(pyenv prefix "$v")/bin/python")
      done
    fi
    cargo run -q -p sockconf -- run --level cpython --backend reference "${args[@]}" --results target/results-all.json

# The tests: unit tests, snapshots, the suite on the reference and python3.
test:
    cargo test --workspace

# Differential tests, the reference against python3: CASES inputs per property (runner/tests/differential.rs).
differential CASES:
    PROPTEST_CASES={{CASES}} cargo test -q -p sockconf --test differential -- --nocapture

# Accept changed snapshots after reviewing them (`cargo insta review` does it interactively).
snapshots-accept:
    INSTA_UPDATE=always cargo test -p sockconf --test conformance

# Regenerate spec/socket.yaml from the docs source.
spec RST:
    cargo run -q -p sockconf -- spec extract {{RST}}

lint:
    cargo fmt --all -- --check
    cargo clippy --workspace --all-targets -- -D warnings

ci:
    bash .ci/run

# Rewrite reference/known-failures.yaml from a run of the reference (review the diff!).
known-failures:
    #!/usr/bin/env bash
    set -euo pipefail
    results="$(mktemp)"
    cargo run -q -p sockconf -- run --results "$results" >/dev/null || true
    RESULTS="$results" python3 - <<'PY'
    import json, os
    doc = json.load(open(os.environ["RESULTS"]))
    bad = [c for c in doc["runs"][0]["cases"] if c["outcome"] in ("FAIL", "DIFFERS", "ERROR", "CRASH", "TIMEOUT")]
    lines = [
        "# Cases the reference implementation does not pass yet, each with the reason.",
        "# `cargo test` holds the reference to this list: a listed case must still fail (take it",
        "# off when it passes), and every case not listed must pass and match its snapshot.",
        "# Regenerate with `just known-failures`, then review the diff.",
        "known_failures:" + ("" if bad else " {}"),
    ]
    for c in sorted(bad, key=lambda c: c["id"]):
        reason = (c["message"] or (c["details"] or [c["outcome"]])[0]).splitlines()[0]
        if len(reason) > 150:
            reason = reason[:147] + "..."
        lines.append("  %s: %s" % (c["id"], json.dumps(reason)))
    open("reference/known-failures.yaml", "w").write("\n".join(lines) + "\n")
    print("%d known failures" % len(bad))
    PY

# Install Chromium (Debian's `chromium`) for the report's browser test. Needs root for apt-get.
browser:
    #!/usr/bin/env bash
    set -euo pipefail
    for b in chromium chromium-browser google-chrome; do
      if command -v "$b" >/dev/null; then echo "$b is installed"; exit 0; fi
    done
    apt-get update -qq && apt-get install -y -qq chromium >/dev/null
    chromium --version

# Check the HTML report in headless Chromium (after `just browser`): rows, filters, a failing
# cell opening, no console errors; the page and a screenshot are left in
# target/tmp/report-browser/.
report-browser:
    cargo test -q -p sockconf --test report_browser -- --nocapture

# Install the other implementations the suite is validated against (PyPy from Debian's
# packages; gevent and eventlet in a venv under target/; RustPython built with cargo under
# target/rustpython, a few minutes). Needs root for apt-get.
install-others:
    apt-get update -qq && apt-get install -y -qq pypy3
    python3 -m venv target/green-venv
    target/green-venv/bin/pip install -q gevent eventlet
    cargo install rustpython@0.5.0 --locked --no-default-features --features threading,stdlib,stdio,importlib,host_env,freeze-stdlib --root target/rustpython

# The compatibility matrix: the suite on every implementation this machine has — the
# reference, then what scripts/interpreters.sh finds: every CPython pyenv knows (else
# python3), PyPy, RustPython, CPython with gevent and with eventlet (see install-others) —
# one results file each in target/matrix/, then the report (Markdown, HTML, JUnit) in
# reports/.
matrix:
    #!/usr/bin/env bash
    set -uo pipefail
    out=target/matrix
    mkdir -p "$out" && rm -f "$out"/*.json
    cargo build -q --release --locked -p sockconf
    sc=target/release/sockconf
    files=()
    run() {
      local name=$1; shift
      echo "== $name"
      timeout 1800 "$sc" run "$@" --results "$out/$name.json" </dev/null | tail -n 2
      if [ -f "$out/$name.json" ]; then files+=("$out/$name.json"); fi
    }
    run reference
    while read -r name exe patch; do
      run "$name" --python "$exe" ${patch:+--patch "$patch"}
    done < <(scripts/interpreters.sh)
    # In the order run: the reference, CPython by version, then the others.
    "$sc" report "${files[@]}" --out reports

# Run the suite on PyPy and on gevent- and eventlet-patched CPython (after install-others).
suite-others:
    -cargo run -q -p sockconf -- run --python pypy3 --results target/results-pypy.json
    -cargo run -q -p sockconf -- run --python target/green-venv/bin/python --patch gevent --results target/results-gevent.json
    -cargo run -q -p sockconf -- run --python target/green-venv/bin/python --patch eventlet --results target/results-eventlet.json

# The benchmarks, each as ratios against a baseline measured in the same run: the suite's
# wall time against CPython's own test_socket, the harness's per-case cost, scaling
# (runner/benches/suite.rs; SECTIONS: suite matrix overhead scaling), and the reference's
# transfer throughput against a C loop and CPython (reference/benches/throughput.rs).
bench *SECTIONS:
    cargo bench -q -p sockconf-reference --bench throughput
    cargo bench -q -p sockconf --bench suite -- {{SECTIONS}}

# Fuzz one target of runner/fuzz (case_loader, protocol, value) for SECONDS, niced, with the
# nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz --locked`). The committed seeds
# in runner/fuzz/corpus/TARGET are read; what the run finds goes to target/fuzz-corpus/TARGET,
# a crash to runner/fuzz/artifacts/TARGET.
fuzz TARGET SECONDS:
    mkdir -p "{{justfile_directory()}}/target/fuzz-corpus/{{TARGET}}"
    cd runner && nice -n 10 cargo +nightly fuzz run {{TARGET}} "{{justfile_directory()}}/target/fuzz-corpus/{{TARGET}}" "{{justfile_directory()}}/runner/fuzz/corpus/{{TARGET}}" -- -max_total_time={{SECONDS}} -timeout=10

# Cross-build sockconf for Windows (x86_64-pc-windows-gnu, linked by Debian's mingw-w64) and
# run the suite on the reference under Wine. Needs root for apt-get. What fails there is
# Windows' truth or Wine's gaps, not Linux's: see the README's "Platforms".
windows-wine *ARGS:
    #!/usr/bin/env bash
    set -euo pipefail
    if ! command -v x86_64-w64-mingw32-gcc >/dev/null || ! command -v wine >/dev/null; then
      apt-get update -qq && apt-get install -y -qq gcc-mingw-w64-x86-64 wine64 >/dev/null
    fi
    rustup target add x86_64-pc-windows-gnu >/dev/null
    export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER=x86_64-w64-mingw32-gcc
    cargo build -q -p sockconf --target x86_64-pc-windows-gnu
    export WINEPREFIX="$PWD/target/wine-prefix" WINEDEBUG=-all
    mkdir -p "$WINEPREFIX"
    shim="$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll"
    if [ ! -f "$shim" ]; then
      wineboot -i >/dev/null 2>&1 || true
      # Wine 8 has no bcryptprimitives.dll, whose ProcessPrng Rust's std imports: a
      # one-function stand-in over RtlGenRandom lets the program start.
      src="$(mktemp -d)"
      printf '%s\n' '#include <windows.h>' '#include <ntsecapi.h>' \
        'BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {' \
        '  while (len) { ULONG n = len > 0x10000000 ? 0x10000000 : (ULONG)len;' \
        '    if (!RtlGenRandom(data, n)) return FALSE; data += n; len -= n; }' \
        '  return TRUE; }' > "$src/shim.c"
      printf '%s\n' 'LIBRARY bcryptprimitives' 'EXPORTS' 'ProcessPrng' > "$src/shim.def"
      x86_64-w64-mingw32-gcc -shared -O2 -o "$shim" "$src/shim.c" "$src/shim.def" -ladvapi32
      rm -rf "$src"
    fi
    wine target/x86_64-pc-windows-gnu/debug/sockconf.exe run --cases cases \
      --results target/results-wine.json {{ARGS}}
