"""Photos in the app: the blob storage bound at start-up, uploads (tus and single-request),
verification, derivatives and serving. The pipeline itself is `media/`; see docs/media.md.
"""
from collections.abc import Mapping
from typing import Any

from flask import Flask, current_app

from media.storage import BlobStorage, storage_from_config

EXTENSION = "media_storage"


def init_app(app: Flask) -> None:
    """Build the configured storage once per app and bind it; a bad config fails start-up."""
    if EXTENSION not in app.extensions:
        app.extensions[EXTENSION] = storage_from_config(storage_settings(app.config))


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
    """The inspection limits: `max_bytes` and `max_pixels` from the settings."""
    return {"max_bytes": current_app.config["MEDIA_MAX_UPLOAD_BYTES"],
            "max_pixels": current_app.config["MEDIA_MAX_PIXELS"]}
