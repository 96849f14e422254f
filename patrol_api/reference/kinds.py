"""The reference kinds: model, schema and the code references each one resolves."""
from dataclasses import dataclass, field

from patrol_api.models.reference import (
    Area,
    Category,
    Department,
    FacilityType,
    RoutingRule,
    Site,
)
from patrol_api.reference import schemas


@dataclass(frozen=True)
class Kind:
    """One kind of reference record as the API and the importers see it."""

    name: str
    model: type
    schema: type
    refs: dict = field(default_factory=dict)  # input field -> (relationship, target model)
    keyed_by_code: bool = True


KINDS = {kind.name: kind for kind in (
    Kind("departments", Department, schemas.DepartmentSchema, {"area_code": ("area", Area)}),
    Kind("areas", Area, schemas.AreaSchema),
    Kind("categories", Category, schemas.CategorySchema,
         {"default_department_code": ("default_department", Department)}),
    Kind("facility-types", FacilityType, schemas.FacilityTypeSchema,
         {"owner_department_code": ("owner_department", Department)}),
    Kind("sites", Site, schemas.SiteSchema, {
        "facility_type_code": ("facility_type", FacilityType),
        "area_code": ("area", Area),
        "owner_department_code": ("owner_department", Department)}),
    Kind("routing-rules", RoutingRule, schemas.RoutingRuleSchema, {
        "category_code": ("category", Category),
        "area_code": ("area", Area),
        "owner_department_code": ("owner_department", Department),
        "target_department_code": ("target_department", Department)}, keyed_by_code=False),
)}
