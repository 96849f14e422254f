"""GET /static/vendor/<file>: the browser assets shipped with the server (ReDoc for /api/docs).

They come from pinned npm packages through scripts/fetch-assets, which records each file's
version and SHA-256 in MANIFEST.json; nothing is loaded from a CDN, so the docs page works on
a district network without internet access.
"""
from pathlib import Path

from flask import Blueprint, send_from_directory

from patrol_api.auth.access import PUBLIC, allow

VENDOR_DIR = Path(__file__).resolve().parent.parent / "static" / "vendor"
URL_PREFIX = "/static/vendor"
MAX_AGE_SECONDS = 3600  # file names carry no version: revalidated (ETag) after an hour

blp = Blueprint("vendor", __name__)


@blp.get(f"{URL_PREFIX}/<path:filename>")
@allow(PUBLIC)
def asset(filename: str):
    """One shipped asset (404 for anything else; paths cannot leave the folder)."""
    response = send_from_directory(VENDOR_DIR, filename, max_age=MAX_AGE_SECONDS)
    response.cache_control.public = True
    return response
