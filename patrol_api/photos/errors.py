"""The HTTP answer to a photo the pipeline refused: the MediaError code, a fitting status."""
from media import errors as media
from media.errors import MediaError
from patrol_api.errors import ApiError

STATUS = {
    media.TOO_LARGE: 413,
    media.EMPTY_FILE: 422,
    media.TOO_MANY_PIXELS: 422,
    media.DECODE_TOO_LARGE: 422,
    media.TOO_MANY_SCANS: 422,
    media.TOO_MANY_SEGMENTS: 422,
    media.UNSUPPORTED_TYPE: 415,
    media.CORRUPT_IMAGE: 422,
    media.INVALID_DIGEST: 400,
    media.DIGEST_MISMATCH: 422,
}


def refused(error: MediaError, field: str | None = "file") -> ApiError:
    """The ApiError for a refused photo; its code is the pipeline's (`corrupt_image`, ...)."""
    field = "sha256" if error.code in (media.INVALID_DIGEST, media.DIGEST_MISMATCH) else field
    return ApiError(STATUS.get(error.code, 422), error.code, error.message, field)
