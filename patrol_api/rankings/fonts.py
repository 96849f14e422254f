"""The Korean font charts are drawn with: a configured file, else a known family installed.

PNG charts need real Hangul glyphs (otherwise matplotlib draws empty boxes), so without a
Korean font a PNG is refused with a structured error. SVG keeps text as text and names a list
of fonts for the viewer, so it works without one.
"""
import os
import threading
from pathlib import Path

from flask import current_app

from patrol_api.errors import ApiError

# Families tried in order; fonts-nanum (Debian) installs the first two.
KNOWN = ("NanumGothic", "NanumBarunGothic", "Noto Sans CJK KR", "Noto Sans KR",
         "Malgun Gothic", "Apple SD Gothic Neo", "AppleGothic", "UnDotum", "Baekmuk Gulim")
FILE_HINTS = ("nanum", "notosanscjk", "notosanskr", "malgun", "applegothic", "undotum",
              "baekmuk")
FALLBACK = ["DejaVu Sans", "sans-serif"]
_found: dict[str, str | None] = {}
_lock = threading.Lock()


def has_hangul(path: str) -> bool:
    """Whether the font file has a glyph for 가 (U+AC00)."""
    from matplotlib.ft2font import FT2Font

    try:
        return FT2Font(path).get_char_index(0xAC00) != 0
    except (OSError, RuntimeError):
        return False


def _candidates() -> list[str]:
    """Installed font files whose names look Korean, best known family first."""
    from matplotlib import font_manager

    files = [path for path in font_manager.findSystemFonts()
             if any(hint in Path(path).name.lower().replace("-", "").replace("_", "")
                    for hint in FILE_HINTS)]
    def order(path: str) -> tuple:
        name = Path(path).stem.lower()
        known = [i for i, family in enumerate(KNOWN)
                 if family.lower().replace(" ", "") in name.replace("-", "")]
        return (known[0] if known else len(KNOWN), "bold" in name, name)
    return sorted(files, key=order)


def _register(path: str) -> str:
    """Add a font file to matplotlib; its family name."""
    from matplotlib import font_manager

    font_manager.fontManager.addfont(path)
    return font_manager.FontProperties(fname=path).get_name()


def korean_family() -> str | None:
    """The family name of a usable Korean font (RANKING_CHART_FONT, else found), or None."""
    configured = (current_app.config.get("RANKING_CHART_FONT")
                  or os.environ.get("RANKING_CHART_FONT") or "")
    with _lock:
        if configured not in _found:
            paths = [configured] if configured else _candidates()
            usable = next((path for path in paths if Path(path).is_file() and has_hangul(path)),
                          None)
            _found[configured] = _register(usable) if usable else None
        return _found[configured]


def families(required: bool) -> list[str]:
    """The font family list for a chart; 503 `chart_font_missing` when required and none."""
    family = korean_family()
    if family is None and required:
        raise ApiError(503, "chart_font_missing",
                       "No Korean font is installed for PNG charts (한글 글꼴 없음): install "
                       "fonts-nanum (apt-get install fonts-nanum) or set RANKING_CHART_FONT "
                       "to a .ttf/.otf file with Hangul, or ask for SVG.", "format")
    viewer_fonts = [name for name in KNOWN if name != family]
    return ([family] if family else []) + viewer_fonts + FALLBACK
