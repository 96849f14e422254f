"""The Alembic migrations build the whole schema from empty, on SQLite and on PostgreSQL."""
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from patrol_api.extensions import db
from tests.conftest import BACKEND, make_app


def _empty_database_url(request, tmp_path) -> str:
    """A new empty database on the backend under test."""
    if BACKEND == "postgresql":
        server = request.getfixturevalue("postgres_server")
        return server.create_database(f"migrate_{tmp_path.name[-12:].lower()}".replace("-", "_"))
    return f"sqlite:///{tmp_path / 'empty.db'}"


def test_upgrade_from_empty_matches_the_models(request, tmp_path):
    app = make_app(_empty_database_url(request, tmp_path))
    with app.app_context():
        assert sa.inspect(db.engine).get_table_names() == []
        upgrade(revision="heads")
        with db.engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection), db.metadata)
        assert diff == [], f"models and migrations differ: {diff}"
        counter = db.session.execute(sa.text(
            "SELECT value FROM sequence_counter WHERE name = 'changes'")).scalar()
        assert counter == 0
        db.session.remove()
        db.engine.dispose()


def test_downgrade_to_base_and_up_again(request, tmp_path):
    app = make_app(_empty_database_url(request, tmp_path))
    with app.app_context():
        upgrade(revision="heads")
        downgrade(revision="base")
        assert set(sa.inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade(revision="heads")
        assert "site" in sa.inspect(db.engine).get_table_names()
        db.engine.dispose()


def test_single_head():
    """Parallel branches must be joined by a merge revision before release."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from patrol_api.database import MIGRATIONS_DIR

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1, f"several migration heads, add a merge revision: {heads}"


def test_migrating_keeps_the_apps_log_level(app):
    """alembic.ini says WARN for the root logger; demo-serve migrates, then serves at
    LOG_LEVEL, so its INFO lines (the periodic ticks starting, say) must still show."""
    import logging

    root = logging.getLogger()
    before = root.level
    app.config["LOG_LEVEL"] = "INFO"
    try:
        with app.app_context():
            upgrade(revision="heads")  # nothing to do, but env.py runs
        assert root.level == logging.INFO
    finally:
        root.setLevel(before)
