"""Migration 0026: existing observations and findings get a channel from the author's role."""
from datetime import UTC, datetime

import sqlalchemy as sa
from flask_migrate import upgrade

from patrol_api.extensions import db
from tests.conftest import make_app
from tests.test_migrations import _empty_database_url

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def _filler(column: sa.Column):
    """A value of the column's type for a required column the test does not care about."""
    kind = column.type.python_type if not isinstance(column.type, sa.JSON) else dict
    return {int: 1, float: 0.0, str: "x", bool: False, dict: {}, datetime: NOW}.get(kind, "x")


def _insert(connection, name: str, **values) -> None:
    """A row with the given values and fillers in its other required columns."""
    table = sa.Table(name, sa.MetaData(), autoload_with=connection)
    row = {column.name: _filler(column) for column in table.columns
           if not column.nullable and column.server_default is None
           and not column.primary_key}
    connection.execute(table.insert().values({**row, **values}))


def test_existing_rows_take_their_channel_from_the_authors_role(request, tmp_path):
    app = make_app(_empty_database_url(request, tmp_path))
    with app.app_context():
        upgrade(revision="0016")
        with db.engine.begin() as connection:
            _insert(connection, "category", id=1, code="roads")
            for user_id, role in ((1, "patrol_officer"), (2, "citizen_auditor")):
                _insert(connection, "user_account", id=user_id, username=role, role=role)
                _insert(connection, "device", id=user_id, user_id=user_id,
                        client_uid=f"phone-{user_id}")
            for finding_id in (1, 2):
                _insert(connection, "finding", id=finding_id, reference=f"F-{finding_id}",
                        category_id=1)
            # finding 1: the officer's observation first; finding 2: the auditor's first
            for obs_id, user_id, finding_id in ((1, 1, 1), (2, 2, 1), (3, 2, 2), (4, 1, 2),
                                                (5, 2, None)):
                _insert(connection, "observation", id=obs_id, client_id=f"obs-{obs_id}",
                        user_id=user_id, device_id=user_id, category_id=1,
                        finding_id=finding_id, change_seq=obs_id)
        upgrade(revision="0026")
        with db.engine.connect() as connection:
            observations = dict(connection.execute(sa.text(
                "SELECT id, channel FROM observation")).all())
            findings = dict(connection.execute(sa.text(
                "SELECT id, channel FROM finding")).all())
        assert observations == {1: "patrol", 2: "citizen_auditor", 3: "citizen_auditor",
                                4: "patrol", 5: "citizen_auditor"}
        assert findings == {1: "patrol", 2: "citizen_auditor"}
        db.session.remove()
        db.engine.dispose()
