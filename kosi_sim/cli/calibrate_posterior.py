"""``kosi-sim calibrate SCENARIO --posterior``: ABC-SMC (pyabc) over the parameters that
matter, against every calibration target and long-run check.

The output folder is written in place, not swapped in at the end like other results: it
holds pyabc's history (``abc.db``, SQLite) while the calibration runs, so that ``--resume``
can continue it after an interruption.  pyabc stores a generation when it is complete; a
kill loses the simulations of the generation under way, nothing before it.  The other
files (posterior, predictive check, convergence) are written when the run ends.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

from ..scenario import MAX_YEARS
from .common import (
    EXIT_INTERRUPTED,
    UsageError,
    _scenario,
    add_executor_args,
    check_option,
    check_window,
    output_folder,
)

DB = "abc.db"


def add_arguments(cal) -> None:
    """The options of the posterior mode of ``calibrate``."""
    g = cal.add_argument_group("Bayesian calibration (--posterior)")
    g.add_argument(
        "--posterior",
        action="store_true",
        help="estimate a posterior with ABC-SMC (pyabc) instead of checking the scenario",
    )
    g.add_argument(
        "--budget",
        type=int,
        default=2000,
        help="most simulations in all; the generation that reaches it is finished (default 2000)",
    )
    g.add_argument(
        "--population",
        type=int,
        default=100,
        help="particles per generation (default 100; at least two per parameter)",
    )
    g.add_argument("--generations", type=int, default=20, help="most generations (default 20)")
    g.add_argument(
        "--min-epsilon",
        type=float,
        default=0.5,
        help="stop at this distance (root mean square miss in tolerances; default 0.5)",
    )
    g.add_argument(
        "--param",
        action="append",
        metavar="KEY",
        help="a parameter to estimate (section.name or instrument.<type>.<name>); "
        "repeatable; default: the fitted ones and the influential ones",
    )
    g.add_argument("--predictive", type=int, default=40, help="predictive runs (default 40)")
    add_executor_args(g, "serial", "where simulations run (default serial)")
    g.add_argument(
        "--resume",
        action="store_true",
        help="continue the calibration in --out from its last finished generation",
    )


def _check_options(args) -> None:
    check_option("--window", args.window, 1, MAX_YEARS * 12)
    check_option("--budget", args.budget, 1)
    check_option("--population", args.population, 2)
    check_option("--generations", args.generations, 1)
    check_option("--predictive", args.predictive, 2)
    if args.workers is not None:
        check_option("--workers", args.workers, 1)
    if not (np.isfinite(args.min_epsilon) and args.min_epsilon >= 0):
        raise UsageError(
            f"--min-epsilon {args.min_epsilon} is not allowed; allowed: a number of at least 0"
        )
    if args.fit:
        raise UsageError("--fit and --posterior exclude each other; choose one")
    if args.scheduler:
        from .sweep import check_scheduler

        check_scheduler(args.scheduler)


def _setup(args):
    """The scenario, the keys and their origin, checked; UsageError with one line."""
    from ..abc_smc import PARTICLES_PER_PARAMETER, AbcError, continuous_keys, prior
    from ..posterior_fit import check_keys, default_keys

    scn = _scenario(args)
    check_window(args, scn)
    try:
        keys, origin = (check_keys(args.param), "--param") if args.param else default_keys(scn)
        prior(keys)  # every prior usable and inside its declared range
    except AbcError as e:
        raise UsageError(str(e)) from None
    least = max(2, PARTICLES_PER_PARAMETER * len(continuous_keys(keys)))
    if args.population < least:
        raise UsageError(
            f"--population {args.population} is too small for {len(keys)} parameters; "
            f"allowed: at least {least} ({PARTICLES_PER_PARAMETER} per parameter the kernel "
            "proposes, whose covariance is estimated from the particles)"
        )
    return scn, keys, origin


def _fingerprint(scn, keys, args) -> str:
    doc = {
        "scenario": scn.to_dict(),
        "keys": keys,
        "window": args.window,
        "long_run": args.long_run,
        "population": args.population,
    }
    return hashlib.sha256(json.dumps(doc, sort_keys=True, default=str).encode()).hexdigest()


def _open_folder(out: Path, args, fingerprint: str) -> bool:
    """Make ready the folder (held locked); True if this call created it."""
    from ..abc_smc import AbcError, open_history
    from ..outdir import POSTERIOR, check_replaceable, read_manifest, write_errors

    if args.resume:
        doc = read_manifest(out)
        if doc is None or POSTERIOR.marker not in doc:
            raise UsageError(
                f"--resume: {out} holds no calibration to resume (no manifest.json of "
                "kosi-sim calibrate --posterior)"
            )
        try:
            open_history(out / DB)
        except AbcError as e:
            raise UsageError(str(e)) from None
        if doc.get("fingerprint") != fingerprint:
            raise UsageError(
                f"--resume: {out} was started with another scenario, parameters, window or "
                "population; resume with the same ones, or start a new --out"
            )
        return False
    check_replaceable(out, POSTERIOR, args.force, str(out))
    with write_errors(out):
        if out.is_dir():
            shutil.rmtree(out)
        out.mkdir()
    return True


def _manifest(scn, args, keys, origin, fingerprint, status, extra=None) -> dict:
    from ..results import manifest_base

    doc = manifest_base(
        scn,
        {
            "command": " ".join(sys.argv),
            "status": status,
            "fingerprint": fingerprint,
            "parameters_estimated": keys,
            "parameters_from": origin,
            "window_months": args.window,
            "long_run_months": scn.years * 12 if args.long_run else None,
            "budget": args.budget,
            "population": args.population,
            "min_epsilon": args.min_epsilon,
            "executor": args.executor,
            **(extra or {}),
        },
    )
    doc.pop("kosi_sim_result", None)
    return {"kosi_sim_posterior": 1, **doc}


def _write_json(path: Path, doc: dict) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(doc, indent=2, default=str) + "\n")
    tmp.replace(path)


def _quiet_pyabc() -> None:
    """pyabc's per-generation lines (logger ``ABC``) stay; its components' chatter goes."""
    for name in (
        "Sampler",
        "Population",
        "History",
        "Transition",
        "Distance",
        "Epsilon",
        "Acceptor",
        "Adaptation",
        "Predictor",
    ):
        logging.getLogger(f"ABC.{name}").setLevel(logging.WARNING)
    warnings.filterwarnings("ignore", category=RuntimeWarning, module="pyabc")


def cmd_posterior(args) -> int:
    from ..abc_smc import AbcError
    from ..experiments.executors import worker_died
    from ..outdir import make_parents, remove_empty, target_path, writer_lock

    _check_options(args)
    scn, keys, origin = _setup(args)
    out = output_folder(args.out, scn.name, "-posterior")
    path = target_path(out)
    fingerprint = _fingerprint(scn, keys, args)
    created_parents = make_parents(path.parent)
    try:
        with writer_lock(path, str(out)):
            created = _open_folder(out, args, fingerprint)
            try:
                return _calibrate(scn, keys, origin, fingerprint, out, args)
            except KeyboardInterrupt:
                print(
                    f"kosi-sim: interrupted; finished generations are kept in {out}/{DB}; "
                    f"continue with --resume --out {out}",
                    file=sys.stderr,
                )
                return EXIT_INTERRUPTED
            except BaseException as e:
                kept = _has_generation(out / DB)
                if created and not kept:
                    shutil.rmtree(out, ignore_errors=True)
                if isinstance(e, AbcError):
                    raise UsageError(
                        f"{e}; "
                        + (
                            f"finished generations are kept in {out}/{DB}"
                            if kept
                            else "no generation was finished"
                        )
                    ) from None
                if isinstance(e, Exception) and worker_died(e):
                    raise UsageError(
                        f"a worker process died ({type(e).__name__}); "
                        + (
                            f"finished generations are kept: continue with --resume --out {out}"
                            if kept
                            else "no generation was finished"
                        )
                    ) from None
                raise
    finally:
        remove_empty(created_parents)


def _has_generation(db: Path) -> bool:
    from ..abc_smc import AbcError, open_history

    try:
        open_history(db)
    except AbcError:
        return False
    return True


def _calibrate(scn, keys, origin, fingerprint, out: Path, args) -> int:
    from ..abc_smc import STOPPED, convergence, final_sample, make_abc, run
    from ..compare import replicate_seeds
    from ..experiments.executors import open_executor
    from ..outdir import write_errors
    from ..posterior import make
    from ..posterior_fit import Simulator, observed, predictive_runs, predictive_table, scaled_stats

    _quiet_pyabc()
    console = Console(stderr=True)
    with write_errors(out):
        _write_json(
            out / "manifest.json", _manifest(scn, args, keys, origin, fingerprint, "running")
        )
    console.print(
        f"{scn.name}: ABC-SMC over {len(keys)} parameters ({origin}), at most "
        f"{args.budget} simulations of {scn.years} years at scale {scn.scale:g}, "
        f"{args.population} particles per generation; history in {out}/{DB}"
    )
    simulator = Simulator(scn, keys, args.window, args.long_run)
    start = time.perf_counter()
    with open_executor(args.executor, args.workers, args.scheduler) as pool:
        abc = make_abc(
            simulator,
            keys,
            scaled_stats(scn, args.long_run),
            pool,
            scn.seed,
            args.population,
            resume=args.resume,
        )
        history = run(
            abc,
            out / DB,
            observed(scn, args.long_run),
            args.resume,
            args.budget,
            args.generations,
            args.min_epsilon,
        )
        abc_seconds = time.perf_counter() - start
        sampling = abc.sampler.seconds
        conv = convergence(history)
        samples, weights = final_sample(history, keys)
        post = make(
            samples,
            weights,
            {
                "scenario": scn.name,
                "scenario_file": scn.source,
                "scale": scn.scale,
                "sampler": "pyabc ABC-SMC",
                "generations": int(history.max_t) + 1,
                "epsilon": float(conv["epsilon"].iloc[-1]),
                "simulations": int(history.total_nr_simulations),
                "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            },
        )
        rng = np.random.default_rng([scn.seed, 2])
        draws = post.draw(rng, args.predictive)
        t0 = time.perf_counter()
        sims = predictive_runs(
            simulator, draws, replicate_seeds(int(rng.integers(2**62)), len(draws)), pool
        )
        predictive_seconds = time.perf_counter() - t0
    table = predictive_table(scn, sims)
    timing = {
        "wall_time_s": round(time.perf_counter() - start, 2),
        "abc_wall_time_s": round(abc_seconds, 2),
        "abc_sampling_s": round(sampling, 2),
        "abc_sampler_overhead_s": round(abc_seconds - sampling, 2),
        "simulations_this_call": int(conv["simulations"].sum()) if not args.resume else None,
        "simulations_run_by_sampler": abc.sampler.counts["simulations"],
        "stopped_early": abc.sampler.counts[STOPPED],
        "mean_simulation_s": round(float(sims["seconds"].mean()), 3),
        "predictive_runs": len(sims),
        "predictive_wall_time_s": round(predictive_seconds, 2),
    }
    _write_outputs(out, scn, args, keys, origin, fingerprint, post, conv, table, timing)
    _print(scn, keys, post, conv, table, timing, out)
    return 0 if bool(table["passed"].all()) else 1


def _write_outputs(out, scn, args, keys, origin, fingerprint, post, conv, table, timing):
    from ..outdir import write_errors
    from ..plots import calibration_chart
    from ..posterior import write
    from ..posterior_fit import chart_frame

    with write_errors(out):
        write(post, out / "posterior.parquet")
        table.to_csv(out / "predictive.csv", index=False)
        conv.to_csv(out / "convergence.csv", index=False)
        calibration_chart(
            chart_frame(table),
            out / "predictive.png",
            f"{scn.name}: posterior-predictive check ({len(table)} rows; mean and 90% "
            f"interval of {timing['predictive_runs']} runs)",
        )
        extra = {
            "generations": len(conv),
            "final_epsilon": float(conv["epsilon"].iloc[-1]),
            "simulations": int(conv["simulations"].sum()),
            "effective_sample_size": post.effective_sample_size(),
            "all_passed": bool(table["passed"].all()),
            **timing,
        }
        _write_json(
            out / "manifest.json",
            _manifest(scn, args, keys, origin, fingerprint, "done", extra),
        )


def _print(scn, keys, post, conv, table, timing, out) -> None:
    console = Console()
    t = Table(title=f"{scn.name}: posterior (weighted, ESS {post.effective_sample_size():.0f})")
    for col in ("parameter", "mean", "5%", "95%"):
        t.add_column(col, justify="left" if col == "parameter" else "right")
    for k in keys:
        v = post.samples[k].to_numpy(dtype=float)
        order = np.argsort(v)
        cum = np.cumsum(post.weights[order])
        q = [v[order][min(np.searchsorted(cum, p), len(v) - 1)] for p in (0.05, 0.95)]
        t.add_row(k, f"{np.average(v, weights=post.weights):.4g}", f"{q[0]:.4g}", f"{q[1]:.4g}")
    console.print(t)
    from .calibrate import target_table

    p = target_table(
        table,
        "posterior-predictive check",
        ("mean", "90% interval"),
        lambda r: (f"{r.predictive_mean:.4g}", f"{r.predictive_q05:.4g} to {r.predictive_q95:.4g}"),
    )
    console.print(p)
    last = conv.iloc[-1]
    print(
        f"{len(conv)} generations, {int(conv['simulations'].sum())} simulations needed; "
        f"this call ran {timing['simulations_run_by_sampler']}, {timing['stopped_early']} of "
        "them stopped early (their misses so far already beyond epsilon); final epsilon "
        f"{last['epsilon']:.3g}; {int(table['passed'].sum())} of {len(table)} checks pass; "
        f"ABC {timing['abc_wall_time_s']:.0f} s (sampling {timing['abc_sampling_s']:.0f} s, "
        f"sampler overhead {timing['abc_sampler_overhead_s']:.0f} s); results written to {out}/"
    )
