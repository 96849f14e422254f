"""Bulk inserts handed straight to the driver: the statement compiled once per dialect, each
value converted by its column's own bind processor, one DBAPI executemany.

The same rows through `session.execute(insert(table), rows)` spent more time in SQLAlchemy's
per-row parameter machinery than in the database (bench sync, 2026-12-04); the values
written are the same, since they go through the very processors SQLAlchemy would use.
"""
import sqlalchemy as sa


class BulkInsert:
    """INSERT into a table of many rows at once, each a dict naming every column it sets."""

    def __init__(self, table: sa.Table):
        self.table = table
        self._prepared: dict = {}

    def _statement(self, dialect, columns: tuple) -> tuple:
        """(SQL text, bind names in order, their processors, positional?), built once."""
        key = (dialect.name, columns)
        if key not in self._prepared:
            # inline: no RETURNING of the new ids (executemany discards them anyway)
            compiled = sa.insert(self.table).inline().compile(dialect=dialect,
                                                              column_keys=columns)
            order = list(compiled.positiontup) if compiled.positional else list(compiled.binds)
            if set(order) != set(columns):  # a column default SQLAlchemy would have filled
                raise ValueError(f"{self.table.name}: rows must set {sorted(set(order))}")
            processors = [self.table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
                          for name in order]
            self._prepared[key] = (compiled.string, order, processors, compiled.positional)
        return self._prepared[key]

    def run(self, connection: sa.Connection, rows: list[dict]) -> None:
        """Insert the rows (all with the same keys) in the connection's transaction."""
        if not rows:
            return
        sql, order, processors, positional = self._statement(connection.dialect,
                                                             tuple(rows[0]))
        pairs = list(zip(order, processors, strict=True))
        converted = _converted(rows, pairs)
        if positional:
            params = [tuple(values) for values in converted]
        else:
            params = [dict(zip(order, values, strict=True)) for values in converted]
        connection.exec_driver_sql(sql, params)


def _converted(rows: list[dict], pairs: list) -> list[list]:
    """Each row's values as the driver takes them, in statement order. A value object shared
    by many rows (the push's time stamps, its field versions) is converted once."""
    done: dict = {}  # (column, id(value)) -> converted; the rows keep the values alive
    converted = []
    for row in rows:
        values = []
        for name, process in pairs:
            value = row[name]
            if process is not None:
                key = (name, id(value))
                if key not in done:
                    done[key] = process(value)
                value = done[key]
            values.append(value)
        converted.append(values)
    return converted
