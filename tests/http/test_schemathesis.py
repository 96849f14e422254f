"""Schemathesis over the whole OpenAPI document as every role: no 5xx, and every answer
(errors included) has a status, a media type and a body the document declares for it.

Bounded for the normal test run (a few derandomized examples per operation and role, valid
and invalid requests); set PATROL_SCHEMATHESIS_EXAMPLES for a deeper run.
"""
import os
import uuid
from datetime import timedelta

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from patrol_api.auth import devices, tokens
from patrol_api.auth.roles import Role
from patrol_api.extensions import db
from patrol_api.models import Department

CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance,
          content_type_conformance]
# per operation and role: ~130 operations x 6 roles stay within a few minutes
EXAMPLES = int(os.environ.get("PATROL_SCHEMATHESIS_EXAMPLES", "3"))


class Caller:
    """One user of a role, restored before every case with a token of its own (the run may
    sign out, revoke the device, retire or demote the user)."""

    def __init__(self, user, role):
        self.user, self.role = user, role
        self.department = user.department

    def headers(self) -> dict:
        """A fresh device-bound token of the user as it was created."""
        db.session.rollback()
        user = db.session.merge(self.user)
        user.role, user.active, user.department = str(self.role), True, self.department
        # a new device each time: the run may revoke the last one (DELETE /devices/{id})
        device = devices.register(user, {"client_uid": f"schemathesis-{uuid.uuid4()}"})
        raw = tokens.issue(user, device, timedelta(hours=1))
        db.session.commit()
        return {"Authorization": f"Bearer {raw}"}


def test_whole_api_as_every_role(app, demo, make_user):
    """One demo district for all roles (loading it per role would double the run)."""
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    department = db.session.scalars(db.select(Department)).first()
    failures = []
    for role in Role:
        user, _ = make_user(role, department=department if role == Role.DEPARTMENT_STAFF
                            else None)
        failures += [f"{role}: {failure}" for failure in _run(schema, Caller(user, role))]
    assert not failures, f"{len(failures)} failed:\n\n" + "\n\n".join(failures)


def _run(schema, caller: Caller) -> list[str]:
    """Every operation of the document as the caller; the failures found."""
    failures = (_failure(result.ok(), caller) for result in schema.get_all_operations())
    return [failure for failure in failures if failure]


def _failure(operation, caller: Caller) -> str | None:
    """What a few generated requests (valid and invalid) to one operation broke, if any."""

    @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=st.one_of(operation.as_strategy(GenerationMode.POSITIVE),
                          operation.as_strategy(GenerationMode.NEGATIVE)))
    def check(case):
        # The WSGI transport does not decompress; gzip has tests of its own
        case.headers = {**(case.headers or {}), **caller.headers(),
                        "Accept-Encoding": "identity"}
        case.call_and_validate(checks=CHECKS)

    try:
        check()
    except (Exception, BaseExceptionGroup) as error:  # noqa: BLE001 - all are reported
        return f"{operation.label}: {str(error)[:2500]}"
    return None


def test_error_extras_match_the_document(app, admin):
    """Errors that carry facts of their own (every field error, the server's copy on a 412,
    the unknown codes) are bodies the document allows."""
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    area = {"code": "yeoui", "name_ko": "여의동", "name_en": "Yeoui-dong", "geometry": {
        "type": "Polygon", "coordinates": [[[126.91, 37.51], [126.94, 37.51], [126.94, 37.54],
                                            [126.91, 37.51]]]}}
    created = schema["/api/v1/areas"]["POST"].Case(body=area, headers=admin).call()
    assert created.status_code == 201, created.text
    cases = [
        (schema["/api/v1/areas"]["POST"].Case(body={"code": "x"}, headers=admin), "errors"),
        (schema["/api/v1/areas/{record_id}"]["PATCH"].Case(
            path_parameters={"record_id": created.json()["id"]}, body={"name_en": "Yeoui"},
            headers={**admin, "If-Match": '"v9"'}), "current"),
        (schema["/api/v1/users"]["POST"].Case(body={
            "username": "officer.new", "display_name": "김영희", "role": "patrol_officer",
            "password": "a long enough password", "patrol_area_codes": ["nowhere"]},
            headers=admin), "unknown"),
    ]
    for case, extra in cases:
        response = case.call()
        assert response.status_code in (412, 422) and extra in response.json(), response.text
        case.validate_response(response, checks=[response_schema_conformance])
