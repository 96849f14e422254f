"""Open311 answers as JSON or XML (the spec's element names)."""
from datetime import datetime
from xml.etree import ElementTree as ET

from flask import Response, json

from patrol_api.findings.calendar import SEOUL

JSON_TYPE, XML_TYPE = "application/json", "text/xml"
# root element -> element of each item, for list answers
LISTS = {"services": "service", "service_requests": "request", "errors": "error",
         "attributes": "attribute", "values": "value", "endpoints": "endpoint",
         "formats": "format", "keywords": "keyword"}


def w3c(moment: datetime | None) -> str | None:
    """A time as W3C date-time with the Seoul offset (the spec's format)."""
    return moment.astimezone(SEOUL).isoformat(timespec="seconds") if moment else None


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _element(name: str, value) -> ET.Element:
    """An element of a value: dicts become children, lists repeated items."""
    node = ET.Element(name)
    if isinstance(value, dict):
        for key, item in value.items():
            node.append(_element(key, item))
    elif isinstance(value, list):
        child = LISTS.get(name, "item")
        for item in value:
            node.append(_element(child, item))
    else:
        node.text = _text(value)
    return node


def answer(fmt: str, root: str, value, status: int = 200) -> Response:
    """The value as JSON (as is) or XML under `root`."""
    if fmt == "xml":
        body = ('<?xml version="1.0" encoding="utf-8"?>'
                + ET.tostring(_element(root, value), encoding="unicode"))
        return Response(body, status, content_type=f"{XML_TYPE}; charset=utf-8")
    text = json.dumps(value, ensure_ascii=False)
    return Response(text, status, content_type=f"{JSON_TYPE}; charset=utf-8")
