"""Patrol runs, site checks, checklist templates, inspections and themed campaigns."""
from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from patrol_api.extensions import db
from patrol_api.models.base import UTCDateTime, Versioned, utcnow
from patrol_api.models.observations import Observation


class PatrolKind(StrEnum):
    """The kinds of patrol the district offices run (see docs/patrols.md)."""

    ROUTINE = "routine"
    CAMPAIGN = "campaign"
    SENIOR_DAY = "senior_day"
    SENIOR_NIGHT = "senior_night"
    DONG_POLICE = "dong_police"
    RESIDENTS_WALK = "residents_walk"
    WOMEN_FACILITY = "women_facility"
    EARLY_MORNING = "early_morning"
    NIGHT = "night"
    HOLIDAY_SQUAD = "holiday_squad"


PATROL_KIND_LABELS = {
    PatrolKind.ROUTINE: ("상시순찰", "Routine patrol"),
    PatrolKind.CAMPAIGN: ("기획순찰", "Themed campaign"),
    PatrolKind.SENIOR_DAY: ("간부 주간순찰", "Senior staff daytime patrol"),
    PatrolKind.SENIOR_NIGHT: ("야간합동순찰", "Senior staff night joint patrol"),
    PatrolKind.DONG_POLICE: ("동장·지구대장 합동순찰", "Dong chief and police joint patrol"),
    PatrolKind.RESIDENTS_WALK: ("함께하는 동네한바퀴", "Residents' neighbourhood walk"),
    PatrolKind.WOMEN_FACILITY: ("여성순찰", "Women's facility patrol"),
    PatrolKind.EARLY_MORNING: ("조기순찰", "Early morning patrol"),
    PatrolKind.NIGHT: ("야간순찰", "Night patrol"),
    PatrolKind.HOLIDAY_SQUAD: ("해피기동반", "Holiday response squad"),
}
CHECK_RESULTS = ("ok", "problem")


class PatrolRun(Versioned, db.Model):
    """One patrol outing of a team, with its participants and GPS track."""

    __tablename__ = "patrol_run"
    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[str] = mapped_column(sa.String(36), unique=True, nullable=False)
    kind: Mapped[str] = mapped_column(sa.String(20), nullable=False, index=True)
    team: Mapped[str] = mapped_column(sa.String(80), nullable=False, default="")
    leader_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), nullable=False)
    participant_user_ids: Mapped[list] = mapped_column(sa.JSON, nullable=False, default=list)
    auditor_user_ids: Mapped[list] = mapped_column(sa.JSON, nullable=False, default=list)
    resident_count: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    resident_names: Mapped[list] = mapped_column(sa.JSON, nullable=False, default=list)
    campaign_id: Mapped[int | None] = mapped_column(sa.ForeignKey("campaign.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, index=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    auto_closed: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    # each point is [lat, lon, corrected unix s, device unix s] (older runs: 3 elements)
    track: Mapped[list] = mapped_column(sa.JSON, nullable=False, default=list)
    track_simplified: Mapped[list] = mapped_column(sa.JSON, nullable=False, default=list)
    # device clocks as data: the phone's own times and the offsets of the pushes that sent them
    started_at_device: Mapped[datetime | None] = mapped_column(UTCDateTime)
    start_clock_offset_ms: Mapped[int | None] = mapped_column(sa.BigInteger)
    ended_at_device: Mapped[datetime | None] = mapped_column(UTCDateTime)
    end_clock_offset_ms: Mapped[int | None] = mapped_column(sa.BigInteger)
    time_flags: Mapped[list] = mapped_column(sa.JSON, nullable=False, default=list,
                                             server_default="[]")
    # derived for the activity report: seconds from start to end, the dong it started in
    duration_s: Mapped[int | None] = mapped_column(sa.BigInteger)
    area_id: Mapped[int | None] = mapped_column(sa.ForeignKey("area.id"), index=True)

    leader = relationship("User", lazy="selectin")


RUN_MEMBER_ROLES = ("leader", "officer", "auditor")

# The activity report finds the observations a run's members made while it was under way:
# per member a range of recorded_at, not a scan of everything the member ever reported.
sa.Index("ix_observation_user_id_recorded_at", Observation.user_id, Observation.recorded_at)


class PatrolRunMember(db.Model):
    """Who was on a run (leader, officers, citizen auditors): the run's member lists as rows,
    so that the activity report can aggregate per person in SQL."""

    __tablename__ = "patrol_run_member"
    run_id: Mapped[int] = mapped_column(sa.ForeignKey("patrol_run.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), primary_key=True,
                                         index=True)
    role: Mapped[str] = mapped_column(sa.String(10), nullable=False)


class ChecklistTemplate(Versioned, db.Model):
    """A checklist; immutable once published (a change is a new revision of the same code)."""

    __tablename__ = "checklist_template"
    __table_args__ = (sa.UniqueConstraint("code", "revision"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    revision: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)
    title_ko: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    title_en: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    items: Mapped[list] = mapped_column(sa.JSON, nullable=False, default=list)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Campaign(Versioned, db.Model):
    """A themed campaign (기획순찰) over target sites, with a checklist and assigned teams."""

    __tablename__ = "campaign"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True, nullable=False)
    theme: Mapped[str] = mapped_column(sa.String(80), nullable=False)
    title_ko: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    title_en: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    starts_on: Mapped[date] = mapped_column(sa.Date, nullable=False)
    ends_on: Mapped[date] = mapped_column(sa.Date, nullable=False)
    template_id: Mapped[int] = mapped_column(sa.ForeignKey("checklist_template.id"),
                                             nullable=False)
    facility_type_ids: Mapped[list] = mapped_column(sa.JSON, nullable=False, default=list)
    area_ids: Mapped[list] = mapped_column(sa.JSON, nullable=False, default=list)
    teams: Mapped[list] = mapped_column(sa.JSON, nullable=False, default=list)

    template = relationship("ChecklistTemplate", lazy="selectin")
    targets = relationship("CampaignSite", lazy="selectin", cascade="all, delete-orphan")


class CampaignSite(db.Model):
    """A target site of a campaign, materialised from the campaign's filter."""

    __tablename__ = "campaign_site"
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaign.id"), primary_key=True)
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("site.id"), primary_key=True)

    site = relationship("Site", lazy="selectin")


class SiteCheck(db.Model):
    """A site looked at, on a run or not: "ok" (inspected, no problem) or "problem"."""

    __tablename__ = "site_check"
    __table_args__ = (sa.Index("ix_site_check_site_id_checked_at", "site_id", "checked_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[str] = mapped_column(sa.String(36), unique=True, nullable=False)
    run_id: Mapped[int | None] = mapped_column(sa.ForeignKey("patrol_run.id"), index=True)
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("site.id"), nullable=False, index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), nullable=False)
    result: Mapped[str] = mapped_column(sa.String(10), nullable=False)
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    lat: Mapped[float | None] = mapped_column(sa.Float)
    lon: Mapped[float | None] = mapped_column(sa.Float)
    distance_m: Mapped[float | None] = mapped_column(sa.Float)
    far_from_site: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    checked_at_device: Mapped[datetime | None] = mapped_column(UTCDateTime)
    clock_offset_ms: Mapped[int | None] = mapped_column(sa.BigInteger)
    time_flags: Mapped[list] = mapped_column(sa.JSON, nullable=False, default=list,
                                             server_default="[]")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    site = relationship("Site", lazy="selectin")


CAMPAIGN_FLAGS = ("not_campaign_target", "outside_campaign_window")
CAMPAIGN_FLAG_LABELS = {
    "not_campaign_target": ("캠페인 대상 외 시설", "Site not a target of the campaign"),
    "outside_campaign_window": ("캠페인 기간 외 점검", "Inspected outside the campaign window"),
}


class Inspection(db.Model):
    """A filled checklist at a site; keeps the template revision it used."""

    __tablename__ = "inspection"
    __table_args__ = (sa.Index("ix_inspection_site_id_inspected_at", "site_id",
                               "inspected_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[str] = mapped_column(sa.String(36), unique=True, nullable=False)
    template_id: Mapped[int] = mapped_column(sa.ForeignKey("checklist_template.id"),
                                             nullable=False)
    template_revision: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("site.id"), nullable=False, index=True)
    run_id: Mapped[int | None] = mapped_column(sa.ForeignKey("patrol_run.id"), index=True)
    campaign_id: Mapped[int | None] = mapped_column(sa.ForeignKey("campaign.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), nullable=False)
    answers: Mapped[dict] = mapped_column(sa.JSON, nullable=False, default=dict)
    failures: Mapped[list] = mapped_column(sa.JSON, nullable=False, default=list)
    inspected_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    lat: Mapped[float | None] = mapped_column(sa.Float)
    lon: Mapped[float | None] = mapped_column(sa.Float)
    distance_m: Mapped[float | None] = mapped_column(sa.Float)
    photo_lat: Mapped[float | None] = mapped_column(sa.Float)
    photo_lon: Mapped[float | None] = mapped_column(sa.Float)
    photo_distance_m: Mapped[float | None] = mapped_column(sa.Float)
    far_from_site: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    inspected_at_device: Mapped[datetime | None] = mapped_column(UTCDateTime)
    clock_offset_ms: Mapped[int | None] = mapped_column(sa.BigInteger)
    time_flags: Mapped[list] = mapped_column(sa.JSON, nullable=False, default=list,
                                             server_default="[]")
    # flagged, not refused (phones are offline, campaigns change): see CAMPAIGN_FLAGS
    not_campaign_target: Mapped[bool] = mapped_column(sa.Boolean, nullable=False,
                                                      default=False, server_default=sa.false())
    outside_campaign_window: Mapped[bool] = mapped_column(
        sa.Boolean, nullable=False, default=False, server_default=sa.false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    template = relationship("ChecklistTemplate", lazy="selectin")
    site = relationship("Site", lazy="selectin")


SCHEDULE_TARGETS = ("patrol", "inspection")
OCCURRENCE_STATES = ("planned", "done", "missed")


class Schedule(db.Model):
    """A recurring patrol or inspection: an RRULE from dtstart, optionally until a time."""

    __tablename__ = "patrol_schedule"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True, nullable=False)
    title_ko: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    title_en: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    target: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    patrol_kind: Mapped[str | None] = mapped_column(sa.String(20))
    team: Mapped[str | None] = mapped_column(sa.String(80))
    site_id: Mapped[int | None] = mapped_column(sa.ForeignKey("site.id"), index=True)
    rrule: Mapped[str] = mapped_column(sa.String(500), nullable=False)
    dtstart: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    grace_hours: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=24)
    active: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    site = relationship("Site", lazy="selectin")


class ScheduleOccurrence(db.Model):
    """One planned occurrence of a schedule: planned, done (by a run or inspection), missed."""

    __tablename__ = "patrol_schedule_occurrence"
    __table_args__ = (sa.UniqueConstraint("schedule_id", "due_at"),
                      sa.Index("ix_patrol_schedule_occurrence_open", "status", "due_at"))
    id: Mapped[int] = mapped_column(primary_key=True)
    schedule_id: Mapped[int] = mapped_column(sa.ForeignKey("patrol_schedule.id"),
                                             nullable=False)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    status: Mapped[str] = mapped_column(sa.String(10), nullable=False, default="planned")
    run_id: Mapped[int | None] = mapped_column(sa.ForeignKey("patrol_run.id"))
    inspection_id: Mapped[int | None] = mapped_column(sa.ForeignKey("inspection.id"))
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    schedule = relationship("Schedule", lazy="selectin")


class WarrantyNotice(db.Model):
    """The warning sent to a site's owning department before its warranty ends (once)."""

    __tablename__ = "warranty_notice"
    __table_args__ = (sa.UniqueConstraint("site_id", "warranty_end"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("site.id"), nullable=False)
    warranty_end: Mapped[date] = mapped_column(sa.Date, nullable=False)
    department_id: Mapped[int | None] = mapped_column(sa.ForeignKey("department.id"))
    notified_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    queued_messages: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
