"""The shipped browser assets: each file matches its manifest checksum, and /api/docs loads
only local scripts (ReDoc served by the app itself, unless OPENAPI_REDOC_URL overrides it)."""
import hashlib
import json
import re
from pathlib import Path

from patrol_api.http.vendor import URL_PREFIX, VENDOR_DIR

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = json.loads((VENDOR_DIR / "MANIFEST.json").read_text())
CONFIG = json.loads((ROOT / "scripts" / "vendor-assets.json").read_text())
SCRIPT_SRC = re.compile(r"<script[^>]*\bsrc\s*=\s*[\"']?([^\"' >]+)", re.IGNORECASE)


def test_every_shipped_file_matches_the_manifest():
    assert MANIFEST["files"], "the manifest lists no file"
    for name, entry in MANIFEST["files"].items():
        data = (VENDOR_DIR / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], name
        assert entry["package"] and entry["version"] and entry["license"], name
    shipped = {str(p.relative_to(VENDOR_DIR)) for p in VENDOR_DIR.rglob("*") if p.is_file()}
    assert shipped - {"MANIFEST.json"} == set(MANIFEST["files"])


def test_the_manifest_is_what_the_config_asks_for():
    wanted = {destination: (package["name"], package["version"], source)
              for package in CONFIG["packages"]
              for source, destination in package["files"].items()}
    recorded = {name: (entry["package"], entry["version"], entry["source"])
                for name, entry in MANIFEST["files"].items()}
    assert recorded == wanted
    assert Path(ROOT / CONFIG["target"]).resolve() == VENDOR_DIR


def _scripts(page: bytes) -> list[str]:
    return SCRIPT_SRC.findall(page.decode())


def test_the_docs_page_loads_only_local_scripts(client):
    page = client.get("/api/docs")
    assert page.status_code == 200
    sources = _scripts(page.data)
    assert sources, "the docs page loads no script"
    for src in sources:
        assert not re.match(r"^(https?:)?//", src, re.IGNORECASE), src
        assert src.startswith(URL_PREFIX + "/"), src
        served = client.get(src)
        assert served.status_code == 200, src
        entry = MANIFEST["files"][src.removeprefix(URL_PREFIX + "/")]
        assert hashlib.sha256(served.data).hexdigest() == entry["sha256"]
        assert served.headers["X-Content-Type-Options"] == "nosniff"
        assert "javascript" in served.mimetype
        served.close()
    policy = page.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy and "http" not in policy


def test_assets_outside_the_folder_are_not_served(client):
    for path in ("../../config.py", "..%2F..%2Fconfig.py", "redoc/../../__init__.py", "nope.js"):
        response = client.get(f"{URL_PREFIX}/{path}")
        assert response.status_code == 404, path


def test_the_redoc_url_setting_still_overrides(app_factory):
    url = "https://docs.intranet.example/redoc/redoc.standalone.js"
    other = app_factory(OPENAPI_REDOC_URL=url)
    with other.app_context():
        page = other.test_client().get("/api/docs")
    assert _scripts(page.data) == [url]
    assert "https://docs.intranet.example" in page.headers["Content-Security-Policy"]
