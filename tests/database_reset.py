"""Emptying the test database: between tests (conftest) and after a module loaded the demo."""
import sqlalchemy as sa

from patrol_api.extensions import db


def empty_database() -> None:
    """Remove every row and reset the change counter (as the ctx fixture does)."""
    tables = list(reversed(db.metadata.sorted_tables))
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        db.session.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            db.session.execute(table.delete())
    db.session.execute(sa.text("INSERT INTO sequence_counter (name, value) VALUES "
                               "('changes', 0)"))
    db.session.commit()
