"""Bad mutations a buggy or hostile phone sends, drawn by hypothesis, with the answer each must
get: refused alone (rejected, with its code and field), the rest of the push applied."""
from dataclasses import dataclass

from hypothesis import strategies as st

NUL = st.just("\x00")
LONE_SURROGATE = st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF)
# text with NUL or an unpaired surrogate somewhere in it (st.text never draws surrogates)
BAD_TEXT = st.builds(lambda before, bad, after: before + bad + after,
                     st.text(max_size=6), NUL | LONE_SURROGATE, st.text(max_size=6))

# (field, a value of the wrong JSON type) for observation.create data
WRONG_TYPES = st.sampled_from([
    ("lat", "37.525"), ("lat", True), ("lat", [37.525]), ("lat", None), ("lon", "126.925"),
    ("lon", {"value": 126.9}), ("accuracy_m", "8"), ("accuracy_m", False), ("note", 5),
    ("category_code", 7), ("site_code", ["drain-1"]), ("recorded_at", 1_780_000_000),
    ("photos", "a" * 64), ("photos", [7]),
])
TEXT_PLACES = st.sampled_from(["note", "category_code", "site_code", "key", "type", "role"])
# items that are not mutations at all: nothing in them can be read, nothing is recorded
JUNK = st.sampled_from([None, 42, "observation.create", [], True, 1.5])


@dataclass(frozen=True)
class Bad:
    """A drawn bad item: its class, where the fault is, the bad value."""

    kind: str  # "text", "type", "envelope" or "junk"
    place: str = ""
    value: object = None


BAD = st.one_of(
    st.builds(Bad, st.just("text"), TEXT_PLACES, BAD_TEXT),
    WRONG_TYPES.map(lambda pair: Bad("type", *pair)),
    st.sampled_from([Bad("envelope", "base_version", "1"), Bad("envelope", "data", [1]),
                     Bad("envelope", "seq", "7"), Bad("envelope", "id", 12345)]),
    JUNK.map(lambda value: Bad("junk", value=value)),
)


def printable(text: str) -> str:
    """A field name as errors quote it: NUL and lone surrogates as backslash escapes."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8").replace("\x00", "\\x00")


def takes_seq(bad: Bad) -> bool:
    """True when the bad item carries a readable id and seq of the phone's outbox."""
    return bad.kind in ("text", "type") or (bad.kind == "envelope"
                                            and bad.place in ("base_version", "data"))


def build(phone, bad: Bad):
    """The item for the phone, and the error (code, field) it must be rejected with."""
    if bad.kind == "junk":
        return bad.value, ("validation_error", None)
    if bad.kind == "envelope":
        item = {**phone.create(), bad.place: bad.value}
        if not takes_seq(bad):
            phone.seq -= 1  # an unreadable id or seq: the phone's next mutation takes the seq
        return item, ("validation_error", bad.place)
    item = phone.create()
    if bad.kind == "type":
        item["data"][bad.place] = bad.value
        inner = ".0" if isinstance(bad.value, list) and bad.place == "photos" else ""
        return item, ("validation_error", f"data.{bad.place}{inner}")
    if bad.place == "key":
        item["data"][bad.value] = "x"
        return item, ("validation_error", f"data.{printable(bad.value)}")
    if bad.place == "type":
        item["type"] = bad.value
        return item, ("validation_error", "type")
    if bad.place == "role":
        item["data"]["photos"] = [{"sha256": "ab" * 32, "role": bad.value}]
        return item, ("validation_error", "data.photos.0.role")
    item["data"][bad.place] = bad.value
    return item, ("validation_error", f"data.{bad.place}")


def bad_update(phone, entity_id: str, text: str):
    """An update of an existing observation whose note holds text no database stores."""
    return phone.update(entity_id, note=text), ("validation_error", "data.note")
