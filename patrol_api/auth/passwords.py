"""Password hashing with Argon2id, a memory-hard KDF."""
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from marshmallow import validate

MIN_PASSWORD_LENGTH = 10
PASSWORD_RULE = validate.Length(min=MIN_PASSWORD_LENGTH, max=200)

# Argon2id with OWASP's recommended minimum (19 MiB, 2 passes, 1 lane): about 30 ms on one
# core, so sign-in bursts at shift end do not starve a 2-core server; needs_rehash() upgrades
# stored hashes when these parameters are raised.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# A hash of a random string, checked when the user does not exist so timing does not tell.
_DUMMY = _hasher.hash("no such user: constant-time padding")


def hash_password(password: str) -> str:
    """Hash a password for storage."""
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
