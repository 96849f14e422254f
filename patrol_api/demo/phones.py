"""Demo phones: each demo field user's device records offline and syncs through sync.push."""
import random
import uuid
from datetime import datetime

import sqlalchemy as sa

from patrol_api.auth import devices
from patrol_api.extensions import db
from patrol_api.findings import intake
from patrol_api.models import Observation, User
from sync import push


def new_id(rng: random.Random) -> str:
    """A client-generated UUID, reproducible from the seeded generator."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def iso(moment: datetime) -> str:
    """A device time as phones send it."""
    return moment.isoformat()


class Phone:
    """One user's phone: an outbox of numbered mutations, pushed when it has signal."""

    def __init__(self, user: User, rng: random.Random, registered_at: datetime):
        self.user, self.rng = user, rng
        self.device = devices.register(user, {"client_uid": f"demo-{user.username}",
                                              "name": f"{user.display_name}의 휴대폰",
                                              "platform": "android", "app_version": "1.0.0"})
        self.device.registered_at = registered_at  # as if set up when the history starts
        db.session.commit()
        self.seq, self.outbox = 0, []

    def record(self, type_: str, data: dict, entity_id: str | None = None) -> str:
        """Queue one mutation offline; returns its entity id."""
        self.seq += 1
        entity_id = entity_id or new_id(self.rng)
        self.outbox.append({"id": new_id(self.rng), "seq": self.seq, "type": type_,
                            "entity_id": entity_id, "base_version": None, "data": data})
        return entity_id

    def sync(self, at: datetime) -> list[dict]:
        """Push the outbox (the device clock reads `at`) and commit; per-item results.

        The findings intake runs after the commit (in-process while simulating); the sweep
        afterwards takes in anything its job left behind.
        """
        if not self.outbox:
            return []
        answer = push.push(self.user, self.device, at, self.outbox)
        db.session.commit()
        refused = [r for r in answer["results"]
                   if r["status"] not in ("applied", "unchanged", "already_applied")]
        if refused:
            raise RuntimeError(f"demo push of {self.user.username} refused: {refused[:3]}")
        self.outbox = []
        intake.process_pending()
        return answer["results"]


def finding_of(client_id: str) -> int | None:
    """The finding an observation (by phone id) was taken into."""
    return db.session.execute(sa.select(Observation.finding_id).where(
        Observation.client_id == client_id)).scalar()
