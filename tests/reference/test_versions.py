"""Record versions: ETag on every answer, If-Match guards updates and retirement."""
import pytest
import sqlalchemy as sa
from refapi import assert_error

from patrol_api.extensions import db
from patrol_api.models import Department
from patrol_api.reference import service


@pytest.fixture
def department(ref) -> dict:
    """A department at version 1."""
    return ref.create("departments", "roads")


def test_create_answers_version_one_and_its_etag(ref):
    response = ref.post("departments", {"code": "d1", "name_ko": "도로과", "name_en": "Roads",
                                        "kind": "headquarters"})
    assert response.status_code == 201
    assert response.get_json()["version"] == 1
    assert response.headers["ETag"] == '"v1"'


def test_each_change_adds_one_version(ref, department):
    for expected, name in enumerate(["도로관리과", "도로시설과", "도로과"], start=2):
        response = ref.patch("departments", department["id"], {"name_ko": name})
        assert response.get_json()["version"] == expected
        assert response.headers["ETag"] == f'"v{expected}"'
    fetched = ref.get("departments", department["id"])
    assert fetched.headers["ETag"] == '"v4"'
    assert fetched.get_json()["version"] == 4


def test_patch_without_a_change_keeps_the_version(ref, department):
    response = ref.patch("departments", department["id"], {"name_ko": department["name_ko"]})
    assert response.get_json()["version"] == 1
    assert response.headers["ETag"] == '"v1"'


@pytest.mark.parametrize("if_match", ['"v1"', 'W/"v1"', "*"])
def test_matching_if_match_updates(ref, department, if_match):
    response = ref.patch("departments", department["id"], {"name_en": "Road Works"},
                         if_match=if_match)
    assert response.status_code == 200
    assert response.get_json()["name_en"] == "Road Works"


def test_stale_if_match_is_412_with_the_current_version(ref, department):
    assert ref.patch("departments", department["id"], {"name_ko": "도로관리과"}).status_code == 200
    response = ref.patch("departments", department["id"], {"name_ko": "늦은 변경"},
                         if_match='"v1"')
    payload = assert_error(response, 412, "version_mismatch", "If-Match")
    assert payload["current_version"] == 2
    assert payload["current"]["name_ko"] == "도로관리과"
    assert ref.get("departments", department["id"]).get_json()["name_ko"] == "도로관리과"


def test_stale_if_match_on_delete_is_412_and_keeps_the_record(ref, department):
    ref.patch("departments", department["id"], {"name_ko": "도로관리과"})
    payload = assert_error(ref.delete("departments", department["id"], if_match='"v1"'), 412,
                           "version_mismatch", "If-Match")
    assert payload["current_version"] == 2
    assert ref.get("departments", department["id"]).get_json()["deleted"] is False
    assert ref.delete("departments", department["id"], if_match='"v2"').status_code == 204


@pytest.mark.parametrize("if_match", ['"1"', '"vone"', 'W/"v1', "garbage", '"v-1"'])
def test_malformed_if_match_is_400(ref, department, if_match):
    response = ref.patch("departments", department["id"], {"name_ko": "변경"},
                         if_match=if_match)
    assert_error(response, 400, "bad_if_match", "If-Match")
    assert ref.get("departments", department["id"]).get_json()["version"] == 1


def test_delete_bumps_the_version(ref, department):
    assert ref.delete("departments", department["id"], if_match='"v1"').status_code == 204
    tombstone = ref.get("departments", department["id"])
    assert tombstone.get_json()["version"] == 2
    assert tombstone.headers["ETag"] == '"v2"'


def test_change_committed_by_someone_else_meanwhile_is_412(ref, department, monkeypatch):
    # Another writer commits between our If-Match check and our UPDATE (PostgreSQL lets
    # that happen); the versioned UPDATE then matches no row.
    real_update = service.update

    def racing_update(kind, record, data):
        table = Department.__table__
        db.session.execute(sa.update(table).where(table.c.id == record.id)
                           .values(version=table.c.version + 1, name_ko="남의 변경"))
        return real_update(kind, record, data)

    monkeypatch.setattr(service, "update", racing_update)
    response = ref.patch("departments", department["id"], {"name_ko": "내 변경"},
                         if_match='"v1"')
    assert_error(response, 412, "version_mismatch", "If-Match")
    assert ref.get("departments", department["id"]).get_json()["name_ko"] == "도로과"


def test_code_taken_meanwhile_is_409(ref, department, monkeypatch):
    # Two admins create the same code at once: both pass the check, the index decides.
    monkeypatch.setattr(service, "_check_unique_code", lambda *args, **kwargs: None)
    response = ref.post("departments", {"code": "roads", "name_ko": "도로과", "name_en": "Roads",
                                        "kind": "headquarters"})
    assert_error(response, 409, "conflict")
    assert [d["id"] for d in ref.list("departments").get_json()] == [department["id"]]
