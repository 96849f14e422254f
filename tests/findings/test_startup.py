"""Findings settings checked at start-up: working periods and webhook signing."""
import logging

import pytest

from patrol_api.findings import deadlines, startup
from patrol_api.findings.calendar import DEFAULT_PERIODS

URL = ("https://hooks.example.go.kr/patrol",)


def test_the_calendar_is_built_at_start_from_the_setting(app_factory):
    app = app_factory(OFFICE_WORKING_PERIODS="08:00-12:00,13:00-17:00")
    with app.app_context():
        assert deadlines.calendar().periods[-1][1].hour == 17
    assert app.extensions[startup.CALENDAR].periods[0][0].hour == 8


def test_the_default_working_periods(app):
    assert app.extensions[startup.CALENDAR].periods == DEFAULT_PERIODS


def test_bad_working_periods_stop_start_up(app_factory, monkeypatch):
    with pytest.raises(ValueError, match="OFFICE_WORKING_PERIODS='9 to 6'"):
        app_factory(OFFICE_WORKING_PERIODS="9 to 6")
    monkeypatch.setenv("OFFICE_WORKING_PERIODS", "18:00-09:00")
    with pytest.raises(ValueError, match="does not end after it starts"):
        app_factory()


def test_webhooks_without_a_secret_stop_start_up(app_factory):
    with pytest.raises(ValueError, match="FINDING_WEBHOOK_SECRET is not"):
        app_factory(FINDING_WEBHOOK_URLS=URL)


def test_a_short_webhook_secret_is_warned_of_but_never_logged(app_factory, caplog):
    with caplog.at_level(logging.WARNING):
        app_factory(FINDING_WEBHOOK_URLS=URL, FINDING_WEBHOOK_SECRET="hunter2")
    assert "shorter than 32" in caplog.text and "hunter2" not in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        app_factory(FINDING_WEBHOOK_URLS=URL, FINDING_WEBHOOK_SECRET="k" * 64)
    assert "FINDING_WEBHOOK_SECRET" not in caplog.text
