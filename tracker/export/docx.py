"""The brief as a Word document (python-docx), for analysts who paste it into reports: the same
parts as the Markdown brief (``brief.brief_of``), with Word's own headings, note numbers as
superscripts and the sources as a numbered list of live links."""

from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import datetime

import pandas as pd
from docx import Document
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor
from docx.text.paragraph import Paragraph

from ..errors import TrackerError
from .brief import NO_EVENTS, Brief, BriefEvent, Note, brief_of
from .provenance import ExportMeta

LINK_COLOUR = "0563C1"  # Word's own hyperlink blue
DOCX_LIMIT = 5_000  # events in a Word brief: python-docx takes about 3 ms an event


def events_docx(
    frame: pd.DataFrame, meta: ExportMeta, title: str | None = None, changes: Mapping[str, str] | None = None
) -> bytes:
    """The brief of ``frame``'s events as a .docx file's bytes (at most DOCX_LIMIT events)."""
    if len(frame) > DOCX_LIMIT:
        raise TrackerError(
            f"a Word brief holds at most {DOCX_LIMIT:,} events; this view has {len(frame):,}",
            "narrow the filters, or write the brief as Markdown: --format md",
        )
    brief = brief_of(frame, meta, title, changes)
    document = Document()
    styles = _Paragraphs(document)
    _properties(document, brief, meta)
    document.add_heading(brief.title, level=0)
    caption = document.add_paragraph()
    caption.add_run(brief.caption).italic = True
    if not brief.events:
        document.add_paragraph(NO_EVENTS)
    for year, events in brief.years:
        document.add_heading(year, level=1)
        for event in events:
            _event(document, event, styles)
    if brief.notes:
        document.add_heading("Sources", level=1)
        links = _Links(document)
        for note in brief.notes:
            _note(document, note, styles, links)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _properties(document, brief: Brief, meta: ExportMeta) -> None:
    props = document.core_properties
    props.title = brief.title
    props.subject = brief.caption
    props.author = props.last_modified_by = "sanctions-tracker"
    props.comments = f"{meta.data_file} @ {meta.data_version}"
    generated = datetime.fromisoformat(meta.generated.replace("Z", "+00:00"))
    props.created = props.modified = generated.replace(tzinfo=None)
    props.revision = 1


class _Paragraphs:
    """Paragraphs in the list styles, made in constant time. python-docx's ``add_paragraph``
    looks for the body's section properties among all its children, and a style up by name
    (checking it against the default by scanning every style), for each paragraph: a brief of
    a few thousand events took minutes. The style ids are looked up once, and each paragraph is
    put straight before the section properties."""

    def __init__(self, document):
        self.ids = {name: document.styles[name].style_id for name in ("List Bullet", "List Continue", "List Number")}
        self.body = document._body
        self.end = document.element.body.sectPr

    def paragraph(self, document, name: str) -> Paragraph:
        element = OxmlElement("w:p")
        if self.end is not None:
            self.end.addprevious(element)
        else:
            document.element.body.append(element)
        element.style = self.ids[name]  # (the paragraph's w:pStyle)
        return Paragraph(element, self.body)


class _Links:
    """Hyperlink relationships with ids of their own: python-docx's ``relate_to`` scans every
    relationship the part has for each new one, which grows with the square of the sources."""

    def __init__(self, document):
        self.rels, self.count = document.part.rels, 0

    def add(self, url: str) -> str:
        self.count += 1
        rel_id = f"rIdLink{self.count}"
        self.rels.add_relationship(RELATIONSHIP_TYPE.HYPERLINK, url, rel_id, is_external=True)
        return rel_id


def _event(document, event: BriefEvent, styles: _Paragraphs) -> None:
    head = styles.paragraph(document, "List Bullet")
    head.add_run(event.when).bold = True
    head.add_run(" · ")
    head.add_run(event.title).bold = True
    head.add_run(f" · {event.status}")
    if event.notes:
        head.add_run(" ")
        head.add_run(", ".join(map(str, event.notes))).font.superscript = True
    lines = [event.category]
    if event.change:
        lines.append(event.change)
    if event.description:
        lines.append(event.description)
    facts = []
    if event.actors:
        facts.append("Actors: " + ", ".join(event.actors))
    if event.resolutions:
        facts.append("UN resolutions: " + ", ".join(event.resolutions))
    if facts:
        lines.append(" · ".join(facts))
    body = styles.paragraph(document, "List Continue")
    for i, line in enumerate(lines):
        run = body.add_run(line)
        if i == 0:
            run.font.color.rgb = RGBColor(0x55, 0x55, 0x55)
            run.font.size = Pt(9)
        run.italic = bool(event.change) and i == 1
        if i < len(lines) - 1:
            run.add_break()


def _note(document, note: Note, styles: _Paragraphs, links: _Links) -> None:
    paragraph = styles.paragraph(document, "List Number")
    if note.name:
        paragraph.add_run(f"{note.name}: ")
    _hyperlink(paragraph, links.add(note.url), note.url)
    if note.archive:
        paragraph.add_run(" (")
        _hyperlink(paragraph, links.add(note.archive), "archived")
        paragraph.add_run(")")


def _hyperlink(paragraph, rel_id: str, text: str) -> None:
    """A live link: python-docx has no call for one, so it is built from its XML parts."""
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rel_id)
    run = OxmlElement("w:r")
    props = OxmlElement("w:rPr")
    colour = OxmlElement("w:color")
    colour.set(qn("w:val"), LINK_COLOUR)
    underline = OxmlElement("w:u")
    underline.set(qn("w:val"), "single")
    props.extend([colour, underline])
    text_element = OxmlElement("w:t")
    text_element.text = text
    text_element.set(qn("xml:space"), "preserve")
    run.extend([props, text_element])
    link.append(run)
    paragraph._p.append(link)
