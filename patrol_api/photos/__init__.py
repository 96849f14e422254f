"""Photos in the app: the blob storage bound at start-up, uploads (tus and single-request),
verification, derivatives and serving. The pipeline itself is `media/`; see docs/media.md.
"""
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from flask import Flask, current_app

from media.storage import BlobStorage, storage_from_config

EXTENSION = "media_storage"
DECODE_SLOTS = "media_decode_slots"
POSITIVE_SETTINGS = ("MEDIA_MAX_PIXELS", "MEDIA_MAX_DECODE_BYTES", "MEDIA_MAX_JPEG_SCANS",
                     "MEDIA_DECODE_CONCURRENCY")


def init_app(app: Flask) -> None:
    """Build the configured storage once per app and bind it; a bad config fails start-up."""
    for name in POSITIVE_SETTINGS:
        if app.config[name] < 1:
            raise ValueError(f"{name} must be at least 1, not {app.config[name]}")
    if EXTENSION not in app.extensions:
        app.extensions[EXTENSION] = storage_from_config(storage_settings(app.config))
    app.extensions.setdefault(DECODE_SLOTS, threading.BoundedSemaphore(
        app.config["MEDIA_DECODE_CONCURRENCY"]))


def storage_settings(config: Mapping[str, Any]) -> dict:
    """The `storage_from_config` settings for MEDIA_STORAGE=local|s3 (memory: tests only)."""
    name = config.get("MEDIA_STORAGE")
    if name == "local":
        return {"backend": "local", "root": config["MEDIA_ROOT"]}
    if name == "s3":
        if not config.get("MEDIA_S3_BUCKET"):
            raise ValueError("MEDIA_STORAGE=s3 needs MEDIA_S3_BUCKET")
        return {"backend": "s3", "bucket": config["MEDIA_S3_BUCKET"],
                "endpoint_url": config.get("MEDIA_S3_ENDPOINT_URL"),
                "region": config.get("MEDIA_S3_REGION"),
                "access_key": config.get("MEDIA_S3_ACCESS_KEY"),
                "secret_key": config.get("MEDIA_S3_SECRET_KEY"),
                "prefix": config.get("MEDIA_S3_PREFIX") or ""}
    return {"backend": name}  # "memory", or a name storage_from_config refuses


def storage() -> BlobStorage:
    """The blob storage of the current app."""
    return current_app.extensions[EXTENSION]


def limits() -> dict[str, int]:
    """The inspection limits (`media.inspect.inspect_image`) from the settings."""
    config = current_app.config
    return {"max_bytes": config["MEDIA_MAX_UPLOAD_BYTES"], "max_pixels": config["MEDIA_MAX_PIXELS"],
            "max_decode_bytes": config["MEDIA_MAX_DECODE_BYTES"],
            "max_scans": config["MEDIA_MAX_JPEG_SCANS"]}


def decode_limits() -> dict[str, int]:
    """The limits of a full decode (`media.derivatives.make_derivatives`)."""
    config = current_app.config
    return {"max_pixels": config["MEDIA_MAX_PIXELS"],
            "max_decode_bytes": config["MEDIA_MAX_DECODE_BYTES"]}


@contextmanager
def decode_slot(timeout: float | None = None) -> Iterator[bool]:
    """Hold one of the process's MEDIA_DECODE_CONCURRENCY decode slots: the memory of
    decodes is bounded per decode, this bounds how many run at once. Yields False (holding
    nothing) when no slot came free within ``timeout`` seconds."""
    slots = current_app.extensions[DECODE_SLOTS]
    acquired = slots.acquire(timeout=timeout) if timeout is not None else slots.acquire()
    try:
        yield acquired
    finally:
        if acquired:
            slots.release()
