"""The ``kosi-sim`` command line.

Every user error (bad scenario, bad value, existing folder, damaged results, a mistyped
option) ends with one line on stderr, exit code 2, no traceback and nothing half-written.
Output piped into a program that stops reading (``kosi-sim params | head``) ends quietly.

One module per command group adds its sub-commands (``register``) and runs them
(``cmd_*``); :mod:`.common` holds what they share.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from .. import __version__, ruleset
from ..results import ResultsError
from ..scenario import ScenarioError
from . import app, calibrate, classroom, compare, info, optimize, run, sweep
from .common import EXIT_BROKEN_PIPE, EXIT_INTERRUPTED, EXIT_USAGE, UsageError

__all__ = ["EXIT_INTERRUPTED", "EXIT_USAGE", "UsageError", "build_parser", "main"]


class _Parser(argparse.ArgumentParser):
    """argparse, with its errors in the one-line form of all other errors."""

    def error(self, message: str):
        self.exit(EXIT_USAGE, f"kosi-sim: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="kosi-sim",
        description="Agent-based simulation of how a city's administration, citizens, "
        "associations and businesses co-produce local services as the city ages and shrinks, "
        "and what municipal labs of social innovation change.",
        epilog="Scenario files are TOML; see README.md. 'kosi-sim params' lists every "
        "parameter with its unit, range and source.",
    )
    parser.add_argument("--version", action="version", version=f"kosi-sim {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    # the order here is the order of the commands in --help
    run.register(sub)
    compare.register(sub)
    calibrate.register(sub)
    sweep.register(sub)  # sweep, analyze
    optimize.register(sub)
    info.register(sub)  # validate, params
    app.register(sub)
    classroom.register(sub)
    info.register_scenarios(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        ruleset.choose()  # a bad KOSI_RULES stops here, before anything is written
        code = args.func(args)
        sys.stdout.flush()  # a closed pipe shows here, not in the interpreter's last flush
        return code
    except (ScenarioError, ResultsError, UsageError, ruleset.RulesError) as e:
        print(f"kosi-sim: error: {e}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("kosi-sim: interrupted; nothing was written", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_BROKEN_PIPE


def _silence_stdout() -> None:
    """Point stdout at the null device, so that the interpreter's final flush of what is
    still buffered does not fail on the closed pipe again (the recipe of Python's signal
    documentation)."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        return  # not a real file (a test's capture): nothing is flushed to a pipe
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    os.close(devnull)
