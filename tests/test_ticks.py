"""The periodic ticks: one table for the CLI and the embedded server's timer."""
import threading

import pytest

from patrol_api import ticks
from patrol_api.ticks import Group, Timer

CALLS: list[str] = []
FIRED = threading.Event()


def record_call() -> str:
    """A job: notes that it ran."""
    CALLS.append("ran")
    return "ok"


def fire() -> str:
    """A job: wakes the test waiting for the timer thread."""
    FIRED.set()
    return "ok"


def explode() -> None:
    """A job that fails."""
    raise RuntimeError("boom")


class FakeClock:
    """Monotonic seconds the test moves by hand."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(autouse=True)
def _clear():
    CALLS.clear()
    FIRED.clear()


def test_groups_come_due_on_their_intervals(ctx):
    clock = FakeClock()
    timer = Timer(ctx, [Group("often", 60, (("often", record_call),)),
                        Group("rarely", 300, (("rarely", record_call),))], clock=clock)
    assert timer.run_due() == [] and CALLS == []  # nothing at start
    clock.now += 60
    assert timer.run_due() == ["often"]
    clock.now += 30
    assert timer.run_due() == []
    clock.now += 210  # 300 s after the start
    assert timer.run_due() == ["often", "rarely"]
    assert len(CALLS) == 3


def test_a_failing_step_is_logged_and_its_group_comes_again(ctx, caplog):
    clock = FakeClock()
    timer = Timer(ctx, [Group("bad", 60, (("bad", explode),))], clock=clock)
    clock.now += 60
    assert timer.run_due() == ["bad"]
    assert "periodic bad tick failed" in caplog.text
    clock.now += 60
    assert timer.run_due() == ["bad"]


def test_the_timer_thread_runs_a_due_group_and_stops(ctx):
    timer = Timer(ctx, [Group("soon", 1, (("soon", fire),))]).start()
    try:
        assert FIRED.wait(5), "the timer thread did not run the group within 5 s"
    finally:
        timer.stop()
    assert not timer.thread.is_alive()


@pytest.mark.parametrize("setting, redis, wanted", [
    ("auto", None, True), ("auto", "redis://127.0.0.1:1/0", False),
    ("0", None, False), ("1", "redis://127.0.0.1:1/0", True)])
def test_the_server_timer_follows_the_setting(app_factory, setting, redis, wanted):
    app = app_factory(TICKS_IN_PROCESS=setting, REDIS_URL=redis)
    ticks.run_in_process(app)
    hooks = app.before_request_funcs.get(None, [])
    assert any(hook.__name__ == "ensure_timer" for hook in hooks) == wanted


def test_the_first_request_starts_one_timer_per_process(app_factory):
    app = app_factory(TICKS_IN_PROCESS="1")
    ticks.run_in_process(app)
    client = app.test_client()
    client.get("/healthz")
    client.get("/healthz")
    timers = app.extensions["tick_timers"]
    try:
        assert len(timers) == 1
        assert all(timer.thread.is_alive() for timer in timers.values())
    finally:
        for timer in timers.values():
            timer.stop()


def test_every_group_names_real_steps():
    names = [group.name for group in ticks.groups()]
    assert names == ["findings", "patrols", "rankings", "housekeeping"]
    assert all(callable(step) for group in ticks.groups() for _, step in group.steps)
