"""Building a pack: the content from the registered sections, then the three renderings.

`build_content` asks every registered section for its blocks; `render_html`, `render_pdf`
and `render_docx` turn that content into the web page body, the PDF and the Word document.
The PDF is made by WeasyPrint from self-contained HTML (styles inline, charts as data URIs,
no images or fonts fetched): any attempt to fetch a URL is refused, so building never
touches the network. It is a tagged PDF/UA-1 document (language, title, structure, alt text
on the charts), because it is the copy a board member with a screen reader gets.
"""

from __future__ import annotations

import base64
import io
import logging
from collections.abc import Callable
from datetime import date
from typing import Any

from django.template.loader import render_to_string

from dathub.core import clock

from .numbers import cell_text, number_text
from .registry import (
    BOARD_PACK,
    MANAGEMENT_REVIEW,
    REVIEW_HEADINGS,
    PackContext,
    sections_for,
)

log = logging.getLogger("dathub.reporting")
SCHEMA = "dathub.boardpack/1"
Progress = Callable[[int, str], None]

TAG_COLOURS = {"green", "blue", "orange", "red", "grey", "yellow", "purple"}


def _safe_build(section: Any, partnership: Any, ctx: PackContext) -> dict[str, Any]:
    """A section that fails does not sink the pack: it says it could not be built."""
    try:
        data = section.build(partnership, ctx)
    except Exception:
        log.exception("board pack section %s failed", section.key)
        return {
            "blocks": [
                {
                    "type": "note",
                    "text": "This section could not be built. The support team has been "
                    "told; build the pack again later.",
                }
            ],
            "failed": True,
        }
    data.setdefault("blocks", [])
    return data


def build_content(
    partnership: Any,
    ctx: PackContext,
    *,
    title: str,
    narrative: dict[str, str] | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """The pack as JSON: cover details and the numbered sections with their blocks."""
    narrative = narrative or {}
    registered = sections_for(ctx.kind)
    built: dict[str, dict[str, Any]] = {}
    for i, section in enumerate(registered, start=1):
        if progress:
            progress(
                10 + int(50 * (i - 1) / max(len(registered), 1)), f"Building ‘{section.title}’"
            )
        built[section.key] = _safe_build(section, partnership, ctx)
    sections: list[dict[str, Any]] = []
    if ctx.kind == MANAGEMENT_REVIEW:
        for key, heading, guidance in REVIEW_HEADINGS:
            blocks: list[dict[str, Any]] = []
            for section in registered:
                if section.review_heading == key:
                    blocks.append({"type": "heading", "text": section.title})
                    blocks.extend(built[section.key]["blocks"])
            sections.append(
                {
                    "key": key,
                    "title": heading,
                    "guidance": guidance,
                    "narrative": (narrative.get(key) or "").strip(),
                    "blocks": blocks,
                    "template": "reporting/sections/blocks.html",
                }
            )
    else:
        for section in registered:
            sections.append(
                {
                    "key": section.key,
                    "title": section.title,
                    "narrative": None,
                    "blocks": built[section.key]["blocks"],
                    "template": section.template,
                }
            )
    for number, s in enumerate(sections, start=1):
        s["number"] = number
        s["anchor"] = f"section-{number}"
    body = ctx.body
    return {
        "schema": SCHEMA,
        "kind": ctx.kind,
        "kind_label": "Six-monthly management review"
        if ctx.kind == MANAGEMENT_REVIEW
        else "Board pack",
        "title": title,
        "partnership": {"name": partnership.name, "code": partnership.code},
        "body": body.name if body is not None else "",
        "meeting_date": ctx.meeting_date.isoformat(),
        "as_at": ctx.as_at.isoformat(),
        "since": ctx.since.isoformat() if ctx.since else None,
        "generated_at": clock.now().isoformat(timespec="seconds"),
        "built_by": str(ctx.actor) if ctx.actor is not None else "",
        "sections": sections,
    }


def _dates(content: dict[str, Any]) -> dict[str, date | None]:
    def d(value: str | None) -> date | None:
        return date.fromisoformat(value) if value else None

    return {
        "meeting_date": d(content.get("meeting_date")),
        "as_at": d(content.get("as_at")),
        "since": d(content.get("since")),
    }


def render_html(content: dict[str, Any]) -> str:
    """The pack's document body (cover, contents, sections), for the page and the PDF."""
    return render_to_string(
        "reporting/document.html", {"content": content, **_dates(content)}
    ).strip()


def _refuse_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    head, _, data = url.partition(",")
    if head.startswith("data:image/") and head.endswith(";base64"):
        # a chart carried in the page itself: decoded here, nothing is fetched
        return {"string": base64.b64decode(data), "mime_type": head[5:-7]}
    raise ValueError(f"board packs are rendered without fetching anything ({url[:40]})")


PDF_VARIANT = "pdf/ua-1"  # tagged for screen readers; needs the language and title


def render_pdf(content: dict[str, Any], html: str) -> bytes:
    from weasyprint import HTML

    page = render_to_string(
        "reporting/print.html", {"content": content, "document": html, **_dates(content)}
    )
    document = HTML(string=page, url_fetcher=_refuse_fetch, base_url=None)
    return bytes(document.write_pdf(pdf_variant=PDF_VARIANT))


# --- Word -------------------------------------------------------------------------------------


def _docx_table(doc: Any, block: dict[str, Any]) -> None:
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    columns = block.get("columns", [])
    rows = block.get("rows", [])
    if block.get("caption"):
        cap = doc.add_paragraph()
        cap.add_run(block["caption"]).bold = True
        cap.paragraph_format.keep_with_next = True  # the caption stays with its table
    table = doc.add_table(rows=1, cols=max(len(columns), 1))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    header = table.rows[0]
    # the header row is marked as such: repeated on every page and read as headers
    header_props = header._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    header_props.append(repeat)
    for i, name in enumerate(columns):
        cell = header.cells[i]
        cell.text = str(name)
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in rows:
        cells = table.add_row().cells
        for i, value in enumerate(row[: len(columns)]):
            cells[i].text = cell_text(value)
    doc.add_paragraph()


def _docx_chart(doc: Any, block: dict[str, Any]) -> None:
    from docx.shared import Cm

    png = base64.b64decode(block.get("png", ""))
    shape = doc.add_picture(io.BytesIO(png), width=Cm(16))
    # Word's alt text is the drawing's descr: what a screen reader says for the picture
    shape._inline.docPr.set("descr", block.get("alt", ""))
    doc.paragraphs[-1].paragraph_format.keep_with_next = True
    _docx_table(doc, block.get("table", {}))


def _docx_blocks(doc: Any, blocks: list[dict[str, Any]]) -> None:
    from docx.shared import Pt

    for block in blocks:
        kind = block.get("type")
        if kind == "heading":
            doc.add_heading(block.get("text", ""), level=2)
        elif kind == "paragraph":
            doc.add_paragraph(block.get("text", ""))
        elif kind == "note":
            p = doc.add_paragraph(block.get("text", ""))
            p.paragraph_format.left_indent = Pt(18)
            for run in p.runs:
                run.italic = True
        elif kind == "list":
            for item in block.get("items", []):
                doc.add_paragraph(str(item), style="List Bullet")
        elif kind == "figures":
            for item in block.get("items", []):
                p = doc.add_paragraph()
                p.add_run(f"{number_text(item.get('value'))} ").bold = True
                p.add_run(str(item.get("label", "")))
        elif kind == "table":
            _docx_table(doc, block)
        elif kind == "chart":
            _docx_chart(doc, block)


def render_docx(content: dict[str, Any]) -> bytes:
    from docx import Document
    from docx.shared import Pt

    dates = _dates(content)
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "Arial"  # type: ignore[attr-defined]
    style.font.size = Pt(11)  # type: ignore[attr-defined]
    doc.core_properties.title = content.get("title", "")
    doc.core_properties.subject = content.get("kind_label", "")
    doc.core_properties.language = "en-GB"
    doc.add_paragraph(content["partnership"]["name"])
    doc.add_heading(content.get("title", ""), level=0)
    meeting = dates["meeting_date"]
    doc.add_paragraph(
        f"{content.get('kind_label', '')} for {content.get('body', '')}"
        + (f", meeting of {meeting:%-d %B %Y}" if meeting else "")
    )
    as_at = dates["as_at"]
    if as_at:
        doc.add_paragraph(f"Figures as at {as_at:%-d %B %Y}.")
        # and at the top of every page, as in the PDF: a page read alone still says it
        doc.sections[0].header.paragraphs[
            0
        ].text = f"{content.get('title', '')}. Figures as at {as_at:%-d %B %Y}."
    doc.add_heading("Contents", level=1)
    for s in content.get("sections", []):
        doc.add_paragraph(f"{s['number']}. {s['title']}")
    for s in content.get("sections", []):
        doc.add_page_break()
        doc.add_heading(f"{s['number']}. {s['title']}", level=1)
        if s.get("narrative") is not None:
            if s["narrative"]:
                for para in s["narrative"].split("\n"):
                    if para.strip():
                        doc.add_paragraph(para.strip())
            else:
                doc.add_paragraph("No narrative has been written for this heading.")
        _docx_blocks(doc, s.get("blocks", []))
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def is_known_kind(kind: str) -> bool:
    return kind in {BOARD_PACK, MANAGEMENT_REVIEW}
