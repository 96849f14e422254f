"""observation.create, .update and .delete: what a phone does to its observations.

Fields merge and conflict per unit: category_code, site_code, position (lat, lon and
accuracy_m together: half of two positions is no position), note and photos (the list).
"""
from patrol_api.findings import channels, intake, revision
from patrol_api.models import Observation
from patrol_api.models.base import utcnow
from patrol_api.reference import geo
from sync import conflicts, photos, schemas
from sync.errors import Deferred, Rejected
from sync.records import observation_record

UNITS = ("category_code", "site_code", "position", "note", "photos")
CURRENT = {
    "category_code": lambda obs: obs.category.code,
    "site_code": lambda obs: obs.site.code if obs.site is not None else None,
    "position": lambda obs: {"lat": obs.lat, "lon": obs.lon, "accuracy_m": obs.accuracy_m},
    "note": lambda obs: obs.note,
    "photos": lambda obs: [{"sha256": p.sha256, "role": p.role} for p in obs.photos],
}


def create(batch, mutation) -> dict:
    """A new observation; the create of an entity that already exists is matched against it."""
    data = schemas.load(schemas.ObservationCreate(), mutation.data, "data")
    existing = batch.observation(mutation.entity_id)
    if existing is not None:
        return _recreate(batch, mutation, existing, data)
    units = _units(data)
    refs = _resolve(batch, units)
    obs = Observation(client_id=mutation.entity_id, user_id=batch.user.id,
                      device_id=batch.device.id, received_at=batch.clock.server_time,
                      fate="received", photos=[], channel=channels.for_role(batch.user.role))
    _stamp_time(obs, data["recorded_at"], batch.clock)
    _apply(batch, obs, units, refs)
    obs.field_versions = {unit: [1, batch.device.id] for unit in UNITS}
    batch.session.add(obs)
    batch.session.flush()
    batch.observations[obs.client_id] = obs
    batch.created.append(obs)
    return _result("applied", obs)


def update(batch, mutation) -> dict:
    """Change some fields; fields another device changed since the base version conflict."""
    data = schemas.load(schemas.ObservationUpdate(), mutation.data, "data")
    obs = _owned(batch, mutation)
    kept, lost = _merge(batch, mutation, obs, _units(data), _base(mutation, obs))
    _finding_follows(batch, obs, kept)
    return _result(_status(kept, lost), obs, kept, lost)


def delete(batch, mutation) -> dict:
    """Retire an observation: it travels to phones as a tombstone; the delete wins."""
    schemas.load(schemas.ObservationDelete(), mutation.data, "data")
    obs = _owned(batch, mutation)
    _base(mutation, obs)
    if obs.deleted_at is not None:
        return _result("unchanged", obs)
    obs.deleted_at = utcnow()
    batch.session.flush()
    revision.observation_deleted(obs)
    batch.session.flush()
    return _result("applied", obs)


def current_record(batch, client_id: str) -> dict | None:
    """The pushing user's observation as it is now, or None."""
    obs = batch.observation(client_id)
    return observation_record(obs) if obs is not None and obs.user_id == batch.user.id \
        else None


def _recreate(batch, mutation, obs: Observation, data: dict) -> dict:
    """A create (new mutation id) of an existing entity: the phone lost its outbox record.

    The author's create is handled as an update from version 1 (what a create yields): same
    content answers unchanged, changed fields apply or conflict. Another user's entity id is
    refused as duplicate_entity without saying whose it is.
    """
    if obs.user_id != batch.user.id:
        raise Rejected("duplicate_entity", "This entity_id is already used; generate a new "
                       "UUID for a new observation.", "entity_id")
    kept, lost = _merge(batch, mutation, obs, _units(data), base=1)
    _finding_follows(batch, obs, kept)
    return _result(_status(kept, lost), obs, kept, lost)


def _status(kept, lost) -> str:
    """conflict when a field lost, applied when one changed, else unchanged (no new version)."""
    return "conflict" if lost else ("applied" if kept else "unchanged")


def _finding_follows(batch, obs: Observation, kept) -> None:
    """Its finding reacts to an applied change of category, site or position, in this
    savepoint (see patrol_api.findings.revision for why not after commit)."""
    if kept and obs.finding_id is not None:
        revision.observation_edited(obs, kept)
        batch.session.flush()


def _owned(batch, mutation) -> Observation:
    """The author's observation named by the mutation, or a rejection (deferral if early)."""
    obs = batch.observation(mutation.entity_id)
    if obs is None and batch.ledger.gap_below(mutation.seq):
        raise Deferred("waiting_for_earlier", "Unknown entity while earlier mutations of "
                       "this device are missing; send them, then this one again.", "entity_id")
    if obs is None:
        raise Rejected("unknown_entity", "No observation has this entity_id.", "entity_id")
    if obs.user_id != batch.user.id:
        raise Rejected("forbidden", "Only the author may change an observation.", "entity_id")
    return obs


def _base(mutation, obs: Observation) -> int:
    """The version the edit started from (null: 1, the version a create yields)."""
    base = mutation.base_version or 1
    if base > obs.version:
        raise Rejected("invalid_base_version", f"base_version {base} is newer than the "
                       f"server's version {obs.version}.", "base_version")
    return base


def _merge(batch, mutation, obs: Observation, units: dict, base: int):
    """Apply the changed units that do not overlap; keep the overlapping device values."""
    refs = _resolve(batch, units)
    changed = {unit: value for unit, value in units.items() if value != CURRENT[unit](obs)}
    lost = [unit for unit in changed if obs.deleted_at is not None or conflicts.overlaps(
        obs.field_versions.get(unit), base, batch.device.id)]
    kept = {unit: value for unit, value in changed.items() if unit not in lost}
    if kept:
        _apply(batch, obs, kept, refs)
        stamp = [obs.version + 1, batch.device.id]
        obs.field_versions = {**obs.field_versions, **dict.fromkeys(kept, stamp)}
        batch.session.flush()
    rule = conflicts.DELETE_WINS if obs.deleted_at is not None else conflicts.FIRST_WRITE_WINS
    losers = [conflicts.keep(batch, mutation, obs, unit, CURRENT[unit](obs), changed[unit],
                             rule) for unit in lost]
    if losers:
        batch.session.flush()
    return sorted(kept), losers


def _units(data: dict) -> dict:
    """The value of each unit the validated data sets, in the form phones send it."""
    units = {name: data[name] for name in ("category_code", "site_code", "note", "photos")
             if name in data}
    if "lat" in data:
        units["position"] = {"lat": data["lat"], "lon": data["lon"],
                             "accuracy_m": data.get("accuracy_m")}
    return units


def _resolve(batch, units: dict) -> dict:
    """The records the units name (category, site) and the verified photo digests."""
    refs = {}
    if "category_code" in units:
        refs["category"] = _known(batch.category(units["category_code"]), "category_code")
    if units.get("site_code") is not None:
        refs["site"] = _known(batch.site(units["site_code"]), "site_code")
    if "photos" in units:
        refs["verified"] = photos.verified(batch.session, [p["sha256"] for p in units["photos"]])
    return refs


def _known(record, field: str):
    """A looked-up reference record, or a rejection naming the field."""
    if record is None:
        raise Rejected("unknown_reference", f"No live record has this {field}.",
                       f"data.{field}")
    return record


def _apply(batch, obs: Observation, units: dict, refs: dict) -> None:
    """Set the units on the observation and derive its area and photo state."""
    with batch.session.no_autoflush:
        if "category_code" in units:
            obs.category = refs["category"]
        if "site_code" in units:
            obs.site = refs.get("site")
        if "position" in units:
            position = units["position"]
            obs.lat, obs.lon, obs.accuracy_m = (position["lat"], position["lon"],
                                                position["accuracy_m"])
        if "note" in units:
            obs.note = units["note"]
        _derive(obs, units, refs)


def _derive(obs: Observation, units: dict, refs: dict) -> None:
    """The area follows the site (else the position); completeness follows the photos."""
    if "site_code" in units or "position" in units:
        site_area = obs.site.area if obs.site is not None else None
        obs.area = site_area or geo.area_containing(obs.lat, obs.lon)
    if "photos" in units:
        photos.set_photos(obs, units["photos"])
        photos.refresh(obs, refs["verified"])
        if obs.id is not None and obs.finding_id is None and intake.ready(obs):
            intake.schedule_many([obs.id])  # an edited list completed it (creates: anyway)


def _stamp_time(obs: Observation, recorded_at, clock) -> None:
    """Raw device time, the push's offset, the corrected time and its flags."""
    obs.recorded_at_device = recorded_at
    obs.clock_offset_ms = clock.offset_ms
    obs.recorded_at = clock.correct(recorded_at)
    obs.time_flags = clock.flags(recorded_at)


def _result(status: str, obs: Observation, kept=None, losers=()) -> dict:
    """An item result: the observation now, and what was merged or kept aside."""
    result = {"status": status, "entity_id": obs.client_id, "version": obs.version,
              "record": observation_record(obs)}
    if losers:
        result["applied_fields"] = kept
        result["conflicts"] = [conflicts.describe(conflict) for conflict in losers]
    return result
