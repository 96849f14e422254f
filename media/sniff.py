"""Tell an image's format from its first bytes, never from a file name or a declared type."""

from media.errors import UNSUPPORTED_TYPE, MediaError

HEAD_BYTES = 64
MIME_TYPES = {
    "JPEG": "image/jpeg",
    "PNG": "image/png",
    "WEBP": "image/webp",
    "HEIF": "image/heic",
}
# ISO-BMFF brands of HEVC-coded HEIF; "mif1"/"msf1" alone could be AVIF or JPEG-in-HEIF.
HEVC_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx"})


def sniff_format(head: bytes) -> str:
    """Return the Pillow format name ("JPEG", "PNG", "WEBP", "HEIF") of the allow-listed type."""
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    if _ftyp_brands(head) & HEVC_BRANDS:
        return "HEIF"
    raise MediaError(UNSUPPORTED_TYPE, "not a JPEG, PNG, WebP or HEIC image")


def _ftyp_brands(head: bytes) -> set[bytes]:
    """The major and compatible brands of a leading ISO-BMFF ``ftyp`` box, if there is one."""
    if head[4:8] != b"ftyp":
        return set()
    end = min(int.from_bytes(head[:4], "big"), len(head))
    compatible = {head[i : i + 4] for i in range(16, end - 3, 4)}
    return {head[8:12]} | compatible
