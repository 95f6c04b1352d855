"""The 情報セキュリティ基本方針 as DOCX: one or two A4 pages in the rulebook's fonts, ready to sign and publish."""

from __future__ import annotations

import datetime as dt
import io

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from tebiki.core.basic_policy import BasicPolicy

from .policy_files import _paragraph, new_document


def render_basic_policy(model: BasicPolicy, now: dt.datetime | None = None) -> bytes:
    """The basic policy as a Word document, created *now* (default: this moment)."""
    doc = new_document()
    props = doc.core_properties
    organisation = ILLEGAL_CHARACTERS_RE.sub("", model.organisation)
    props.title = model.title
    props.subject = f"{organisation} {model.title}"
    props.author = organisation
    props.last_modified_by = "tebiki"
    props.comments = "tebiki で作成（総務省テレワークセキュリティガイドライン第5版の経営者の対策と組織の選択による）"
    props.keywords = "情報セキュリティ, 基本方針, テレワーク"
    props.category = ""
    props.language = "ja-JP"
    props.created = props.modified = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(
        tzinfo=None, microsecond=0)
    props.revision = 1

    title = doc.add_paragraph(model.title, style="Title")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for line in (model.organisation, model.date_text):
        _paragraph(doc, line, indent_mm=0, first_mm=0, align=WD_ALIGN_PARAGRAPH.RIGHT)
    for i, section in enumerate(model.sections, start=1):
        heading = doc.add_heading(f"{i}. {section.heading}", level=2)
        heading.paragraph_format.space_before = Pt(8)
        heading.paragraph_format.keep_with_next = True
        for p in section.paragraphs:
            _paragraph(doc, p.text, indent_mm=0, first_mm=4)
            for item in p.items:
                _paragraph(doc, f"・{item}", indent_mm=8, first_mm=-4)
    for line in ("", model.enacted, model.signature):
        _paragraph(doc, line, indent_mm=0, first_mm=0, align=WD_ALIGN_PARAGRAPH.RIGHT)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
