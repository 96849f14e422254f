"""Merge throughput: observations taken in per second with 10 k, 100 k and 1 M open findings.

``python -m bench merge --db sqlite|postgresql [--sizes 10000,100000,1000000] [--obs 400]``

For each size a fresh database is migrated, the open findings are bulk-inserted (executemany
on SQLite, COPY on PostgreSQL) at a constant density (about a district's: the area grows with
the count, as when a city or a country shares one server), then observations are taken in one
by one through the real intake job (`intake.process_observation`, one transaction each):
half of them near an open finding (they merge), half anywhere (most start a new finding).
Prints ``merge_per_s_10k``, ``merge_per_s_100k``, ``merge_per_s_1m`` and ``merge_growth``
(the 10 k rate over the 1 M rate; the target is under 1.5).
"""
import argparse
import math
import random
import uuid
from datetime import UTC, date, datetime, timedelta

from bench.common import database_urls, median, report, timed

DENSITY_PER_KM2 = 400          # ~10 k open findings over a 25 km² district
CENTRE = (37.5, 127.0)
KM_PER_DEG_LAT = 111.32
LABELS = {10_000: "10k", 100_000: "100k", 1_000_000: "1m"}
CHUNK = 20_000
COLUMNS = ("reference", "category_id", "lat", "lon", "cell_key", "first_seen_at",
           "last_seen_at", "observation_count", "priority", "event_count", "state", "is_open",
           "department_id", "in_coordination", "transfer_count", "ping_pong", "overdue",
           "escalated", "recurrence_count", "version", "change_seq", "created_at",
           "updated_at")


def _parse(argv) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench merge", description=__doc__)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--obs", type=int, default=400, help="observations timed per size")
    parser.add_argument("--seed", type=int, default=1)
    return parser.parse_args(argv)


def box(size: int) -> tuple[float, float, float, float]:
    """(lat0, lon0, dlat, dlon) of a square holding `size` findings at the density."""
    side_km = math.sqrt(size / DENSITY_PER_KM2)
    dlat = side_km / KM_PER_DEG_LAT
    dlon = side_km / (KM_PER_DEG_LAT * math.cos(math.radians(CENTRE[0])))
    return CENTRE[0] - dlat / 2, CENTRE[1] - dlon / 2, dlat, dlon


def _point(rng: random.Random, area) -> tuple[float, float]:
    lat0, lon0, dlat, dlon = area
    return lat0 + rng.random() * dlat, lon0 + rng.random() * dlon


def finding_rows(size: int, refs: dict, rng: random.Random):
    """Rows of open findings, as tuples in COLUMNS order, in chunks."""
    from patrol_api.findings import grid

    area, now = box(size), datetime.now(UTC)
    chunk = []
    for number in range(1, size + 1):
        lat, lon = _point(rng, area)
        seen = now - timedelta(hours=rng.randrange(0, 24 * 10))
        chunk.append((f"F-2000-{number:07d}", refs["category"], lat, lon,
                      grid.cell_key(lat, lon), seen, seen, 1, "normal", 2, "assigned", True,
                      refs["department"], False, 0, False, False, False, 0, 1, 0, now, now))
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _reference_data() -> dict:
    """A department, compatible categories with a rule, a reporter with a phone."""
    from patrol_api.extensions import db
    from patrol_api.models import Category, Department, Device, RoutingRule, User

    department = Department(code="roads", name_ko="도로과", name_en="Roads", kind="headquarters")
    categories = [Category(code=code, name_ko=code, name_en=code, group="street",
                           merge_radius_m=30, merge_window_days=14) for code in ("roads", "sign")]
    user = User(username="bench", display_name="bench", role="patrol_officer",
                password_hash="x")
    device = Device(user=user, client_uid="bench-phone")
    db.session.add_all([department, *categories, user, device])
    db.session.flush()
    db.session.add(RoutingRule(category=categories[0], target_department=department,
                               priority=10, effective_from=date(2020, 1, 1)))
    db.session.commit()
    return {"department": department.id, "category": categories[0].id, "user": user.id,
            "device": device.id, "categories": [c.id for c in categories]}


def _bulk_insert(size: int, refs: dict, rng: random.Random) -> None:
    """Insert the open findings as fast as the backend allows."""
    from patrol_api.extensions import db

    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        _copy(connection, size, refs, rng)
    else:
        marks = ", ".join("?" * len(COLUMNS))
        sql = f"INSERT INTO finding ({', '.join(COLUMNS)}) VALUES ({marks})"
        for chunk in finding_rows(size, refs, rng):
            connection.exec_driver_sql(sql, [_sqlite_row(row) for row in chunk])
    db.session.commit()


def _sqlite_row(row: tuple) -> tuple:
    """Times as SQLite text (UTC, no zone), as UTCDateTime stores them."""
    return tuple(v.replace(tzinfo=None).isoformat(sep=" ") if isinstance(v, datetime) else v
                 for v in row)


def _copy(connection, size: int, refs: dict, rng: random.Random) -> None:
    """COPY the findings into PostgreSQL."""
    raw = connection.connection.driver_connection
    with raw.cursor() as cursor, cursor.copy(
            f"COPY finding ({', '.join(COLUMNS)}) FROM STDIN") as copy:
        for chunk in finding_rows(size, refs, rng):
            for row in chunk:
                copy.write_row(row)


def _observations(size: int, refs: dict, count: int, rng: random.Random) -> list[int]:
    """Observations to take in: half next to an open finding, half anywhere."""
    import sqlalchemy as sa

    from patrol_api.extensions import db
    from patrol_api.models import Finding, Observation

    area, now, made = box(size), datetime.now(UTC), []
    for index in range(count):
        lat, lon = _point(rng, area)
        if index % 2 == 0:
            near = db.session.execute(sa.select(Finding.lat, Finding.lon).where(
                Finding.id == rng.randrange(1, size + 1))).one()
            lat, lon = near[0] + 0.00005, near[1]
        made.append(Observation(
            client_id=str(uuid.UUID(int=rng.getrandbits(128))), user_id=refs["user"],
            device_id=refs["device"], category_id=refs["categories"][index % 2], lat=lat,
            lon=lon, note="", recorded_at_device=now, recorded_at=now, received_at=now,
            fate="received", time_flags=[], field_versions={}))
    db.session.add_all(made)
    db.session.commit()
    return [obs.id for obs in made]


def _settle() -> None:
    """Statistics, and on PostgreSQL the vacuum autovacuum would otherwise run mid-timing."""
    import sqlalchemy as sa

    from patrol_api.extensions import db

    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        vacuum = "VACUUM ANALYZE" if connection.dialect.name == "postgresql" else "ANALYZE"
        connection.execute(sa.text(vacuum))


def _prepare(size: int, args) -> list[int]:
    """Reference data, open findings, statistics, the observations to time."""

    from patrol_api.extensions import db
    from patrol_api.findings import locks, references

    rng = random.Random(args.seed)
    refs = _reference_data()
    _bulk_insert(size, refs, rng)
    locks.allocate(0, references.counter_name(datetime.now(UTC).year))
    db.session.commit()
    _settle()
    return _observations(size, refs, args.obs + 20, rng)


def measure(url: str, size: int, args) -> float:
    """Observations per second taken in with `size` open findings."""
    from flask_migrate import upgrade

    from patrol_api import create_app
    from patrol_api.extensions import db
    from patrol_api.findings import intake

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                      "REDIS_URL": None, "LOG_LEVEL": "WARNING"})
    with app.app_context():
        upgrade(revision="heads")
        ids = _prepare(size, args)
        for obs_id in ids[:20]:  # warm the caches
            intake.process_observation(obs_id)
        rates = []
        for part in (ids[20:][i::4] for i in range(4)):
            with timed() as timer:
                for obs_id in part:
                    intake.process_observation(obs_id)
            rates.append(len(part) / timer.seconds)
        db.engine.dispose()
    return median(rates)


def main(argv=None) -> int:
    """Run the benchmark and print the results."""
    import logging

    args = _parse(argv)
    logging.disable(logging.INFO)
    sizes = [int(size) for size in args.sizes.split(",")]
    rates = {}
    for size, url in database_urls(args.db, "merge", sizes):
        rates[size] = measure(url, size, args)
        report(f"merge_per_s_{LABELS.get(size, size)}", rates[size], "obs/s")
    report("merge_growth", rates[sizes[0]] / rates[sizes[-1]], "x")
    return 0
