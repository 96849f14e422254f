"""Passwords: the rules a new one must meet (NIST SP 800-63B) and hashing with Argon2id.

NIST SP 800-63B asks for a minimum length and a check against passwords known to be weak, and
no composition rules (no "one digit, one symbol"). A new password is refused when it is
shorter than 10 or longer than 200 characters, only whitespace, one character or a short
group repeated (`aaaaaaaaaa`, `abababab`), a run of consecutive characters (`abcdefghij`,
`9876543210`), one of the 30,000 most common passwords of the breach corpora (as is, or with
digits and symbols appended: `dragon2026!`), or when it contains the user's username or
display name. The blocklist is zxcvbn's `passwords` frequency list (MIT; the list comes from
the Xato corpus of 10 million leaked passwords), read from the installed zxcvbn package.

`new_hash` is the one door for every password that is set (user creation, an admin's reset,
one's own change, `create-admin`, the demo loader).
"""
import functools
import itertools
import unicodedata

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from patrol_api.errors import ApiError

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 200
# for the OpenAPI document only: the rules themselves are checked by `check`
PASSWORD_METADATA = {"minLength": MIN_PASSWORD_LENGTH, "maxLength": MAX_PASSWORD_LENGTH,
                     "description": "10–200 characters; not common, repetitive or sequential, "
                                    "not containing the username or display name"}
MIN_NAME_LENGTH = 3  # shorter usernames and names are not looked for inside passwords
MAX_REPEATED_GROUP = 3

MESSAGES = {
    "password_too_short": f"비밀번호는 {MIN_PASSWORD_LENGTH}자 이상이어야 합니다. "
                          f"(At least {MIN_PASSWORD_LENGTH} characters.)",
    "password_too_long": f"비밀번호는 {MAX_PASSWORD_LENGTH}자 이하여야 합니다. "
                         f"(At most {MAX_PASSWORD_LENGTH} characters.)",
    "password_blank": "공백만으로 된 비밀번호는 쓸 수 없습니다. (Only whitespace.)",
    "password_repetitive": "같은 글자나 짧은 묶음을 되풀이한 비밀번호는 쓸 수 없습니다. "
                           "(One character or a short group repeated.)",
    "password_sequential": "1234…나 abcd…처럼 연속된 글자로 된 비밀번호는 쓸 수 없습니다. "
                           "(A run of consecutive characters.)",
    "password_common": "널리 쓰이거나 유출된 적이 있는 비밀번호입니다. 다른 비밀번호를 정해 "
                       "주세요. (A common or breached password.)",
    "password_contains_name": "아이디나 이름이 들어간 비밀번호는 쓸 수 없습니다. "
                              "(Contains the username or display name.)",
}
# what is stripped from the end of a password before looking it up again: "dragon2026!"
_APPENDED = "0123456789!@#$%^&*()-_=+.,?~ "

# Argon2id with OWASP's recommended minimum (19 MiB, 2 passes, 1 lane): about 30 ms on one
# core, so sign-in bursts at shift end do not starve a 2-core server; needs_rehash() upgrades
# stored hashes when these parameters are raised.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# A hash of a random string, checked when the user does not exist so timing does not tell.
_DUMMY = _hasher.hash("no such user: constant-time padding")


@functools.cache
def blocklist() -> frozenset[str]:
    """The common passwords, case-folded (loaded on first use)."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(_fold(word) for word in FREQUENCY_LISTS["passwords"])


def _fold(text: str) -> str:
    """Text compared case- and width-insensitively (NFKC, case-folded)."""
    return unicodedata.normalize("NFKC", text).casefold()


def _repetitive(text: str) -> bool:
    """One character or a group of up to three repeated over the whole text."""
    return any(len(text) > size and all(text[i] == text[i % size] for i in range(len(text)))
               for size in range(1, MAX_REPEATED_GROUP + 1))


def _sequential(text: str) -> bool:
    """Consecutive characters all the way, up or down (digits wrap: 7890123456)."""
    if text.isdigit():
        steps = {(int(b) - int(a)) % 10 for a, b in itertools.pairwise(text)}
        return steps in ({1}, {9})
    steps = {ord(b) - ord(a) for a, b in itertools.pairwise(text)}
    return steps in ({1}, {-1})


def _common(folded: str) -> bool:
    """In the blocklist as it is, or once appended digits and symbols are taken off."""
    common = blocklist()
    base = folded.strip().rstrip(_APPENDED)
    return folded in common or folded.strip() in common or (len(base) >= 4 and base in common)


def problem(password: str, *names: str | None) -> str | None:
    """The error code of the first rule the password breaks, or None when it is acceptable;
    `names` are the user's username and display name."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return "password_too_short"
    if len(password) > MAX_PASSWORD_LENGTH:
        return "password_too_long"
    if not password.strip():
        return "password_blank"
    folded = _fold(password)
    forms = (password, unicodedata.normalize("NFKC", password), folded)
    if any(_repetitive(form) for form in forms):
        return "password_repetitive"
    if any(_sequential(form) for form in forms):
        return "password_sequential"
    if _common(folded):
        return "password_common"
    squeezed = "".join(folded.split())
    for name in names:
        name = "".join(_fold(name or "").split())
        if len(name) >= MIN_NAME_LENGTH and name in squeezed:
            return "password_contains_name"
    return None


def check(password: str, *names: str | None, field: str = "password") -> None:
    """422 with a Korean message naming the broken rule, unless the password is acceptable."""
    code = problem(password, *names)
    if code:
        raise ApiError(422, code, MESSAGES[code], field)


def new_hash(password: str, *names: str | None, field: str = "password") -> str:
    """The stored hash of a new password, once `check` accepts it for a user with these
    names."""
    check(password, *names, field=field)
    return hash_password(password)


def hash_password(password: str) -> str:
    """Hash a password for storage (no rules: use new_hash for a password being set)."""
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when the password matches; always spends the same work, even with no user."""
    try:
        return _hasher.verify(stored_hash or _DUMMY, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """True when the stored hash uses weaker parameters than today's."""
    return _hasher.check_needs_rehash(stored_hash)
