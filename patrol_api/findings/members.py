"""The observations of a finding and what they determine: position, first and last seen."""
import sqlalchemy as sa

from patrol_api.extensions import db
from patrol_api.findings import grid
from patrol_api.models import Finding, Observation


def observations_of(finding_id: int) -> list[Observation]:
    """The live observations merged into a finding, oldest first."""
    return list(db.session.execute(sa.select(Observation).where(
        Observation.finding_id == finding_id, Observation.deleted_at.is_(None))
        .order_by(Observation.recorded_at, Observation.id)).scalars())


def summary(observations: list[Observation]) -> dict:
    """Mean position, its cell, first and last seen time and count of observations."""
    count = len(observations)
    lat = sum(obs.lat for obs in observations) / count
    lon = sum(obs.lon for obs in observations) / count
    return {"lat": lat, "lon": lon, "cell_key": grid.cell_key(lat, lon),
            "first_seen_at": min(obs.recorded_at for obs in observations),
            "last_seen_at": max(obs.recorded_at for obs in observations),
            "observation_count": count}


def summary_after_adding(finding: Finding, observations: list[Observation]) -> dict:
    """The summary once these observations join (incremental: no re-read of the others)."""
    count = finding.observation_count + len(observations)
    lat = (finding.lat * finding.observation_count + sum(o.lat for o in observations)) / count
    lon = (finding.lon * finding.observation_count + sum(o.lon for o in observations)) / count
    times = [finding.first_seen_at, finding.last_seen_at] + [o.recorded_at for o in observations]
    return {"lat": lat, "lon": lon, "cell_key": grid.cell_key(lat, lon),
            "first_seen_at": min(times), "last_seen_at": max(times),
            "observation_count": count}


def link(finding: Finding, observations: list[Observation]) -> None:
    """Point the observations at the finding."""
    for obs in observations:
        obs.finding_id = finding.id
