"""Escaped HTML and Markdown for the web app: answers, sources, evidence, exports.

Every string that comes from a document or a model goes through :func:`inert`
before it reaches the browser, so ``<script>``, Markdown links and images, and
template syntax show as text and never run or load anything.
"""

from __future__ import annotations

import re
import string
from collections.abc import Sequence

from sarcolit.core.models import Answer, AnswerTable, Citation, TableCell
from sarcolit.retrieval import REFUSAL

CONTEXT_CHARS = 400
"""Characters of the surrounding paragraph shown on each side of a quote."""

_MARKER = re.compile(r"\[(\d+)\]")
# Every ASCII punctuation character becomes a numeric entity: HTML, Markdown
# (links, images, emphasis, lists, autolinks) and ${...} templates all need
# punctuation to do anything, and an entity renders as the same character.
_ENTITIES = {ord(c): f"&#{ord(c)};" for c in string.punctuation}
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#!|~])")


def inert(text: str) -> str:
    """Return ``text`` as HTML that shows every character and runs nothing."""
    return text.translate(_ENTITIES).replace("\n", "<br>")


def md_escape(text: str) -> str:
    """Return ``text`` with Markdown syntax backslash-escaped, for exported files."""
    return _MD_SPECIAL.sub(r"\\\1", text).replace("\n", " ")


def anchor(turn: int, citation_id: int, related: bool = False) -> str:
    """Return the element id of a turn's cited (or related) passage."""
    return f"{'rel' if related else 'src'}-{turn}-{citation_id}"


def _marker_link(turn: int, number: str, known: set[int]) -> str:
    if int(number) not in known:
        return inert(f"[{number}]")
    target = anchor(turn, int(number))
    return (
        f'<a class="cite" href="#{target}" data-src="{target}" '
        f'title="Show source {number}">&#91;{number}&#93;</a>'
    )


def answer_html(answer: Answer, turn: int) -> str:
    """Return the chat message of an answer: escaped text, markers as anchors."""
    if answer.refused:
        hint = (
            "<br>The closest passages are listed under Related passages."
            if answer.related
            else ""
        )
        notes = "".join(f'<div class="note">{inert(n)}</div>' for n in answer.notes)
        return (
            f'<div class="refusal"><strong>{inert(REFUSAL)}</strong>{hint}</div>{notes}'
        )
    known = {c.id for c in answer.citations}
    labels = [s.label for s in answer.sentences if s.label]
    lines = "".join(
        _line_html(line, turn, known, labels) for line in answer.answer.splitlines()
    )
    notes = "".join(f'<div class="note">{inert(n)}</div>' for n in answer.notes)
    table = table_html(answer.table, turn, known) if answer.table else ""
    return f'<div class="answer">{lines}</div>{table}{notes}'


def _line_html(line: str, turn: int, known: set[int], labels: list[str]) -> str:
    """Return one line of an answer; a synthesis line's trial label in bold."""
    label = next((x for x in labels if line.startswith(x + ":")), "")
    rest = line[len(label) + 1 :] if label else line
    parts = _MARKER.split(rest)
    pieces = [
        _marker_link(turn, part, known) if i % 2 else inert(part)
        for i, part in enumerate(parts)
    ]
    head = f"<strong>{inert(label)}</strong>:" if label else ""
    return f'<div class="line">{head}{"".join(pieces)}</div>'


def _cell_html(cell: TableCell, turn: int, known: set[int]) -> str:
    links = "".join(_marker_link(turn, str(n), known) for n in cell.citations)
    return f"<td>{inert(cell.text)}{' ' + links if links else ''}</td>"


def table_html(table: AnswerTable, turn: int, known: set[int]) -> str:
    """Return an answer's table: a label column, value columns, cited cells.

    A comparison's table has the compared regimens or reports as its columns,
    side by side.
    """
    head = "".join(f'<th scope="col">{inert(c)}</th>' for c in table.columns)
    rows = "".join(
        f'<tr><th scope="row">{inert(row.label)}</th>'
        + "".join(_cell_html(cell, turn, known) for cell in row.cells)
        + "</tr>"
        for row in table.rows
    )
    return (
        '<div class="synthesis-table"><table>'
        f'<thead><tr><th scope="col">{inert(table.label)}</th>{head}</tr></thead>'
        f"<tbody>{rows}</tbody></table></div>"
    )


def table_markdown(table: AnswerTable) -> list[str]:
    """Return an answer's table as Markdown lines (cells cite as [n])."""

    def cell(c: TableCell) -> str:
        cited = "".join(f"[{n}]" for n in c.citations)
        return f"{md_escape(c.text)} {cited}".strip()

    lines = [
        "| " + " | ".join(md_escape(c) for c in (table.label, *table.columns)) + " |"
    ]
    lines.append("|" + "---|" * (len(table.columns) + 1))
    for row in table.rows:
        cells = [md_escape(row.label), *(cell(c) for c in row.cells)]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _clip_left(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[-limit:]
    space = cut.find(" ")
    return "… " + (cut[space + 1 :] if 0 <= space < 40 else cut)


def _clip_right(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit - 40 else cut) + " …"


def context_html(text: str, start: int, end: int, width: int = CONTEXT_CHARS) -> str:
    """Return the paragraph around ``[start, end)`` with that span in ``<mark>``.

    The offsets are used unchanged: the marked text is exactly ``text[start:end]``.
    """
    para_start = text.rfind("\n\n", 0, start)
    para_start = 0 if para_start < 0 else para_start + 2
    para_end = text.find("\n\n", end)
    para_end = len(text) if para_end < 0 else para_end
    before = _clip_left(text[para_start:start], width)
    after = _clip_right(text[end:para_end], width)
    return (
        f'<span class="ctx">{inert(before)}</span>'
        f'<mark class="quote">{inert(text[start:end])}</mark>'
        f'<span class="ctx">{inert(after)}</span>'
    )


def _place(citation: Citation) -> str:
    parts = [citation.title or citation.doc_id]
    if citation.section:
        parts.append(citation.section)
    if citation.page is not None:
        parts.append(f"p. {citation.page}")
    return " · ".join(parts)


def source_card(
    citation: Citation, text: str | None, turn: int, related: bool = False
) -> str:
    """Return one cited passage: where it is from and the quote in its paragraph."""
    grounded = text is not None and text[citation.start : citation.end] == (
        citation.quote
    )
    if grounded and text is not None:
        body = context_html(text, citation.start, citation.end)
    else:
        body = f'<mark class="quote">{inert(citation.quote)}</mark>'
    label = "" if related else f"[{citation.id}] "
    return (
        f'<div class="source" id="{anchor(turn, citation.id, related)}">'
        f'<div class="source-meta">{inert(label + _place(citation))}</div>'
        f'<p class="source-text">{body}</p></div>'
    )


def turn_sources_html(answer: Answer, turn: int, texts: dict[str, str | None]) -> str:
    """Return the sources of one answer (or its related passages when refused)."""
    head = f'<h4 class="turn-q">{inert(f"Q{turn}: {answer.question}")}</h4>'
    if not answer.refused:
        cards = [source_card(c, texts.get(c.doc_id), turn) for c in answer.citations]
        return f'<section class="turn">{head}{"".join(cards)}</section>'
    cards = [
        source_card(c, texts.get(c.doc_id), turn, related=True) for c in answer.related
    ]
    related = (
        '<h5 class="related-head">Related passages (not an answer)</h5>'
        + "".join(cards)
        if cards
        else ""
    )
    return (
        f'<section class="turn">{head}<p class="refusal">{inert(REFUSAL)}</p>'
        f"{related}</section>"
    )


def sources_html(answers: Sequence[Answer], texts: dict[str, str | None]) -> str:
    """Return the sources panel: the latest answer's sources first."""
    if not answers:
        return (
            '<p class="empty">Cited passages appear here, the quoted words '
            "highlighted in their paragraph.</p>"
        )
    turns = [
        turn_sources_html(answer, turn, texts)
        for turn, answer in enumerate(answers, start=1)
    ]
    return '<div class="sources">' + "".join(reversed(turns)) + "</div>"


def chat_messages(answers: Sequence[Answer]) -> list[dict[str, str]]:
    """Return the conversation in Gradio's messages format."""
    messages: list[dict[str, str]] = []
    for turn, answer in enumerate(answers, start=1):
        messages.append({"role": "user", "content": inert(answer.question)})
        messages.append({"role": "assistant", "content": answer_html(answer, turn)})
    return messages


def _citation_line(citation: Citation, label: str) -> list[str]:
    page = f", p. {citation.page}" if citation.page is not None else ""
    section = f" — {md_escape(citation.section)}" if citation.section else ""
    return [
        f"- {label}{md_escape(citation.title)}{section}{page} "
        f"(`{citation.doc_id}` [{citation.start}, {citation.end}))",
        f"  > {md_escape(citation.quote)}",
    ]


def conversation_markdown(answers: Sequence[Answer]) -> str:
    """Return the conversation as Markdown, each answer with its citations."""
    lines = ["# sarcolit conversation", ""]
    for turn, answer in enumerate(answers, start=1):
        lines += [f"## Q{turn}: {md_escape(answer.question)}", ""]
        for text in answer.answer.splitlines():
            lines += [md_escape(text).replace(r"\[", "[").replace(r"\]", "]"), ""]
        if answer.table is not None:
            lines += [*table_markdown(answer.table), ""]
        if answer.citations:
            lines += ["Citations:", ""]
            for c in answer.citations:
                lines += _citation_line(c, f"[{c.id}] ")
            lines.append("")
        if answer.refused and answer.related:
            lines += ["Related passages (not an answer):", ""]
            for c in answer.related:
                lines += _citation_line(c, "")
            lines.append("")
    return "\n".join(lines)
