#!/usr/bin/env bash
# kosi-sim developer entry point: creates the virtual environment when needed, then runs a job.
#   scripts/dev.sh demo   set up, then run the baseline city for 20 years into results/baseline
#   scripts/dev.sh test   set up, then lint, format check and the whole test suite
#   scripts/dev.sh bench  set up, then the benchmark suite (not part of the tests)
#   scripts/dev.sh env    set up only
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
VENV="$ROOT/.venv"

find_python() {
    # Run each candidate: a pyenv shim or a stale symlink may exist but not work.
    local c cands=()
    [ -n "${KOSI_PYTHON:-}" ] && cands+=("$KOSI_PYTHON")
    cands+=(python3.13 python3.12 python3 python)
    if command -v pyenv >/dev/null 2>&1; then
        local root; root=$(pyenv root 2>/dev/null || true)
        [ -n "$root" ] && for c in "$root"/versions/3.1[2-9]*/bin/python3; do cands+=("$c"); done
    fi
    for c in /usr/local/bin/python3.1[2-9] /usr/bin/python3.1[2-9]; do cands+=("$c"); done
    for c in "${cands[@]}"; do
        if "$c" -c 'import sys, venv; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; then
            "$c" -c 'import sys; print(sys.executable)'
            return 0
        fi
    done
    return 1
}

setup_env() {
    local stamp="$VENV/.kosi-stamp" want
    want=$(cat pyproject.toml scripts/dev.sh | sha256sum | cut -d' ' -f1)
    if [ -x "$VENV/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
        return 0
    fi
    local py
    if ! py=$(find_python); then
        echo "kosi-sim needs Python 3.12 or newer and found none (tried python3.13, python3.12, python3, python and pyenv versions)." >&2
        echo "Install one (e.g. 'apt-get install python3.12' or 'pyenv install 3.12') or point KOSI_PYTHON at it." >&2
        exit 3
    fi
    echo "Setting up .venv with $py ..." >&2
    rm -rf "$VENV"
    "$py" -m venv "$VENV"
    local log="$VENV/install.log"
    if ! { "$VENV/bin/python" -m pip install --disable-pip-version-check --upgrade pip &&
           "$VENV/bin/python" -m pip install --disable-pip-version-check -e ".[dev]" &&
           "$VENV/bin/python" -m kosi_sim.precompile; } >"$log" 2>&1; then
        tail -n 30 "$log" >&2
        echo "Setting up failed (installing the dependencies or compiling the kernels); the full log is in $log" >&2
        exit 4
    fi
    echo "$want" > "$stamp"
}

ensure_chromium() {
    # The browser test drives Debian's Chromium; Playwright's own browser download does not
    # work offline.  KOSI_SKIP_BROWSER=1 skips both the install and the test.
    [ "${KOSI_SKIP_BROWSER:-0}" = 1 ] && return 0
    [ -x /usr/bin/chromium ] && return 0
    echo "Installing Debian's chromium for the browser test ..." >&2
    local sudo=""
    [ "$(id -u)" != 0 ] && sudo="sudo"
    export DEBIAN_FRONTEND=noninteractive
    if ! { $sudo apt-get install -y -qq --no-install-recommends chromium >/dev/null 2>&1 ||
           { $sudo apt-get update -qq >/dev/null 2>&1 &&
             $sudo apt-get install -y -qq --no-install-recommends chromium >/dev/null 2>&1; }; }; then
        echo "Could not install chromium with apt-get; install it (apt-get install chromium) or set KOSI_SKIP_BROWSER=1" >&2
        exit 5
    fi
}

cmd=${1:-demo}
shift || true
case "$cmd" in
    env) setup_env ;;
    demo)
        setup_env
        "$VENV/bin/kosi-sim" run scenarios/baseline.toml --out results/baseline --force "$@"
        ;;
    test)
        setup_env
        ensure_chromium
        "$VENV/bin/ruff" check kosi_sim tests
        "$VENV/bin/ruff" format --check kosi_sim tests
        if [ $# -gt 0 ]; then
            exec "$VENV/bin/python" -m pytest "$@"
        fi
        # The whole suite on two cores: the bounds-checked re-run of the model cases and the
        # browser test (each drives a child process of its own) run beside the rest, on one
        # numba thread (two processes with two threads each on two cores wait on each other
        # at every parallel kernel's barrier).
        side=(tests/test_memory_safety.py tests/test_app_browser.py)
        log=$(mktemp)
        NUMBA_NUM_THREADS=1 "$VENV/bin/python" -m pytest -q "${side[@]}" >"$log" 2>&1 &
        pid=$!
        rc=0
        "$VENV/bin/python" -m pytest "${side[@]/#/--ignore=}" || rc=$?
        side_rc=0
        wait "$pid" || side_rc=$?
        echo "--- ${side[*]} ---"
        cat "$log"
        rm -f "$log"
        [ "$rc" -eq 0 ] && [ "$side_rc" -eq 0 ]
        ;;
    bench)
        setup_env
        "$VENV/bin/python" -m benchmarks.bench "$@"
        ;;
    *) echo "usage: scripts/dev.sh demo|test|bench|env [args...]" >&2; exit 2 ;;
esac
