"""The escaped HTML and Markdown the web app shows."""

from __future__ import annotations

import html
import re

from sarcolit.core.models import (
    Answer,
    AnswerSentence,
    AnswerTable,
    Citation,
    TableCell,
    TableRow,
)
from sarcolit.ui.render import (
    anchor,
    answer_html,
    chat_messages,
    context_html,
    conversation_markdown,
    inert,
    md_escape,
    sources_html,
)

TEXT = (
    "Heading\n\nFirst sentence here. The ORR was 18% in SARC028. Last one.\n\n"
    "Next paragraph <script>x()</script> ![i](http://e/x.png)."
)
QUOTE = "The ORR was 18% in SARC028."
START = TEXT.index(QUOTE)


def citation(n: int = 1, quote: str = QUOTE, start: int = START) -> Citation:
    return Citation(
        id=n,
        doc_id="d1",
        start=start,
        end=start + len(quote),
        quote=quote,
        title="A <b>review</b>",
        section="Results",
        page=3,
    )


def answer(refused: bool = False) -> Answer:
    if refused:
        return Answer(
            question="Cost?",
            answer="The indexed literature does not answer this question.",
            refused=True,
            related=(citation(),),
        )
    return Answer(
        question="What ORR <i>?",
        answer=f"{QUOTE} [1]",
        refused=False,
        sentences=(AnswerSentence(text=QUOTE, citations=(1,)),),
        citations=(citation(),),
    )


def test_inert_leaves_no_markup_or_markdown_syntax() -> None:
    raw = "<script>alert(1)</script> ![x](http://a/b.png) [l](u) ${x} `c` *e*"
    out = inert(raw)
    for char in "<>[]()!$`*{}":
        assert char not in out
    assert html.unescape(out) == raw


def test_inert_keeps_line_breaks() -> None:
    assert inert("a\nb") == "a<br>b"


def test_context_highlights_exactly_the_span_inside_its_paragraph() -> None:
    out = context_html(TEXT, START, START + len(QUOTE))
    marked = out.split('<mark class="quote">')[1].split("</mark>")[0]
    assert html.unescape(marked) == TEXT[START : START + len(QUOTE)]
    assert "First sentence here" in html.unescape(out)
    assert "Heading" not in out
    assert "Next paragraph" not in html.unescape(out)


def test_context_clips_long_paragraphs_at_words() -> None:
    long = "word " * 300 + QUOTE + " tail" * 300
    start = long.index(QUOTE)
    out = html.unescape(
        re.sub("<[^>]+>", "", context_html(long, start, start + 27, 50))
    )
    assert out.startswith("… ")
    assert out.endswith(" …")
    assert len(out) < 200


def test_answer_markers_link_to_their_sources() -> None:
    out = answer_html(answer(), turn=2)
    assert f'href="#{anchor(2, 1)}"' in out
    assert "18%" in html.unescape(out)
    sources = sources_html([answer(), answer()], {"d1": TEXT})
    assert f'id="{anchor(2, 1)}"' in sources
    assert f'id="{anchor(1, 1)}"' in sources
    assert sources.index(anchor(2, 1)) < sources.index(anchor(1, 1))


def test_unknown_marker_is_left_as_text() -> None:
    bad = answer().model_copy(update={"answer": "Claim [7]"})
    assert "href" not in answer_html(bad, 1)


def test_refusal_is_clear_and_offers_related_passages() -> None:
    out = answer_html(answer(refused=True), 1)
    assert "does not answer this question" in out
    assert "cite" not in out
    panel = sources_html([answer(refused=True)], {"d1": TEXT})
    assert "Related passages" in panel
    assert f'id="{anchor(1, 1, related=True)}"' in panel


def test_titles_and_questions_are_escaped() -> None:
    panel = sources_html([answer()], {"d1": TEXT})
    assert "<b>" not in panel
    assert "<i>" not in panel
    messages = chat_messages([answer()])
    assert [m["role"] for m in messages] == ["user", "assistant"]
    assert "<i>" not in messages[0]["content"]


def test_source_without_its_text_shows_the_quote_alone() -> None:
    panel = sources_html([answer()], {"d1": None})
    assert "ctx" not in panel
    assert "18%" in html.unescape(panel)


def test_markdown_export_keeps_markers_and_escapes_syntax() -> None:
    hostile = answer().model_copy(
        update={"citations": (citation(quote=TEXT[-40:], start=len(TEXT) - 40),)}
    )
    out = conversation_markdown([answer(), hostile])
    assert "## Q1: What ORR" in out
    assert "18% in SARC028. [1]" in out
    assert "- [1] A " in out
    assert "![i](" not in out
    assert md_escape("![i](u)") == r"\!\[i\]\(u\)"


def test_a_synthesis_answer_renders_labels_and_a_cited_table() -> None:
    label = "SARC028; <b>pembrolizumab</b>"
    quote = "ORR of 18%"
    citation = Citation(
        id=1, doc_id="d", title="t", start=0, end=len(quote), quote=quote
    )
    answer = Answer(
        question="q",
        answer=f"{label}: {quote}. [1]",
        refused=False,
        sentences=(
            AnswerSentence(text=f"{label}: {quote}.", citations=(1,), label=label),
        ),
        citations=(citation,),
        table=AnswerTable(
            label="Endpoint",
            columns=("<i>A</i>", "B"),
            rows=(
                TableRow(
                    label="ORR",
                    cells=(TableCell(text="18%", citations=(1,)), TableCell(text="-")),
                ),
            ),
        ),
    )
    html = answer_html(answer, 1)
    label_html = "SARC028&#59; &#60;b&#62;pembrolizumab&#60;&#47;b&#62;"
    assert f"<strong>{label_html}</strong>:" in html
    assert '<th scope="col">&#60;i&#62;A&#60;&#47;i&#62;</th>' in html
    assert 'href="#src-1-1"' in html.split("<table>")[1]  # the cell cites [1]
    assert "<b>" not in html
    assert "<i>" not in html
    markdown = conversation_markdown([answer])
    assert "| Endpoint | \\<i\\>A\\</i\\> | B |" in markdown
    assert "| ORR | 18% [1] | - |" in markdown
