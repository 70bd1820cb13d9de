"""The Library is the front door: the README's Python runs, and the adapters agree."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGenerationChunk
from pydantic import Field
from typer.testing import CliRunner

from sarcolit import Library
from sarcolit.core.models import Answer
from sarcolit.core.settings import LLMSettings
from sarcolit.core.store import chroma_client
from sarcolit.retrieval import HybridIndex
from sarcolit.ui.app import create_app
from sarcolit.ui.cli import app as cli
from tests.conftest import CORPUS, ROOT

QUESTIONS = (
    "What was the objective response rate in SARC028?",
    "What was the median PFS with toripalimab in ASPS?",
    "What is the price of nivolumab in Norway?",
)
runner = CliRunner()


def readme_python() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Use from Python", 1)[1]
    found = re.search(r"```python\n(.*?)```", section, re.S)
    assert found is not None, "the README's Python example is missing"
    return found.group(1)


@pytest.mark.slow
def test_readme_python_example_runs(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for part in ("reviews", "trials", "literature"):  # what the QA gold cites
        shutil.copytree(CORPUS / part, corpus / part)
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"}
    done = subprocess.run(
        [sys.executable, "-c", readme_python()],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    assert "18%" in lines[0]  # SARC028's ORR, cited
    # The example goes on after the evaluation (answers across trials): its
    # score is the one line that is a bare number.
    (correctness,) = [float(x) for x in lines if re.fullmatch(r"\d(?:\.\d+)?", x)]
    assert 0.5 < correctness <= 1.0
    records = (tmp_path / "records.jsonl").read_text(encoding="utf-8").splitlines()
    assert any("SARC028" in line for line in records)
    assert (tmp_path / "eval-runs" / "qa" / "results.json").is_file()


class CitingModel(GenericFakeChatModel):
    """Restates the first passage's first sentence, citing it; records prompts."""

    prompts: list[str] = Field(default_factory=list)

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        prompt = "\n".join(str(m.content) for m in messages)
        self.prompts.append(prompt)
        passage = prompt.rsplit("Passages:\n", 1)[1].splitlines()[0]
        number, _, text = passage.partition("]")
        sentence = text.split(". ")[0].strip().rstrip(".")
        self.messages = iter([AIMessage(f"{sentence} [{number.lstrip('[')}].")])
        yield from super()._stream(messages, stop, run_manager, **kwargs)


def library_over(index: HybridIndex, spec: str = "none") -> Library:
    """A library over the seed review's index, with ``spec`` as its LLM."""
    configured = index.settings.model_copy(update={"llm": LLMSettings(spec=spec)})
    client = chroma_client(configured.store)
    return Library(configured, client, index.embedder, index)


def cli_answer(library: Library, question: str) -> Answer:
    result = runner.invoke(cli, ["ask", question, "--json"], obj=library)
    assert result.exit_code == 0, result.output
    return Answer.model_validate_json(result.stdout.strip())


def api_answer(library: Library, question: str) -> Answer:
    with TestClient(create_app(library)) as client:
        response = client.post("/api/ask", json={"question": question})
    assert response.status_code == 200, response.text
    return Answer.model_validate(response.json())


@pytest.mark.parametrize("question", QUESTIONS)
def test_cli_api_and_library_agree_without_a_model(
    review_index: HybridIndex, question: str
) -> None:
    library = library_over(review_index)
    direct = library.ask(question)
    assert direct.answerer == "extractive"
    assert cli_answer(library, question) == direct
    assert api_answer(library, question) == direct


def test_cli_api_and_library_agree_with_a_chat_model(
    review_index: HybridIndex,
) -> None:
    library = library_over(review_index, spec="openai:fake")
    model = CitingModel(messages=iter([]))
    library.use_model(model)
    question = QUESTIONS[0]
    direct = library.ask(question)
    assert direct.answerer == "llm"  # the configured model answered, verified
    assert not direct.refused
    assert cli_answer(library, question) == direct
    assert api_answer(library, question) == direct
    assert len(model.prompts) == 3  # one generation per adapter


def test_cli_opens_its_own_library_with_the_same_answer(
    review_index: HybridIndex,
) -> None:
    library = library_over(review_index)
    question = QUESTIONS[0]
    data_dir = str(review_index.settings.store.path)
    result = runner.invoke(cli, ["ask", question, "--json", "--data-dir", data_dir])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == library.ask(question).model_dump(mode="json")
