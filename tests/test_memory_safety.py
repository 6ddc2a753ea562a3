"""The model cases run once more with numba's bounds checking switched on.

The kernels are compiled without bounds checks (``kosi_sim.jit``): a rule that indexes an
array with a value out of range would write past its end and corrupt memory silently.
Here the tests marked ``boundscheck`` (every parameter at both ends of its range, random
parameter vectors, every scenario's invariants) run in a child process with
``NUMBA_BOUNDSCHECK=1``, so such an index raises IndexError and fails the test instead.

The child compiles the kernels it needs into its own cache folder: numba's cache does not
record whether a kernel was compiled with bounds checks, so a shared cache could hand the
child the unchecked kernels.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _cache_dir() -> Path:
    """A cache folder used only by bounds-checked runs, kept between test sessions so
    that a second session on this machine does not compile again."""
    return Path(tempfile.gettempdir()) / f"kosi-sim-boundscheck-{os.getuid()}"


@pytest.mark.skipif(
    os.environ.get("NUMBA_BOUNDSCHECK") == "1", reason="already the bounds-checked run"
)
def test_model_cases_pass_with_bounds_checking():
    env = dict(os.environ, NUMBA_BOUNDSCHECK="1", NUMBA_CACHE_DIR=str(_cache_dir()))
    env.pop("NUMBA_DISABLE_JIT", None)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-o",
            "addopts=",
            "-q",
            "-x",
            "-p",
            "no:cacheprovider",
            "-m",
            "boundscheck",
            "tests",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-40:])
    assert proc.returncode == 0, tail
    passed = re.search(r"(\d+) passed", proc.stdout)
    assert passed and int(passed.group(1)) > 300, tail  # the extremes and every scenario


def test_bounds_checking_reaches_the_kernels(tmp_path):
    """The switch works: with NUMBA_BOUNDSCHECK=1 and a fresh cache, an index past the end
    of an array in a kernel compiled as the model's are raises IndexError."""
    code = (
        "import numpy as np\n"
        "from kosi_sim.jit import kernel\n"
        "@kernel\n"
        "def poke(a, i):\n"
        "    a[i] = 1\n"
        "try:\n"
        "    poke(np.zeros(4), 9)\n"
        "except IndexError:\n"
        "    print('caught')\n"
    )
    script = tmp_path / "poke.py"
    script.write_text(code)
    env = dict(os.environ, NUMBA_BOUNDSCHECK="1", NUMBA_CACHE_DIR=str(tmp_path / "cache"))
    env["PYTHONPATH"] = str(ROOT)
    out = subprocess.run(
        [sys.executable, str(script)], env=env, capture_output=True, text=True, check=False
    )
    assert out.stdout.strip() == "caught", out.stderr
