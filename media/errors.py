"""The one exception the photo pipeline raises for refused input, with a machine-readable code."""

TOO_LARGE = "too_large"
EMPTY_FILE = "empty_file"
TOO_MANY_PIXELS = "too_many_pixels"
DECODE_TOO_LARGE = "decode_too_large"  # decoding would need more memory than allowed
TOO_MANY_SCANS = "too_many_scans"  # a progressive JPEG with more scans than allowed
TOO_MANY_SEGMENTS = "too_many_segments"  # more JPEG segments, PNG chunks or HEIC boxes
UNSUPPORTED_TYPE = "unsupported_type"
CORRUPT_IMAGE = "corrupt_image"
INVALID_DIGEST = "invalid_digest"
DIGEST_MISMATCH = "digest_mismatch"
INVALID_KEY = "invalid_key"
NOT_FOUND = "not_found"


class MediaError(Exception):
    """A photo or blob was refused: ``code`` is for machines, ``message`` for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(code, message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"
