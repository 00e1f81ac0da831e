"""`screening score`: indicator states or answers files in, JSON results out."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner

from screening.cli import cli

from .conftest import DATA, QUESTIONNAIRES


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def mini_catalog(tmp_path):
    """A questionnaire folder holding the standard and the small test questionnaire."""
    folder = tmp_path / "questionnaires"
    shutil.copytree(QUESTIONNAIRES / "standards", folder / "standards")
    (folder / "mini").mkdir()
    shutil.copy(DATA / "mini.yaml", folder / "mini" / "0.1.0.yaml")
    return folder


def score(runner, tmp_path, text: str, *options: str):
    path = tmp_path / "input.jsonl"
    path.write_text(text, encoding="utf-8")
    return runner.invoke(cli, ["score", str(path), *options])


def states_line(
    indicators: dict, child: bool = False, standard: str = "gms-common@1"
) -> str:
    return json.dumps({"standard": standard, "child": child, "indicators": indicators})


def test_scores_json_lines_one_result_per_line(runner, tmp_path):
    lines = [
        states_line({"DR1": "yes"}),
        states_line({"ACT2": "yes", "PU3": "yes"}, child=True),
    ]

    result = score(runner, tmp_path, "\n".join(lines) + "\n")

    assert result.exit_code == 0, result.output
    results = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["band"] for r in results] == ["possible", "likely"]
    assert results[1] == {
        "line": 2,
        "standard": "gms-common@1",
        "child": True,
        "band": "likely",
        "elements": {"act": True, "means": False, "purpose": True},
        "dimensions": {f"D{n}": False for n in range(1, 7)},
        "flags": [],
    }


def test_scores_one_pretty_printed_object(runner, tmp_path):
    request = {
        "standard": "gms-common@1",
        "child": False,
        "indicators": {"EX1": "yes", "EX4": "yes"},
    }

    result = score(runner, tmp_path, json.dumps(request, indent=2))

    assert result.exit_code == 0
    (line,) = result.stdout.splitlines()
    assert json.loads(line)["flags"] == ["labour_rights"]
    assert "line" not in json.loads(line)


def test_every_shared_case_scores_as_expected_from_the_command_line(runner, tmp_path):
    cases = [json.loads(line) for line in (DATA / "indicator_examples.jsonl").open()]
    text = "".join(json.dumps(case["input"]) + "\n" for case in cases)

    result = score(runner, tmp_path, text)

    got = [json.loads(line) for line in result.stdout.splitlines()]
    for case, output in zip(cases, got, strict=True):
        expected = case["expect"]
        assert output["band"] == expected["band"], case["name"]
        assert output["elements"] == expected["elements"]
        positive = [key for key, value in output["dimensions"].items() if value]
        assert positive == expected["positive_dimensions"]
        assert output["flags"] == expected["flags"]


def test_bad_lines_are_reported_and_the_others_still_scored(runner, tmp_path):
    lines = [
        states_line({"DR1": "yes"}),
        "{not json",
        states_line({"XX9": "yes"}),
        states_line({}, standard="gms-common@9"),
        json.dumps({"standard": "gms-common@1", "child": "no", "indicators": {}}),
        json.dumps({"standard": "gms-common@1", "indicators": {}}),
        "",
        states_line({"EX1": "yes"}),
    ]

    result = score(runner, tmp_path, "\n".join(lines))

    assert result.exit_code == 1
    assert [json.loads(line)["line"] for line in result.stdout.splitlines()] == [1, 8]
    errors = result.stderr.splitlines()
    assert errors[0].startswith("line 2: invalid JSON at column 2")
    assert errors[1] == "line 3: unknown indicator ID 'XX9' for gms-common@1"
    assert errors[2] == "line 4: unknown standard 'gms-common@9' (known: gms-common@1)"
    assert errors[3] == "line 5: 'child' must be true or false"
    assert errors[4] == "line 6: missing 'child'"
    assert errors[5] == "5 request(s) could not be scored"


def test_explain_adds_the_reasons(runner, tmp_path):
    line = states_line(
        {
            "DR1": "yes",
            "DR8": "yes",
            "EX1": "yes",
            "EX2": "yes",
            "CD3": "declined",
            "CD1": "unknown",
        }
    )

    result = score(runner, tmp_path, line, "--explain")

    output = json.loads(result.stdout)
    codes = [reason["code"] for reason in output["explanation"]["reasons"]]
    assert codes[-1] == "inconclusive"
    assert output["explanation"]["positive_dimensions"]["D1"]["pattern"] == "b"


def test_scores_an_answers_file_against_its_questionnaire(
    runner, tmp_path, mini_catalog
):
    answers = {
        "questionnaire": {"id": "mini", "version": "0.1.0"},
        "language": "th",
        "answers": {
            "consent_screening": "yes",
            "age_at_departure": 15,
            "job_found": "online",
            "work_kinds": ["scam"],
        },
    }

    result = score(
        runner, tmp_path, json.dumps(answers), "--questionnaires", str(mini_catalog)
    )

    assert result.exit_code == 0, result.output
    output = json.loads(result.stdout)
    assert output["band"] == "likely"
    assert output["child"] is True
    assert output["questionnaire"]["digest"].startswith("sha256:")
    assert output["indicator_sources"]["PU3"] == ["work_kinds"]
    assert output["explanation"]["reasons"][0]["code"] == "likely_rule"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"questionnaire": {"id": "mini", "version": "9.9.9"}},
            "unknown questionnaire mini@9.9.9",
        ),
        (
            {"questionnaire": {"id": "mini", "digest": "sha256:00"}},
            "the answers were given to sha256:00",
        ),
        ({"answers": {"hours_per_day": "lots"}}, "hours_per_day: not a number"),
        ({"answers": {"nope": "yes"}}, "nope: no such question"),
        ({"language": "fr"}, "language 'fr' is not one of en, th"),
    ],
)
def test_a_bad_answers_file_gets_a_clear_error(
    runner, tmp_path, mini_catalog, change, message
):
    answers = {
        "questionnaire": {"id": "mini", "version": "0.1.0"},
        "answers": {},
        **change,
    }

    result = score(
        runner, tmp_path, json.dumps(answers), "--questionnaires", str(mini_catalog)
    )

    assert result.exit_code == 1
    assert message in result.stderr


def test_the_installed_command_reads_stdin_and_keeps_stdout_clean():
    command = shutil.which("screening") or str(
        __import__("pathlib").Path(sys.executable).with_name("screening")
    )
    lines = states_line({"DR1": "yes"}) + "\nnot json\n"

    done = subprocess.run(
        [command, "score", "-"],
        input=lines,
        capture_output=True,
        text=True,
        check=False,
    )

    assert done.returncode == 1
    assert json.loads(done.stdout)["band"] == "possible"
    assert "line 2: invalid JSON" in done.stderr


# --- hostile input: every problem is a message, never a traceback ------------


def no_traceback(result) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )


def answers_request(answers: dict) -> str:
    request = {"questionnaire": {"id": "gms-returnee", "version": "1.0.0"}}
    return json.dumps({**request, "answers": {"consent_screening": "yes", **answers}})


@pytest.mark.parametrize(
    "text",
    [
        "[" * 100_000 + "]" * 100_000,
        b"\xff\xfe{}",
        '{"a": ' + "1" * 5000 + "}",
        answers_request({"age_now": "sNaN"}),
        answers_request({"age_now": 10**400}),
        answers_request({"age_now": "1e10000000"}),
        answers_request({"exit_fee_amount": {"amount": "1e400", "currency": "THB"}}),
        json.dumps(
            {
                "questionnaire": {"id": "gms-returnee", "version": ["1.0.0"]},
                "answers": {},
            }
        ),
    ],
    ids=[
        "deep nesting",
        "not UTF-8",
        "a number of 5000 digits",
        "signalling NaN",
        "an integer beyond float",
        "a huge exponent",
        "money beyond float",
        "a version that is not text",
    ],
)
def test_hostile_input_gets_a_message_and_exit_status_1(runner, tmp_path, text):
    path = tmp_path / "input.json"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())

    result = runner.invoke(cli, ["score", str(path)])

    no_traceback(result)
    assert result.exit_code == 1
    assert result.stderr.strip()


def test_one_hostile_line_does_not_stop_the_batch(runner, tmp_path):
    good = states_line({"DR1": "yes"})
    lines = [good, answers_request({"age_now": "sNaN"}), "[" * 50_000, good]

    result = score(runner, tmp_path, "\n".join(lines) + "\n")

    assert [json.loads(line)["line"] for line in result.stdout.splitlines()] == [1, 4]


def test_errors_name_the_question_but_never_repeat_the_answer(runner, tmp_path):
    for answers in ({"nationality": "ZZTESTNAME"}, {"date_of_birth": "1999-02-30"}):
        result = score(runner, tmp_path, answers_request(answers))

        assert result.exit_code == 1
        assert "ZZTESTNAME" not in result.stderr and "1999" not in result.stderr
        assert next(iter(answers)) in result.stderr
