"""New passwords: length and a blocklist, no composition rules (NIST SP 800-63B). Generated
weak passwords are refused with a structured 422 by every path that sets one; generated
passphrases are accepted."""
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from patrol_api import demo_loader
from patrol_api.auth import passwords
from patrol_api.auth.roles import Role
from patrol_api.demo import district
from patrol_api.errors import ApiError

COMMON = sorted(passwords.blocklist())
COMMON_LONG = [word for word in COMMON if len(word) >= 10]
COMMON_BASES = [word for word in COMMON if 4 <= len(word) < 10 and word.isalpha()]
SPACES = st.text(alphabet=" \t\n\u3000\u00a0", min_size=10, max_size=40)
ONE_CHAR = st.builds(lambda c, n: c * n, st.characters(blacklist_categories=["Cs"]),
                     st.integers(10, 60))
GROUPS = st.builds(lambda g, n: (g * n)[:max(10, len(g) * 2)],
                   st.text(min_size=2, max_size=3), st.integers(10, 30))
RUNS = st.builds(lambda start, n, down: "".join(
    chr(start - i if down else start + i) for i in range(n)),
    st.integers(0x30 + 20, 0xd000), st.integers(10, 20), st.booleans())
DIGIT_RUNS = st.builds(lambda start, n, down: "".join(
    str((start - i if down else start + i) % 10) for i in range(n)),
    st.integers(0, 9), st.integers(10, 20), st.booleans())
APPENDED = st.builds(lambda word, tail, upper: (word.upper() if upper else word) + tail,
                     st.sampled_from(COMMON_BASES),
                     st.text(alphabet="0123456789!@#.", min_size=6, max_size=8), st.booleans())
USERNAMES = st.from_regex(r"[a-z][a-z0-9._-]{2,15}", fullmatch=True)
NAMES = st.text(alphabet="김이박최정강조윤장임홍길동영희철수", min_size=3, max_size=4)
WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz가나다라마바사아자차카타파하", min_size=4,
                max_size=8)
# passphrases: four random words, a length-only rule's worth of entropy and more
PHRASES = st.lists(WORDS, min_size=4, max_size=6).map(" ".join)


def _code(password, *names):
    return passwords.problem(password, *names)


@given(SPACES)
def test_whitespace_only_is_refused(password):
    assert _code(password) == "password_blank"


@given(ONE_CHAR | GROUPS)
def test_one_character_or_a_short_group_repeated_is_refused(password):
    assume(password.strip())
    assert _code(password) in ("password_repetitive", "password_sequential", "password_common")


@given(RUNS | DIGIT_RUNS)
def test_runs_of_consecutive_characters_are_refused(password):
    assume(password.strip() and len(set(password)) > 3)
    assert _code(password) in ("password_sequential", "password_common")


@given(st.sampled_from(COMMON_LONG), st.sampled_from([str.lower, str.upper, str.title]),
       st.sampled_from(["", " ", "  "]))
def test_common_passwords_are_refused_whatever_their_case(word, case, pad):
    assume(len(case(word)) >= 10)
    assert _code(pad + case(word) + pad) in (
        "password_common", "password_repetitive", "password_sequential")


@given(APPENDED)
def test_common_passwords_with_digits_or_symbols_appended_are_refused(password):
    assert _code(password) == "password_common"


@given(USERNAMES, NAMES, st.text(alphabet="0123456789!?", min_size=1, max_size=3),
       st.booleans())
def test_the_username_or_display_name_inside_is_refused(username, name, tail, use_name):
    inside = name if use_name else username.upper()
    password = f"{inside}{tail}".ljust(10, "q") if use_name else f"{inside}{tail}xyzw"
    password = password if len(password) >= 10 else password + "zqxjkv"
    code = _code(password, username, name)
    assert code in ("password_contains_name", "password_common"), (password, code)


@given(PHRASES, USERNAMES, NAMES)
def test_passphrases_are_accepted(phrase, username, name):
    assume(len(phrase) <= passwords.MAX_PASSWORD_LENGTH)
    assume(username not in phrase and name not in phrase.replace(" ", ""))
    assume(not any(len(set(word)) == 1 for word in phrase.split()))
    assert _code(phrase, username, name) is None


@given(st.text(max_size=9))
def test_short_passwords_are_refused(password):
    assert _code(password) == "password_too_short"


@pytest.mark.parametrize("password", ["          ", "aaaaaaaaaa", "1234567890", "kim.officer7",
                                      "password1234", "qwertyuiop", "0987654321"])
def test_the_issues_examples_are_refused(password):
    assert _code(password, "kim.officer", "김순찰") is not None


def test_demo_users_passwords_pass_the_check():
    for user in district.users():
        passwords.check(user["password"], user["username"], user["display_name"])


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(weak=SPACES | ONE_CHAR | DIGIT_RUNS | st.sampled_from(COMMON_LONG) | APPENDED,
       path=st.sampled_from(["create", "reset", "change"]))
def test_every_path_that_sets_a_password_refuses_a_weak_one(client, admin, make_user, weak,
                                                            path):
    assume(weak.strip())
    user, headers = make_user(Role.PATROL_OFFICER, password="correct horse battery")
    if path == "create":
        response = client.post("/api/v1/users", headers=admin, json={
            "username": f"new.{user.id}", "display_name": "새사용자", "role": "viewer",
            "password": weak})
        field = "password"
    elif path == "reset":
        response = client.patch(f"/api/v1/users/{user.id}", headers=admin,
                                json={"password": weak})
        field = "password"
    else:
        response = client.post("/api/v1/auth/password", headers=headers, json={
            "current_password": "correct horse battery", "new_password": weak})
        field = "new_password"
    body = response.get_json()
    assert (response.status_code, body["field"]) == (422, field), body
    assert body["code"].startswith("password_") and body["message"]
    assert any("\uac00" <= ch <= "\ud7a3" for ch in body["message"])  # Korean text


def test_a_good_password_is_accepted_on_every_path(client, admin, make_user):
    user, headers = make_user(Role.PATROL_OFFICER, password="correct horse battery")
    made = client.post("/api/v1/users", headers=admin, json={
        "username": "new.viewer", "display_name": "새사용자", "role": "viewer",
        "password": "봄비 내리는 골목길 산책"})
    assert made.status_code == 201, made.get_json()
    reset = client.patch(f"/api/v1/users/{user.id}", headers=admin,
                         json={"password": "lantern river maple quiet"})
    assert reset.status_code == 200, reset.get_json()
    # the reset revoked the old token: sign in again, then change it oneself
    token = client.post("/api/v1/auth/login", json={
        "username": user.username, "password": "lantern river maple quiet"}).get_json()["token"]
    changed = client.post("/api/v1/auth/password", headers={"Authorization": f"Bearer {token}"},
                          json={"current_password": "lantern river maple quiet",
                                "new_password": "copper kettle on the stove"})
    assert changed.status_code == 204, changed.get_json()


def test_the_username_is_checked_against_the_new_username_too(client, admin, make_user):
    user, _ = make_user(Role.VIEWER)
    response = client.patch(f"/api/v1/users/{user.id}", headers=admin,
                            json={"username": "harbor.light", "password": "harbor.light2026"})
    assert (response.status_code, response.get_json()["code"]) == (
        422, "password_contains_name")


def test_the_demo_loader_and_create_admin_use_the_same_check(ctx):
    with pytest.raises(ApiError) as refused:
        demo_loader.create_user("root.admin", "관리자", "admin", "root.admin1")
    assert refused.value.code == "password_contains_name"
