"""The `screening` command: Flask's CLI plus the product's own commands.

Commands that only score (``score``) do not build the web application, so
they start quickly and need no database or instance folder.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from typing import IO, Any

import click
from flask import Flask
from flask.cli import FlaskGroup

from screening.catalog import Catalog
from screening.sourcefile import DefinitionError


def _create_app() -> Flask:
    from screening import create_app
    from screening.config import ConfigError

    try:
        app = create_app({"database_pool": False})
    except (ConfigError, DefinitionError) as error:
        # a setting or a questionnaire that cannot work: one line, no traceback
        raise click.ClickException(str(error)) from None
    command = click.get_current_context(silent=True)
    if command is None or command.info_name not in SCHEMA_COMMANDS:
        from screening import db, migrate

        behind = migrate.behind_message(db.engine_of(app))
        if behind:
            raise click.ClickException(behind)
    return app


# The commands that bring the database up to date themselves.
SCHEMA_COMMANDS = frozenset({"init", "migrate"})


class _ScreeningGroup(FlaskGroup):
    """Flask's command group, importing the application's commands on demand.

    `score` and `check` are defined here and need neither the web
    application nor the database; the other commands (and the modules they
    import: SQLAlchemy, Alembic, pyHanko) load only when one of them is
    asked for, so scoring starts quickly.
    """

    _application_commands_loaded = False

    def _load_application_commands(self) -> None:
        if not self._application_commands_loaded:
            self._application_commands_loaded = True
            from screening import document_commands  # noqa: F401 - registers itself
            from screening.commands import COMMANDS

            for command in COMMANDS:
                self.add_command(command)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands:
            self._load_application_commands()
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        # Every command is registered on this group, none on the app, so
        # listing them needs no application (and works before `init`).
        self._load_application_commands()
        return sorted(self.commands)


cli = _ScreeningGroup(
    name="screening",
    create_app=_create_app,
    help="Screening for trafficking indicators under a common standard.",
    # gunicorn serves the application (`make run`); Flask's development
    # server, shell and its version would only confuse here
    add_default_commands=False,
    add_version_option=False,
)
# nor do Flask's options for finding an application: this one is known
cli.params = [p for p in cli.params if p.name not in {"env_file", "app", "debug"}]
cli = click.version_option(package_name="screening", prog_name="screening")(cli)


def _parse_json(data: bytes) -> tuple[Any, str | None]:
    """Parse one JSON document, or say plainly why it is not one."""
    try:
        return json.loads(data.decode("utf-8-sig")), None
    except UnicodeDecodeError as error:
        return None, f"not UTF-8 text (byte {error.start + 1})"
    except json.JSONDecodeError as error:
        return None, f"invalid JSON at column {error.colno}: {error.msg}"
    except (ValueError, RecursionError):
        # numbers with thousands of digits, or nesting deeper than Python's stack
        return None, "invalid JSON: a number too long or nesting too deep"


def _requests(stream: IO[bytes]) -> Iterator[tuple[int | None, Any, str | None]]:
    """Yield (line number, parsed request, error) for a file of JSON.

    The whole file may be one JSON object (pretty-printed or not); otherwise
    it is JSON Lines, one request per line, blank lines skipped.
    """
    data = stream.read()
    whole, _ = _parse_json(data)
    if isinstance(whole, dict):
        yield None, whole, None
        return
    for number, line in enumerate(data.splitlines(), start=1):
        if line.strip():
            yield number, *_parse_json(line)


@cli.command("score", with_appcontext=False)
@click.argument("file", type=click.File("rb"))
@click.option("--explain", is_flag=True, help="Add the explanation to each result.")
@click.option(
    "--questionnaires",
    type=click.Path(file_okay=False, exists=True),
    help="Folder of standards and questionnaires (default: the bundled one).",
)
def score_command(file: IO[bytes], explain: bool, questionnaires: str | None) -> None:
    """Score FILE: indicator states or answers files, one JSON object or JSON Lines.

    \b
    Indicator states:  {"standard": "gms-common@1", "child": false,
                        "indicators": {"DR1": "yes", "CD3": "declined"}}
    Answers file:      {"questionnaire": {"id": "gms-returnee", "version": "1.0.0"},
                        "answers": {"question_id": "yes", ...}}

    Prints one JSON result per request on stdout. A request that cannot be
    scored is reported on stderr with its line number; the others are still
    scored, and the exit status is 1.
    """
    from pathlib import Path

    from screening import batch

    try:
        catalog = Catalog.load(
            Path(questionnaires) if questionnaires else None, lazy=True
        )
    except DefinitionError as error:
        raise click.ClickException(
            f"cannot load the questionnaires:\n{error}"
        ) from None

    score_states: Callable[[Any, Any], dict[str, Any]] = (
        batch.score_states_explained if explain else batch.score_states
    )
    failures = 0
    write = sys.stdout.write
    for number, request, parse_error in _requests(file):
        where = f"line {number}" if number is not None else file.name
        try:
            if parse_error is not None:
                raise batch.InputError(parse_error)
            if isinstance(request, dict) and batch.is_answers_request(request):
                result = batch.score_answers(request, catalog)
            else:
                result = score_states(request, catalog.standards)
        except batch.InputError as error:
            failures += 1
            click.echo(f"{where}: {error}", err=True)
            continue
        except (
            ArithmeticError,
            LookupError,
            TypeError,
            ValueError,
            RecursionError,
        ) as error:
            # One request the checks above missed must not cost the batch;
            # only the class is shown, as the message could echo an answer.
            failures += 1
            click.echo(
                f"{where}: could not be scored ({type(error).__name__})", err=True
            )
            continue
        except DefinitionError as error:
            raise click.ClickException(
                f"cannot load the questionnaires:\n{error}"
            ) from None
        if number is not None:
            result = {"line": number, **result}
        write(json.dumps(result, ensure_ascii=False) + "\n")
    if failures:
        click.echo(f"{failures} request(s) could not be scored", err=True)
        sys.exit(1)


@cli.command("check", with_appcontext=False)
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, exists=True))
@click.option(
    "--questionnaires",
    type=click.Path(file_okay=False, exists=True),
    help="Folder of standards and questionnaires (default: the bundled one).",
)
def check_command(files: tuple[str, ...], questionnaires: str | None) -> None:
    """Check questionnaire files (default: every bundled one) and report coverage.

    A broken file is reported with its line, the path inside it and what is
    wrong; the exit status is then 1.
    """
    from pathlib import Path

    from screening.questionnaire import load_questionnaire

    folder = Path(questionnaires) if questionnaires else None
    try:
        catalog = Catalog.load(folder, lazy=bool(files))
    except DefinitionError as error:
        raise click.ClickException(str(error)) from None

    failed = False
    loaded = list(catalog) if not files else []
    for name in files:
        try:
            loaded.append(load_questionnaire(Path(name), catalog.standards))
        except DefinitionError as error:
            click.echo(str(error), err=True)
            failed = True
    for questionnaire in loaded:
        standard = catalog.standard(questionnaire.standard)
        covered = set(questionnaire.coverage())
        total = len(standard.indicators) if standard else 0
        count = sum(1 for _ in questionnaire.questions())
        click.echo(
            f"ok {questionnaire.key} {questionnaire.digest}: {count} questions, "
            f"{len(covered)}/{total} indicators of {questionnaire.standard} reachable"
        )
        if standard is not None and len(covered) < total:
            missing = [key for key in standard.indicators if key not in covered]
            click.echo(f"   not reachable: {', '.join(missing)}")
    if failed:
        sys.exit(1)


def main() -> None:
    cli(prog_name="screening")
