"""The periodic freeze of last month, late data, and the `patrol-api rankings` commands."""
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from scenario import build, finding, kst

from patrol_api.extensions import db
from patrol_api.models import RankingSnapshot
from patrol_api.rankings import commands, metrics, ticker

NOVEMBER = kst(11, 2, 9)  # October is over


def _versions() -> list[tuple[str, int]]:
    """(month, version) of every stored snapshot."""
    return [tuple(row) for row in db.session.execute(sa.select(
        RankingSnapshot.month, RankingSnapshot.version).order_by(RankingSnapshot.id))]


def _tick(now=NOVEMBER) -> dict:
    """One committed tick at `now`."""
    result = ticker.tick(now)
    db.session.commit()
    return result


@pytest.fixture
def october(ctx):
    """The crafted October; returns its departments."""
    return build()


def test_previous_month_in_seoul_time():
    assert ticker.previous_month(datetime(2026, 10, 31, 15, 30, tzinfo=UTC)) == "2026-10"
    assert ticker.previous_month(datetime(2026, 10, 31, 14, 59, tzinfo=UTC)) == "2026-09"
    assert ticker.previous_month(datetime(2027, 1, 5, tzinfo=UTC)) == "2026-12"


def test_tick_freezes_last_month_once(october):
    assert _tick() == {"month": "2026-10", "status": "frozen", "version": 1}
    assert _tick() == {"month": "2026-10", "status": "unchanged", "version": 1}
    assert _versions() == [("2026-10", 1)]


def test_late_data_for_the_month_makes_a_new_version(october):
    _tick()
    finding(_road_category(), 18, [  # entered late: received and resolved in October
        ("routed", october["clean"], kst(10, 27, 10), "assigned",
         {"resolve_due_at": kst(10, 30, 18)}),
        ("resolve", october["clean"], kst(10, 28, 10), "resolved", None)])
    db.session.commit()
    assert _tick() == {"month": "2026-10", "status": "new_version", "version": 2}
    first, second = db.session.execute(sa.select(RankingSnapshot).order_by(
        RankingSnapshot.version)).scalars()
    assert second.data_version > first.data_version
    clean = {row["department_code"]: row for row in second.tables["headquarters"]}["clean"]
    assert clean["received"] == 6 and clean["due"] == 6  # F18 on time


def _road_category():
    """The scenario's category."""
    from patrol_api.models import Category
    return db.session.execute(sa.select(Category)).scalar_one()


def test_a_change_outside_the_month_adds_no_version_and_is_checked_once(october, monkeypatch):
    _tick()
    finding(_road_category(), 19, [("routed", october["road"], kst(11, 2, 10), "assigned",
                                   {"resolve_due_at": kst(11, 5, 18)})])
    db.session.commit()
    assert _tick()["status"] == "unchanged"
    calls = []
    monkeypatch.setattr(metrics, "month_metrics", lambda *a, **k: calls.append(a) or [])
    assert _tick()["status"] == "unchanged" and calls == []  # not even recomputed
    assert _versions() == [("2026-10", 1)]


def test_changed_weights_make_a_new_version_after_new_data(october, ctx, monkeypatch):
    _tick()
    monkeypatch.setitem(ctx.config, "RANKING_WEIGHTS", {"on_time": 1.0})
    assert _tick()["status"] == "unchanged"  # no new data: the frozen month stays
    finding(_road_category(), 19, [("routed", october["road"], kst(11, 2, 10), "assigned",
                                   {"resolve_due_at": kst(11, 5, 18)})])
    db.session.commit()
    assert _tick() == {"month": "2026-10", "status": "new_version", "version": 2}


def _cli(ctx, *args):
    """Invoke `patrol-api rankings ...`."""
    return ctx.test_cli_runner().invoke(commands.rankings_command, list(args))


def test_snapshot_command(october, ctx):
    result = _cli(ctx, "snapshot", "--month", "2026-10")
    assert result.exit_code == 0, result.output
    assert "month=2026-10" in result.output and "version=1" in result.output
    assert _cli(ctx, "snapshot", "--month", "2026-10").exit_code == 0
    assert _versions() == [("2026-10", 1), ("2026-10", 2)]


def test_snapshot_command_refuses_a_bad_month(ctx):
    result = _cli(ctx, "snapshot", "--month", "2026-13")
    assert result.exit_code == 2 and "YYYY-MM" in result.output


def test_awards_command(october, ctx, monkeypatch):
    monkeypatch.setitem(ctx.config, "RANKING_MIN_VOLUME", 2)
    monkeypatch.setitem(ctx.config, "RANKING_AWARD_MIN_MONTHS", 1)
    assert _cli(ctx, "snapshot", "--month", "2026-10").exit_code == 0
    result = _cli(ctx, "awards", "--year", "2026")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[1].startswith("warning: 월별 평가 스냅샷 없음: 2026-01, 2026-02")
    assert "[본청 부서]" in lines and "[동 주민센터]" in lines
    best = next(line for line in lines if "최우수" in line)
    assert best.split()[:2] == ["1", "clean"] and "45.78" in best
    assert any(line.split()[:2] == ["2", "road"] and "우수" in line for line in lines)


def test_tick_command(october, ctx, monkeypatch):
    monkeypatch.setattr(ticker, "utcnow", lambda: NOVEMBER)
    result = _cli(ctx, "tick")
    assert result.exit_code == 0, result.output
    assert "month: 2026-10  status: frozen  version: 1" in result.output
    assert "status: unchanged" in _cli(ctx, "tick").output
