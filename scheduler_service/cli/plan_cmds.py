"""``traincal plan``: plan the horizon, print it, save it as a new version; ``plan diff``."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import click
from rich.table import Table

from scheduler_service.cli.common import config_option, console, load, write_json
from scheduler_service.clock import SystemClock
from scheduler_service.config.schema import Config
from scheduler_service.model import Plan, Session

WEEKDAY = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def register(cli: click.Group) -> None:
    cli.add_command(plan)


def horizon(config: Config, now: datetime, first: date | None, last: date | None
            ) -> tuple[date, date]:
    """Default: from tomorrow (the organisation's local date) for planning.horizon_days."""
    start = first or (now.astimezone(config.zone).date() + timedelta(days=1))
    end = last or (start + timedelta(days=config.planning.horizon_days - 1))
    if end < start:
        raise click.BadParameter(f"--to {end} is before --from {start}")
    return start, end


def _when(s: Session, config: Config) -> str:
    a, b = s.start.astimezone(config.zone), s.end.astimezone(config.zone)
    return f"{WEEKDAY[a.weekday()]} {a:%Y-%m-%d %H:%M}-{b:%H:%M}"


@click.group(invoke_without_command=True)
@config_option
@click.option("--from", "first", type=click.DateTime(["%Y-%m-%d"]), help="First day (local).")
@click.option("--to", "last", type=click.DateTime(["%Y-%m-%d"]), help="Last day (local).")
@click.option("--json", "json_target", help="Write the plan JSON to FILE ('-' = stdout).")
@click.option("--strict", is_flag=True, help="Exit 1 when a required person is unplaced.")
@click.option("--greedy", is_flag=True, help="Fast preview: greedy construction only.")
@click.option("--explain", "explain", metavar="PERSON", help="Explain one person's options.")
@click.option("--training", metavar="KEY", help="The training for --explain.")
@click.option("--verify", is_flag=True, help="Re-check the plan with the independent checker.")
@click.pass_context
def plan(ctx: click.Context, config_path: Path, first: datetime | None, last: datetime | None,
         json_target: str | None, strict: bool, greedy: bool, explain: str | None,
         training: str | None, verify: bool) -> None:
    """Plan every training's sessions for the horizon and save the plan as a new version."""
    if ctx.invoked_subcommand is not None:
        return
    from scheduler_service.planner import explain_person, make_plan
    from scheduler_service.store import Store

    config = load(config_path)
    now = SystemClock().now()
    lo, hi = horizon(config, now, first.date() if first else None, last.date() if last else None)
    store = Store(config.storage.url)
    if explain is not None:
        if training is None:
            raise click.UsageError("--explain needs --training KEY")
        latest = store.latest_plan()
        rows = explain_person(config, lo, hi, explain, training, now=now,
                              plan=latest[1] if latest else None)
        _print_explain(config, explain, training, rows, json_target)
        return
    published = store.latest_published()
    result = make_plan(config, lo, hi, now=now, previous=published[1] if published else None,
                       greedy_only=greedy)
    version = store.save_plan(result, note="greedy preview" if greedy else "traincal plan")
    if json_target:
        write_json(result.to_json(), json_target)
    if json_target != "-":
        _print_plan(config, result, version)
    failed = False
    if verify:
        from scheduler_service.checker import verify as check

        problems = check(config, result)
        for v in problems:
            console.print(f"[red]violation:[/] {v}", highlight=False)
        if problems:
            failed = True
        elif json_target != "-":
            console.print("verify: no hard-constraint violation")
    required = {k for k, t in config.trainings.items() if t.required}
    if strict and any(u.training in required and "already attended" not in u.reason
                      for u in result.unplaced):
        failed = True
    if failed:
        ctx.exit(1)


def _print_plan(config: Config, p: Plan, version: int) -> None:
    stats = p.stats
    mix: dict[str, dict[str, int]] = stats.get("session_pay", {})
    by_training: dict[str, list[Session]] = {}
    for s in p.sessions:
        by_training.setdefault(s.training, []).append(s)
    for key in sorted(by_training):
        title = config.trainings[key].title if key in config.trainings else key
        table = Table(title=f"{title} ({key})", title_justify="left")
        for col in ("Session", "When", "Seats", "On shift", "Adjacent", "Day off",
                    "Facilitators"):
            table.add_column(col)
        for s in by_training[key]:
            m = mix.get(s.id, {})
            table.add_row(s.id, _when(s, config), f"{len(s.attendees)}/{s.capacity}",
                          str(m.get("on_shift", 0)), str(m.get("adjacent", 0)),
                          str(m.get("day_off", 0)), ", ".join(s.facilitators) or "-")
        console.print(table)
    cost = stats.get("cost", {})
    console.print(
        "Cost (hours): facilitators {facilitator_hours}, paid off shift {paid_hours_off_shift}, "
        "overtime {overtime_hours}, rest interruption {rest_interruption_hours}; "
        "weighted total {total}".format(**cost) if cost else "Cost: -"
    )
    solver = stats.get("solver", {})
    gap = solver.get("cost_gap")
    console.print(
        f"Sessions {stats.get('sessions')} (capacity bound {stats.get('lower_bound_sessions')},"
        f" starting plan {stats.get('greedy_sessions')}, budget {solver.get('session_budget')});"
        f" solver {solver.get('status')}, "
        + (f"cost {solver.get('cost_hours')} h at profile level, proven bound"
           f" {solver.get('cost_bound_hours')} h (gap {gap:.1%})" if isinstance(gap, float)
           else "proven bound not computed (solved training by training)")
    )
    console.print(f"Placed {stats.get('placed_required')}/{stats.get('required_pairs')} required"
                  f" and {stats.get('placed_optional')}/{stats.get('optional_pairs')} optional"
                  " seats")
    cov: dict[str, int] = stats.get("coverage", {})
    if cov:
        low = sorted(cov.items(), key=lambda kv: (kv[1], kv[0]))[:7]
        console.print("Lowest staffing margin (on duty - released - required) per day: "
                      + ", ".join(f"{d} {m:+d}" for d, m in sorted(low)))
    if stats.get("timing", {}).get("solver_stopped_by") == "wall_time":
        console.print("[yellow]note:[/] the solver was stopped by planning.time_limit_seconds, "
                      "not by planning.deterministic_time: the plan may differ between runs")
    for line in stats.get("precheck", []):
        console.print(f"[yellow]pre-check:[/] {line}", highlight=False)
    for mv in stats.get("moved", []):
        console.print(f"[yellow]{mv['session']}:[/] {mv['reason']}", highlight=False)
    if p.unplaced:
        table = Table(title="Unplaced", title_justify="left")
        table.add_column("Person")
        table.add_column("Training")
        table.add_column("Reason")
        for u in p.unplaced:
            table.add_row(u.person, u.training, u.reason)
        console.print(table)
    console.print(f"Saved as plan version {version}.")


def _print_explain(config: Config, person: str, training: str, rows: list[Any],
                   json_target: str | None) -> None:
    if json_target:
        write_json([r.to_json(config) for r in rows], json_target)
        if json_target == "-":
            return
    table = Table(title=f"{person} / {training}: every candidate time", title_justify="left")
    table.add_column("When")
    table.add_column("Status")
    table.add_column("Blocked by")
    for r in rows:
        a, b = r.start.astimezone(config.zone), r.end.astimezone(config.zone)
        when = f"{WEEKDAY[a.weekday()]} {a:%Y-%m-%d %H:%M}-{b:%H:%M}"
        table.add_row(when, r.status if r.session is None else f"attending {r.session}",
                      "; ".join(r.blockers))
    console.print(table)


def diff_plans(old: Plan | None, new: Plan) -> dict[str, Any]:
    """Sessions added, moved, cancelled and attendee changes from ``old`` to ``new``."""
    before = {s.id: s for s in old.sessions} if old else {}
    after = {s.id: s for s in new.sessions}
    tz = new.timezone
    out: dict[str, Any] = {"added": [], "moved": [], "cancelled": [], "attendees": []}
    for sid in sorted(after):
        s = after[sid]
        if sid not in before:
            out["added"].append(s.to_json(_zone(tz)))
            continue
        o = before[sid]
        if (o.start, o.end) != (s.start, s.end):
            out["moved"].append({"id": sid, "from": o.start.astimezone(_zone(tz)).isoformat(),
                                 "to": s.start.astimezone(_zone(tz)).isoformat()})
        plus = sorted(set(s.attendees) - set(o.attendees))
        minus = sorted(set(o.attendees) - set(s.attendees))
        if plus or minus or o.facilitators != s.facilitators:
            out["attendees"].append({"id": sid, "added": plus, "removed": minus,
                                     "facilitators": list(s.facilitators)})
    for sid in sorted(set(before) - set(after)):
        out["cancelled"].append(before[sid].to_json(_zone(tz)))
    return out


def _zone(name: str) -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


@plan.command("diff")
@config_option
@click.option("--json", "json_target", help="Write the diff as JSON to FILE ('-' = stdout).")
def plan_diff(config_path: Path, json_target: str | None) -> None:
    """What changed between the latest plan and the latest published plan."""
    from scheduler_service.errors import PlanningError
    from scheduler_service.store import Store

    config = load(config_path)
    store = Store(config.storage.url)
    latest = store.latest_plan()
    if latest is None:
        raise PlanningError("no plan saved yet: run `traincal plan` first")
    published = store.latest_published()
    result = diff_plans(published[1] if published else None, latest[1])
    result["from_version"] = published[0] if published else None
    result["to_version"] = latest[0]
    if json_target:
        write_json(result, json_target)
        if json_target == "-":
            return
    base = f"version {published[0]}" if published else "nothing published yet"
    console.print(f"Plan version {latest[0]} against {base}:")
    for s in result["added"]:
        console.print(f"  [green]+ {s['id']}[/] {s['start']} ({len(s['attendees'])} attendees)")
    for m in result["moved"]:
        console.print(f"  [yellow]~ {m['id']}[/] moved {m['from']} -> {m['to']}")
    for s in result["cancelled"]:
        console.print(f"  [red]- {s['id']}[/] {s['start']} cancelled")
    for a in result["attendees"]:
        console.print(f"  [cyan]* {a['id']}[/] attendees +{len(a['added'])} -{len(a['removed'])}")
    if not any(result[k] for k in ("added", "moved", "cancelled", "attendees")):
        console.print("  no changes")
