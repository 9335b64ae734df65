"""A project whose every user-supplied string is hostile, and the checks that say
whether a page or a file let any of it through unescaped."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from html.parser import HTMLParser

from sqlalchemy.orm import Session

from coding.codebook import create_code
from coding.codings import add_coding
from coding.kinds import CodeKind
from coding.memos import add_memo
from coding.suggestions import Suggestion
from research.db import transaction
from research.participants import create_participant, define_attribute, set_attribute
from research.projects import create_project
from research.segmenting import Span
from research.sources import SourceKind, add_source
from research.staging import stage_upload
from research.text import BIDI_CONTROL

SCRIPT = "<script>alert(1)</script>"
ATTRIBUTE_BREAK = '"><img src=x onerror=alert(1)>'
JS_URL = "javascript:alert(1)"
MD_LINK = "[klicka](javascript:alert(1))"
TEMPLATE = "tpl{{7*7}}x"  # rendered by a template engine it would read tpl49x
RTL = "\u202egnp.exe"  # right-to-left override: "exe.png" spoofed as a picture
HOSTILE = f"{SCRIPT} {ATTRIBUTE_BREAK} {JS_URL} {MD_LINK} {TEMPLATE} {RTL}"

_JS_IN_ATTRIBUTE = re.compile(r"""(?:href|src|action|formaction|xlink:href)\s*=\s*["']?\s*javascript:""", re.I)
_MD_RAW_HTML = re.compile(r"(?<!\\)<(?:script|img)\b[^\n]{0,20}", re.I)  # "\<" is a literal "<"
_MD_JS_LINK = re.compile(r"(?<!\\)\]\(\s*javascript:", re.I)


def shown_escaped(body: str) -> bool:
    """The payload is on the page, as text (so the sweep is not vacuous)."""
    return "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def html_leaks(body: str) -> list[str]:
    """What of the payload survived unescaped in an HTML (or SVG) document."""
    found = [raw for raw in (SCRIPT, "<img src=x onerror", '"><img') if raw in body]
    if "tpl49x" in body:
        found.append("template expression evaluated")
    if _JS_IN_ATTRIBUTE.search(body):
        found.append("javascript: URL in an attribute")
    return found


class _BidiControlsInText(HTMLParser):
    """Text content holding a bidi control outside a visible mark (app/bidi_marks.py);
    form fields, titles, scripts and inline SVG keep the stored text."""

    KEEP = ("textarea", "title", "option", "script", "style", "svg")

    def __init__(self) -> None:
        super().__init__()
        self.in_mark = False
        self.keeping: str | None = None
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.in_mark = tag == "span" and ("class", "bidi-mark") in attrs
        self.keeping = tag if tag in self.KEEP else self.keeping

    def handle_endtag(self, tag: str) -> None:
        self.in_mark = False
        if tag == self.keeping or (self.keeping == "option" and tag == "select"):
            self.keeping = None

    def handle_data(self, data: str) -> None:
        if not self.in_mark and self.keeping is None and BIDI_CONTROL.search(data):
            self.found.append(data.strip()[:60])


def unmarked_bidi_controls(body: str) -> list[str]:
    """Text on an HTML page where a hidden direction control could reorder what is shown."""
    parser = _BidiControlsInText()
    parser.feed(body)
    parser.close()
    return parser.found


def markdown_leaks(body: str) -> list[str]:
    """Markdown renders inline HTML and links: both must come out as literal text."""
    found = [match.group() for match in _MD_RAW_HTML.finditer(body)]
    if _MD_JS_LINK.search(body):
        found.append("javascript: link")
    if "tpl49x" in body:
        found.append("template expression evaluated")
    return found


@dataclass(frozen=True)
class HostileProject:
    project_id: int
    ids: dict[str, int]  # url argument -> an object of the project


def seed_hostile_project(session: Session, owner_id: int, viewer_id: int | None = None) -> HostileProject:
    """Hostile names, descriptions, memos, participants and attributes, transcript
    text with speakers, source titles and file names, an upload waiting for preview
    with hostile columns, a coding of every kind that feeds the network and the
    journey, and a pending suggestion."""
    text = (f"Intervjuare: Vad hände {HOSTILE}?\n\n"
            f"Kund {HOSTILE}: Banken ringde och mäklaren {SCRIPT} hjälpte oss med lånet.\n\n"
            f"Intervjuare: Och sen?\n\nKund {HOSTILE}: Vi köpte huset {ATTRIBUTE_BREAK}.")
    table = io.StringIO()
    csv.writer(table).writerows([["id", SCRIPT, ATTRIBUTE_BREAK],
                                 ["R1", f"{TEMPLATE} svar {JS_URL}", '=HYPERLINK("http://evil.example")']])
    with transaction(session):
        project = create_project(session, owner_id=owner_id, name=f"Projekt {HOSTILE}",
                                 description=f"Beskrivning {HOSTILE}", company_name=f"Bolag {SCRIPT}",
                                 company_aliases=[ATTRIBUTE_BREAK], phase_model="six")
        person = create_participant(session, project_id=project.id, name=f"Deltagare {HOSTILE}",
                                    description=f"Om {HOSTILE}")
        attribute = define_attribute(session, project_id=project.id, name=f"Region {SCRIPT}")
        set_attribute(session, person, attribute, f"=Umeå {HOSTILE}")
        spans, offset = [], 0
        for line in text.split("\n\n"):
            speaker = line.split(":", 1)[0]
            spans.append(Span("turn", offset, offset + len(line), speaker=speaker))
            offset += len(line) + 2
        source = add_source(session, project_id=project.id, kind=SourceKind.INTERVIEW, name=f"Intervju {HOSTILE}",
                            text=text, spans=spans, original=text.encode(), original_name=f"{ATTRIBUTE_BREAK}.txt",
                            participant_id=person.id, created_by=owner_id)
        codes = {kind: create_code(session, project_id=project.id, name=f"{kind.value} {HOSTILE}", kind=kind,
                                   description=f"Definition {HOSTILE}", when_to_use=JS_URL, examples=MD_LINK,
                                   aliases=[TEMPLATE])
                 for kind in (CodeKind.ACTOR, CodeKind.GOAL, CodeKind.PHASE, CodeKind.TOUCHPOINT,
                              CodeKind.PAIN_POINT, CodeKind.THEME)}
        bank = text.index("Banken")
        codings = [add_coding(session, project_id=project.id, source_id=source.id, code_id=code.id, start=bank,
                              end=bank + 40, user_id=owner_id) for code in codes.values()]
        memo = add_memo(session, project_id=project.id, target_type="coding", target_id=codings[0].id,
                        text=f"Memo {HOSTILE}", author_id=owner_id)
        add_memo(session, project_id=project.id, target_type="project", target_id=None, text=f"Projektmemo {HOSTILE}",
                 author_id=owner_id)
        suggestion = Suggestion(project_id=project.id, source_id=source.id, start=bank, end=bank + 6,
                                code_id=None, proposed_kind=CodeKind.ACTOR.value, proposed_name=f"Förslag {SCRIPT}",
                                score=0.9, rationale=f"Skäl {HOSTILE}", suggester="actors")
        session.add(suggestion)
        session.flush()
        survey = stage_upload(session, project_id=project.id, user_id=owner_id, purpose="survey",
                              name=f"{SCRIPT}.csv", data=table.getvalue().encode())
        participants = stage_upload(session, project_id=project.id, user_id=owner_id, purpose="participants",
                                    name=f"{SCRIPT}.csv", data=table.getvalue().encode())
    ids = {"project_id": project.id, "source_id": source.id, "code_id": codes[CodeKind.ACTOR].id,
           "coding_id": codings[0].id, "memo_id": memo.id, "participant_id": person.id,
           "suggestion_id": suggestion.id, "upload_id": survey.id, "participants_upload_id": participants.id,
           "user_id": viewer_id or owner_id}
    return HostileProject(project.id, ids)
