"""GeoReport v2's XML form of the Open311 answers, written from their JSON form.

The spec's JSON is a mapping of its XML, and this maps back: an object is an element whose children
are its fields, in order; a list named in ``ITEMS`` is an element holding one element per item
(``services`` holds ``service``s, ``service_requests`` ``request``s, ``errors`` ``error``s); any other
list repeats its element (the ``value``s of a multivaluelist). A request's attributes, an object in
JSON, are ``attribute`` elements with a ``code`` and its ``value``s, since a code need not be an XML
name. True and false are ``true`` and ``false``, null an empty element, numbers as JSON spells them.

Written with xml.etree, which escapes markup; characters XML 1.0 cannot carry at all (most C0
controls, lone surrogates, U+FFFE, U+FFFF) are dropped, so the answer is well-formed whatever an
older stored complaint holds. Nothing here reads XML: requests come form-encoded, as the spec has it.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

from starlette.responses import Response

ITEMS = {"services": "service", "service_requests": "request", "errors": "error",
         "attributes": "attribute", "values": "value"}
NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
DECLARATION = b'<?xml version="1.0" encoding="utf-8"?>\n'
MEDIA_TYPE = "text/xml; charset=utf-8"  # as GeoReport v2 names it


def document(root: str, data: dict | list) -> bytes:
    """``data`` (an answer's JSON form) as the XML document whose root element is ``root``."""
    element = ET.Element(root)
    _fill(element, data)
    return DECLARATION + ET.tostring(element, encoding="utf-8", xml_declaration=False)


def response(root: str, data: dict | list, status: int = 200) -> Response:
    return Response(document(root, data), status_code=status, media_type=MEDIA_TYPE)


def _fill(element: ET.Element, value: object) -> None:
    if isinstance(value, dict):
        for name, field in value.items():
            _child(element, name, field)
    elif isinstance(value, list):
        for item in value:
            _fill(ET.SubElement(element, ITEMS[element.tag]), item)
    else:
        element.text = _text(value)


def _child(parent: ET.Element, name: str, value: object) -> None:
    if name == "attributes" and isinstance(value, dict):  # a request's attribute values by code
        value = [{"code": code, "value": given} for code, given in value.items()]
    if isinstance(value, list) and name not in ITEMS:
        for item in value:
            _fill(ET.SubElement(parent, name), item)
    else:
        _fill(ET.SubElement(parent, name), value)


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    return NOT_IN_XML.sub("", str(value))
