"""Bulk import of reference data from CSV or GeoJSON, row by row, bad rows reported."""
import csv
import io
import json

import marshmallow as ma
from flask import current_app

from patrol_api.errors import ApiError, first_field
from patrol_api.extensions import db
from patrol_api.reference import service
from patrol_api.reference.kinds import Kind

CSV_TYPES = ("text/csv", "application/csv", "text/plain")
GEOJSON_TYPES = ("application/geo+json", "application/json")
ACCEPTED_TYPES = (*CSV_TYPES, *GEOJSON_TYPES, "multipart/form-data")
TEXT_ENCODINGS = ("utf-8-sig", "cp949")  # Excel in Korean offices saves CSV as CP949


def parse_upload(kind: Kind, request) -> list[dict]:
    """Rows from the request: a multipart `file`, or a CSV or GeoJSON body."""
    upload = request.files.get("file")
    if upload is not None:
        name = (upload.filename or "").lower()
        fmt = "geojson" if name.endswith((".geojson", ".json")) else "csv"
        return _parse(kind, upload.read(), fmt)
    mime = (request.mimetype or "").lower()
    if mime in CSV_TYPES:
        return _parse(kind, request.get_data(), "csv")
    if mime in GEOJSON_TYPES:
        return _parse(kind, request.get_data(), "geojson")
    raise ApiError(415, "unsupported_media_type", "Send text/csv, application/geo+json, or a "
                   "multipart form with a 'file'.", "Content-Type")


def _decode(raw: bytes) -> str:
    """Text of an upload in UTF-8 (with or without BOM) or CP949."""
    for encoding in TEXT_ENCODINGS:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ApiError(422, "bad_encoding", "The file is neither UTF-8 nor CP949 text.", "file")


def _parse(kind: Kind, raw: bytes, fmt: str) -> list[dict]:
    """Rows of a CSV or GeoJSON document, capped at IMPORT_MAX_ROWS."""
    text = _decode(raw)
    rows = _csv_rows(text) if fmt == "csv" else _geojson_rows(kind, text)
    limit = current_app.config["IMPORT_MAX_ROWS"]
    if len(rows) > limit:
        raise ApiError(413, "too_many_rows", f"At most {limit} rows per import.", "file")
    if not rows:
        raise ApiError(422, "empty_import", "The file holds no rows.", "file")
    return rows


def _csv_rows(text: str) -> list[dict]:
    """CSV rows as dicts; empty cells become None and a `geometry` cell is parsed JSON."""
    try:
        reader = csv.DictReader(io.StringIO(text))
        rows = [{(k or "").strip(): _cell(v) for k, v in row.items() if k} for row in reader]
    except csv.Error as error:
        raise ApiError(422, "malformed_csv", f"CSV could not be read: {error}", "file") from error
    for row in rows:
        if isinstance(row.get("geometry"), str):
            row["geometry"] = _json_cell(row["geometry"])
    return rows


def _cell(value):
    """A CSV cell: stripped text, or None when empty."""
    if isinstance(value, list):  # more cells than headers
        return None
    value = (value or "").strip()
    return value or None


def _json_cell(value: str):
    """A JSON cell, left as text when it is not JSON (validation then names it)."""
    try:
        return json.loads(value)
    except ValueError:
        return value


def _geojson_rows(kind: Kind, text: str) -> list[dict]:
    """Feature properties as rows; the geometry becomes `geometry` or, for points, lat/lon."""
    try:
        document = json.loads(text)
    except ValueError as error:
        raise ApiError(422, "malformed_geojson", "The GeoJSON is not valid JSON.",
                       "file") from error
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise ApiError(422, "malformed_geojson", "Expected a GeoJSON FeatureCollection.", "file")
    features = document.get("features")
    if not isinstance(features, list):
        raise ApiError(422, "malformed_geojson", "features must be a list.", "features")
    return [_feature_row(feature) for feature in features]


def _feature_row(feature) -> dict:
    """One feature as a row."""
    if not isinstance(feature, dict):
        return {"_error": "not a GeoJSON feature"}
    row = dict(feature.get("properties") or {})
    geometry = feature.get("geometry")
    if isinstance(geometry, dict) and geometry.get("type") == "Point":
        coords = geometry.get("coordinates") or [None, None]
        row.setdefault("lon", coords[0] if len(coords) > 0 else None)
        row.setdefault("lat", coords[1] if len(coords) > 1 else None)
    elif geometry is not None:
        row["geometry"] = geometry
    return row


def import_rows(kind: Kind, rows: list[dict], dry_run: bool = False) -> dict:
    """Create or update each row in its own savepoint; return the outcome per row."""
    results = [_import_one(kind, number, row) for number, row in enumerate(rows, start=1)]
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    summary = {status: sum(r["status"] == status for r in results)
               for status in ("created", "updated", "unchanged", "rejected")}
    return {"dry_run": dry_run, **summary, "rows": results}


def _import_one(kind: Kind, number: int, row: dict) -> dict:
    """Import one row; a failure rolls back that row only."""
    code = row.get("code") if kind.keyed_by_code else row.get("id")
    savepoint = db.session.begin_nested()
    try:
        status = _upsert(kind, row)
        db.session.flush()
        savepoint.commit()
        return {"row": number, "code": _text(code), "status": status, "error": None}
    except ApiError as error:
        savepoint.rollback()
        return _rejected(number, code, error.payload())
    except ma.ValidationError as error:
        savepoint.rollback()
        field = first_field(error.messages)
        return _rejected(number, code, {"code": "validation_error", "field": field,
                                        "message": str(error.messages)})


def _rejected(number: int, code, error: dict) -> dict:
    """The result of a rejected row."""
    return {"row": number, "code": _text(code), "status": "rejected", "error": error}


def _text(value) -> str | None:
    """A row key as text."""
    return None if value is None else str(value)


def _upsert(kind: Kind, row: dict) -> str:
    """Create the record or update the existing one with the same key."""
    if "_error" in row:
        raise ApiError(422, "malformed_row", row["_error"], None)
    existing = _existing(kind, row)
    if existing is None:
        service.create(kind, kind.schema().load(_without_id(row)))
        return "created"
    service.update(kind, existing, kind.schema(partial=True).load(_without_id(row)))
    return "updated" if db.session.is_modified(existing) else "unchanged"


def _without_id(row: dict) -> dict:
    """The row minus its `id` column (ids are the server's)."""
    return {k: v for k, v in row.items() if k != "id"}


def _existing(kind: Kind, row: dict):
    """The live record a row updates, if any."""
    if kind.keyed_by_code:
        return service.by_code(kind.model, row.get("code")) if row.get("code") else None
    if row.get("id") is None:
        return None
    try:
        return service.get(kind, int(row["id"]))
    except ValueError as error:
        raise ApiError(422, "validation_error", "id must be a whole number.", "id") from error
