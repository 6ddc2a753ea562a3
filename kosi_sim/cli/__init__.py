"""The ``kosi-sim`` command line.

Every user error (bad scenario, bad value, existing folder, damaged results) ends with one
line on stderr, exit code 2, no traceback and nothing half-written.

One module per command group adds its sub-commands (``register``) and runs them
(``cmd_*``); :mod:`.common` holds what they share.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .. import __version__
from ..results import ResultsError
from ..scenario import ScenarioError
from . import app, calibrate, compare, info, run, sweep
from .common import EXIT_INTERRUPTED, EXIT_USAGE, UsageError

__all__ = ["EXIT_INTERRUPTED", "EXIT_USAGE", "UsageError", "build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
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
    info.register(sub)  # validate, params
    app.register(sub)
    info.register_scenarios(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except (ScenarioError, ResultsError, UsageError) as e:
        print(f"kosi-sim: error: {e}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("kosi-sim: interrupted; nothing was written", file=sys.stderr)
        return EXIT_INTERRUPTED
