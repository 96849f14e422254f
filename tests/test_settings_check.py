"""Nonsensical settings stop create_app with an error naming the setting, instead of being
taken at start-up and breaking every request that uses them (a zero token lifetime made
every sign-in fail)."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from patrol_api import config, create_app
from patrol_api.config import BOUNDS, UNBOUNDED, SettingError


def _outside(name: str) -> st.SearchStrategy:
    low, high = BOUNDS[name]
    below = st.integers(max_value=low - 1)
    return below if high is UNBOUNDED else st.one_of(below, st.integers(min_value=high + 1))


def _inside(name: str) -> st.SearchStrategy:
    low, high = BOUNDS[name]
    return st.integers(min_value=low, max_value=low + 10**6 if high is UNBOUNDED else high)


NAMES = st.sampled_from(sorted(BOUNDS))


@pytest.fixture(autouse=True)
def _data_dir(monkeypatch, tmp_path_factory):
    """Apps made here keep their data out of the working directory."""
    monkeypatch.setenv("PATROL_DATA_DIR", str(tmp_path_factory.mktemp("data")))
    monkeypatch.delenv("DATABASE_URL", raising=False)


@given(data=st.data(), name=NAMES)
def test_an_integer_setting_out_of_its_range_is_refused_by_name(data, name):
    value = data.draw(_outside(name))
    with pytest.raises(SettingError, match=name):
        config.check({name: value})


@given(data=st.data(), name=NAMES)
def test_an_integer_setting_in_its_range_is_taken(data, name):
    config.check({name: data.draw(_inside(name))})


@given(name=NAMES, value=st.one_of(st.text(), st.floats(), st.booleans(), st.lists(
    st.integers(), max_size=2)))
def test_a_setting_that_is_not_a_whole_number_is_refused_by_name(name, value):
    with pytest.raises(SettingError, match=name):
        config.check({name: value})


@pytest.mark.parametrize("value", ["0", "-1", "-12", "abc", "1.5", "12h", "9" * 30])
def test_create_app_refuses_a_bad_token_lifetime_from_the_environment(monkeypatch, value):
    monkeypatch.setenv("WEB_TOKEN_TTL_HOURS", value)
    with pytest.raises(SettingError, match="WEB_TOKEN_TTL_HOURS"):
        create_app({"SECRET_KEY": "k", "TESTING": True})


@pytest.mark.parametrize("name", ["SYNC_MAX_MUTATIONS", "PATROL_SCHEDULE_AHEAD_DAYS",
                                  "RANKING_AWARD_MIN_MONTHS", "FINDING_NOTIFY_MAX_ATTEMPTS"])
@pytest.mark.parametrize("value", ["0", "-5", "ten"])
def test_create_app_refuses_bad_settings_of_every_module(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingError, match=name):
        create_app({"SECRET_KEY": "k", "TESTING": True})


@pytest.mark.parametrize(("name", "value"), [
    ("WEB_TOKEN_TTL_HOURS", 0), ("DEVICE_TOKEN_TTL_DAYS", -1), ("MAX_CONTENT_LENGTH", 0),
    ("RANKING_WEIGHTS", "on_time=x"), ("RANKING_WEIGHTS", "nonsense=1"),
    ("RANKING_WEIGHTS", "on_time=-1"), ("RANKING_WEIGHTS", "on_time=0,speed=0"),
    ("RANKING_WEIGHTS", "on_time=nan"), ("LOGIN_RATE_LIMIT", "0 per minute"),
    ("LOGIN_RATE_LIMIT", "often"), ("LOGIN_RATE_LIMIT", "")])
def test_create_app_refuses_bad_settings_given_in_its_config(name, value):
    with pytest.raises(SettingError, match=name):
        create_app({"SECRET_KEY": "k", "TESTING": True, name: value})


def test_the_defaults_and_sensible_values_start(monkeypatch):
    monkeypatch.setenv("WEB_TOKEN_TTL_HOURS", "1")
    monkeypatch.setenv("RANKING_WEIGHTS", "on_time=0.5,speed=0.5")
    monkeypatch.setenv("LOGIN_RATE_LIMIT", "3 per minute;10 per hour")
    app = create_app({"SECRET_KEY": "k", "TESTING": True})
    assert app.config["WEB_TOKEN_TTL_HOURS"] == 1
    config.check(config.from_environment())
