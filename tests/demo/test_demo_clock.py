"""The demo's simulated clock: the services read it inside the block, the real one after."""
from datetime import UTC, datetime, timedelta

import pytest

from patrol_api.demo.clock import SimulatedClock
from patrol_api.findings import journal
from patrol_api.photos import ingest
from sync import fastpath, push

PAST = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def test_services_read_the_simulated_time_and_jobs_run_in_process(ctx, monkeypatch):
    clock = SimulatedClock(PAST)
    queue = object()  # as if rq were configured
    monkeypatch.setitem(ctx.extensions, "jobs", queue)
    with clock.running():
        assert (journal.now(), push.utcnow(), fastpath.utcnow(), ingest.utcnow()) == (PAST,) * 4
        clock.set(PAST + timedelta(hours=3))
        assert journal.now() == PAST + timedelta(hours=3)
        clock.set(PAST)  # never backwards
        assert journal.now() == PAST + timedelta(hours=3)
        assert ctx.extensions["jobs"] is None
    assert ctx.extensions["jobs"] is queue
    assert journal.now() - datetime.now(UTC) < timedelta(seconds=5)


def test_the_real_clock_comes_back_after_an_error(ctx):
    with pytest.raises(RuntimeError), SimulatedClock(PAST).running():
        raise RuntimeError("simulation failed")
    assert abs(push.utcnow() - datetime.now(UTC)) < timedelta(seconds=5)
    assert abs(journal.now() - datetime.now(UTC)) < timedelta(seconds=5)


def test_a_naive_start_is_refused():
    with pytest.raises(ValueError, match="aware"):
        SimulatedClock(datetime(2026, 3, 2))
