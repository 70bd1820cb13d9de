"""The evidence table as HTML: one row per trial, arm or cohort, cells that open.

A cell opens its evidence: document title, section, and the sentence
highlighted in its paragraph. The evidence of each cell travels with the table
in a ``<template>``; a click on the cell shows it in a row under the clicked
one (see ``EVIDENCE_SCRIPT``), so no round trip to the server is needed. At
narrow widths (a phone) each row becomes a card of labelled values. Every
document string goes through :func:`~sarcolit.ui.render.inert`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sarcolit.core.models import Document
from sarcolit.extraction import KEY_COLUMNS, Cell, Stated, WideRow
from sarcolit.ui.render import context_html, inert

EMPTY_TABLE = (
    '<p class="empty" id="evidence-empty">Run an extraction: one row per trial, arm '
    "or cohort appears here. Click a value to see the sentence it comes from.</p>"
)

# Clicking a value shows its evidence in a row under it; clicking again hides it.
EVIDENCE_SCRIPT = """
<script>
document.addEventListener("click", function (event) {
  var cell = event.target.closest && event.target.closest("button.ev-cell");
  if (!cell) { return; }
  var table = cell.closest("table");
  var template = document.getElementById(cell.getAttribute("data-ev"));
  if (!table || !template) { return; }
  var open = table.querySelector("tr.ev-detail");
  var same = open && open.getAttribute("data-for") === cell.getAttribute("data-ev");
  if (open) { open.remove(); }
  table.querySelectorAll("button.ev-cell.selected").forEach(function (b) {
    b.classList.remove("selected");
    b.setAttribute("aria-expanded", "false");
  });
  if (same) { return; }
  var row = cell.closest("tr");
  var detail = document.createElement("tr");
  detail.className = "ev-detail";
  detail.setAttribute("data-for", cell.getAttribute("data-ev"));
  var box = document.createElement("td");
  box.colSpan = row.children.length;
  box.id = "evidence";
  box.appendChild(template.content.cloneNode(true));
  detail.appendChild(box);
  row.after(detail);
  cell.classList.add("selected");
  cell.setAttribute("aria-expanded", "true");
  detail.scrollIntoView({ block: "nearest" });
}, true);
</script>
"""

TABLE_CSS = """
#evidence-table { width: 100%; }
#evidence-table .ev-table { border: 0; }
.ev-table { width: 100%; table-layout: fixed; border-collapse: collapse;
  font-size: 0.88em; }
#evidence-table .ev-table th, #evidence-table .ev-table td { padding: 4px 5px;
  vertical-align: top; border: 0; border-bottom: 1px solid var(--border-color-primary);
  overflow-wrap: anywhere; }
.ev-table thead th { text-align: left; font-weight: 600; position: sticky; top: 0;
  background: var(--background-fill-secondary); }
.ev-table .ev-trial { width: 17%; }
.ev-table col.ev-key { width: 6.6%; }
.ev-table tr.level-arm .ev-trial, .ev-table tr.level-cohort .ev-trial {
  padding-left: 16px; font-weight: 400; }
.ev-table tr.level-trial .ev-trial { font-weight: 600; }
.ev-group { color: var(--body-text-color-subdued); }
button.ev-cell { all: unset; cursor: pointer; border-bottom: 1px dotted currentColor;
  line-height: 1.35; }
button.ev-cell:focus-visible { outline: 2px solid #e07b00; }
button.ev-cell.selected { background: #ffe58a; color: #1f1f1f; }
button.ev-cell.ev-disagree { color: #b03a2e; font-weight: 600; }
.ev-flag { margin-left: 2px; }
.ev-none { color: var(--body-text-color-subdued); }
.ev-detail td { background: var(--block-background-fill); }
.ev-detail .evidence { border-left: 3px solid #c9a227; padding: 4px 10px;
  margin: 6px 0; }
.ev-detail .ev-head { font-weight: 600; margin: 2px 0 4px; }
.ev-detail .ev-warn { color: #b03a2e; margin: 2px 0 6px; }
@media (max-width: 760px) {
  .ev-table, .ev-table tbody, .ev-table tr, .ev-table th, .ev-table td {
    display: block; width: 100% !important; box-sizing: border-box; }
  .ev-table thead, .ev-table colgroup { display: none; }
  .ev-table tr.ev-row { border: 1px solid var(--border-color-primary);
    border-radius: 6px; margin: 0 0 8px; padding: 4px 6px; }
  .ev-table td { display: flex; justify-content: space-between; gap: 12px;
    border: none; padding: 2px 0; }
  .ev-table td::before { content: attr(data-label); font-weight: 600;
    flex: 0 0 auto; }
  .ev-table td.ev-empty { display: none; }
  #evidence-table .ev-table tr.ev-detail td { display: block; }
  #evidence-table .ev-table th.ev-trial { border: 0; font-size: 1.05em; }
  .ev-table tr.level-arm .ev-trial, .ev-table tr.level-cohort .ev-trial {
    padding-left: 0; }
}
"""


def _place(document: Document | None, stated: Stated) -> str:
    evidence = stated.evidence
    if document is None:
        return evidence.doc_id
    parts = [document.title]
    section = document.section_at(evidence.start)
    if section:
        parts.append(section)
    page = document.page_at(evidence.start)
    if page is not None:
        parts.append(f"p. {page}")
    return " · ".join(parts)


def _card(stated: Stated, documents: Mapping[str, Document]) -> str:
    evidence = stated.evidence
    document = documents.get(evidence.doc_id)
    text = document.text if document else None
    if text is not None and text[evidence.start : evidence.end] == evidence.quote:
        body = context_html(text, evidence.start, evidence.end)
    else:
        body = f'<mark class="quote">{inert(evidence.quote)}</mark>'
    meta = f"{stated.text} — {_place(document, stated)}"
    return (
        f'<div class="evidence"><div class="source-meta">{inert(meta)}</div>'
        f'<p class="source-text">{body}</p></div>'
    )


def _evidence(
    row: WideRow, header: str, cell: Cell, documents: Mapping[str, Document]
) -> str:
    head = f'<div class="ev-head">{inert(f"{row.label} — {header}")}</div>'
    warn = ""
    if cell.disagreement:
        warn = (
            '<div class="ev-warn">The sources disagree: '
            f"{inert(cell.text)}. Every value is shown with its source.</div>"
        )
    cards = "".join(_card(v, documents) for v in cell.values)
    return head + warn + cards


def _sources(row: WideRow, documents: Mapping[str, Document]) -> str:
    titles = [documents[d].title if d in documents else d for d in row.doc_ids]
    items = "".join(f"<li>{inert(t)}</li>" for t in titles)
    head = f'<div class="ev-head">{inert(f"{row.label} — sources")}</div>'
    return f"{head}<ul>{items}</ul>"


def _short(cell: Cell, key: str) -> str:
    if key == "n":
        return " · ".join(dict.fromkeys(f"{v.value:g}" for v in cell.values))
    return cell.text


def _cell_html(row_id: str, key: str, header: str, cell: Cell) -> str:
    if not cell.values:
        return (
            f'<td class="ev-empty" data-label="{inert(header)}">'
            '<span class="ev-none">-</span></td>'
        )
    flag = (
        '<span class="ev-flag" title="The sources disagree">&#9888;</span>'
        if cell.disagreement
        else ""
    )
    css = "ev-cell ev-disagree" if cell.disagreement else "ev-cell"
    label = f"{header}: {cell.text}. Show the evidence"
    return (
        f'<td data-label="{inert(header)}"><button type="button" class="{css}" '
        f'data-ev="{row_id}-{key}" aria-expanded="false" aria-label="{inert(label)}">'
        f"{inert(_short(cell, key))}{flag}</button></td>"
    )


def _row_html(index: int, row: WideRow) -> str:
    row_id = f"ev-{index}"
    if row.level == "trial":
        label = inert(row.trial)
    else:
        label = f'<span class="ev-group">{inert(row.level)}</span> {inert(row.group)}'
    cells = "".join(
        _cell_html(row_id, key, header, row.cells[key])
        for key, header, _ in KEY_COLUMNS
    )
    sources = (
        f'<td data-label="Sources"><button type="button" class="ev-cell" '
        f'data-ev="{row_id}-sources" aria-expanded="false" '
        f'aria-label="Sources: {len(row.doc_ids)}">{len(row.doc_ids)}</button></td>'
    )
    return (
        f'<tr class="ev-row level-{row.level}" id="{row_id}">'
        f'<th scope="row" class="ev-trial" data-label="Trial">{label}</th>'
        f"{cells}{sources}</tr>"
    )


def _templates(
    index: int, row: WideRow, documents: Mapping[str, Document]
) -> list[str]:
    row_id = f"ev-{index}"
    found = [
        f'<template id="{row_id}-{key}">'
        f"{_evidence(row, header, row.cells[key], documents)}</template>"
        for key, header, _ in KEY_COLUMNS
        if row.cells[key].values
    ]
    found.append(
        f'<template id="{row_id}-sources">{_sources(row, documents)}</template>'
    )
    return found


def table_html(rows: Sequence[WideRow], documents: Mapping[str, Document]) -> str:
    """Return the evidence table of ``rows``; ``documents`` give titles and context."""
    if not rows:
        return EMPTY_TABLE
    heads = "".join(f'<th scope="col">{inert(h)}</th>' for _, h, _ in KEY_COLUMNS)
    cols = '<col class="ev-trial">' + '<col class="ev-key">' * (len(KEY_COLUMNS) + 1)
    body = "".join(_row_html(i, row) for i, row in enumerate(rows))
    templates = "".join(
        t for i, row in enumerate(rows) for t in _templates(i, row, documents)
    )
    return (
        f'<div id="evidence-table"><table class="ev-table"><colgroup>{cols}</colgroup>'
        f'<thead><tr><th scope="col" class="ev-trial">Trial · arm or cohort</th>'
        f'{heads}<th scope="col">Sources</th></tr></thead><tbody>{body}</tbody>'
        f"</table>{templates}</div>"
    )
