#!/usr/bin/env bash
# The Python implementations this machine has, one per line as `NAME EXE [PATCH]`, in the
# order the compatibility matrix shows them: every CPython pyenv knows, by version (else
# python3), then PyPy, RustPython, and CPython with gevent and with eventlet (the last three
# as `just install-others` installs them). Run from the checkout's root. Used by the
# Justfile's matrix recipe and by the suite benchmark, so that both see the same matrix.
set -uo pipefail

versions=$(command -v pyenv >/dev/null && pyenv versions --bare | grep -E '^3\.[0-9]+\.[0-9]+$' | sort -t. -k1,1n -k2,2n -k3,3n || true)
if [ -n "$versions" ]; then
  for v in $versions; do echo "cpython-$v $(pyenv prefix "$v")/bin/python"; done
elif command -v python3 >/dev/null; then
  echo "python3 python3"
fi
if command -v pypy3 >/dev/null; then echo "pypy3 pypy3"; fi
rustpython=$(command -v rustpython || echo target/rustpython/bin/rustpython)
if [ -x "$rustpython" ]; then echo "rustpython $rustpython"; fi
if [ -x target/green-venv/bin/python ]; then
  echo "gevent target/green-venv/bin/python gevent"
  echo "eventlet target/green-venv/bin/python eventlet"
fi
