"""Patrol runs: start, participants, track appends, end, auto-close."""
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from patrol_api.auth.roles import Role
from patrol_api.errors import ApiError
from patrol_api.extensions import db
from patrol_api.models.patrols import PATROL_KIND_LABELS, PatrolKind
from patrol_api.patrols import runs

START = datetime(2026, 7, 1, 9, tzinfo=UTC)


@pytest.fixture
def run(make_user):
    leader, _ = make_user(Role.PATROL_OFFICER)
    auditor, _ = make_user(Role.CITIZEN_AUDITOR)
    made = runs.start(leader, str(uuid.uuid4()), {
        "kind": "residents_walk", "started_at": START, "team": "여의동 1조",
        "auditor_user_ids": [auditor.id], "resident_count": 4, "resident_names": ["김씨"]})
    db.session.commit()
    return made


def test_every_kind_has_both_labels():
    assert len(PatrolKind) == 10
    assert all(ko and en for ko, en in (PATROL_KIND_LABELS[k] for k in PatrolKind))
    assert PATROL_KIND_LABELS[PatrolKind.HOLIDAY_SQUAD][0] == "해피기동반"


def test_start_keeps_participants(run):
    assert (run.kind, run.resident_count, run.ended_at, run.version) == (
        "residents_walk", 4, None, 1)
    assert len(run.auditor_user_ids) == 1


def test_track_appends_merge_by_time_and_simplify(run):
    line = [[37.52 + i * 1e-4, 126.92, 1_780_000_000 + i] for i in range(30)]
    runs.append_track(run, line[10:])
    runs.append_track(run, line[:15])
    stored = [[lat, lon, t, t] for lat, lon, t in line]  # no push clock: device time as is
    assert run.track == stored
    assert run.track_simplified == [stored[0], stored[-1]]


def test_track_has_a_limit(run, ctx):
    ctx.config["PATROL_MAX_TRACK_POINTS"] = 5
    try:
        with pytest.raises(ApiError):
            runs.append_track(run, [[37.5, 126.9, t] for t in range(6)])
    finally:
        ctx.config.pop("PATROL_MAX_TRACK_POINTS")


def test_end_before_start_is_refused(run):
    with pytest.raises(ApiError):
        runs.end(run, START - timedelta(minutes=1))
    assert runs.end(run, START + timedelta(hours=2)).ended_at == START + timedelta(hours=2)


def test_auto_close_flags_forgotten_runs(run):
    assert runs.auto_close(START + timedelta(hours=11)) == 0
    last = START + timedelta(hours=3)
    runs.append_track(run, [[37.52, 126.92, int(last.timestamp())]])
    assert runs.auto_close(START + timedelta(hours=13)) == 1
    assert (run.auto_closed, run.ended_at) == (True, last)
    assert runs.auto_close(START + timedelta(days=3)) == 0
