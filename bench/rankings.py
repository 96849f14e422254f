"""Monthly ranking time: one month's metrics and tables over a district year and a city year.

``python -m bench rankings --db sqlite|postgresql [--sizes 100000,4000000]``

For each size a fresh database is migrated; `size` findings spread evenly over 2026 are
bulk-loaded (executemany on SQLite, COPY on PostgreSQL) with their stint facts
(`ranking_fact`: ~10 % transferred, ~5 % reopened, ~8 % still open) across 60 departments
per 100 k findings (a district's 40 headquarters departments and 20 dong offices). The facts
are up to date (the watermark is set), so the timing is what the database does for one month
(`--month`, default 2026-10): the refresh finding nothing to re-cut, the aggregation queries
of `patrol_api.rankings.metrics` and the two ranked tables. Prints ``month_100k_s`` — one
month of a district year (100 k findings over the year, ~8.6 k received in the month) — and
``city_year_4m_s`` — one month of a city year (4 M findings over the year, ~340 k in the
month, 2,400 departments); medians of 3 runs; targets on PostgreSQL: 2 s and 30 s. Neither
is a month holding 100 k findings nor a whole year's ranking.
"""
import argparse
import random
from datetime import UTC, datetime, timedelta

from bench.common import database_urls, median, report, timed

LABELS = {100_000: "month_100k_s", 4_000_000: "city_year_4m_s"}
YEAR_START = datetime(2026, 1, 1, tzinfo=UTC)
FACT_COLUMNS = ("finding_id", "stint", "department_id", "category_id", "area_id", "origin",
                "received_at", "acked_at", "resolved_at", "due_at", "ended_at", "end_kind",
                "verified_at", "failed_at", "reopened_at", "reopen_after_s", "ack_s",
                "resolve_s", "expected_ack_s", "expected_resolve_s", "accountable_until")
CHUNK = 20_000


def _parse(argv) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench rankings", description=__doc__)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--sizes", default="100000,4000000")
    parser.add_argument("--month", default="2026-10")
    parser.add_argument("--seed", type=int, default=1)
    return parser.parse_args(argv)


def _departments(size: int) -> list[int]:
    """60 departments per 100 k findings (two thirds headquarters), their ids."""
    from patrol_api.extensions import db
    from patrol_api.models import Department

    count = max(60, size * 60 // 100_000)
    rows = [Department(code=f"d{n:05d}", name_ko=f"부서{n}", name_en=f"Dept {n}",
                       kind="headquarters" if n % 3 else "dong_office") for n in range(count)]
    db.session.add_all(rows)
    db.session.commit()
    return [row.id for row in rows]


def _stint(rng, finding_id, number, dept, start, category_id) -> tuple:
    """One fact row: received at `start`, resolved (or not) some business time later."""
    due = start + timedelta(days=rng.choice((3, 5, 7)))
    ack_s, resolve_s = rng.randrange(600, 40_000), rng.randrange(3_600, 300_000)
    acked = start + timedelta(seconds=ack_s * 3)
    resolved = None if rng.random() < 0.08 else start + timedelta(seconds=resolve_s * 3)
    verified = resolved + timedelta(days=2) if resolved and rng.random() < 0.6 else None
    reopened = resolved + timedelta(days=9) if resolved and rng.random() < 0.05 else None
    return (finding_id, number, dept, category_id, None, "routed" if number == 1 else "transfer",
            start, acked, resolved, due, None, None, verified, None, reopened,
            reopened and 9 * 86400, ack_s, resolved and resolve_s, 10_800, 86_400, resolved)


def fact_rows(size: int, depts: list[int], category_id: int, rng: random.Random):
    """Fact rows in chunks: one stint per finding, a transferred one for ~10 %."""
    chunk = []
    for finding_id in range(1, size + 1):
        start = YEAR_START + timedelta(seconds=rng.randrange(0, 365 * 86400))
        if rng.random() < 0.1:
            row = list(_stint(rng, finding_id, 1, rng.choice(depts), start, category_id))
            row[8:12] = [None, row[9], start + timedelta(hours=2), "transfer"]
            row[-1] = None  # a transfer answers until the finding is settled
            chunk.append(tuple(row))
            start += timedelta(hours=2)
        chunk.append(_stint(rng, finding_id, 2 if chunk and chunk[-1][0] == finding_id else 1,
                            rng.choice(depts), start, category_id))
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _load(size: int, rng: random.Random) -> None:
    """Findings (bench.merge's bulk loader) and their facts."""
    from bench import merge
    from patrol_api.extensions import db

    refs = merge._reference_data()
    merge._bulk_insert(size, refs, rng)
    depts = _departments(size)
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        _copy(connection, fact_rows(size, depts, refs["category"], rng))
    else:
        marks = ", ".join("?" * len(FACT_COLUMNS))
        sql = f"INSERT INTO ranking_fact ({', '.join(FACT_COLUMNS)}) VALUES ({marks})"
        for chunk in fact_rows(size, depts, refs["category"], rng):
            connection.exec_driver_sql(sql, [merge._sqlite_row(row) for row in chunk])
    db.session.commit()


def _copy(connection, chunks) -> None:
    """COPY the facts into PostgreSQL."""
    raw = connection.connection.driver_connection
    with raw.cursor() as cursor, cursor.copy(
            f"COPY ranking_fact ({', '.join(FACT_COLUMNS)}) FROM STDIN") as copy:
        for chunk in chunks:
            for row in chunk:
                copy.write_row(row)


def _mark_fresh() -> None:
    """Set the facts watermark to the current change sequence: nothing to re-cut."""
    import sqlalchemy as sa

    from patrol_api.extensions import db
    from patrol_api.models import Finding
    from patrol_api.rankings import refresh

    top = db.session.execute(sa.select(sa.func.max(Finding.change_seq))).scalar() or 0
    refresh.refresh_marker(top)
    db.session.commit()


def measure(url: str, size: int, args) -> float:
    """Median seconds to compute one month's metrics and ranked tables."""
    from flask_migrate import upgrade

    from bench.merge import _settle
    from patrol_api import create_app
    from patrol_api.extensions import db
    from patrol_api.rankings import metrics, refresh, scoring

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                      "REDIS_URL": None, "LOG_LEVEL": "WARNING"})
    with app.app_context():
        upgrade(revision="heads")
        _load(size, random.Random(args.seed))
        _mark_fresh()
        _settle()
        times = []
        for _ in range(3):
            with timed() as timer:
                refresh.refresh()
                tables = scoring.tables(metrics.month_metrics(args.month))
                db.session.commit()
            times.append(timer.seconds)
        assert sum(len(rows) for rows in tables.values()) > 0
        db.engine.dispose()
    return median(times)


def main(argv=None) -> int:
    """Run the benchmark and print the results."""
    import logging

    args = _parse(argv)
    logging.disable(logging.INFO)
    sizes = [int(size) for size in args.sizes.split(",")]
    for size, url in database_urls(args.db, "rankings", sizes):
        report(LABELS.get(size, f"month_{size}_s"), measure(url, size, args), "s")
    return 0
