"""Intake channels: how a problem reached the office, its label and its legal deadline rule.

The rules are those of the civil-complaints law on counting a processing period (민원 처리에
관한 법률 · 시행령, 처리기간의 계산) applied to the district's targets (the seeds: internet
complaints 3 days, written complaints 7 days, phone and visit "immediately, within 3 hours"):

- a period of 5 days or less counts in working hours from the moment of receipt, a day being
  8 working hours, Saturdays and public holidays not counted (3 days = 24 working hours);
- a period of 6 days or more counts in business days, the day of receipt included;
- "immediately" means within 3 working hours.

Channels without a legal period (patrol, auditors, volunteers, other) keep the category's
targets. See docs/findings.md, "Intake channels".
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

from patrol_api.auth.roles import Role
from patrol_api.findings.calendar import BusinessCalendar

HOURS_PER_DAY = 8  # the law: one day is 8 working hours


@dataclass(frozen=True)
class Rule:
    """A legal processing period: `amount` working hours, or business days (first included)."""

    reason: str          # Finding.due_reason it sets
    unit: str            # "hours" | "days"
    amount: int
    label_ko: str
    label_en: str

    def due(self, cal: BusinessCalendar, start: datetime) -> datetime:
        """The end of the period for work received at `start`."""
        if self.unit == "hours":
            return cal.add_business_hours(start, self.amount)
        return close_of_nth_day(cal, start, self.amount)


ONLINE = Rule("channel_online", "hours", 3 * HOURS_PER_DAY,
              "인터넷 민원 3일 (접수시각부터 근무시간 24시간)",
              "Online complaint: 3 days, counted as 24 working hours from receipt")
WRITTEN = Rule("channel_written", "days", 7,
               "서면 민원 7일 (접수일 포함 근무일 7일)",
               "Written complaint: 7 business days, the day of receipt included")
IMMEDIATE = Rule("channel_immediate", "hours", 3,
                 "전화·방문 민원 즉시 (3근무시간 이내)",
                 "Phone or visit: immediately, within 3 working hours")


@dataclass(frozen=True)
class Channel:
    """One intake channel."""

    code: str
    name_ko: str
    name_en: str
    rule: Rule | None
    desk: bool = False   # recorded by staff at a desk (POST /complaints)


CHANNELS = {c.code: c for c in (
    Channel("patrol", "순찰", "Patrol", None),
    Channel("citizen_auditor", "구민감사관", "Citizen auditor", None),
    Channel("volunteer", "살피미·행복지킴이", "Neighbourhood watcher", None),
    Channel("eungdapso_online", "응답소 (인터넷)", "Eungdapso portal (online)", ONLINE,
            desk=True),
    Channel("phone", "전화", "Phone", IMMEDIATE, desk=True),
    Channel("visit", "방문", "Visit", IMMEDIATE, desk=True),
    Channel("written", "서면", "Written", WRITTEN, desk=True),
    Channel("open311", "Open311 (인터넷)", "Open311 (online)", ONLINE),
    Channel("other", "기타", "Other", None, desk=True),
)}
DESK_CHANNELS = tuple(code for code, channel in CHANNELS.items() if channel.desk)
DUE_REASONS = {rule.reason: (rule.label_ko, rule.label_en)
               for rule in (ONLINE, WRITTEN, IMMEDIATE)}
BY_ROLE = {Role.CITIZEN_AUDITOR: "citizen_auditor"}


def for_role(role: str) -> str:
    """The channel of what a user of this role reports from the field app."""
    return BY_ROLE.get(role, "patrol")


def rule_of(code: str | None) -> Rule | None:
    """The legal rule of a channel (None: the category's targets apply)."""
    channel = CHANNELS.get(code or "")
    return channel.rule if channel else None


def label(code: str | None) -> dict | None:
    """The Korean and English name of a channel."""
    channel = CHANNELS.get(code or "")
    return {"name_ko": channel.name_ko, "name_en": channel.name_en} if channel else None


def close_of_nth_day(cal: BusinessCalendar, start: datetime, days: int) -> datetime:
    """Close of the `days`-th business day counting the day of `start` as the first (when it
    is a business day)."""
    day = start.astimezone(cal.tz).date()
    counted = cal.is_business_day(day)
    while counted < days:
        day += timedelta(days=1)
        counted += cal.is_business_day(day)
    return cal.working_periods(day)[-1][1]
