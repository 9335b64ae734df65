"""Writers of the report (``exports.report_document.Report``): DOCX, HTML and Markdown.

Plain functions writing to a file-like object. Every piece of user text (code names,
definitions, quotes, project and participant names) is escaped for its format: HTML
through ``html.escape``, Markdown by backslash-escaping its active characters, DOCX by
dropping the control characters XML cannot hold.
"""

from __future__ import annotations

import base64
import io
import re
from html import escape
from typing import IO, Any

from exports.report_document import (
    Block,
    Bullets,
    Facts,
    Figure,
    Paragraph,
    Quote,
    Report,
    Subheading,
    Table,
)

QUOTE_MARKS = "\"“”„«»'‘’"
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(text: str) -> str:
    return _XML_ILLEGAL.sub("", text)


def _quoted(text: str) -> str:
    """The quote in quotation marks, unless the coded text brings its own."""
    text = text.strip()
    return text if text[:1] in QUOTE_MARKS and text[-1:] in QUOTE_MARKS else f"“{text}”"


def column_widths(block: Table, total: int, char: int = 80_000) -> list[int]:
    """Widths (in the unit of ``total``, EMU in DOCX; ``char`` is about one character) for
    the columns: numbers as wide as their longest value or heading word, text sharing the
    rest by its length."""
    fixed: dict[int, int] = {}
    weights: dict[int, float] = {}
    for i, title in enumerate(block.header):
        values = [row[i] for row in block.rows]
        if i in block.numeric:
            longest = max([*(len(v) for v in values), *(len(w) for w in title.split())], default=4)
            fixed[i] = (longest + 2) * char
        else:
            longest_word = max([*(len(w) for v in values for w in v.split()), len(title)], default=4)
            average = sum(len(v) for v in values) / max(1, len(values))
            weights[i] = max(float(longest_word) + 4, 18.0, min(40.0, average ** 0.8 + 6))
    rest = max(total - sum(fixed.values()), total // 3)
    scale = rest / max(1.0, sum(weights.values()))
    widths = [fixed[i] if i in fixed else int(weights[i] * scale) for i in range(len(block.header))]
    factor = min(1.0, total / sum(widths))
    return [int(w * factor) for w in widths]


def _stamp(report: Report) -> str:
    return report.generated_at.strftime("%Y-%m-%d %H:%M UTC")


# --- DOCX --------------------------------------------------------------------------------


def write_docx(report: Report, out: IO[bytes]) -> None:
    """A Word document: headings, tables, quotes as block quotes, the pictures as PNG."""
    from docx import Document
    from docx.enum.section import WD_ORIENT, WD_SECTION
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt, RGBColor

    document = Document()
    styles = document.styles
    styles["Normal"].font.size = Pt(10.5)
    quote_style = styles["Quote"]
    quote_style.paragraph_format.left_indent = Cm(1.0)
    quote_style.paragraph_format.right_indent = Cm(0.5)
    quote_style.paragraph_format.space_after = Pt(2)
    muted = RGBColor(0x4A, 0x55, 0x5C)
    page = document.sections[0]
    page.page_width, page.page_height = Cm(21.0), Cm(29.7)
    for side in ("left_margin", "right_margin"):
        setattr(page, side, Cm(2.2))
    page.top_margin = page.bottom_margin = Cm(2.0)

    core = document.core_properties
    core.title = _clean(report.title)[:250]
    core.comments = "Kundstig report"

    document.add_heading(_clean(report.title), 0)
    meta = document.add_paragraph()
    run = meta.add_run(f"Generated {_stamp(report)} · Filters: {_clean(report.filter_text)}")
    run.font.size, run.font.color.rgb = Pt(9), muted
    if len(report.sections) > 1:
        document.add_paragraph("Contents: " + " · ".join(_clean(s.title) for s in report.sections))

    def text_width() -> int:
        section = document.sections[-1]
        return int(section.page_width - section.left_margin - section.right_margin)

    def set_orientation(landscape: bool) -> None:
        current = document.sections[-1]
        if (current.orientation == WD_ORIENT.LANDSCAPE) == landscape:
            return
        section = document.add_section(WD_SECTION.NEW_PAGE)
        section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
        short, long_ = min(current.page_width, current.page_height), max(current.page_width, current.page_height)
        section.page_width, section.page_height = (long_, short) if landscape else (short, long_)

    def styled(style_id: str, text: str = "") -> Any:
        """A paragraph in a style of the template, set by id (looking styles up by name
        walks every style of the document, which is slow for thousands of paragraphs)."""
        para = document.add_paragraph()
        para._p.get_or_add_pPr().style = style_id
        if text:
            para.add_run(text)
        return para

    def paragraph(text: str, note: bool = False) -> None:
        para = document.add_paragraph()
        run = para.add_run(_clean(text))
        if note:
            run.font.size, run.font.color.rgb, run.italic = Pt(9), muted, True

    def table(block: Table) -> None:
        size = Pt(8) if block.compact else Pt(9.5)
        grid = document.add_table(rows=1, cols=len(block.header))
        grid.style = styles["Light Grid Accent 1"]
        grid.alignment = WD_TABLE_ALIGNMENT.CENTER
        grid.autofit = False
        widths = column_widths(block, text_width())
        for column, width in zip(grid.columns, widths, strict=True):
            column.width = width
        for i, (cell, title) in enumerate(zip(grid.rows[0].cells, block.header, strict=True)):
            cell.text = ""
            run = cell.paragraphs[0].add_run(_clean(title))
            run.bold, run.font.size = True, size
            cell.width = widths[i]
            if i in block.numeric:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
        for values in block.rows:
            cells = grid.add_row().cells
            for i, (cell, value) in enumerate(zip(cells, values, strict=True)):
                cell.width = widths[i]
                para = cell.paragraphs[0]
                run = para.add_run(_clean(value))
                run.font.size = size
                run.bold = False  # the style would make the first column bold
                if i in block.numeric:
                    para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        caption = styled("Caption", _clean(block.caption))
        caption.paragraph_format.space_after = Pt(10)

    for section in report.sections:
        set_orientation(section.landscape)
        styled("Heading1", _clean(section.title))
        for block in section.blocks:
            if isinstance(block, Subheading):
                styled("Heading2", _clean(block.text))
            elif isinstance(block, Paragraph):
                paragraph(block.text, block.note)
            elif isinstance(block, Facts):
                for label, value in block.items:
                    para = styled("ListBullet")
                    para.add_run(_clean(label) + ": ").bold = True
                    para.add_run(_clean(value))
            elif isinstance(block, Bullets):
                for item in block.items:
                    styled("ListBullet", _clean(item))
            elif isinstance(block, Table):
                table(block)
            elif isinstance(block, Quote):
                styled("Quote", _quoted(_clean(block.text)))
                source = styled("Quote")
                source.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                run = source.add_run("— " + _clean(block.attribution))
                run.italic, run.font.size, run.font.color.rgb = False, Pt(8.5), muted
                source.paragraph_format.space_after = Pt(8)
            elif isinstance(block, Figure):
                picture = block.picture
                document.add_picture(io.BytesIO(picture.png()), width=min(text_width(), int(Cm(17))))
                document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
                styled("Caption", _clean(block.caption))
    set_orientation(False)
    document.save(out)


# --- HTML --------------------------------------------------------------------------------

HTML_STYLE = """
body{font:15px/1.5 "DejaVu Sans",Arial,sans-serif;color:#1d2327;background:#fbfaf7;margin:0}
main{max-width:60rem;margin:0 auto;padding:2rem 1.5rem 4rem;background:#fff}
h1{font-size:1.8rem;margin:0 0 .3rem}h2{border-bottom:2px solid #e6e1d6;padding-bottom:.2rem;margin-top:2.5rem}
h3{margin:1.6rem 0 .4rem}.meta,.note,figcaption,caption{color:#4a555c;font-size:.88rem}
nav ol{columns:2;font-size:.92rem}
table{border-collapse:collapse;margin:.6rem 0 1.2rem;width:100%;font-size:.9rem}
table.compact{font-size:.8rem}caption{caption-side:bottom;text-align:left;padding-top:.3rem}
th,td{border:1px solid #dcd6ca;padding:.3rem .45rem;vertical-align:top;text-align:left;white-space:pre-line}
th{background:#f1ede4}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
blockquote{margin:.6rem 0 .9rem 1rem;padding:.4rem .9rem;border-left:4px solid #b0467a;background:#faf5f8}
blockquote p{margin:0;white-space:pre-line}blockquote footer{color:#4a555c;font-size:.82rem;margin-top:.3rem}
figure{margin:1rem 0;overflow-x:auto}figure svg{max-width:100%;height:auto}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}dt{font-weight:600}dd{margin:0}
@media print{body{background:#fff}main{padding:0}}
"""


def _h(text: str) -> str:
    return escape(text, quote=True)


def write_html(report: Report, out: IO[bytes]) -> None:
    """One self-contained HTML file (styles and pictures inline, no scripts)."""
    parts = ['<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             f"<title>{_h(report.title)}</title><style>{HTML_STYLE}</style></head><body><main>",
             f"<h1>{_h(report.title)}</h1>",
             f'<p class="meta">Generated {_h(_stamp(report))} · Filters: {_h(report.filter_text)}</p>']
    if len(report.sections) > 1:
        parts.append('<nav aria-label="Contents"><ol>' + "".join(
            f'<li><a href="#{_h(s.key)}">{_h(s.title)}</a></li>' for s in report.sections) + "</ol></nav>")
    figure_number = 0
    for section in report.sections:
        parts.append(f'<section id="{_h(section.key)}"><h2>{_h(section.title)}</h2>')
        for block in section.blocks:
            if isinstance(block, Figure):
                figure_number += 1
                parts.append(f"<figure>{block.picture.svg(f'figure-{figure_number}')}"
                             f"<figcaption>{_h(block.caption)}</figcaption></figure>")
            else:
                parts.append(_html_block(block))
        parts.append("</section>")
    parts.append("</main></body></html>\n")
    out.write("".join(parts).encode("utf-8"))


def _html_block(block: Block) -> str:
    if isinstance(block, Subheading):
        return f"<h3>{_h(block.text)}</h3>"
    if isinstance(block, Paragraph):
        return f'<p class="note">{_h(block.text)}</p>' if block.note else f"<p>{_h(block.text)}</p>"
    if isinstance(block, Facts):
        return "<dl>" + "".join(f"<dt>{_h(k)}</dt><dd>{_h(v)}</dd>" for k, v in block.items) + "</dl>"
    if isinstance(block, Bullets):
        return "<ul>" + "".join(f"<li>{_h(item)}</li>" for item in block.items) + "</ul>"
    if isinstance(block, Quote):
        return f"<blockquote><p>{_h(_quoted(block.text))}</p><footer>— {_h(block.attribution)}</footer></blockquote>"
    if isinstance(block, Table):
        def cls(i: int) -> str:
            return ' class="n"' if i in block.numeric else ""
        head = "".join(f'<th scope="col"{cls(i)}>{_h(t)}</th>' for i, t in enumerate(block.header))
        body = "".join("<tr>" + "".join(f"<td{cls(i)}>{_h(v)}</td>" for i, v in enumerate(row)) + "</tr>"
                       for row in block.rows)
        compact = ' class="compact"' if block.compact else ""
        return (f"<table{compact}><caption>{_h(block.caption)}</caption><thead><tr>{head}</tr></thead>"
                f"<tbody>{body}</tbody></table>")
    raise TypeError(f"unknown block {block!r}")


# --- Markdown ----------------------------------------------------------------------------

_MD_INLINE = re.compile(r"([\\`*_\[\]<>|~&!#])")
_MD_LINE_START = re.compile(r"^(\s*)([-+=>]|\d+[.)])", re.MULTILINE)


def md_escape(text: str) -> str:
    """User text made inert in Markdown: emphasis, links, images, HTML, tables and code
    characters are backslash-escaped everywhere, list and quote markers at a line's start."""
    text = _MD_INLINE.sub(r"\\\1", text)
    return _MD_LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)


def _md_cell(text: str) -> str:
    return md_escape(" ".join(text.split())) or " "


def write_markdown(report: Report, out: IO[bytes]) -> None:
    """Markdown (CommonMark with GFM tables); the pictures as embedded PNG images."""
    lines = [f"# {md_escape(report.title)}", "",
             f"*Generated {_stamp(report)} · Filters: {md_escape(report.filter_text)}*", ""]
    for section in report.sections:
        lines += [f"## {md_escape(section.title)}", ""]
        for block in section.blocks:
            lines += _md_block(block)
    out.write("\n".join(lines).rstrip("\n").encode("utf-8") + b"\n")


def _md_block(block: Block) -> list[str]:
    if isinstance(block, Subheading):
        return [f"### {md_escape(block.text)}", ""]
    if isinstance(block, Paragraph):
        text = md_escape(block.text)
        return [f"*{text}*" if block.note else text, ""]
    if isinstance(block, Facts):
        return [f"- **{md_escape(k)}:** {md_escape(v)}" for k, v in block.items] + [""]
    if isinstance(block, Bullets):
        return [f"- {md_escape(item)}" for item in block.items] + [""]
    if isinstance(block, Quote):
        body = [f"> {line}" if line else ">" for line in md_escape(_quoted(block.text)).split("\n")]
        return [*body, ">", f"> — {md_escape(block.attribution)}", ""]
    if isinstance(block, Table):
        header = "| " + " | ".join(_md_cell(t) for t in block.header) + " |"
        rule = "|" + "|".join("---:" if i in block.numeric else "---" for i in range(len(block.header))) + "|"
        rows = ["| " + " | ".join(_md_cell(v) for v in row) + " |" for row in block.rows]
        return [header, rule, *rows, "", f"*{md_escape(block.caption)}*", ""]
    if isinstance(block, Figure):
        data = base64.b64encode(block.picture.png(scale=1.5)).decode("ascii")
        return [f"![{md_escape(block.picture.title)}](data:image/png;base64,{data})", "",
                f"*{md_escape(block.caption)}*", ""]
    raise TypeError(f"unknown block {block!r}")
