"""JSON text built by the database: SQL expressions rendering columns as JSON values.

The pull's bulk records (observations) are rendered by SQLite or PostgreSQL, so a page is
joined from ready-made text instead of Python dicts passed through a JSON encoder. Values
match the Python records exactly: strings escaped by the database's JSON functions, floats
with enough digits to read back as the same double, times as ISO 8601 in UTC the way
`datetime.isoformat()` writes them (microseconds only when not zero, `+00:00`).
"""
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.sql.expression import ColumnElement

Text = sa.String()


def concat(*parts) -> ColumnElement:
    """`a || b || ...` of SQL expressions and Python strings (as bound literals)."""
    items = [part if isinstance(part, ColumnElement) else sa.literal(part, Text)
             for part in parts]
    result = items[0]
    for item in items[1:]:
        result = result.op("||", return_type=Text)(item)
    return result


class Dialect:
    """Rendering of one value type per database."""

    def __init__(self, name: str):
        self.pg = name == "postgresql"

    def text(self, col) -> ColumnElement:
        """A string (or null)."""
        if self.pg:
            return sa.func.coalesce(sa.cast(sa.func.to_json(col), Text), "null")
        return sa.func.json_quote(col)

    def integer(self, col) -> ColumnElement:
        """An integer (or null)."""
        return sa.func.coalesce(sa.cast(col, Text), "null")

    def real(self, col) -> ColumnElement:
        """A float with round-trip precision (or null)."""
        if self.pg:  # PostgreSQL 12+ prints the shortest exact form
            return sa.func.coalesce(sa.cast(sa.func.to_json(col), Text), "null")
        # the shortest of 15, 16 and 17 significant digits that reads back as the same double
        short, medium = sa.func.printf("%!.15g", col), sa.func.printf("%!.16g", col)
        return sa.case((col.is_(None), "null"),
                       (sa.cast(short, sa.Float) == col, short),
                       (sa.cast(medium, sa.Float) == col, medium),
                       else_=sa.func.printf("%!.17g", col))

    def boolean(self, col) -> ColumnElement:
        """true / false (or null)."""
        return sa.case((col.is_(None), "null"), (col, "true"), else_="false")

    def json(self, col) -> ColumnElement:
        """A JSON column as it is stored."""
        if self.pg:
            return sa.func.coalesce(sa.cast(col, Text), "null")
        return sa.func.coalesce(sa.func.json(col), "null")

    def time(self, col) -> ColumnElement:
        """A UTC time as `datetime.isoformat()` writes it, quoted (or null)."""
        if self.pg:
            utc = sa.func.timezone("UTC", col)
            whole = sa.func.to_char(utc, 'YYYY-MM-DD"T"HH24:MI:SS')
            micro = sa.case((sa.extract("microseconds", col) % 1000000 == 0, ""),
                            else_=sa.func.to_char(utc, ".US"))
            return sa.case((col.is_(None), "null"),
                           else_=concat('"', whole, micro, '+00:00"'))
        # SQLite keeps 'YYYY-MM-DD HH:MM:SS.ffffff' (UTC, see models.base.UTCDateTime)
        raw = sa.cast(col, Text)
        clock = sa.case((sa.or_(sa.func.length(raw) == 19,
                                sa.func.substr(raw, 21) == "000000"),
                         sa.func.substr(raw, 12, 8)), else_=sa.func.substr(raw, 12))
        return sa.case((col.is_(None), "null"),
                       else_=concat('"', sa.func.substr(raw, 1, 10), "T", clock, '+00:00"'))

    def array_of_objects(self, keys: dict, order_by, from_, where) -> ColumnElement:
        """A JSON array of {key: text column} objects of a correlated subquery, in order."""
        if self.pg:
            pairs = [item for key, col in keys.items() for item in (key, col)]
            agg = sa.func.json_agg(aggregate_order_by(sa.func.json_build_object(*pairs),
                                                      order_by))
            return sa.select(sa.func.coalesce(sa.cast(agg, Text), "[]")).select_from(
                from_).where(where).correlate_except(from_).scalar_subquery()
        inner = sa.select(*keys.values()).select_from(from_).where(where).order_by(
            order_by).correlate_except(from_).subquery()
        pairs = [item for key in keys for item in (key, inner.c[keys[key].key])]
        return sa.select(sa.func.json_group_array(sa.func.json_object(*pairs))).select_from(
            inner).scalar_subquery()

    def object(self, fields: list[tuple[str, ColumnElement]]) -> ColumnElement:
        """A JSON object of rendered values (keys are trusted literals)."""
        parts = []
        for number, (key, value) in enumerate(fields):
            parts += [("{" if number == 0 else ",") + f'"{key}":', value]
        return concat(*parts, "}")
