"""patrol_run.start|update|end, track.append, site_check.record, inspection.submit.

The domain work is done by patrol_api.patrols; here mutation data is validated, phone ids
are resolved, device times handed to the domain with the push's clock (runs, checks and
inspections keep the raw device time, the offset and flags) and domain refusals turned into
item rejections. A failing checklist item that names a category becomes an observation through
observation.create, so the findings intake routes it like any other.
"""
import uuid
from contextlib import contextmanager

import sqlalchemy as sa

from patrol_api.errors import ApiError
from patrol_api.models.patrols import (
    Campaign,
    ChecklistTemplate,
    Inspection,
    PatrolRun,
    SiteCheck,
)
from patrol_api.patrols import checks, inspections, runs, templates, visibility
from patrol_api.patrols import phone_schemas as data_schemas
from patrol_api.patrols.schemas import RunSchema
from sync import schemas
from sync.errors import Deferred, Rejected
from sync.handlers import observations
from sync.mutations import Mutation

FAILURE_NAMESPACE = uuid.UUID("6f1d3c0e-3a43-4c55-9a56-7f0a3c1b9e21")


@contextmanager
def _refusals():
    """Domain refusals (ApiError) become rejections of the mutation."""
    try:
        yield
    except ApiError as error:
        raise Rejected(error.code, error.message, error.field and f"data.{error.field}") from None


def _load(schema, mutation) -> dict:
    """Validated mutation data."""
    return schemas.load(schema, mutation.data, "data")


def _run(batch, client_id, seq: int | None = None) -> PatrolRun | None:
    """A run the pushing user may read (patrol_api.patrols.visibility) by its phone id; unknown
    or not theirs to read: deferred while earlier mutations are missing."""
    run = batch.session.execute(sa.select(PatrolRun).where(
        PatrolRun.client_id == str(client_id), *visibility.run_conditions(batch.user))).scalar()
    if run is None and seq is not None and batch.ledger.gap_below(seq):
        raise Deferred("waiting_for_earlier", "Unknown run while earlier mutations of this "
                       "device are missing; send them, then this one again.", "entity_id")
    if run is None:
        raise Rejected("unknown_entity", "No patrol run has this id.", "entity_id")
    return run


def _led(batch, run: PatrolRun) -> PatrolRun:
    """The run, when the pushing user leads it or takes part in it."""
    if batch.user.id not in runs.members(run):
        raise Rejected("forbidden", "Only the run's leader and participants may change it.",
                       "entity_id")
    return run


def _run_result(status: str, run: PatrolRun) -> dict:
    """An item result carrying the run."""
    return {"status": status, "entity_id": run.client_id, "version": run.version,
            "record": RunSchema().dump(run)}


def _changed_run(batch, run: PatrolRun, version_before: int) -> dict:
    """applied when the change gave the run a new version, else unchanged."""
    batch.session.flush()
    return _run_result("applied" if run.version != version_before else "unchanged", run)


def current_run_record(batch, client_id: str) -> dict | None:
    """A run as it is now, for its leader and members; else None."""
    run = batch.session.execute(sa.select(PatrolRun).where(
        PatrolRun.client_id == client_id)).scalar()
    if run is None or batch.user.id not in runs.members(run):
        return None
    return RunSchema().dump(run)


def _campaign(batch, campaign_id: int | None, field: str) -> None:
    """Reject a campaign id that names no live campaign."""
    if campaign_id is not None:
        campaign = batch.session.get(Campaign, campaign_id)
        if campaign is None or campaign.deleted_at is not None:
            raise Rejected("unknown_reference", "No live campaign has this id.", field)


def run_start(batch, mutation) -> dict:
    """Start a run led by the pushing user (a repeated start of the same run is a no-op)."""
    data = _load(data_schemas.RunStart(), mutation)
    existing = batch.session.execute(sa.select(PatrolRun).where(
        PatrolRun.client_id == mutation.entity_id)).scalar()
    if existing is not None:
        if existing.leader_id != batch.user.id:
            raise Rejected("duplicate_entity", "This entity_id is already used.", "entity_id")
        return _run_result("unchanged", existing)
    _campaign(batch, data.get("campaign_id"), "data.campaign_id")
    with _refusals():
        run = runs.start(batch.user, mutation.entity_id, data, batch.clock)
    return _run_result("applied", run)


def run_update(batch, mutation) -> dict:
    """Change the team, participants or campaign of a run."""
    data = _load(data_schemas.RunChange(), mutation)
    run = _led(batch, _run(batch, mutation.entity_id, mutation.seq))
    _campaign(batch, data.get("campaign_id"), "data.campaign_id")
    before = run.version
    with _refusals():
        runs.update(run, data)
    return _changed_run(batch, run, before)


def run_end(batch, mutation) -> dict:
    """End a run."""
    data = _load(data_schemas.RunEnd(), mutation)
    run = _led(batch, _run(batch, mutation.entity_id, mutation.seq))
    before = run.version
    with _refusals():
        runs.end(run, data["ended_at"], batch.clock)
    return _changed_run(batch, run, before)


def track_append(batch, mutation) -> dict:
    """Add GPS points to a run's track."""
    data = _load(data_schemas.TrackAppend(), mutation)
    run = _led(batch, _run(batch, mutation.entity_id, mutation.seq))
    before = run.version
    with _refusals():
        runs.append_track(run, [list(point) for point in data["points"]], batch.clock)
    return _changed_run(batch, run, before)


def _site(batch, code: str):
    """A live site by code, or a rejection."""
    site = batch.site(code)
    if site is None:
        raise Rejected("unknown_reference", "No live site has this site_code.",
                       "data.site_code")
    return site


def _existing(batch, model, mutation):
    """The author's record of this entity, if recorded already; another author's id is
    refused."""
    row = batch.session.execute(sa.select(model).where(
        model.client_id == mutation.entity_id)).scalar()
    if row is not None and row.user_id != batch.user.id:
        raise Rejected("duplicate_entity", "This entity_id is already used.", "entity_id")
    return row


def _check_result(status: str, check: SiteCheck) -> dict:
    """The item result of a site check."""
    return {"status": status, "entity_id": check.client_id,
            "far_from_site": check.far_from_site, "distance_m": check.distance_m}


def site_check(batch, mutation) -> dict:
    """Record that a site was looked at: ok (no problem) or problem."""
    data = _load(data_schemas.SiteCheckRecord(), mutation)
    existing = _existing(batch, SiteCheck, mutation)
    if existing is not None:  # recorded once: a check is a fact, never rewritten
        return _check_result("unchanged", existing)
    site = _site(batch, data["site_code"])
    if data.get("run_id"):
        data["run_id"] = _run(batch, data["run_id"], mutation.seq).id
    check = checks.record(batch.user, mutation.entity_id, site, data, batch.clock)
    return _check_result("applied", check)


def _template(batch, template_id: int) -> ChecklistTemplate:
    """A template by id, or a rejection."""
    template = batch.session.get(ChecklistTemplate, template_id)
    if template is None:
        raise Rejected("unknown_reference", "No checklist template has this id.",
                       "data.template_id")
    return template


def inspection_submit(batch, mutation) -> dict:
    """Store a filled checklist; failing items that name a category become observations.

    Refused when its campaign uses another template revision (`template_mismatch`); a site
    that is not a campaign target or a time outside the campaign's window is only flagged."""
    data = _load(data_schemas.InspectionSubmit(), mutation)
    existing = _existing(batch, Inspection, mutation)
    if existing is not None:  # submitted once: an inspection is a fact, never rewritten
        return {**inspections.push_result(existing, batch.user.role), "status": "unchanged"}
    template, site = _template(batch, data["template_id"]), _site(batch, data["site_code"])
    _campaign(batch, data.get("campaign_id"), "data.campaign_id")
    if data.get("run_id"):
        data["run_id"] = _run(batch, data["run_id"], mutation.seq).id
    with _refusals():
        inspection = inspections.record(batch.user, mutation.entity_id, template, site, data,
                                        batch.clock)
    _raise_observations(batch, mutation, inspection, template, site, data)
    return inspections.push_result(inspection, batch.user.role)


def _raise_observations(batch, mutation, inspection, template, site, data) -> None:
    """observation.create for every failure with a category; the failures name them."""
    items = templates.item_map(template)
    failures = []
    for failure in inspection.failures:
        if failure["category_code"]:
            item = items[failure["key"]]
            obs_id = str(uuid.uuid5(FAILURE_NAMESPACE, f"{inspection.client_id}/{item['key']}"))
            observations.create(batch, _observation_mutation(
                mutation, obs_id, item, site, data, failure["category_code"]))
            failure = {**failure, "observation_id": obs_id}
        failures.append(failure)
    inspection.failures = failures
    batch.session.flush()


def _observation_mutation(mutation, obs_id: str, item: dict, site, data: dict,
                          category_code: str) -> Mutation:
    """The observation.create a failing item stands for (at the device's own time)."""
    position = data.get("position") or {"lat": site.lat, "lon": site.lon}
    answer = data["answers"].get(item["key"]) or {}
    photos = [{"sha256": sha, "role": "checklist"} for sha in answer.get("photos", [])]
    return Mutation(mutation.index, mutation.id, mutation.seq, "observation.create", obs_id,
                    data={"category_code": category_code, "site_code": site.code,
                          "lat": position["lat"], "lon": position["lon"],
                          "note": f"{item['label_ko']} / {item['label_en']}: "
                                  f"{answer.get('value')!r}",
                          "photos": photos, "recorded_at": data["inspected_at"].isoformat()})
