"""`patrol-api demo load`: the bare district with --no-activity, refusals on a loaded database."""
from patrol_api.demo import activity


def test_no_activity_loads_the_bare_district_once(ctx):
    runner = ctx.test_cli_runner()
    first = runner.invoke(args=["demo", "load", "--no-activity"])
    assert first.exit_code == 0, first.output
    assert "departments=45" in first.output and "Activity" not in first.output
    assert not any(activity.existing().values())
    again = runner.invoke(args=["demo", "load", "--no-activity"])
    assert again.exit_code != 0 and "already loaded" in again.output


def test_months_out_of_range_are_refused(ctx):
    result = ctx.test_cli_runner().invoke(args=["demo", "load", "--months", "13"])
    assert result.exit_code != 0 and "--months" in result.output
    assert not any(activity.existing().values())
