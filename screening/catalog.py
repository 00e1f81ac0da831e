"""Find and load the standards and questionnaires shipped under questionnaires/."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from screening.questionnaire import Questionnaire, load_questionnaire
from screening.sourcefile import DefinitionError, Problem
from screening.standard import Standard, StandardRegistry


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def default_folder() -> Path:
    """questionnaires/ beside the package (a checkout), or bundled in a wheel."""
    configured = os.environ.get("SCREENING_QUESTIONNAIRES")
    if configured:
        return Path(configured)
    checkout = Path(__file__).resolve().parent.parent / "questionnaires"
    if checkout.is_dir():
        return checkout
    return Path(__file__).resolve().parent / "_questionnaires"


@dataclass
class Catalog:
    """Every standard and questionnaire version in one folder."""

    folder: Path
    standards: StandardRegistry
    _loaded: dict[tuple[str, str], Questionnaire] | None = field(
        default=None, repr=False
    )

    @classmethod
    def load(cls, folder: Path | None = None, *, lazy: bool = False) -> Catalog:
        """Load and check every file; raise DefinitionError naming the bad ones.

        With ``lazy=True`` only the standards are read now and questionnaires
        on first use, so a command that only scores indicator states starts
        quickly.
        """
        folder = folder or default_folder()
        catalog = cls(folder, StandardRegistry.from_folder(folder / "standards"))
        if not lazy:
            catalog._load_questionnaires()
        return catalog

    @property
    def _questionnaires(self) -> dict[tuple[str, str], Questionnaire]:
        return self._loaded if self._loaded is not None else self._load_questionnaires()

    def _load_questionnaires(self) -> dict[tuple[str, str], Questionnaire]:
        loaded: dict[tuple[str, str], Questionnaire] = {}
        for path in sorted(self.folder.glob("*/*.yaml")):
            if path.parent.name == "standards":
                continue
            questionnaire = load_questionnaire(path, self.standards)
            key = (questionnaire.id, questionnaire.version)
            if key in loaded:
                message = f"{questionnaire.key} is defined twice"
                raise DefinitionError([Problem(str(path), 1, "version", message)])
            loaded[key] = questionnaire
        self._loaded = loaded
        return loaded

    def standard(self, key: str) -> Standard | None:
        return self.standards.get(key)

    def get(
        self, questionnaire_id: str, version: str | None = None
    ) -> Questionnaire | None:
        """A given version, or the latest when version is None."""
        if version is not None:
            return self._questionnaires.get((questionnaire_id, version))
        versions = [v for (qid, v) in self._questionnaires if qid == questionnaire_id]
        if not versions:
            return None
        return self._questionnaires[(questionnaire_id, max(versions, key=_version_key))]

    def __iter__(self) -> Iterator[Questionnaire]:
        return iter(self._questionnaires[key] for key in sorted(self._questionnaires))
