"""Safe YAML reading that remembers where every key came from.

Only plain data is built (mappings, lists, strings, numbers, booleans, null); any other tag is an
error, so no document can construct Python objects. Duplicate keys, NaN and infinity, very deep
or very large documents are rejected with the file and line that caused them. ``extends:``
merges a parent file under a child file; each value keeps the file and line that set it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from forecast.errors import Problem, ScenarioError
from forecast.io.history import control_problem, read_bounded

MAX_BYTES = 1_000_000
MAX_DEPTH = 32
MAX_TEXT = 10_000
"""Longest text value (characters); a longer one is refused at its line."""
MAX_NUMBER = 40
"""Longest number as written (characters): a 5,000-digit seed is refused, not converted."""
_NUMBER_TAGS = {"tag:yaml.org,2002:int", "tag:yaml.org,2002:float"}
_DECIMAL = re.compile(r"^[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?$|^[-+]?\.(inf|Inf|INF)$|^\.(nan|NaN|NAN)$")
MAX_NODES = 100_000
MAX_EXTENDS = 8
_PLAIN_TAGS = {
    "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null",
}
Path_ = tuple[Any, ...]


@dataclass
class SourceMap:
    """File and line for each key path of a merged document."""

    where: dict[Path_, tuple[str, int]] = field(default_factory=dict)

    def locate(self, path: Path_) -> tuple[str | None, int | None]:
        """File and line of ``path`` or of its nearest located ancestor."""
        path = tuple(path)
        while True:
            if path in self.where:
                return self.where[path]
            if not path:
                return (None, None)
            path = path[:-1]

    def file_of(self, path: Path_) -> str | None:
        """The file that set ``path``."""
        return self.locate(path)[0]


def key_path(path: Path_) -> str:
    """Render a key path as ``indicators.output.volatility`` / ``targets[2].year``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + str(part)
    return text


class _Builder:
    def __init__(self, file: str):
        self.file = file
        self.nodes = 0
        self.where: dict[Path_, tuple[str, int]] = {}
        self.scalars = yaml.SafeLoader("")

    def fail(self, node: yaml.Node, path: Path_, message: str) -> ScenarioError:
        return ScenarioError([Problem(self.file, node.start_mark.line + 1, key_path(path), message)])

    def build(self, node: yaml.Node, path: Path_ = ()) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise self.fail(node, path, f"document too large (more than {MAX_NODES} values, "
                            "perhaps through repeated aliases)")
        if len(path) > MAX_DEPTH:
            raise self.fail(node, path, f"document nested deeper than {MAX_DEPTH} levels")
        self.where.setdefault(path, (self.file, node.start_mark.line + 1))
        if isinstance(node, yaml.MappingNode):
            if node.tag != "tag:yaml.org,2002:map":
                raise self.fail(node, path, f"tag '{node.tag}' is not allowed; plain data only")
            out: dict[str, Any] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                    raise self.fail(key_node, path, "keys must be plain text (no merge keys or "
                                    "complex keys)")
                key = str(self.scalar(key_node, path))
                if key in out:
                    raise self.fail(key_node, path + (key,), f"duplicate key '{key}'")
                self.where[path + (key,)] = (self.file, key_node.start_mark.line + 1)
                out[key] = self.build(value_node, path + (key,))
            return out
        if isinstance(node, yaml.SequenceNode):
            if node.tag != "tag:yaml.org,2002:seq":
                raise self.fail(node, path, f"tag '{node.tag}' is not allowed; plain data only")
            return [self.build(item, path + (i,)) for i, item in enumerate(node.value)]
        return self.scalar(node, path)

    def scalar(self, node: yaml.Node, path: Path_) -> Any:
        if node.tag not in _PLAIN_TAGS:
            raise self.fail(node, path, f"tag '{node.tag}' is not allowed; plain data only "
                            "(strings, numbers, booleans, lists and mappings)")
        if node.tag in _NUMBER_TAGS and (len(node.value) > MAX_NUMBER
                                         or not _DECIMAL.match(node.value)
                                         or re.match(r"^[-+]?0[0-9]", node.value)):
            raise self.fail(node, path, f"found {node.value[:MAX_NUMBER]!r}"
                            f"{'...' if len(node.value) > MAX_NUMBER else ''}; write numbers in "
                            f"decimal, at most {MAX_NUMBER} characters, without '_', ':' or a "
                            "leading 0 (quote it if it is text)")
        if isinstance(node.value, str) and len(node.value) > MAX_TEXT:
            raise self.fail(node, path, f"text of {len(node.value):,} characters; at most "
                            f"{MAX_TEXT:,} are kept")
        value = self.scalars.construct_object(node, deep=True)
        if isinstance(value, str) and control_problem(value):
            raise self.fail(node, path, control_problem(value))
        if isinstance(value, float) and not math.isfinite(value):
            raise self.fail(node, path, f"found {node.value!r}; expected a finite number")
        return value


def read_yaml(path: Path) -> tuple[dict[str, Any], SourceMap]:
    """Read one YAML file into plain data and a source map (no ``extends`` handling).

    Raises
    ------
    ScenarioError
        If the file is missing, unreadable, not UTF-8, empty, not a mapping, or not plain data.
    """
    file = str(path)
    raw = read_bounded(path, MAX_BYTES, ScenarioError)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ScenarioError.single("file is not UTF-8 text; save it as UTF-8", file=file, line=line)
    try:
        _check_depth(text, file)  # before composing, which recurses once per level
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise ScenarioError.single(f"YAML syntax error: {exc.problem or exc}", file=file, line=line)
    except yaml.YAMLError as exc:
        raise ScenarioError.single(f"YAML error: {exc}", file=file)
    if node is None:
        raise ScenarioError.single("file is empty; expected a scenario mapping", file=file)
    builder = _Builder(file)
    data = builder.build(node)
    if not isinstance(data, dict):
        raise ScenarioError.single(f"found a {type(data).__name__} at the top level; expected a "
                                   "mapping of scenario keys", file=file, line=1)
    return data, SourceMap(builder.where)


def _check_depth(text: str, file: str) -> None:
    """Refuse a document nested deeper than :data:`MAX_DEPTH`, from the parser's events (which
    keep no stack of their own), at the line where it goes too deep."""
    depth = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH + 1:
                raise ScenarioError.single(f"document nested deeper than {MAX_DEPTH} levels",
                                           file=file, line=event.start_mark.line + 1)
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1


def _same_kind(parent: dict, child: dict) -> bool:
    """Whether a child mapping refines the parent's (same ``dist`` / ``model``) or replaces it."""
    return all(key not in child or parent.get(key) == child[key] for key in ("dist", "model"))


def _merge(parent: Any, child: Any, path: Path_, where: dict, child_where: dict) -> Any:
    if isinstance(parent, dict) and isinstance(child, dict) and _same_kind(parent, child):
        out = dict(parent)
        for key, value in child.items():
            if path + (key,) in child_where:
                where[path + (key,)] = child_where[path + (key,)]
            out[key] = _merge(parent.get(key), value, path + (key,), where, child_where)
        return out
    for p in [p for p in where if p[: len(path)] == path and len(p) > len(path)]:
        del where[p]
    where.update({p: w for p, w in child_where.items() if p[: len(path)] == path})
    return child


def load_document(path: Path, _chain: tuple[Path, ...] = ()) -> tuple[dict[str, Any], SourceMap]:
    """Read a scenario file, following ``extends:`` to its parents.

    The child's mappings are merged over the parent's key by key; a list or scalar in the child
    replaces the parent's, and so does a mapping that names another ``dist`` or ``model`` (a
    normal prior replaced by a uniform one keeps none of the normal's keys). ``extends`` is resolved against the child's folder.
    """
    path = Path(path).resolve()
    if path in _chain:
        raise ScenarioError.single("'extends' forms a loop: " +
                                   " -> ".join(str(p) for p in _chain + (path,)), file=str(path))
    if len(_chain) >= MAX_EXTENDS:
        raise ScenarioError.single(f"more than {MAX_EXTENDS} levels of 'extends'", file=str(path))
    data, source = read_yaml(path)
    parent_name = data.pop("extends", None)
    if parent_name is None:
        return data, source
    if not isinstance(parent_name, str):
        file, line = source.locate(("extends",))
        raise ScenarioError.single("expected the path of a scenario file", file=file, line=line,
                                   key="extends")
    parent_path = path.parent / parent_name
    if parent_path.resolve() in _chain + (path,):
        file, line = source.locate(("extends",))
        raise ScenarioError.single("'extends' forms a loop: " + " -> ".join(
            str(p) for p in _chain + (path, parent_path.resolve())), file=file, line=line,
            key="extends")
    if not parent_path.is_file():
        file, line = source.locate(("extends",))
        raise ScenarioError.single(f"parent scenario '{parent_name}' not found (looked for "
                                   f"{parent_path})", file=file, line=line, key="extends")
    parent, parent_source = load_document(parent_path, _chain + (path,))
    where = dict(parent_source.where)
    child_where = {p: w for p, w in source.where.items() if p}
    merged = _merge(parent, data, (), where, child_where)
    where[()] = (str(path), 1)
    return merged, SourceMap(where)
