"""Security headers on every answer, set in one after_request hook.

- `X-Content-Type-Options: nosniff`: a browser never runs an answer as another type;
- framing refused: `X-Frame-Options: DENY` and CSP `frame-ancestors 'none'` (clickjacking);
- `Referrer-Policy: no-referrer`: URLs (ids, filters) do not leak to other sites;
- `Content-Security-Policy`: API answers load nothing (`default-src 'none'`); the docs page
  loads its shipped ReDoc (or the OPENAPI_REDOC_URL override); an answer with its own policy
  (served photos: a sandbox) keeps it, with `frame-ancestors 'none'` added;
- console pages (/console/): scripts, styles, fonts and images from here only, no inline
  script or style (`script-src 'self'`), forms posting here only; the map's tile server
  (CONSOLE_TILE_URL) is the one other image origin. Their pages are `no-store` too;
- `Cache-Control: no-store` on every /api/v1 answer (sign-in, personal data) that has no
  caching policy of its own: served photos keep their `private, max-age`, shipped assets
  their public caching.
"""
from urllib.parse import urlsplit

from flask import Response, current_app, request

API_PREFIX = "/api/v1/"
DOCS_ENDPOINT = "api-docs.openapi_redoc"
API_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
CONSOLE_BLUEPRINT = "console"
NO_FRAMING = "frame-ancestors 'none'"


def docs_policy() -> str:
    """The docs page's policy: ReDoc from here (or its configured origin), its inline styles,
    its search worker (a blob:) and the OpenAPI document from here. ReDoc's bundled schema
    compiler needs 'unsafe-eval'; the page shows public documentation only."""
    scripts = ["'self'", "'unsafe-eval'"]
    parts = urlsplit(current_app.config.get("OPENAPI_REDOC_URL") or "")
    if parts.scheme in ("http", "https") and parts.netloc:
        scripts.append(f"{parts.scheme}://{parts.netloc}")
    return ("default-src 'self'; script-src " + " ".join(scripts) + "; "
            "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; "
            "worker-src 'self' blob:; connect-src 'self'; frame-ancestors 'none'; "
            "base-uri 'none'; form-action 'none'")


def console_policy() -> str:
    """Console pages: everything from here, no inline script, tiles from CONSOLE_TILE_URL."""
    images = ["'self'", "data:"]
    parts = urlsplit(current_app.config.get("CONSOLE_TILE_URL") or "")
    if parts.scheme in ("http", "https") and parts.netloc:
        images.append(f"{parts.scheme}://{parts.netloc}")
    return ("default-src 'none'; script-src 'self'; style-src 'self'; img-src "
            + " ".join(images) + "; font-src 'self'; connect-src 'self'; "
            "frame-ancestors 'none'; base-uri 'none'; form-action 'self'")


def _policy() -> str:
    if request.endpoint == DOCS_ENDPOINT:
        return docs_policy()
    if request.blueprint == CONSOLE_BLUEPRINT:
        return console_policy()
    return API_POLICY


def apply(response: Response) -> Response:
    """Add the security headers an answer lacks (after_request)."""
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "no-referrer")
    policy = headers.get("Content-Security-Policy")
    if policy is None:
        headers["Content-Security-Policy"] = _policy()
    elif "frame-ancestors" not in policy:
        headers["Content-Security-Policy"] = f"{policy}; {NO_FRAMING}"
    if (request.path.startswith(API_PREFIX) or request.blueprint == CONSOLE_BLUEPRINT) \
            and "Cache-Control" not in headers:
        headers["Cache-Control"] = "no-store"
    return response
