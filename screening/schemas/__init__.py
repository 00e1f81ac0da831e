"""JSON Schemas for the definition files, and a checker that names lines."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

import jsonschema
from jsonschema.exceptions import ValidationError, best_match

from screening.sourcefile import DefinitionError, SourceDocument


@cache
def _validator(name: str) -> jsonschema.Draft202012Validator:
    text = (
        resources.files(__package__).joinpath(f"{name}.schema.json").read_text("utf-8")
    )
    schema: dict[str, Any] = json.loads(text)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def _message(error: ValidationError) -> ValidationError:
    """For 'one of' failures, report the branch that came closest."""
    if error.context:
        return best_match(error.context)
    return error


def validate_against_schema(source: SourceDocument, name: str) -> None:
    """Raise DefinitionError listing every schema violation, with lines."""
    errors = sorted(
        _validator(name).iter_errors(source.data),
        key=lambda e: list(map(str, e.absolute_path)),
    )
    if not errors:
        return
    problems = []
    for error in errors:
        shown = _message(error)
        path = tuple(shown.absolute_path)
        message = shown.message
        if shown.validator == "not" and shown.validator_value == {}:
            # {"not": {}} marks a key this kind of object cannot have
            message = (
                f"'{path[-1]}' is not allowed here" if path else "not allowed here"
            )
        problems.append(source.problem(path, message))
    raise DefinitionError(problems)
