"""Months of simulated activity in the demo district, driven through the real services.

`load(months)` replays the last `months` calendar months, the current one up to now: patrol
rounds of every kind synced from the demo phones, the findings intake, department work
(acknowledge, start, hold, resolve with after photos or approved exceptions, checks passed or
failed, transfers, ping-pong, rejections, recurrences, merges) and the daily deadlines tick;
then it freezes the ranking snapshot of every completed month. The same seed and the same day
give the same history.
"""
import time as timer
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from patrol_api.demo import district, rounds
from patrol_api.demo.simulation import Simulation
from patrol_api.extensions import db
from patrol_api.findings import lifecycle as lc
from patrol_api.findings.calendar import SEOUL
from patrol_api.models import Finding, Observation, RankingSnapshot
from patrol_api.models.patrols import PatrolRun
from patrol_api.rankings import settings as ranking_settings
from patrol_api.rankings import snapshots

MAX_MONTHS = 12
TICK_HOUR = 18  # the deadlines job's daily run (Seoul time) in the simulation


class ActivityExists(Exception):
    """The database already holds activity; the demo history is loaded only once."""


def existing() -> dict:
    """Counts of what the activity would create (all zero in a fresh district)."""
    def count(model):
        return db.session.execute(sa.select(sa.func.count()).select_from(model)).scalar()
    return {"findings": count(Finding), "observations": count(Observation),
            "patrol_runs": count(PatrolRun)}


def months_for_awards(now: datetime, needed: int) -> int:
    """The fewest months to simulate (the current one included) for one award year to hold
    `needed` completed, frozen months (at most MAX_MONTHS). With the default 6: 7 from July
    on (this year's), up to 12 in June (last year's July to December)."""
    month = now.astimezone(SEOUL).month
    return min(MAX_MONTHS, needed + 1 if month > needed else month + needed)


def award_year(now: datetime, needed: int) -> int:
    """The year whose awards the default demo history shows."""
    local = now.astimezone(SEOUL)
    return local.year if local.month > needed else local.year - 1


def period(months: int, now: datetime) -> tuple[datetime, datetime]:
    """[start, now]: `months` calendar months, the last one the current month up to now."""
    local = now.astimezone(SEOUL)
    year, month = local.year, local.month - (months - 1)
    while month < 1:
        year, month = year - 1, month + 12
    return datetime(year, month, 1, tzinfo=SEOUL).astimezone(UTC), now


def completed_months(start: datetime, end: datetime) -> list[str]:
    """The Seoul months that lie wholly inside [start, end]."""
    found, local = [], start.astimezone(SEOUL)
    year, month = local.year, local.month
    current = end.astimezone(SEOUL)
    while (year, month) < (current.year, current.month):
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


def load(months: int | None = None, now: datetime | None = None,
         seed: int = district.SEED) -> dict:
    """Simulate the period (by default months_for_awards), freeze the completed months'
    rankings; returns what was loaded."""
    now = now or datetime.now(UTC)
    if months is None:
        months = months_for_awards(now, ranking_settings.get("RANKING_AWARD_MIN_MONTHS"))
    if not 1 <= months <= MAX_MONTHS:
        raise ValueError(f"months must be 1 to {MAX_MONTHS}")
    already = existing()
    if any(already.values()):
        raise ActivityExists(
            "The database already holds activity (" + ", ".join(
                f"{k}={v}" for k, v in already.items()) + "); the demo history is loaded "
            "only into a fresh demo district.")
    began = timer.monotonic()
    start, end = period(months, now)
    sim = Simulation(start, end, seed)
    walker = rounds.Walker(sim)
    with sim.clock.running():
        _schedule(sim, walker)
        sim.run()
        sim.clock.set(end)
        filled = fill_missing_states(sim)
    frozen = freeze(completed_months(start, end), sim.manager.id, end)
    return summary(sim, start, end, frozen, filled, timer.monotonic() - began)


def _days(start: datetime, end: datetime):
    """Every Seoul date of the period."""
    day, last = start.astimezone(SEOUL).date(), end.astimezone(SEOUL).date()
    while day <= last:
        yield day
        day += timedelta(days=1)


def _schedule(sim: Simulation, walker: rounds.Walker) -> None:
    """Put the campaign, every round and every daily tick on the timeline."""
    first = sim.start.astimezone(SEOUL).date()
    last = sim.end.astimezone(SEOUL).date()
    opens = first + timedelta(days=5)
    closes = min(opens + timedelta(days=42), last)
    if opens <= last:
        sim.campaign_days = (opens, closes)
        sim.at(_moment(first + timedelta(days=2), 10),
               lambda: walker.setup_campaign(opens, closes))
    for day in _days(sim.start, sim.end):
        for plan in rounds.plan_day(sim, day):
            sim.at(plan.start, _walking(walker, plan))
        if sim.calendar.is_business_day(day):
            sim.at(_moment(day, TICK_HOUR, 30), sim.tick)


def _walking(walker: rounds.Walker, plan: rounds.Round):
    """A story that waits for the end of the round and then syncs it."""
    yield plan.start + timedelta(hours=plan.hours, minutes=45)
    walker.walk(plan)


def _moment(day: date, hour: int, minute: int = 0) -> datetime:
    """A Seoul time on a day."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SEOUL)


def _states() -> Counter:
    """Findings per state."""
    return Counter(dict(db.session.execute(sa.select(
        Finding.state, sa.func.count()).group_by(Finding.state)).all()))


def _pick(sources: tuple, *conditions) -> int | None:
    """The newest finding of the first source state that holds at least two (one stays)."""
    for state in sources:
        ids = db.session.execute(sa.select(Finding.id).where(
            Finding.state == state, *conditions).order_by(Finding.id.desc()).limit(2)).scalars()
        ids = list(ids)
        if len(ids) == 2 and _states()[state] >= 2:
            return ids[0]
    return None


WORKING = (lc.ASSIGNED, lc.ACKNOWLEDGED, lc.IN_PROGRESS)
UNTRANSFERRED = Finding.transfer_count == 0
# A state the demo must show: the ways to reach it, tried in order, each as
# (source states, extra condition or None, actions).
CATCH_UP = (
    (lc.ASSIGNED, (((lc.NEW, lc.REOPENED), None, [("assign", {"department_code": "roads"})]),
                   ((lc.ACKNOWLEDGED, lc.IN_PROGRESS), UNTRANSFERRED, [("transfer", {})]))),
    (lc.ACKNOWLEDGED, (((lc.ASSIGNED, lc.REOPENED), None, [("acknowledge", {})]),)),
    (lc.IN_PROGRESS, (((lc.ASSIGNED, lc.ACKNOWLEDGED, lc.REOPENED), None, [("start", {})]),)),
    (lc.ON_HOLD, ((WORKING + (lc.REOPENED,), None, [("hold", {"reason": "budget"})]),)),
    (lc.RESOLVED, ((WORKING + (lc.REOPENED,), None, [("resolve", {})]),)),
    (lc.REOPENED, (((lc.RESOLVED,), None, [("fail_verification", {})]),
                   ((lc.VERIFIED,), None, [("reopen", {"reason": "recurred"})]))),
    (lc.VERIFIED, (((lc.RESOLVED,), None, [("verify", {})]),)),
    (lc.REJECTED, (((lc.ASSIGNED, lc.ACKNOWLEDGED, lc.REOPENED), None,
                    [("reject", {"reason": "not_found"})]),)),
    (lc.NEW, ((WORKING, None, [("transfer", {}), ("transfer", {})]),)),
    (lc.MERGED, ((WORKING, None, [("merge", {})]),)),
)


def fill_missing_states(sim: Simulation) -> list[str]:
    """Take today's actions that bring a state nobody reached into the demo; which ones."""
    filled = []
    for state, ways in CATCH_UP:
        for sources, condition, steps in ways:
            if _states()[state]:
                break
            finding_id = _pick(sources, *([condition] if condition is not None else []))
            if finding_id is None:
                continue
            for action, payload in steps:
                if not _step(sim, finding_id, action, payload):
                    break
            if _states()[state]:
                filled.append(state)
    return filled


def _step(sim: Simulation, finding_id: int, action: str, payload: dict) -> bool:
    """One catch-up action through the simulation's helpers."""
    if action == "resolve":
        return sim.resolve(finding_id)
    if action in ("verify", "fail_verification"):
        return sim.verify(finding_id, passed=action == "verify")
    if action in ("assign", "reopen"):
        return sim.act(finding_id, action, user=sim.manager, **payload)
    if action == "transfer":
        return sim.transfer(finding_id)
    if action == "merge":
        into = db.session.execute(sa.select(Finding.id).where(
            Finding.state.in_(WORKING), Finding.id != finding_id).order_by(
            Finding.id.desc())).scalar()
        return into is not None and sim.merge(finding_id, into)
    return sim.act(finding_id, action, **payload)


def freeze(months: list[str], manager_id: int, now: datetime | None = None) -> list[str]:
    """Compute and store the ranking snapshot of each month (a new version if one exists),
    judged complete at `now`."""
    for month in months:
        snapshots.compute(month, manager_id, now=now)
        db.session.commit()
    return months


def summary(sim: Simulation, start: datetime, end: datetime, frozen: list[str],
            filled: list[str], seconds: float) -> dict:
    """What the activity loaded, for the command's output and the tests."""
    runs = Counter(dict(db.session.execute(sa.select(
        PatrolRun.kind, sa.func.count()).group_by(PatrolRun.kind)).all()))
    return {
        "period": (start.astimezone(SEOUL).date().isoformat(),
                   end.astimezone(SEOUL).date().isoformat()),
        "observations": existing()["observations"],
        "findings": dict(sorted(_states().items())),
        "patrol_runs": dict(sorted(runs.items())),
        "actions": {k: v for k, v in sorted(sim.tally.items()) if ":" not in k},
        "refused": {k.split(":", 1)[1]: v for k, v in sim.tally.items()
                    if k.startswith("refused:")},
        "snapshots": frozen,
        "snapshot_rows": db.session.execute(sa.select(sa.func.count()).select_from(
            RankingSnapshot)).scalar(),
        "filled_today": filled,
        "seconds": round(seconds, 1),
    }


def summary_text(result: dict) -> str:
    """The summary as lines for the terminal (Korean and English labels)."""
    first, last = result["period"]
    lines = [f"활동 이력 Activity {first} … {last} ({result['seconds']} s)",
             f"  관찰 observations: {result['observations']}",
             "  적출사항 findings by state: " + ", ".join(
                 f"{k}={v}" for k, v in result["findings"].items()),
             "  순찰 patrol runs by kind: " + ", ".join(
                 f"{k}={v}" for k, v in result["patrol_runs"].items()),
             "  처리 department work: " + ", ".join(
                 f"{k}={v}" for k, v in result["actions"].items()),
             "  월별 평가 ranking snapshots: " + (", ".join(result["snapshots"]) or "none")]
    return "\n".join(lines)
