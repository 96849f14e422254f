"""How file answers (CSV, XLSX, SVG/PNG charts) appear in the OpenAPI document: their real
media types, each a string of bytes, instead of nothing (which generators read as JSON)."""
CSV = "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHART = ("image/svg+xml", "image/png")


def produces(blp, description: str, *mimetypes: str, status: int = 200):
    """Document an answer of a view (200 unless told) as a file of one of these media types."""
    return blp.doc(responses={str(status): {"description": description, "content": {
        mimetype: {"schema": {"type": "string", "format": "binary"}} for mimetype in mimetypes}}})
