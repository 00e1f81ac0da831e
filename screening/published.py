"""Questionnaire versions published into the database, and rebuilt from it.

Every version loaded from questionnaires/ is stored with its canonical JSON
and digest. A screening points at that row, so it stays readable under the
exact version it used even after the files change or move.
"""

from __future__ import annotations

import json
import logging
import threading

from sqlalchemy import select
from sqlalchemy.orm import Session

from screening.catalog import Catalog
from screening.models import QuestionnaireVersion
from screening.questionnaire import Questionnaire, parse_questionnaire
from screening.sourcefile import DefinitionError, Problem, SourceDocument
from screening.standard import StandardRegistry

log = logging.getLogger(__name__)


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split(".") if part.isdigit())


def publish_catalog(session: Session, catalog: Catalog) -> list[str]:
    """Store every questionnaire version not yet stored; return their keys.

    A version already stored with other content is an error: a published
    version never changes, a new one gets a new version number.
    """
    stored = {
        (row.questionnaire_id, row.version): row
        for row in session.scalars(select(QuestionnaireVersion))
    }
    added: list[str] = []
    problems: list[Problem] = []
    for questionnaire in catalog:
        row = stored.get((questionnaire.id, questionnaire.version))
        if row is None:
            session.add(
                QuestionnaireVersion(
                    questionnaire_id=questionnaire.id,
                    version=questionnaire.version,
                    digest=questionnaire.digest,
                    standard=questionnaire.standard,
                    canonical=questionnaire.canonical,
                )
            )
            added.append(questionnaire.key)
        elif row.digest != questionnaire.digest:
            problems.append(
                Problem(
                    questionnaire.source,
                    None,
                    "version",
                    f"{questionnaire.key} was published with hash {row.digest} "
                    "and has changed since; give the changed file a new version",
                )
            )
    if problems:
        raise DefinitionError(problems)
    session.flush()
    for key in added:
        log.info("questionnaire %s published", key)
    return added


def current_versions(session: Session) -> list[QuestionnaireVersion]:
    """The newest stored version of each questionnaire, by ID."""
    newest: dict[str, QuestionnaireVersion] = {}
    for row in session.scalars(select(QuestionnaireVersion)):
        known = newest.get(row.questionnaire_id)
        if known is None or _version_key(row.version) > _version_key(known.version):
            newest[row.questionnaire_id] = row
    return [newest[key] for key in sorted(newest)]


class QuestionnaireStore:
    """Rebuilds stored questionnaire versions, once per process per digest."""

    def __init__(self, standards: StandardRegistry) -> None:
        self.standards = standards
        self._built: dict[str, Questionnaire] = {}
        self._lock = threading.Lock()

    def get(self, row: QuestionnaireVersion) -> Questionnaire:
        built = self._built.get(row.digest)
        if built is not None:
            return built
        with self._lock:
            source = SourceDocument(f"db:{row.key}", json.loads(row.canonical))
            questionnaire = parse_questionnaire(source, self.standards)
            if questionnaire.digest != row.digest:
                raise DefinitionError(
                    [
                        Problem(
                            f"db:{row.key}",
                            None,
                            "digest",
                            "stored content does not match its digest",
                        )
                    ]
                )
            self._built[row.digest] = questionnaire
        return questionnaire
