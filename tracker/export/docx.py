"""The brief as a Word document (python-docx), for analysts who paste it into reports: the same
parts as the Markdown brief (``brief.brief_of``), with Word's own headings, note numbers as
superscripts and the sources as a numbered list of live links."""

from __future__ import annotations

import io
from datetime import datetime

import pandas as pd
from docx import Document
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

from .brief import NO_EVENTS, Brief, BriefEvent, Note, brief_of
from .provenance import ExportMeta

LINK_COLOUR = "0563C1"  # Word's own hyperlink blue


def events_docx(frame: pd.DataFrame, meta: ExportMeta, title: str | None = None) -> bytes:
    """The brief of ``frame``'s events as a .docx file's bytes."""
    brief = brief_of(frame, meta, title)
    document = Document()
    _properties(document, brief, meta)
    document.add_heading(brief.title, level=0)
    caption = document.add_paragraph()
    caption.add_run(brief.caption).italic = True
    if not brief.events:
        document.add_paragraph(NO_EVENTS)
    for year, events in brief.years:
        document.add_heading(year, level=1)
        for event in events:
            _event(document, event)
    if brief.notes:
        document.add_heading("Sources", level=1)
        for note in brief.notes:
            _note(document, note)
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


def _event(document, event: BriefEvent) -> None:
    head = document.add_paragraph(style="List Bullet")
    head.add_run(event.when).bold = True
    head.add_run(" · ")
    head.add_run(event.title).bold = True
    head.add_run(f" · {event.status}")
    if event.notes:
        head.add_run(" ")
        head.add_run(", ".join(map(str, event.notes))).font.superscript = True
    lines = [event.category]
    if event.description:
        lines.append(event.description)
    facts = []
    if event.actors:
        facts.append("Actors: " + ", ".join(event.actors))
    if event.resolutions:
        facts.append("UN resolutions: " + ", ".join(event.resolutions))
    if facts:
        lines.append(" · ".join(facts))
    body = document.add_paragraph(style="List Continue")
    for i, line in enumerate(lines):
        run = body.add_run(line)
        if i == 0:
            run.font.color.rgb = RGBColor(0x55, 0x55, 0x55)
            run.font.size = Pt(9)
        if i < len(lines) - 1:
            run.add_break()


def _note(document, note: Note) -> None:
    paragraph = document.add_paragraph(style="List Number")
    if note.name:
        paragraph.add_run(f"{note.name}: ")
    _hyperlink(paragraph, note.url, note.url)
    if note.archive:
        paragraph.add_run(" (")
        _hyperlink(paragraph, note.archive, "archived")
        paragraph.add_run(")")


def _hyperlink(paragraph, url: str, text: str) -> None:
    """A live link: python-docx has no call for one, so it is built from its XML parts."""
    rel_id = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
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
