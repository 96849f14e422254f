"""The one guard of every CSV and XLSX export: text cells made inert and printable.

Every text value written into an export passes through `safe_cell`:
- characters XML 1.0 forbids (controls other than tab, LF and CR; U+FFFE, U+FFFF; lone
  surrogates) become U+FFFD, so an XLSX can always be written and opened;
- text that a spreadsheet would read as a formula, i.e. text starting with = + - @ (or their
  full-width forms), a tab or a carriage return, gets a leading single quote (OWASP's advice
  against CSV/formula injection), so it is shown as text and never evaluated.
Numbers, dates and None pass unchanged.
"""
import re

FORMULA_TRIGGERS = frozenset("=+-@\t\r\uff1d\uff0b\uff0d\uff20")
ESCAPE = "'"
REPLACEMENT = "\ufffd"
# the complement of XML 1.0's Char production (https://www.w3.org/TR/xml/#charsets)
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def printable(text: str) -> str:
    """The text with every character XML 1.0 forbids replaced by U+FFFD."""
    return _NOT_XML.sub(REPLACEMENT, text)


def safe_text(text: str) -> str:
    """The text with XML-forbidden characters replaced and a leading formula trigger escaped."""
    text = printable(text)
    return ESCAPE + text if text[:1] in FORMULA_TRIGGERS else text


def safe_cell(value):
    """A cell value fit for an export: text through `safe_text`, anything else unchanged."""
    return safe_text(value) if isinstance(value, str) else value


def safe_row(values) -> list:
    """A row's cells through `safe_cell`."""
    return [safe_cell(value) for value in values]


def append(sheet, values) -> None:
    """Append a row to an openpyxl worksheet, every cell through `safe_cell`."""
    sheet.append(safe_row(values))
