"""The patrols tick command runs the three periodic jobs."""
from datetime import UTC, datetime, timedelta

from patrol_api.extensions import db
from patrol_api.models.patrols import PatrolRun
from patrol_api.patrols import runs
from patrol_api.patrols.commands import patrols_command


def test_tick_auto_closes_and_reports(ctx, make_user):
    officer = make_user()[0]
    runs.start(officer, "6d0c2c56-2a4e-4d0e-9a8e-0c8b6b0f0a01", {
        "kind": "routine", "started_at": datetime.now(UTC) - timedelta(days=2)})
    db.session.commit()
    result = ctx.test_cli_runner().invoke(patrols_command, ["tick"])
    assert result.exit_code == 0, result.output
    assert "runs auto-closed: 1" in result.output
    db.session.expire_all()
    assert db.session.query(PatrolRun).one().auto_closed
