"""Planner benchmark: synthetic hotlines of 50 to 2,000 people, planner vs a naive coordinator.

    /work/venv/bin/python benchmarks/planner.py [--sizes 50 200 1000 2000] [--quick]
        [--seed N] [--time-limit SECONDS] [--json FILE]

Each size runs in its own subprocess (``--worker``) so that peak memory is that size's alone:
peak memory is ``resource.getrusage(RUSAGE_SELF).ru_maxrss`` of the worker, read right after the
final plan (it covers generating the config, the greedy preview and the final solve, not the
checker or the baseline, which run afterwards). In the worker:

1. generate the seeded instance (benchmarks/synthetic.py);
2. ``make_plan(..., greedy_only=True)``: the greedy preview, wall time;
3. ``make_plan(...)``: the final plan (CP-SAT with the config's or ``--time-limit`` limit);
4. ``verify`` both plans with the independent checker, compute the figures
   (benchmarks/metrics.py);
5. build the naive coordinators' plans, check them, compute their figures: the day-off
   baseline (benchmarks/naive.py) and the on-shift baseline (benchmarks/naive_shift.py), strict
   (teams with no suitable shift stay unplaced) and with the day-off fallback;
6. the per-training lower bound (``metrics.training_bound``: each required training and round
   alone, a set-cover CP-SAT of at most 5 s each, for the people the final plan seats; the same
   for everyone who could be seated at all is in the JSON as ``training_bound_all_seatable``);
   ``combined_bound``: per training the larger of its capacity bound and its set-cover bound,
   summed; best LB = the largest of the capacity bound, the per-training LB and the combined
   bound, and "final vs best LB %" = final sessions / best LB - 1.

The parent prints three markdown tables: the planner's figures, planner vs the day-off naive
coordinator, and planner vs the on-shift naive coordinator (strict and with fallback) side by side.
``--quick`` runs the 50- and 200-person sizes with a 20 s limit.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from collections import Counter
from dataclasses import asdict
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from metrics import capacity_by_training, figures, now_for, training_bound  # noqa: E402
from naive import naive_plan  # noqa: E402
from naive_shift import naive_shift_plan  # noqa: E402
from synthetic import SIZES, describe, instance  # noqa: E402

from scheduler_service.checker import verify  # noqa: E402


def work(size: str, seed: int, limit: float | None) -> dict[str, Any]:
    from scheduler_service.planner import make_plan

    inst = instance(SIZES[size], seed)
    cfg, first, last = inst.config, inst.first, inst.last
    now = now_for(first)
    t0 = time.perf_counter()
    preview = make_plan(cfg, first, last, now=now, greedy_only=True)
    t1 = time.perf_counter()
    final = make_plan(cfg, first, last, now=now, time_limit_seconds=limit)
    t2 = time.perf_counter()
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t3 = time.perf_counter()
    found = verify(cfg, final)
    check_s = time.perf_counter() - t3
    greedy_found = verify(cfg, preview)
    naive = naive_plan(cfg, first, last, now)
    naive_found = verify(cfg, naive)
    on_shift = {name: naive_shift_plan(cfg, first, last, now, fallback=fb)
                for name, fb in (("naive_shift", False), ("naive_shift_fallback", True))}
    t4 = time.perf_counter()
    # the fewest sessions for the people the final plan seats (the fair bound), and for
    # everyone who could be seated at all (reported too)
    bound = training_bound(cfg, first, last, now, seated=final)
    bound_s = time.perf_counter() - t4
    bound_all = training_bound(cfg, first, last, now)
    fin = figures(cfg, final, first, last, found)
    best = max(fin.capacity_bound, bound.sessions)
    by_cap = capacity_by_training(cfg, list(final.sessions))
    combined = sum(max(by_cap.get(k, 0), bound.per_training.get(k, 0))
                   for k in set(by_cap) | set(bound.per_training))
    return {
        "size": size, "instance": describe(cfg), "days": (last - first).days + 1,
        "trainings": len(cfg.trainings), "people": len(cfg.roster),
        "greedy_seconds": round(t1 - t0, 2), "final_seconds": round(t2 - t1, 2),
        "check_seconds": round(check_s, 2), "peak_mib": round(peak_mib),
        "time_limit": limit if limit is not None else cfg.planning.time_limit_seconds,
        "stats": {k: v for k, v in final.stats.items() if k not in ("coverage", "cost_parts")},
        "greedy_cost": preview.stats.get("cost"),
        "final": asdict(fin),
        "training_bound": {**asdict(bound), "seconds": round(bound_s, 2)},
        "training_bound_all_seatable": asdict(bound_all),
        "best_bound": best,
        "final_per_training": dict(sorted(Counter(
            s.training for s in final.sessions if s.status != "cancelled").items())),
        "over_best_bound": round(fin.sessions / best - 1, 4) if best else None,
        # per training the larger of its two bounds, summed: also valid, at least best_bound
        "combined_bound": combined,
        "over_combined_bound": round(fin.sessions / combined - 1, 4) if combined else None,
        "greedy": asdict(figures(cfg, preview, first, last, greedy_found)),
        "naive": asdict(figures(cfg, naive, first, last, naive_found)),
        **{name: asdict(figures(cfg, plan, first, last, verify(cfg, plan)))
           for name, plan in on_shift.items()},
        "first_violations": [str(v) for v in found[:5]],
    }


def run_size(size: str, seed: int, limit: float | None) -> dict[str, Any]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", size, "--seed", str(seed)]
    if limit is not None:
        cmd += ["--time-limit", str(limit)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        return {"size": size, "error": done.stderr.strip().splitlines()[-1:] or ["failed"],
                "stderr": done.stderr[-3000:]}
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _ratio(a: float, b: float) -> str:
    return "n/a" if b == 0 else f"{a / b:.2f}"


def _bound_text(bound: dict[str, Any]) -> str:
    return f"{bound['sessions']}" + ("" if bound["proven"] else " (not proven: solver bound)")


def _over_text(over: float | None) -> str:
    return "n/a" if over is None else f"{over:+.1%}"


def _best(r: dict[str, Any]) -> int:
    """The best lower bound available: the larger of the capacity bound, the per-training
    set-cover bound and their per-training maximum (``combined_bound``)."""
    return int(max(r["best_bound"], r.get("combined_bound") or 0))


def planner_table(rows: list[dict[str, Any]]) -> str:
    head = ("| size | instance | greedy preview s | first optimised plan s | final s "
            "| peak RSS MiB | sessions preview / final | capacity bound | per-training LB "
            "| best LB | final vs best LB % | required placed "
            "| violations | overtime h (training) |")
    lines = [head, "|" + "---|" * 14]
    for r in rows:
        if "error" in r:
            lines.append(f"| {r['size']} | ERROR: {' '.join(r['error'])} |" + " |" * 12)
            continue
        f, g, st = r["final"], r["greedy"], r["stats"]
        timing = st.get("timing", {})
        placed = f["placed_pairs"] / f["required_pairs"] if f["required_pairs"] else 1.0
        best = _best(r)
        lines.append(
            f"| {r['size']} | {r['people']} people, {r['trainings']} trainings, {r['days']} d "
            f"| {r['greedy_seconds']} | {timing.get('first_cover_plan_seconds', '?')} "
            f"| {r['final_seconds']} | {r['peak_mib']} "
            f"| {g['sessions']} / {f['sessions']} | {f['capacity_bound']} "
            f"| {_bound_text(r['training_bound'])} | {best} "
            f"| {_over_text(f['sessions'] / best - 1 if best else None)} "
            f"| {placed:.1%} ({f['placed_pairs']}/{f['required_pairs']}) "
            f"| {f['violations']} (preview {g['violations']}) | {f['overtime_hours']} |")
    return "\n".join(lines)


def _versus(f: dict[str, Any], n: dict[str, Any]) -> str:
    """The planner-against-baseline cells of a row (after size, and label if any)."""
    return (f"{f['sessions']} / {n['sessions']} ({_ratio(f['sessions'], n['sessions'])}) "
            f"| {f['staffing_violations']} / {n['staffing_violations']} "
            f"| {f['violations']} / {n['violations']} "
            f"| {f['overtime_hours']} / {n['overtime_hours']} "
            f"({_ratio(f['overtime_hours'], n['overtime_hours'])}) "
            f"| {f['off_shift_hours']} / {n['off_shift_hours']} "
            f"| {f['placed_pairs']} / {n['placed_pairs']} of {f['required_pairs']} |")


def naive_table(rows: list[dict[str, Any]]) -> str:
    head = ("| size | sessions planner / naive (ratio) | staffing violations planner / naive "
            "| all violations planner / naive | overtime h planner / naive (ratio) "
            "| off-shift paid h planner / naive | required placed planner / naive |")
    lines = [head, "|" + "---|" * 7]
    for r in rows:
        if "error" in r:
            continue
        f, n = r["final"], r["naive"]
        lines.append(f"| {r['size']} | {_versus(f, n)}")
    return "\n".join(lines)


SHIFT_VARIANTS = (("naive_shift", "on shift"), ("naive_shift_fallback", "on shift + fallback"))


def naive_shift_table(rows: list[dict[str, Any]]) -> str:
    head = ("| size | baseline | sessions planner / naive (ratio) "
            "| staffing violations planner / naive | all violations planner / naive "
            "| overtime h planner / naive (ratio) | off-shift paid h planner / naive "
            "| required placed planner / naive |")
    lines = [head, "|" + "---|" * 8]
    for r in rows:
        for name, label in SHIFT_VARIANTS:
            if "error" in r or name not in r:
                continue
            f, n = r["final"], r[name]
            lines.append(f"| {r['size']} | {label} | {_versus(f, n)}")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", default=list(SIZES), choices=list(SIZES))
    parser.add_argument("--quick", action="store_true", help="50 and 200 people, 20 s limit")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--time-limit", type=float, default=None)
    parser.add_argument("--json", type=Path, default=None, help="also write raw results here")
    parser.add_argument("--worker", choices=list(SIZES), help=argparse.SUPPRESS)
    parser.add_argument("--tables", type=Path, default=None,
                        help="only print the tables of results saved earlier with --json")
    args = parser.parse_args()
    if args.tables is not None:
        saved = json.loads(args.tables.read_text())
        print(planner_table(saved), naive_table(saved), naive_shift_table(saved), sep="\n\n")
        return 0
    if args.worker:
        print(json.dumps(work(args.worker, args.seed, args.time_limit)))
        return 0
    sizes, limit = args.sizes, args.time_limit
    if args.quick:
        sizes, limit = ["50", "200"], limit or 20.0
    rows = []
    for size in sizes:
        print(f"running size {size} ...", file=sys.stderr, flush=True)
        rows.append(run_size(size, args.seed, limit))
        if "error" in rows[-1]:
            print(rows[-1]["stderr"], file=sys.stderr)
    print(planner_table(rows))
    print()
    print(naive_table(rows))
    print()
    print(naive_shift_table(rows))
    for r in rows:
        for text in r.get("first_violations", []):
            print(f"- {r['size']}: {text}")
    if args.json is not None:
        args.json.write_text(json.dumps(rows, indent=2))
    return 1 if any("error" in r or r["final"]["violations"] for r in rows) else 0


if __name__ == "__main__":
    raise SystemExit(main())
