"""Reference data phones pull for offline use: departments, areas, categories, sites, rules."""
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from patrol_api.extensions import db
from patrol_api.models.base import Versioned

DEPARTMENT_KINDS = ("headquarters", "dong_office")
PRIORITIES = ("low", "normal", "high", "urgent")


class Department(Versioned, db.Model):
    """A responsible department (처리부서): a headquarters department or a dong office."""

    __tablename__ = "department"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True, nullable=False)
    name_ko: Mapped[str] = mapped_column(sa.String(120), nullable=False)
    name_en: Mapped[str] = mapped_column(sa.String(120), nullable=False)
    kind: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    area_id: Mapped[int | None] = mapped_column(sa.ForeignKey("area.id"))
    email: Mapped[str | None] = mapped_column(sa.String(200))

    area = relationship("Area", lazy="selectin")


class Area(Versioned, db.Model):
    """An administrative dong (행정동) with its polygon."""

    __tablename__ = "area"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(20), unique=True, nullable=False)
    name_ko: Mapped[str] = mapped_column(sa.String(120), nullable=False)
    name_en: Mapped[str] = mapped_column(sa.String(120), nullable=False)
    geometry: Mapped[dict] = mapped_column(sa.JSON, nullable=False)
    min_lat: Mapped[float] = mapped_column(sa.Float, nullable=False)
    min_lon: Mapped[float] = mapped_column(sa.Float, nullable=False)
    max_lat: Mapped[float] = mapped_column(sa.Float, nullable=False)
    max_lon: Mapped[float] = mapped_column(sa.Float, nullable=False)


class Category(Versioned, db.Model):
    """A finding category with its deadlines and merge parameters."""

    __tablename__ = "category"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True, nullable=False)
    name_ko: Mapped[str] = mapped_column(sa.String(120), nullable=False)
    name_en: Mapped[str] = mapped_column(sa.String(120), nullable=False)
    group: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    default_priority: Mapped[str] = mapped_column(sa.String(10), nullable=False, default="normal")
    ack_hours: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=8)
    resolve_days: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=7)
    merge_radius_m: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=30)
    merge_window_days: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=30)
    recurrence_window_days: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=90)
    default_department_id: Mapped[int | None] = mapped_column(sa.ForeignKey("department.id"))

    default_department = relationship("Department", lazy="selectin")


class FacilityType(Versioned, db.Model):
    """A kind of registered site (무더위쉼터, 빗물받이, 제설함, ...)."""

    __tablename__ = "facility_type"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True, nullable=False)
    name_ko: Mapped[str] = mapped_column(sa.String(120), nullable=False)
    name_en: Mapped[str] = mapped_column(sa.String(120), nullable=False)
    owner_department_id: Mapped[int | None] = mapped_column(sa.ForeignKey("department.id"))

    owner_department = relationship("Department", lazy="selectin")


class Site(Versioned, db.Model):
    """A registered site or facility with its position and owning department."""

    __tablename__ = "site"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True, nullable=False)
    name_ko: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    name_en: Mapped[str | None] = mapped_column(sa.String(200))
    facility_type_id: Mapped[int] = mapped_column(sa.ForeignKey("facility_type.id"),
                                                  nullable=False, index=True)
    lat: Mapped[float] = mapped_column(sa.Float, nullable=False)
    lon: Mapped[float] = mapped_column(sa.Float, nullable=False)
    area_id: Mapped[int | None] = mapped_column(sa.ForeignKey("area.id"), index=True)
    owner_department_id: Mapped[int | None] = mapped_column(sa.ForeignKey("department.id"))
    address_ko: Mapped[str | None] = mapped_column(sa.String(300))
    warranty_end: Mapped[date | None] = mapped_column(sa.Date)
    contractor: Mapped[str | None] = mapped_column(sa.String(200))

    facility_type = relationship("FacilityType", lazy="selectin")
    area = relationship("Area", lazy="selectin")
    owner_department = relationship("Department", lazy="selectin")


class RoutingRule(Versioned, db.Model):
    """Category x area x site owner -> responsible department, with priority and dates."""

    __tablename__ = "routing_rule"
    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int | None] = mapped_column(sa.ForeignKey("category.id"), index=True)
    area_id: Mapped[int | None] = mapped_column(sa.ForeignKey("area.id"))
    owner_department_id: Mapped[int | None] = mapped_column(sa.ForeignKey("department.id"))
    target_department_id: Mapped[int] = mapped_column(sa.ForeignKey("department.id"),
                                                      nullable=False)
    priority: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=10)
    effective_from: Mapped[date] = mapped_column(sa.Date, nullable=False)
    effective_to: Mapped[date | None] = mapped_column(sa.Date)
    note: Mapped[str | None] = mapped_column(sa.String(300))

    category = relationship("Category", lazy="selectin")
    area = relationship("Area", lazy="selectin")
    owner_department = relationship("Department", lazy="selectin",
                                    foreign_keys=[owner_department_id])
    target_department = relationship("Department", lazy="selectin",
                                     foreign_keys=[target_department_id])
