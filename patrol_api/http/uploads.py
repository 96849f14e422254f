"""Resumable photo uploads over tus 1.0 (core, creation, creation-with-upload, checksum,
termination, expiration): standard tus clients work unchanged. See docs/media.md.

The announced SHA-256 of the whole file travels in Upload-Metadata (`sha256`); the upload
completes only when the bytes match it and pass inspection.
"""
from flask import Response, current_app, request, url_for
from flask.views import MethodView
from werkzeug.http import http_date

from patrol_api import photos
from patrol_api.auth import access
from patrol_api.auth.access import PUBLIC, allow
from patrol_api.auth.roles import Role
from patrol_api.errors import ApiError
from patrol_api.http.blueprint import Blueprint
from patrol_api.http.media_types import accepts
from patrol_api.models.media import UploadSession
from patrol_api.photos import tus, uploads

blp = Blueprint("uploads", __name__, url_prefix="/uploads",
                description="Resumable photo uploads (tus 1.0)")
blp.record_once(lambda state: photos.init_app(state.app))

UPLOADERS = (Role.PATROL_OFFICER, Role.CITIZEN_AUDITOR, Role.DEPARTMENT_STAFF, Role.MANAGER,
             Role.ADMIN)
TUS_ERRORS = {412: "Tus-Resumable missing or not 1.0.0", 460: "Upload-Checksum mismatch"}


@blp.before_request
def require_tus_version() -> None:
    """412 for a request (other than OPTIONS) that does not speak tus 1.0.0."""
    if request.method != "OPTIONS" and request.headers.get("Tus-Resumable") != tus.VERSION:
        raise ApiError(412, "tus_version_unsupported", f"Send Tus-Resumable: {tus.VERSION}.",
                       "Tus-Resumable")


@blp.after_request
def add_tus_headers(response: Response) -> Response:
    """Tus-Resumable on every answer; Tus-Version with a 412; 460's reason phrase."""
    response.headers["Tus-Resumable"] = tus.VERSION
    if response.status_code == 412:
        response.headers["Tus-Version"] = tus.VERSION
    if response.status_code == tus.CHECKSUM_MISMATCH:
        response.status = f"{tus.CHECKSUM_MISMATCH} Checksum Mismatch"
    return response


@blp.route("")
class Uploads(MethodView):
    @allow(PUBLIC)
    @blp.response(204)
    def options(self):
        """The server's tus capabilities: version, extensions, size limit, checksums."""
        response = Response(status=204)
        response.headers.update({
            "Tus-Version": tus.VERSION,
            "Tus-Extension": ",".join(tus.EXTENSIONS),
            "Tus-Max-Size": str(current_app.config["MEDIA_MAX_UPLOAD_BYTES"]),
            "Tus-Checksum-Algorithm": ",".join(tus.CHECKSUM_ALGORITHMS),
        })
        return response

    @allow(*UPLOADERS)
    @accepts(tus.OFFSET_OCTET_STREAM)
    @blp.response(201)
    @blp.alt_response(400, description="Upload-Length or Upload-Metadata (sha256) missing or "
                      "malformed")
    @blp.alt_response(413, description="Upload-Length above Tus-Max-Size")
    def post(self):
        """Create an upload (Upload-Length; Upload-Metadata with `sha256`, `filename`,
        `filetype`). A digest already verified answers complete (Upload-Offset = length)."""
        user_id, device_id = _owner()
        if "Upload-Defer-Length" in request.headers:
            raise ApiError(400, "defer_length_unsupported", "Send Upload-Length.",
                           "Upload-Defer-Length")
        length = tus.integer(request.headers.get("Upload-Length"), "Upload-Length")
        upload = uploads.create(user_id, device_id, length,
                                request.headers.get("Upload-Metadata"))
        if upload.state == "open" and upload.received == 0 and request.content_length:
            upload = _append(upload.id, user_id, device_id, 0)  # creation-with-upload
        response = _progress(Response(status=201), upload)
        response.headers["Location"] = url_for("uploads.UploadItem", upload_id=upload.id)
        return response


@blp.route("/<upload_id>")
class UploadItem(MethodView):
    @allow(*UPLOADERS)
    @blp.response(200)
    def head(self, upload_id):
        """Where the upload stands: Upload-Offset and Upload-Length (only its owner)."""
        user_id, device_id = _owner()
        upload = uploads.status(upload_id, user_id, device_id)
        response = _progress(Response(status=200), upload)
        response.headers["Upload-Length"] = str(upload.length)
        response.headers["Cache-Control"] = "no-store"
        if upload.upload_metadata:
            response.headers["Upload-Metadata"] = upload.upload_metadata
        return response

    @allow(*UPLOADERS)
    @accepts(tus.OFFSET_OCTET_STREAM)
    @blp.response(204)
    @blp.alt_response(409, description="Upload-Offset is not where the upload stands")
    @blp.alt_response(460, description="The chunk does not match Upload-Checksum")
    def patch(self, upload_id):
        """Append the body at Upload-Offset; the last byte verifies and stores the photo."""
        user_id, device_id = _owner()
        if request.mimetype != tus.OFFSET_OCTET_STREAM:
            raise _wrong_type()
        offset = tus.integer(request.headers.get("Upload-Offset"), "Upload-Offset")
        if offset is None:
            raise ApiError(400, "invalid_header", "Upload-Offset is required.", "Upload-Offset")
        upload = _append(upload_id, user_id, device_id, offset)
        return _progress(Response(status=204), upload)

    @allow(*UPLOADERS)
    @blp.response(204)
    def delete(self, upload_id):
        """Terminate the upload and delete what was stored of it."""
        uploads.terminate(upload_id, *_owner())
        return Response(status=204)


def _owner() -> tuple[int, int | None]:
    """The caller's user and device ids: an upload belongs to both."""
    principal = access.current()
    return principal.user.id, principal.device.id if principal.device else None


def _append(upload_id: str, user_id: int, device_id: int | None, offset: int) -> UploadSession:
    """Hand the request body to the upload service, with the upload-sized body limit."""
    if request.content_length and request.mimetype != tus.OFFSET_OCTET_STREAM:
        raise _wrong_type()
    if request.content_length is None and request.headers.get("Transfer-Encoding"):
        raise ApiError(411, "length_required", "Send chunks with a Content-Length.",
                       "Content-Length")
    check = tus.checksum(request.headers.get("Upload-Checksum"))
    request.max_content_length = current_app.config["MEDIA_MAX_UPLOAD_BYTES"]
    return uploads.append(upload_id, user_id, device_id, offset, request.stream,
                          request.content_length or 0, check)


def _wrong_type() -> ApiError:
    """415: tus chunks travel as application/offset+octet-stream."""
    return ApiError(415, "unsupported_media_type", f"Send the body as "
                    f"{tus.OFFSET_OCTET_STREAM}.", "Content-Type")


def _progress(response: Response, upload: UploadSession) -> Response:
    """Upload-Offset, and Upload-Expires while the upload is open."""
    response.headers["Upload-Offset"] = str(upload.received)
    if upload.state == "open":
        response.headers["Upload-Expires"] = http_date(upload.expires_at)
    return response
