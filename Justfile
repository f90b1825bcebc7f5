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
    cargo run -q -p sockconf -- run --backend reference "${args[@]}" --results target/results-all.json

# The tests: unit tests, snapshots, the suite on the reference and python3.
test:
    cargo test --workspace

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
