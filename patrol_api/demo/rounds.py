"""Patrol rounds of the simulated months: who walks when, what the phones record and push.

Each round is planned for a day (routine patrols on working days, the senior staff, night,
dong chief with police and residents' walks on their usual days, the themed campaign's
inspection rounds while it runs). At the end of the round the phones sync: the leader pushes
the run, its GPS track, the site checks ("inspected, no problem" too), inspections and
observations; citizen auditors on the walk push their own reports.
"""
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from patrol_api.demo import photos, scenery
from patrol_api.demo.phones import Phone
from patrol_api.extensions import db
from patrol_api.findings.calendar import SEOUL
from patrol_api.models import Area, FacilityType
from patrol_api.patrols import campaigns, templates

# theme: (facility type, category of failing answers, title ko, title en, months)
THEMES = {
    "heat_wave": ("cooling_shelter", "safety", "무더위쉼터 운영 실태 점검",
                  "Cooling shelter inspection", (6, 7, 8, 9)),
    "snow_readiness": ("snow_box", "roads", "제설함 사전 점검", "Snow-removal box check",
                       (11, 12, 1, 2, 3)),
    "flood_readiness": ("storm_drain", "water", "빗물받이 일제 점검", "Storm drain sweep",
                        (4, 5, 10)),
}


@dataclass
class Round:
    """One planned patrol run."""

    kind: str
    start: datetime
    hours: float
    leader: object
    area_code: str
    observations: int
    participants: list = field(default_factory=list)
    auditors: list = field(default_factory=list)
    residents: int = 0
    campaign: bool = False


def _local(day: date, hour: int, minute: int = 0) -> datetime:
    """A Seoul time on a day."""
    return datetime.combine(day, time(hour, minute), SEOUL)


def plan_day(sim, day: date) -> list[Round]:
    """The rounds walked on one day."""
    rng, officers = sim.rng, sim.officers
    working = sim.calendar.is_business_day(day)
    weekday, week = day.weekday(), (day.day - 1) // 7 + 1
    plans = []

    def add(kind, hour, hours, count, **extra):
        leader = extra.pop("leader", None) or rng.choice(officers)
        area = extra.pop("area", None) or sim.map.dong(rng)
        plans.append(Round(kind, _local(day, hour, rng.choice((0, 10, 20, 30))), hours, leader,
                           area, count, **extra))

    if working:
        add("routine", 10, 2, rng.choice((1, 2, 2, 3)))
        if rng.random() < 0.3:
            add("routine", 14, 2.5, rng.choice((0, 1, 2)))
        if weekday == 1:
            add("senior_day", 14, 1.5, rng.choice((1, 2)), participants=[sim.manager.id])
        if weekday == 0:
            add("early_morning", 6, 1.5, rng.choice((0, 1, 1)))
        if weekday in (1, 3) and sim.campaign_on(day):
            add("campaign", 10, 2.5, 0, campaign=True, area=rng.choice(scenery.BUSY_DONGS))
    if weekday == 4:
        add("night", 21, 2, rng.choice((0, 1, 2)))
    if weekday == 2 and week == 1:
        add("dong_police", 19, 2, 2, area="11560540", residents=0)
    if weekday == 3 and (day + timedelta(days=7)).month != day.month:
        add("senior_night", 20, 2, rng.choice((1, 2)), participants=[sim.manager.id])
    if weekday == 5 and week in (2, 4) and sim.auditors:
        add("residents_walk", 10, 2, rng.choice((1, 2, 3)),
            auditors=[a.id for a in sim.auditors], residents=rng.randint(4, 12))
    return plans


class Walker:
    """Turns a planned round into what the phones record, then syncs them."""

    def __init__(self, sim):
        self.sim = sim
        self.campaign, self.template_id, self.facility_type = None, None, None

    def setup_campaign(self, theme_day: date, ends_on: date) -> None:
        """Write and publish the season's checklist and start the themed campaign."""
        theme = next((t for t, row in THEMES.items() if theme_day.month in row[4]),
                     "flood_readiness")
        ftype, category, title_ko, title_en, _months = THEMES[theme]
        items = _checklist(category)
        template = templates.create({"code": f"demo-{theme}", "title_ko": f"{title_ko} 점검표",
                                     "title_en": f"{title_en} checklist", "items": items})
        templates.publish(template)
        db.session.flush()
        type_id = db.session.query(FacilityType.id).filter_by(code=ftype).scalar()
        area_ids = [a.id for a in db.session.query(Area).filter(
            Area.code.in_(scenery.BUSY_DONGS)).all()]
        self.campaign = campaigns.create({
            "code": f"demo-{theme}-{theme_day.year}", "theme": theme,
            "title_ko": f"{theme_day.year} {title_ko}", "title_en": f"{theme_day.year} {title_en}",
            "starts_on": theme_day, "ends_on": ends_on, "template_id": template.id,
            "facility_type_ids": [type_id], "area_ids": area_ids,
            "teams": sorted({_team(o) for o in self.sim.officers})})
        db.session.commit()
        self.template_id, self.facility_type = template.id, ftype
        self.sim.tally["campaigns"] += 1

    def walk(self, plan: Round) -> None:
        """Record the round on the phones, sync at its end, and start the findings' stories."""
        sim, rng = self.sim, self.sim.rng
        leader = sim.phones[plan.leader.id]
        end = plan.start + timedelta(hours=plan.hours)
        stops = sim.map.route(rng, plan.area_code, rng.randint(3, 4),
                              self.facility_type if plan.campaign else None)
        if not stops:
            return
        run_id = leader.record("patrol_run.start", _run_data(plan, self.campaign))
        path = [(p.lat, p.lon) for p in stops]
        leader.record("track.append", {"points": scenery.walk(
            rng, path, int(plan.start.timestamp()), int(end.timestamp()))}, run_id)
        reports, duplicates = self._reports(plan, stops, end)
        problem_sites = {site for _phone, _id, site in reports if site}
        for index, stop in enumerate(stops):
            seen = plan.start + (end - plan.start) * (index + 0.5) / len(stops)
            if self.campaign and plan.campaign and stop.facility_type == self.facility_type:
                self._inspect(leader, plan, stop, seen, run_id)
            leader.record("site_check.record", {
                "site_code": stop.code, "result": "problem" if stop.code in problem_sites
                else "ok", "checked_at": seen.isoformat(), "run_id": run_id,
                "position": dict(zip(("lat", "lon"), scenery.nudge(rng, stop.lat, stop.lon, 10),
                                     strict=True))})
        leader.record("patrol_run.end", {"ended_at": end.isoformat()}, run_id)
        pushed_at = end + timedelta(minutes=rng.randint(5, 40))
        created = self._sync(leader, {phone for phone, _id, _site in reports}, pushed_at)
        sim.tally[f"runs:{plan.kind}"] += 1
        sim.after_sync(created + [entity for _phone, entity, _site in reports], duplicates)

    def _sync(self, leader: Phone, others: set, at: datetime) -> list[str]:
        """Sync the leader's phone and then every reporter's; ids of observations raised."""
        created = []
        for phone in [leader] + sorted(others - {leader}, key=lambda p: p.user.id):
            for result in phone.sync(at):
                created += [f["observation_id"] for f in result.get("failures") or []
                            if f.get("observation_id")]
        return created

    def _reports(self, plan: Round, stops: list, end: datetime) -> tuple[list, dict]:
        """Observations recorded on the round: (phone, entity id, site code) and duplicates."""
        sim, rng = self.sim, self.sim.rng
        reporters = [plan.leader.id] + list(plan.auditors)
        reports, duplicates = [], {}
        for _ in range(plan.observations):
            phone = sim.phones[rng.choice(reporters)]
            at = plan.start + (end - plan.start) * rng.uniform(0.05, 0.95)
            original = sim.open_spot() if rng.random() < 0.08 else None
            data = (_again(sim, original, at) if original
                    else _observation(sim, plan.area_code, stops, at))
            if rng.random() < 0.15:
                data["photos"] = [{"sha256": photos.upload(photos.jpeg(
                    rng, data["lat"], data["lon"], at, "before"), phone.user.id,
                    phone.device.id), "role": "before"}]
                sim.tally["before_photos"] += 1
            entity = phone.record("observation.create", data)
            if original and original[1]:
                duplicates[entity] = original[0]
            reports.append((phone, entity, data.get("site_code")))
        return reports, duplicates

    def _inspect(self, leader: Phone, plan: Round, stop, seen: datetime, run_id: str) -> None:
        """A campaign inspection of a target site: most pass, some items fail."""
        rng = self.sim.rng
        fails = rng.random() < 0.15
        answers = {"working": {"value": not fails}, "condition": {"value": rng.choice(
            ("broken",) if fails and rng.random() < 0.5 else ("good", "good", "worn"))},
            "notice": {"value": rng.random() < 0.9}}
        leader.record("inspection.submit", {
            "template_id": self.template_id, "site_code": stop.code,
            "inspected_at": seen.isoformat(), "answers": answers, "run_id": run_id,
            "campaign_id": self.campaign.id,
            "position": dict(zip(("lat", "lon"), scenery.nudge(rng, stop.lat, stop.lon, 15),
                                 strict=True))})
        self.sim.tally["inspections"] += 1


def _team(user) -> str:
    """The patrol team of an officer (the demo users carry one; else a default)."""
    return getattr(user, "team", None) or "감사담당관 순찰1조"


def _run_data(plan: Round, campaign) -> dict:
    """patrol_run.start data of a planned round."""
    data = {"kind": plan.kind, "started_at": plan.start.isoformat(), "team": _team(plan.leader),
            "participant_user_ids": plan.participants, "auditor_user_ids": plan.auditors,
            "resident_count": plan.residents}
    if plan.campaign and campaign is not None:
        data["campaign_id"] = campaign.id
    return data


def _observation(sim, area_code: str, stops: list, at: datetime) -> dict:
    """A new report: a category, at a fitting site or near the route, with a note."""
    rng = sim.rng
    code = scenery.category(rng)
    types = rng.choice(scenery.CATEGORY_MIX[code][1] or (None,))
    site = sim.map.site_of(rng, area_code, (types,)) if types else None
    if site is not None:
        lat, lon = scenery.nudge(rng, site.lat, site.lon, 8)
    else:
        stop = rng.choice(stops)
        lat, lon = scenery.nudge(rng, stop.lat, stop.lon, 80)
    return {"category_code": code, "site_code": site.code if site else None, "lat": lat,
            "lon": lon, "accuracy_m": round(rng.uniform(3, 15), 1),
            "note": rng.choice(scenery.NOTES[code]), "recorded_at": at.isoformat(),
            "photos": []}


def _again(sim, original: tuple, at: datetime) -> dict:
    """A report of a problem already open: close by (merged), or a bit off (a duplicate)."""
    _finding_id, far, category, lat, lon, radius = original
    distance = radius + sim.rng.uniform(10, 25) if far else sim.rng.uniform(1, radius / 3)
    lat, lon = scenery.offset(sim.rng, lat, lon, distance)
    note = f"{sim.rng.choice(scenery.NOTES[category])} (이미 신고된 건과 같은 문제로 보임)"
    return {"category_code": category, "site_code": None, "lat": lat, "lon": lon,
            "accuracy_m": 5.0, "note": note, "recorded_at": at.isoformat(), "photos": []}


def _checklist(category: str) -> list[dict]:
    """The campaign checklist: a failing 'working' or 'condition' answer raises a report."""
    return [
        {"key": "working", "label_ko": "정상 운영·작동", "label_en": "Working as it should",
         "type": "yes_no", "fail_answer": False, "fail_creates_category_code": category},
        {"key": "condition", "label_ko": "시설 상태", "label_en": "Condition", "type": "choice",
         "choices": ["good", "worn", "broken"], "fail_choices": ["broken"],
         "fail_creates_category_code": category},
        {"key": "notice", "label_ko": "안내문 게시", "label_en": "Notice posted",
         "type": "yes_no", "fail_answer": False},
        {"key": "remark", "label_ko": "특이사항", "label_en": "Remarks", "type": "text",
         "required": False},
    ]
