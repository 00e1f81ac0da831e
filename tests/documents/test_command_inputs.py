"""Odd values given to the documents commands get plain messages."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import Database

from .conftest import THAI_AGENCY, Instance, load_answers, make_instance


@pytest.fixture(scope="module")
def instance(tmp_path_factory) -> Iterator[Instance]:
    folder = tmp_path_factory.mktemp("inputs")
    database = Database.create(folder, "inputs")
    yield make_instance(folder / "instance", database, THAI_AGENCY)
    database.drop()


def plainly_refused(result, *words: str) -> None:
    assert result.exit_code in (1, 2), result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    for word in words:
        assert word in result.output


def answers_file(tmp_path: Path, **changes) -> Path:
    answers = load_answers("en-factory.json")
    for key, value in changes.items():
        if key.startswith("answer_"):
            if value is None:
                answers["answers"].pop(key.removeprefix("answer_"), None)
            else:
                answers["answers"][key.removeprefix("answer_")] = value
        else:
            answers[key] = value
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(answers), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "changes",
    [
        {"answer_consent_screening": "no"},
        {"answer_consent_screening": None},
        {"answers": {}},
    ],
    ids=["refused", "not asked", "no answers"],
)
def test_issue_refuses_answers_without_consent_to_screening(
    instance, tmp_path, changes
):
    output = tmp_path / "x.pdf"

    result = instance.run("issue", answers_file(tmp_path, **changes), "-o", output)

    plainly_refused(result, "no consent to screening")
    assert not output.exists()


@pytest.mark.parametrize(
    ("changes", "options", "words"),
    [
        ({"reference": {"case": "CR-1"}}, (), "'reference' must be text"),
        ({"reference": ["CR", 1]}, (), "'reference' must be text"),
        ({"reference": "CR-" + "9" * 30_000}, (), "longer than 200 characters"),
        ({"reference": "CR-1\nsecond line"}, (), "one line of plain text"),
        ({"reference": "CR-\u202e1"}, (), "one line of plain text"),
        ({"interviewer": {"name": "x"}}, (), "'interviewer' must be text"),
        ({}, ("--interviewer", "x" * 201), "longer than 200 characters"),
        ({}, ("--supersedes", "../../etc"), "'supersedes' must be a document ID"),
    ],
    ids=[
        "reference object",
        "reference list",
        "reference too long",
        "reference two lines",
        "reference reversed",
        "interviewer object",
        "interviewer too long",
        "supersedes not an ID",
    ],
)
def test_issue_refuses_an_odd_reference_or_interviewer(
    instance, tmp_path, changes, options, words
):
    output = tmp_path / "x.pdf"

    result = instance.run(
        "issue", answers_file(tmp_path, **changes), "-o", output, *options
    )

    plainly_refused(result, words)
    assert "{'case'" not in result.output and "9" * 300 not in result.output
    assert not output.exists()


def test_issue_keeps_a_reference_of_two_hundred_characters(instance, tmp_path):
    output = tmp_path / "x.pdf"

    result = instance.run(
        "issue", answers_file(tmp_path, reference="R" * 200), "-o", output
    )

    assert result.exit_code == 0, result.output
    assert output.exists()
