"""Bulk import of reference data from CSV or GeoJSON, row by row, bad rows reported."""
import csv
import io
import json

import marshmallow as ma
import sqlalchemy as sa
from flask import current_app

from patrol_api.errors import ApiError, first_field
from patrol_api.extensions import db
from patrol_api.reference import service
from patrol_api.reference.kinds import Kind

CSV_TYPES = ("text/csv", "application/csv", "text/plain")
GEOJSON_TYPES = ("application/geo+json", "application/json")
ACCEPTED_TYPES = (*CSV_TYPES, *GEOJSON_TYPES, "multipart/form-data")
TEXT_ENCODINGS = ("utf-8-sig", "cp949")  # Excel in Korean offices saves CSV as CP949
ROW_ERROR = ("row error",)  # key of a row refused while parsing; no CSV or JSON key equals it


def parse_upload(kind: Kind, request) -> list[dict]:
    """Rows from the request: a multipart `file`, or a CSV or GeoJSON body."""
    mime = (request.mimetype or "").lower()
    if mime == "multipart/form-data":
        return _parse_file(kind, request.files.get("file"))
    charset = request.mimetype_params.get("charset")
    if mime in CSV_TYPES:
        return _parse(kind, request.get_data(), "csv", charset)
    if mime in GEOJSON_TYPES:
        return _parse(kind, request.get_data(), "geojson", charset)
    raise ApiError(415, "unsupported_media_type", "Send text/csv, application/geo+json, or a "
                   "multipart form with a 'file'.", "Content-Type")


def _parse_file(kind: Kind, upload) -> list[dict]:
    """Rows of an uploaded file; GeoJSON is told by its name or its media type."""
    if upload is None:
        raise ApiError(400, "missing_file", "The multipart form has no 'file' part.", "file")
    name = (upload.filename or "").lower()
    is_geojson = name.endswith((".geojson", ".json")) or upload.mimetype in GEOJSON_TYPES
    charset = upload.mimetype_params.get("charset")
    return _parse(kind, upload.read(), "geojson" if is_geojson else "csv", charset)


def _decode(raw: bytes, charset: str | None = None) -> str:
    """Text of an upload in its declared charset, else UTF-8 (with or without BOM) or CP949."""
    encodings = ((charset,) if charset else ()) + TEXT_ENCODINGS
    for encoding in encodings:
        try:
            return raw.decode("utf-8-sig" if encoding.lower() in ("utf-8", "utf8") else encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    raise ApiError(422, "bad_encoding", "The file is neither UTF-8 nor CP949 text.", "file")


def _parse(kind: Kind, raw: bytes, fmt: str, charset: str | None = None) -> list[dict]:
    """Rows of a CSV or GeoJSON document, capped at IMPORT_MAX_ROWS."""
    text = _decode(raw, charset)
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
        records = [cells for cells in csv.reader(io.StringIO(text), strict=True)
                   if any(cell.strip() for cell in cells)]
    except csv.Error as error:
        raise ApiError(422, "malformed_csv", f"CSV could not be read: {error}", "file") from error
    if not records:
        return []
    header = [name.strip() for name in records[0]]
    named = [name for name in header if name]
    if len(set(named)) != len(named):
        raise ApiError(422, "malformed_csv", "A column name appears twice in the header.",
                       "file")
    return [_csv_row(header, cells) for cells in records[1:]]


def _csv_row(header: list[str], cells: list[str]) -> dict:
    """One CSV record as a row; missing trailing cells are empty, extra filled cells an error.

    Cells beyond the header usually mean an unquoted comma shifted the row (a Korean
    address such as "여의대로 24, 2층"), so every value after it sits in the wrong column.
    """
    row = {name: _cell(cells[i] if i < len(cells) else "")
           for i, name in enumerate(header) if name}
    if any(cell.strip() for cell in cells[len(header):]):
        row[ROW_ERROR] = ("malformed_row", f"The row has {len(cells)} cells but the header "
                          f"{len(header)}; quote cells that hold commas.", None)
    elif isinstance(row.get("geometry"), str):
        row["geometry"] = _json_cell(row["geometry"])
    return row


def _cell(value: str):
    """A CSV cell: stripped text, or None when empty."""
    value = value.strip()
    return value or None


def _json_cell(value: str):
    """A JSON cell, left as text when it is not JSON (validation then names it)."""
    try:
        return json.loads(value)
    except (ValueError, RecursionError):
        return value


def _geojson_rows(kind: Kind, text: str) -> list[dict]:
    """Feature properties as rows; the geometry becomes `geometry` or, for points, lat/lon."""
    try:
        document = json.loads(text)
    except (ValueError, RecursionError) as error:  # the parser recurses on nesting
        raise ApiError(422, "malformed_geojson", "The GeoJSON is not valid JSON (or is "
                       "nested too deeply).", "file") from error
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise ApiError(422, "malformed_geojson", "Expected a GeoJSON FeatureCollection.", "file")
    features = document.get("features")
    if not isinstance(features, list):
        raise ApiError(422, "malformed_geojson", "features must be a list.", "features")
    located = "lat" in kind.schema().fields
    return [_feature_row(feature, located) for feature in features]


def _feature_row(feature, located: bool) -> dict:
    """One feature as a row: a point gives lat/lon to kinds that have them, else `geometry`."""
    if not isinstance(feature, dict) or not isinstance(feature.get("properties") or {}, dict):
        return {ROW_ERROR: ("malformed_row", "Not a GeoJSON feature.", None)}
    row = {key: _code_text(key, value) for key, value in (feature["properties"] or {}).items()}
    geometry = feature.get("geometry")
    if geometry is None:
        return row
    if not located:
        row["geometry"] = geometry
        return row
    position = _point(geometry)
    if position is None:
        return {**row, ROW_ERROR: ("invalid_geometry", "A site's geometry must be a GeoJSON "
                                  "Point [lon, lat].", "geometry")}
    row["lon"], row["lat"] = position
    return row


def _point(geometry) -> tuple | None:
    """(lon, lat) of a GeoJSON Point, None for anything else."""
    if not isinstance(geometry, dict) or geometry.get("type") != "Point":
        return None
    coords = geometry.get("coordinates")
    if not isinstance(coords, list) or len(coords) < 2:
        return None
    return coords[0], coords[1]


def _code_text(key: str, value):
    """Codes as text: GeoJSON often carries administrative codes as numbers (11560540)."""
    is_code = key == "code" or key.endswith("_code")
    return str(value) if is_code and isinstance(value, int) and not isinstance(value, bool) \
        else value


def import_rows(kind: Kind, rows: list[dict], dry_run: bool = False) -> dict:
    """Create or update each row in its own savepoint; return the outcome per row."""
    results = [_import_one(kind, number, row) for number, row in enumerate(rows, start=1)]
    if dry_run:
        db.session.rollback()
    else:
        service.save()
    summary = {status: sum(r["status"] == status for r in results)
               for status in ("created", "updated", "unchanged", "rejected")}
    return {"dry_run": dry_run, **summary, "rows": results}


def _import_one(kind: Kind, number: int, row: dict) -> dict:
    """Import one row; a failure rolls back that row only."""
    code = row.get("code") if kind.keyed_by_code else row.get("id")
    savepoint = db.session.begin_nested()
    try:
        status = _upsert(kind, row)
        savepoint.commit()
        return {"row": number, "code": _text(code), "status": status, "error": None}
    except ApiError as error:
        savepoint.rollback()
        return _rejected(number, code, error.payload())
    except ma.ValidationError as error:
        savepoint.rollback()
        return _rejected(number, code, _validation_error(error.messages))
    except sa.exc.IntegrityError:  # a concurrent writer took the code meanwhile
        savepoint.rollback()
        return _rejected(number, code, ApiError(
            409, "conflict", "The row conflicts with a change made meanwhile.").payload())


def _validation_error(messages) -> dict:
    """A row's schema errors in the API's error shape."""
    field = first_field(messages)
    text = _first_text(messages) or "Invalid value."
    return {"status": 422, "code": "validation_error", "field": field,
            "message": f"{field}: {text}" if field else text, "errors": messages}


def _first_text(messages) -> str | None:
    """The first message text in a marshmallow message tree."""
    while isinstance(messages, dict | list) and messages:
        messages = next(iter(messages.values())) if isinstance(messages, dict) else messages[0]
    return messages if isinstance(messages, str) else None


def _rejected(number: int, code, error: dict) -> dict:
    """The result of a rejected row."""
    return {"row": number, "code": _text(code), "status": "rejected", "error": error}


def _text(value) -> str | None:
    """A row key as text."""
    return None if value is None else str(value)


def _upsert(kind: Kind, row: dict) -> str:
    """Create the record or update the existing one with the same key; flushes the row."""
    if ROW_ERROR in row:
        code, message, field = row[ROW_ERROR]
        raise ApiError(422, code, message, field)
    _check_storable(row)
    existing = _existing(kind, row)
    if existing is None:
        service.create(kind, kind.schema().load(_without_id(row)))
        db.session.flush()
        return "created"
    version = existing.version
    service.update(kind, existing, kind.schema(partial=True).load(_without_id(row)))
    db.session.flush()
    return "unchanged" if existing.version == version else "updated"


def _check_storable(row: dict) -> None:
    """Refuse text no database stores (NUL, unpaired surrogates from JSON escapes) by field."""
    for key, value in row.items():
        if not _storable(key):
            raise ApiError(422, "validation_error", "A column name holds NUL characters or "
                           "unpaired surrogates.")
        if not _storable(value):
            raise ApiError(422, "validation_error", f"{key}: Text must not contain NUL "
                           "characters or unpaired surrogates.", key)


def _storable(value) -> bool:
    """True when every text in a value (walked without recursion) can be stored."""
    pending = [value]
    while pending:
        node = pending.pop()
        if isinstance(node, str) and not _storable_text(node):
            return False
        if isinstance(node, dict):
            pending += [*node.keys(), *node.values()]
        elif isinstance(node, list):
            pending += node
    return True


def _storable_text(text: str) -> bool:
    """True for text without NUL that encodes to UTF-8 (no unpaired surrogate)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\x00" not in text


def _without_id(row: dict) -> dict:
    """The row minus its `id` column (ids are the server's)."""
    return {k: v for k, v in row.items() if k != "id"}


def _existing(kind: Kind, row: dict):
    """The live record a row updates, if any."""
    if kind.keyed_by_code:
        code = row.get("code")
        return service.by_code(kind.model, code) if isinstance(code, str) and code else None
    if row.get("id") is None:
        return None
    try:
        return service.get(kind, int(row["id"]))
    except (TypeError, ValueError) as error:
        raise ApiError(422, "validation_error", "id must be a whole number.", "id") from error
