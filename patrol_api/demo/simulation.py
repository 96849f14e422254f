"""The simulation engine: a timeline of steps, the demo people, and their actions on findings.

Steps (patrol rounds, daily deadline ticks, finding stories) wait in a heap by time; the
clock moves to each in turn and the step calls the real services. Every action goes through
`patrol_api.findings.actions` (or curation for merges) as the API would call it, so the
same checks apply and the event history is genuine.
"""
import heapq
import itertools
import random
from collections import Counter
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from patrol_api.auth.roles import Role
from patrol_api.demo import photos, scenery, stories
from patrol_api.demo.clock import SimulatedClock
from patrol_api.demo.phones import Phone, finding_of
from patrol_api.errors import ApiError
from patrol_api.extensions import db
from patrol_api.findings import actions, curation, overdue
from patrol_api.findings.calendar import SEOUL, calendar_from_config
from patrol_api.models import Category, Department, Finding, Observation, Site, User

# Departments a finding is handed to when its first department is not the right one.
TRANSFER_TARGETS = ("roads", "street-order", "traffic-admin", "parks", "flood-control",
                    "environment", "architecture", "cleaning")
FIELD_HOURS = (9, 18)  # field checks happen between these Seoul hours


class Simulation:
    """The simulated period, its people and its pending steps."""

    def __init__(self, start: datetime, end: datetime, seed: int):
        self.start, self.end = start, end
        self.rng = random.Random(seed)
        self.seed = seed
        self.clock = SimulatedClock(start)
        self.calendar = calendar_from_config(current_app.config)
        self.map = scenery.Map()
        self._heap: list = []
        self._order = itertools.count()
        self.tally: Counter = Counter()
        self.story_started: set[int] = set()
        self.recent: list[tuple] = []  # newest findings: (id, category, lat, lon, radius)
        self.campaign_days: tuple | None = None
        self._load_people()

    # --- people -------------------------------------------------------------------------

    def _load_people(self) -> None:
        """The demo users by role, a phone for each field user, staff per department."""
        users = db.session.execute(sa.select(User).where(User.active.is_(True)).order_by(
            User.id)).scalars().all()
        by_role: dict[str, list[User]] = {}
        for user in users:
            by_role.setdefault(user.role, []).append(user)
        managers = by_role.get(Role.MANAGER, []) + by_role.get(Role.ADMIN, [])
        if not managers or not by_role.get(Role.PATROL_OFFICER):
            raise RuntimeError("the demo district needs a manager and patrol officers")
        self.manager = managers[0]
        self.officers = by_role[Role.PATROL_OFFICER]
        self.auditors = by_role.get(Role.CITIZEN_AUDITOR, [])
        self.staff = {}
        for user in by_role.get(Role.DEPARTMENT_STAFF, []):
            self.staff.setdefault(user.department_id, user)
        self.phones = {user.id: Phone(user, self.rng, self.start)
                       for user in self.officers + self.auditors}
        self.departments = {d.code: d.id for d in db.session.execute(
            sa.select(Department).where(Department.deleted_at.is_(None))).scalars()}

    def actor(self, finding_id: int) -> User:
        """Who works on a finding: its department's staff member, else the manager."""
        return self.staff.get(self.facts(finding_id, Finding.department_id)[0], self.manager)

    def speed(self, finding_id: int) -> float:
        """How quickly the finding's department works (below 1: ahead of its targets)."""
        department_id = self.facts(finding_id, Finding.department_id)[0]
        code = next((c for c, i in self.departments.items() if i == department_id), "")
        return random.Random(f"{self.seed}/{code}").uniform(0.45, 1.25)

    # --- time ---------------------------------------------------------------------------

    def at(self, moment: datetime, step) -> None:
        """Schedule a callable or a story step at a moment (dropped after the period)."""
        if moment <= self.end:
            heapq.heappush(self._heap, (moment, next(self._order), step))

    def spawn(self, story) -> None:
        """Start a story: its first yield says when its first step happens."""
        if story is None:
            return
        try:
            moment = next(story)
        except StopIteration:
            return
        self.at(moment, story)

    def run(self) -> None:
        """Take every pending step in time order until the end of the period."""
        while self._heap:
            moment, _order, step = heapq.heappop(self._heap)
            self.clock.set(moment)
            if callable(step):
                step()
                continue
            try:
                following = step.send(None)
            except StopIteration:
                continue
            self.at(max(following, self.clock.now), step)

    def business_hours(self, hours: float) -> datetime:
        """The moment `hours` of office time from now."""
        return self.calendar.add_business_hours(self.clock.now, hours)

    def toward(self, finding_id: int, due_field: str, share: float) -> datetime:
        """A moment `share` of the office time left until one of the finding's due dates."""
        due = self.facts(finding_id, getattr(Finding, due_field))[0]
        if due is None or due <= self.clock.now:
            return self.business_hours(self.rng.uniform(1, 8) * share)
        left = self.calendar.business_seconds_between(self.clock.now, due)
        return self.calendar.add_business_seconds(self.clock.now, max(60.0, left * share))

    def field_time(self, days: float) -> datetime:
        """About `days` later, moved into the hours when patrols are out."""
        moment = (self.clock.now + timedelta(days=days)).astimezone(SEOUL)
        if FIELD_HOURS[0] <= moment.hour < FIELD_HOURS[1]:
            return moment
        day = moment + timedelta(days=1) if moment.hour >= FIELD_HOURS[1] else moment
        return day.replace(hour=self.rng.randint(FIELD_HOURS[0], FIELD_HOURS[1] - 1),
                           minute=self.rng.randint(0, 59))

    # --- findings -----------------------------------------------------------------------

    def facts(self, finding_id: int, *columns) -> sa.Row:
        """Some columns of the finding as stored now (cheaper than loading the record)."""
        return db.session.execute(sa.select(*columns).where(Finding.id == finding_id)).one()

    def act(self, finding_id: int, action: str, user: User | None = None, **payload) -> bool:
        """Take a lifecycle action through the findings service and commit; False if refused."""
        user = user or self.actor(finding_id)
        try:
            actions.perform(user, finding_id, action, payload)
            db.session.commit()
        except ApiError as refused:  # the finding moved on (merged, recurred...): story ends
            db.session.rollback()
            self.tally[f"refused:{refused.code}"] += 1
            return False
        self.tally[action] += 1
        return True

    def resolve(self, finding_id: int) -> bool:
        """Resolve with an "after" photo taken on the spot and uploaded by the staff member."""
        user = self.actor(finding_id)
        lat, lon = scenery.nudge(self.rng, *self.facts(finding_id, Finding.lat, Finding.lon), 8)
        sha256 = photos.upload(photos.jpeg(self.rng, lat, lon, self.clock.now, "after"),
                               user.id, None)
        self.tally["after_photos"] += 1
        return self.act(finding_id, "resolve", user=user, note="현장 조치 완료",
                        evidence={"sha256": sha256, "lat": lat, "lon": lon})

    def verify(self, finding_id: int, passed: bool) -> bool:
        """A later visit by the reporting auditor or a patrol officer checks the fix."""
        reporters = set(db.session.execute(sa.select(Observation.user_id).where(
            Observation.finding_id == finding_id)).scalars())
        auditors = [a for a in self.auditors if a.id in reporters]
        user = auditors[0] if auditors and self.rng.random() < 0.5 else self.rng.choice(
            self.officers)
        if passed:
            return self.act(finding_id, "verify", user=user, note="현장 확인 결과 조치 완료",
                            position=self.on_the_spot(finding_id))
        return self.act(finding_id, "fail_verification", user=user,
                        reason=self.rng.choice(stories.FAIL_REASONS), note="재확인 결과 미흡")

    def on_the_spot(self, finding_id: int) -> dict:
        """The verifier's phone position a few metres from the finding (a check is a visit).

        Drawn from a generator of its own, so that the main history stays the same.
        """
        rng = random.Random(f"{self.seed}/visit/{finding_id}/{self.clock.now.isoformat()}")
        lat, lon = scenery.nudge(rng, *self.facts(finding_id, Finding.lat, Finding.lon), 6)
        return {"lat": lat, "lon": lon, "accuracy_m": round(rng.uniform(3, 12), 1)}

    def transfer(self, finding_id: int) -> bool:
        """Hand the finding to another department with a reason."""
        current = self.facts(finding_id, Finding.department_id)[0]
        targets = [code for code in TRANSFER_TARGETS
                   if self.departments.get(code) not in (None, current)]
        return self.act(finding_id, "transfer", department_code=self.rng.choice(targets),
                        reason=self.rng.choice(stories.TRANSFER_REASONS),
                        note="소관 부서로 이송")

    def responsible(self, finding_id: int) -> str:
        """The department a manager picks for a finding in the coordination queue."""
        return self.rng.choice([c for c in TRANSFER_TARGETS if c in self.departments])

    def merge(self, finding_id: int, into_id: int) -> bool:
        """A manager merges a duplicate finding into the original (both still open)."""
        try:
            curation.merge(self.manager, finding_id, into_id, "same_problem",
                           "동일 사안 중복 신고 병합")
            db.session.commit()
        except ApiError as refused:
            db.session.rollback()
            self.tally[f"refused:{refused.code}"] += 1
            return False
        self.tally["merge"] += 1
        return True

    def taken_in(self, finding_id: int, duplicate_of: int | None = None) -> None:
        """Start the story of a finding intake just created or reopened."""
        state, count, code, lat, lon, radius = db.session.execute(sa.select(
            Finding.state, Finding.observation_count, Category.code, Finding.lat, Finding.lon,
            Category.merge_radius_m).join(Category, Category.id == Finding.category_id).where(
            Finding.id == finding_id)).one()
        if finding_id in self.story_started and state != "reopened":
            return
        self.story_started.add(finding_id)
        if count == 1:
            self.recent.append((finding_id, code, lat, lon, radius))
        if duplicate_of is not None and state == "assigned":
            self.spawn(stories.duplicate(self, finding_id, duplicate_of))
            return
        self.spawn(stories.story_for(self, state, finding_id))

    def campaign_on(self, day) -> bool:
        """True while the themed campaign runs."""
        return self.campaign_days is not None and (
            self.campaign_days[0] <= day <= self.campaign_days[1])

    def open_spot(self) -> tuple | None:
        """A recent finding still open, to report again: (id, far, category, lat, lon, radius).

        `far` reports land just outside the merge radius: a separate finding a manager merges.
        """
        for finding_id, code, lat, lon, radius in self.rng.sample(
                self.recent[-30:], min(5, len(self.recent[-30:]))):
            if self.facts(finding_id, Finding.state)[0] in ("assigned", "acknowledged",
                                                            "in_progress"):
                return finding_id, self.rng.random() < 0.4, code, lat, lon, radius
        return None

    def maybe_recur(self, finding_id: int) -> None:
        """Sometimes the problem comes back after a verified fix (soon, or weeks later)."""
        draw = self.rng.random()
        if draw < 0.06:
            days = self.rng.uniform(2, 10)
        elif draw < 0.10:
            days = self.rng.uniform(18, 40)
        else:
            return
        self.at(self.field_time(days), lambda: self.recur(finding_id))

    def recur(self, finding_id: int) -> None:
        """A patrol reports the same problem at the same spot again."""
        code, site, lat, lon = db.session.execute(sa.select(
            Category.code, Site.code, Finding.lat, Finding.lon).join(
            Category, Category.id == Finding.category_id).outerjoin(
            Site, Site.id == Finding.site_id).where(Finding.id == finding_id)).one()
        phone = self.phones[self.rng.choice(self.officers).id]
        lat, lon = scenery.nudge(self.rng, lat, lon, 4)
        entity = phone.record("observation.create", {
            "category_code": code, "site_code": site, "lat": lat, "lon": lon,
            "accuracy_m": 6.0, "note": "같은 문제가 다시 발생함 (재발)",
            "recorded_at": self.clock.now.isoformat(), "photos": []})
        phone.sync(self.clock.now + timedelta(minutes=5))
        self.tally["recurrence_reports"] += 1
        self.after_sync([entity])

    def after_sync(self, client_ids: list[str], duplicates: dict | None = None) -> None:
        """Give every finding the pushed observations created or reopened its story."""
        duplicates = duplicates or {}
        for client_id in client_ids:
            finding_id = finding_of(client_id)
            if finding_id is not None:
                self.taken_in(finding_id, duplicates.get(client_id))

    def tick(self) -> None:
        """The periodic deadlines job, as cron runs it: overdue flags, reminders, escalations."""
        overdue.mark_overdue(self.clock.now)
        self.tally["ticks"] += 1
