"""Photos by SHA-256: single-request upload of small files, the photo record, derivatives and
originals (see docs/media.md). Resumable uploads are at /api/v1/uploads (tus)."""
from flask import request
from flask.views import MethodView
from marshmallow import Schema, fields

from media.digest import normalize_sha256
from media.errors import MediaError
from patrol_api import photos
from patrol_api.auth import access
from patrol_api.auth.access import AUTHENTICATED, allow
from patrol_api.errors import ApiError
from patrol_api.extensions import db
from patrol_api.http.blueprint import Blueprint
from patrol_api.http.downloads import produces
from patrol_api.http.media_types import accepts
from patrol_api.http.uploads import UPLOADERS
from patrol_api.photos import catalog, serving
from patrol_api.photos.errors import refused
from patrol_api.photos.ingest import ingest_stream

blp = Blueprint("photos", __name__, url_prefix="/photos",
                description="Photos: single-request upload, records, derivatives, originals")
blp.record_once(lambda state: photos.init_app(state.app))

MULTIPART = "multipart/form-data"
IMAGE_TYPES = ("image/jpeg", "image/png", "image/webp", "image/heic", "image/heif")
MULTIPART_SLACK = 64 * 1024  # form boundaries and the sha256 field around the file


class DerivativeSchema(Schema):
    """A metadata-free JPEG made from the photo."""

    url = fields.String()
    width = fields.Integer()
    height = fields.Integer()
    size = fields.Integer()


class ExifSchema(Schema):
    """What the photo says about itself: managers and admins only."""

    captured_at_local = fields.String(allow_none=True, metadata={
        "description": "Capture time as the camera's clock wrote it (no zone)"})
    captured_utc_offset_min = fields.Integer(allow_none=True)
    captured_at_raw = fields.String(allow_none=True)
    gps_time = fields.DateTime(allow_none=True)
    latitude = fields.Float(allow_none=True)
    longitude = fields.Float(allow_none=True)
    altitude_m = fields.Float(allow_none=True)
    gps_accuracy_m = fields.Float(allow_none=True)
    orientation = fields.Integer(allow_none=True)
    camera_make = fields.String(allow_none=True)
    camera_model = fields.String(allow_none=True)


class PhotoSchema(Schema):
    """A verified photo."""

    sha256 = fields.String()
    mime = fields.String()
    size = fields.Integer()
    width = fields.Integer(allow_none=True, metadata={"description": "As shown (oriented)"})
    height = fields.Integer(allow_none=True)
    verified_at = fields.DateTime()
    derivatives = fields.Dict(keys=fields.String(), values=fields.Nested(DerivativeSchema))
    thumb_url = fields.String()
    screen_url = fields.String()
    original_url = fields.String(allow_none=True, metadata={
        "description": "Only for managers, admins and the uploader"})
    exif = fields.Nested(ExifSchema, metadata={"description": "Managers and admins only"})


@blp.route("")
class Photos(MethodView):
    @allow(*UPLOADERS)
    @accepts(MULTIPART, *IMAGE_TYPES)
    @blp.response(201, PhotoSchema)
    @blp.alt_response(200, schema=PhotoSchema, description="The photo was already stored")
    def post(self):
        """Upload a small photo in one request: multipart `file` + `sha256`, or the raw image
        with X-Content-SHA256. Verified like a tus upload; use tus for large files."""
        principal = access.current()
        user, device_id = principal.user, principal.device.id if principal.device else None
        user_id = user.id
        db.session.commit()  # hold no transaction (SQLite: no write lock) while bytes arrive
        request.max_content_length = photos.limits()["max_bytes"] + MULTIPART_SLACK
        stream, announced = _upload()
        try:
            sha256, created = ingest_stream(stream, _digest(announced), user_id, device_id)
        except MediaError as error:
            raise refused(error) from None
        return catalog.record(user, catalog.visible_blob(user, sha256)), 201 if created else 200


def _upload():
    """(file stream, announced digest) of a multipart form or a raw image body."""
    if request.mimetype == MULTIPART:
        upload = request.files.get("file")
        if upload is None:
            raise ApiError(422, "validation_error", "file: Missing data for required field.",
                           "file")
        return upload.stream, request.form.get("sha256")
    if request.content_length is None:
        raise ApiError(411, "length_required", "Send the image with a Content-Length.",
                       "Content-Length")
    return request.stream, request.headers.get("X-Content-SHA256")


def _digest(announced: str | None) -> str:
    """The announced digest, normalised; 400 when missing or malformed."""
    if not announced:
        raise ApiError(400, "sha256_required", "Send the hex SHA-256 of the file (form field "
                       "`sha256` or header X-Content-SHA256).", "sha256")
    try:
        return normalize_sha256(announced)
    except MediaError as error:
        raise refused(error) from None


@blp.route("/<sha256>")
class Photo(MethodView):
    @allow(AUTHENTICATED)
    @blp.response(200, PhotoSchema)
    def get(self, sha256):
        """One photo: size, derivative URLs; EXIF time and position for managers and admins."""
        user = access.current().user
        return catalog.record(user, catalog.visible_blob(user, sha256))


@blp.route("/<sha256>/thumb")
class PhotoThumb(MethodView):
    @allow(AUTHENTICATED)
    @produces(blp, "A 320 px JPEG without metadata", "image/jpeg")
    def get(self, sha256):
        """The thumbnail (lists, maps): ETag, If-None-Match, private caching."""
        stored = catalog.derivative(access.current().user, sha256, "thumb")
        return serving.send(stored, request, ranges=False)


@blp.route("/<sha256>/screen")
class PhotoScreen(MethodView):
    @allow(AUTHENTICATED)
    @produces(blp, "A ~1000 px JPEG without metadata", "image/jpeg")
    def get(self, sha256):
        """The screen image (full-screen viewing): ETag, If-None-Match, private caching."""
        stored = catalog.derivative(access.current().user, sha256, "screen")
        return serving.send(stored, request, ranges=False)


@blp.route("/<sha256>/original")
class PhotoOriginal(MethodView):
    @allow(AUTHENTICATED)
    @produces(blp, "The file as uploaded (EXIF included)", *catalog.EXTENSIONS)
    @produces(blp, "The requested byte range", *catalog.EXTENSIONS, status=206)
    @blp.alt_response(403, description="Not a manager, an admin or the uploader")
    def get(self, sha256):
        """The original, as an attachment, with byte ranges (managers, admins, uploader)."""
        stored = catalog.original(access.current().user, sha256)
        return serving.send(stored, request, ranges=True)
