"""The export guard on any text: nothing a spreadsheet evaluates, nothing XML forbids, the rest
untouched; numbers stay numbers. The exports themselves are tested in test_exports.py."""
import io
import re
from datetime import date

from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from patrol_api.spreadsheet import append, safe_cell, safe_row, safe_text

TRIGGERS = tuple("=+-@\t\r\uff1d\uff0b\uff0d\uff20")
XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
ANY_TEXT = st.text(st.characters(min_codepoint=0), max_size=40)
HOSTILE = st.builds(lambda lead, text: lead + text,
                    st.sampled_from([*TRIGGERS, "\x00", "\x01", "\x1b", "\ud800", "\uffff", ""]),
                    ANY_TEXT)


@given(HOSTILE)
def test_guarded_text_is_inert_and_well_formed(text):
    safe = safe_text(text)
    assert not safe.startswith(TRIGGERS)
    assert not XML_FORBIDDEN.search(safe)
    assert safe_text(safe) == safe  # guarding twice changes nothing more


@given(HOSTILE)
def test_forbidden_characters_are_replaced_and_a_leading_trigger_quoted(text):
    replaced = XML_FORBIDDEN.sub("\ufffd", text)
    assert safe_text(text) == ("'" + replaced if replaced.startswith(TRIGGERS) else replaced)


@given(st.text(st.characters(exclude_categories=("Cs",)), max_size=40).filter(
    lambda t: not t.startswith(TRIGGERS) and not XML_FORBIDDEN.search(t)))
def test_harmless_text_is_unchanged(text):
    assert safe_text(text) == text


@given(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.dates()))
def test_other_values_pass_unchanged(value):
    assert safe_cell(value) is value


def test_the_issues_examples():
    assert safe_row(['=HYPERLINK("http://x","y")', "2조\x01", "\x0f", -3, 0.5, None, "-",
                     "+82", "@A1", "\t1", "\r1", "a=b", "", date(2026, 7, 1)]) == [
        '\'=HYPERLINK("http://x","y")', "2조\ufffd", "\ufffd", -3, 0.5, None, "'-", "'+82",
        "'@A1", "'\t1", "'\r1", "a=b", "", date(2026, 7, 1)]
    assert safe_text("\x01=1+1") == "\ufffd=1+1"  # a replaced control is no trigger


@given(st.lists(HOSTILE.filter(bool), min_size=1, max_size=5))
def test_a_guarded_row_writes_text_cells_never_formulas(texts):
    book = Workbook()
    append(book.active, [*texts, 7, -1.5])
    out = io.BytesIO()
    book.save(out)
    cells = list(load_workbook(io.BytesIO(out.getvalue())).active.iter_rows())[0]
    assert [cell.data_type for cell in cells] == ["s"] * len(texts) + ["n", "n"]
    assert cells[-2].value == 7 and cells[-1].value == -1.5
