"""Reading one XML part of a checked zip archive with defusedxml."""

from __future__ import annotations

import zipfile
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from research.errors import IngestError


def read_xml_part(archive: zipfile.ZipFile, name: str, what: str) -> Element:
    """Parse ``name`` from ``archive``; ``what`` names the document kind in messages."""
    try:
        raw = archive.read(name)
    except KeyError as error:
        raise IngestError(
            f"The file is not a complete {what}: its part '{name}' is missing. Open it in "
            "its program, save it again and upload the new copy."
        ) from error
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError) as error:
        raise IngestError(
            f"The {what} is damaged and cannot be read. Open it in its program, save it again and upload the new copy."
        ) from error
    try:
        return fromstring(raw, forbid_dtd=True)
    except DefusedXmlException as error:
        raise IngestError(
            f"The {what} contains XML constructs that are refused for safety (DTDs or entities); it was not read."
        ) from error
    except ParseError as error:
        raise IngestError(
            f"The {what} is damaged: its part '{name}' is not well-formed XML. Open it in "
            "its program, save it again and upload the new copy."
        ) from error
