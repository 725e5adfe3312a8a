"""Benchmark of the SPC engine (run by hand: ``make bench`` or ``.venv/bin/python bench/spc_bench.py``).

Targets from issue 5, on the same synthetic data (bench/spc_data.py, 1,500 wards x 260 weeks):
- XmR with all four rules for 1,500 series x 260 points in one call: under 50 ms;
- u chart for the same: under 50 ms;
- ``rrp spc`` on a 390,000-row CSV end to end: under 5 s.
Compared with a per-series Python loop over the same engine and with the peer package
pyqicharts (PyPI, the ``bench`` extra), which computes one series per call.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from rrp.spc import spc_matrix
from spc_data import N_WARDS, N_WEEKS, ward_matrices, write_csv
from timing import Stopwatch, time_calls


def best_of(fn, repeat: int, *, warmup: int = 1) -> tuple[float, float]:
    """(best, median) wall time in seconds over ``repeat`` runs after ``warmup`` untimed ones."""
    timings = time_calls(fn, repeat=repeat, warmup=warmup)
    return timings.best, timings.median


def peer_loop(counts: np.ndarray, bed_days: np.ndarray, chart: str, n_series: int) -> float:
    import pandas as pd
    from pyqicharts.tables import qic_table

    x = np.arange(counts.shape[0])
    with Stopwatch() as watch:
        for j in range(n_series):
            if chart == "i":
                df = pd.DataFrame({"x": x, "y": counts[:, j]})
                qic_table(df, "x", "y", chart="i")
            else:
                df = pd.DataFrame({"x": x, "y": counts[:, j], "n": bed_days[:, j]})
                qic_table(df, "x", "y", chart="u", denominator="n")
    return watch.seconds * counts.shape[1] / n_series


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=20)
    p.add_argument("--peer-series", type=int, default=N_WARDS, help="series the peer computes (time scaled)")
    p.add_argument("--skip-peer", action="store_true")
    args = p.parse_args(argv)

    counts, bed_days = ward_matrices()
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(f"data: {N_WARDS} series x {N_WEEKS} points, {np.isnan(counts).mean():.1%} missing\n")

    rows = []
    best, med = best_of(lambda: spc_matrix("xmr", counts, improvement_direction="decrease"), args.repeat)
    rows.append(("XmR, all four rules (mdc), one call", best, med, 0.050))
    best, med = best_of(
        lambda: spc_matrix("xmr", counts, improvement_direction="decrease", profile="nhsrplotthedots"),
        args.repeat,
    )
    rows.append(("XmR, all four rules (nhsrplotthedots), one call", best, med, 0.050))
    best, med = best_of(
        lambda: spc_matrix("u", numerators=counts, denominators=bed_days, improvement_direction="decrease"),
        args.repeat,
    )
    rows.append(("u chart, all four rules (mdc), one call", best, med, 0.050))

    def loop_xmr() -> None:
        for j in range(counts.shape[1]):
            spc_matrix("xmr", counts[:, j], improvement_direction="decrease")

    best, med = best_of(loop_xmr, 3)
    rows.append(("XmR, per-series Python loop over the engine", best, med, None))

    if not args.skip_peer:
        n = min(args.peer_series, N_WARDS)
        t = peer_loop(counts, bed_days, "i", n)
        rows.append((f"XmR, pyqicharts 2.0.0 qic_table per series ({n} timed, scaled)", t, t, None))
        t = peer_loop(counts, bed_days, "u", n)
        rows.append((f"u chart, pyqicharts 2.0.0 qic_table per series ({n} timed, scaled)", t, t, None))

    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "wards.csv")
        write_csv(src)
        for chart, extra in (
            ("xmr", []),
            (
                "u",
                [
                    "--numerator-column",
                    "numerator",
                    "--denominator-column",
                    "denominator",
                    "--multiplier",
                    "1000",
                ],
            ),
        ):
            cmd = [
                sys.executable,
                "-m",
                "rrp.cli.spc",
                chart,
                "--input",
                src,
                "--output",
                os.path.join(tmp, "out.csv"),
                "--summary",
                os.path.join(tmp, "out.json"),
                "--group-column",
                "ward",
                "--improvement",
                "decrease",
                *extra,
            ]
            best, med = best_of(lambda cmd=cmd: subprocess.run(cmd, check=True), 3, warmup=0)
            rows.append((f"rrp spc {chart} on 390,000-row CSV, end to end", best, med, 5.0))

    width = max(len(r[0]) for r in rows)
    print(f"{'benchmark':<{width}}  {'best':>10}  {'median':>10}  target")
    for name, best, med, target in rows:
        mark = "" if target is None else (f"< {target * 1000:.0f} ms" if target < 1 else f"< {target:.0f} s")
        ok = "" if target is None else ("  ok" if med < target else "  MISSED")
        print(f"{name:<{width}}  {best * 1000:>8.1f}ms  {med * 1000:>8.1f}ms  {mark}{ok}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
