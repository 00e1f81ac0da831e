"""Read YAML definition files while remembering where every value came from.

Questionnaires and standards are edited by hand, so a mistake must be
reported with the file, the line and the path inside the document
(for example ``sections[3].questions[2].choices``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

PathKey = tuple[str | int, ...]


def format_path(path: Iterable[str | int]) -> str:
    """Render a path as ``sections[3].questions[2].choices``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text or "(top level)"


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a definition file."""

    file: str
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.path}: {self.message}"


class DefinitionError(Exception):
    """A definition file could not be loaded; carries every problem found."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


@dataclass
class SourceDocument:
    """Parsed YAML data plus the line of every node, keyed by path."""

    file: str
    data: Any
    lines: dict[PathKey, int] = field(default_factory=dict)

    def line_of(self, path: PathKey) -> int | None:
        """The line of the nearest node at or above ``path``."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(tuple(path[:end]))
            if line is not None:
                return line
        return None

    def problem(self, path: PathKey, message: str) -> Problem:
        return Problem(self.file, self.line_of(path), format_path(path), message)


# libyaml's parser when PyYAML was built with it; the same rules either way.
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_SafeLoader):  # type: ignore[valid-type,misc]
    """Safe YAML with only true/false as booleans (as in YAML 1.2).

    YAML 1.1 reads yes, no, on and off as booleans; in a questionnaire they
    are answers, and `indicators: {yes: [...]}` must keep the key "yes".
    """


_Loader.yaml_implicit_resolvers = {
    first: [
        (tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


def _normalize(value: Any) -> Any:
    """NFC-normalise every string so equal text always hashes equally."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, list):
        return [_normalize(item) for item in value]
    if isinstance(value, dict):
        return {_normalize(key): _normalize(item) for key, item in value.items()}
    return value


MAX_DEPTH = 40
_FLOAT_TAG = "tag:yaml.org,2002:float"
_INT_TAG = "tag:yaml.org,2002:int"
# Characters that reorder or hide text: a prompt must read as it is stored.
_DIRECTION_CONTROLS = re.compile(
    "[\u202a-\u202e\u2066-\u2069\u200e\u200f\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"
)


def _scalar_problem(node: yaml.ScalarNode) -> str | None:
    """Values that parse but cannot mean anything in a definition file."""
    value = str(node.value)
    if node.tag == _FLOAT_TAG and value.lower().lstrip("+-") in (".nan", ".inf"):
        return "must be a finite number"
    if node.tag in (_INT_TAG, _FLOAT_TAG) and len(value) > 30:
        return "number too long"
    found = _DIRECTION_CONTROLS.search(value)
    if found:
        return f"contains the invisible control character U+{ord(found.group()):04X}"
    return None


class _NodeWalker:
    """Records the line of every node, duplicate keys, and any alias.

    Definition files have no use for anchors and aliases, and an alias can
    make a small file expand to an enormous document, so they are refused.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self.lines: dict[PathKey, int] = {}
        self.problems: list[Problem] = []
        self._seen: set[int] = set()

    def walk(self, node: yaml.Node, path: PathKey) -> None:
        line = node.start_mark.line + 1
        if id(node) in self._seen:
            self._fail(line, path, "anchors and aliases (&, *) are not allowed here")
            return
        if len(path) > MAX_DEPTH:
            self._fail(line, path, f"nested more than {MAX_DEPTH} levels deep")
            return
        self._seen.add(id(node))
        self.lines[path] = line
        if isinstance(node, yaml.ScalarNode):
            problem = _scalar_problem(node)
            if problem:
                self._fail(line, path, problem)
        elif isinstance(node, yaml.MappingNode):
            keys: set[str] = set()
            for key_node, value_node in node.value:
                key = str(key_node.value)
                if key in keys:
                    line = key_node.start_mark.line + 1
                    self._fail(line, path, f"duplicate key '{key}'")
                keys.add(key)
                self.walk(value_node, (*path, key))
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                self.walk(item, (*path, index))

    def _fail(self, line: int, path: PathKey, message: str) -> None:
        self.problems.append(Problem(self.name, line, format_path(path), message))


MAX_CHARACTERS = 2_000_000


def read_yaml(path: Path, display_name: str | None = None) -> SourceDocument:
    """Parse a YAML file safely, or raise DefinitionError naming the line."""
    name = display_name or str(path)

    def refuse(message: str) -> DefinitionError:
        return DefinitionError([Problem(name, None, "(file)", message)])

    if not path.exists():
        raise refuse("file not found")
    if not path.is_file():
        raise refuse("not a regular file")
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_CHARACTERS * 4 + 1)  # UTF-8: at most 4 bytes each
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise refuse(f"not UTF-8 text (byte {error.start + 1})") from None
    except OSError as error:
        raise refuse(f"cannot be read ({error.strerror})") from None
    return parse_yaml(text, name)


def parse_yaml(text: str, name: str) -> SourceDocument:
    """Parse YAML text; syntax errors, duplicate keys and aliases name the line."""
    if len(text) > MAX_CHARACTERS:
        message = f"larger than {MAX_CHARACTERS:,} characters"
        raise DefinitionError([Problem(name, None, "(file)", message)])
    walker = _NodeWalker(name)
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return SourceDocument(name, None)
        walker.walk(node, ())
        if walker.problems:
            raise DefinitionError(walker.problems)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else None
        reason = error.problem or error.context or "invalid YAML"
        raise DefinitionError([Problem(name, line, "(syntax)", reason)]) from None
    except yaml.YAMLError as error:
        raise DefinitionError([Problem(name, None, "(syntax)", str(error))]) from None
    except (RecursionError, ValueError):
        message = "nested too deeply or a value that cannot be read"
        raise DefinitionError([Problem(name, None, "(syntax)", message)]) from None
    finally:
        loader.dispose()
    return SourceDocument(name, _normalize(data), walker.lines)
