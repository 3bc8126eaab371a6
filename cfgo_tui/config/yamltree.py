"""YAML with `yaml.safe_load` semantics plus what the validator needs: the line of every key path,
which scalars were plain (unquoted), and errors for duplicate keys and multiple documents."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from cfgo_tui.config.errors import ConfigError

KeyPath = tuple[str | int, ...]


def format_path(path: KeyPath) -> str:
    """`("profiles", "local", "channels", 2)` -> `profiles.local.channels[2]`."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


@dataclass
class YamlDocument:
    """The constructed data and, for each key path, its 1-based line and scalar style."""

    file: Path | None
    data: Any
    lines: dict[KeyPath, int] = field(default_factory=dict)
    plain: set[KeyPath] = field(default_factory=set)

    def line_of(self, path: KeyPath) -> int | None:
        """The line of `path`, or of its nearest ancestor that has one."""
        while True:
            if path in self.lines:
                return self.lines[path]
            if not path:
                return None
            path = path[:-1]

    def error(self, path: KeyPath, problem: str) -> ConfigError:
        return ConfigError(problem, file=self.file, line=self.line_of(path), key=format_path(path))


def parse_yaml(text: str, file: Path | None = None) -> YamlDocument:
    """Parse one YAML document with the safe loader; ConfigError (with line and column) on bad
    YAML, duplicate keys, or more than one document. An empty file gives `data=None`."""
    loader = yaml.SafeLoader(text)
    try:
        try:
            node = loader.get_single_node()
        except yaml.MarkedYAMLError as error:
            raise _yaml_error(error, file) from None
        except yaml.YAMLError as error:
            raise ConfigError(f"invalid YAML: {error}", file=file) from None
        doc = YamlDocument(file, None)
        if node is None:
            return doc
        _walk(node, (), doc)
        try:
            doc.data = loader.construct_document(node)
        except yaml.MarkedYAMLError as error:
            raise _yaml_error(error, file) from None
        return doc
    finally:
        loader.dispose()


def _yaml_error(error: yaml.MarkedYAMLError, file: Path | None) -> ConfigError:
    mark = error.problem_mark or error.context_mark
    line = mark.line + 1 if mark is not None else None
    column = f", column {mark.column + 1}" if mark is not None else ""
    problem = error.problem or "syntax error"
    context = f" ({error.context})" if error.context else ""
    if "'\\t'" in problem:
        context = " (indent with spaces: YAML does not allow tabs)"
    elif "<block" in problem:
        context = f"{context}; check the indentation of this line and the one above"
    if "expected a single document" in problem or "but found another document" in problem:
        problem = "more than one YAML document (`---`): put every profile in one document"
        context = ""
    return ConfigError(f"invalid YAML{column}: {problem}{context}", file=file, line=line)


def _walk(node: yaml.Node, path: KeyPath, doc: YamlDocument) -> None:
    doc.lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.ScalarNode):
        if node.style is None:
            doc.plain.add(path)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*path, index), doc)
    elif isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        merged: list[yaml.Node] = []
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                merged.append(value_node)
                continue
            key = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else "?"
            line = key_node.start_mark.line + 1
            if key in seen:
                raise ConfigError(
                    f"duplicate key `{key}` (first defined at line {seen[key]}); "
                    "YAML would silently keep only the last one",
                    file=doc.file,
                    line=line,
                    key=format_path(path),
                )
            seen[key] = line
            doc.lines[(*path, key)] = line
            _walk(value_node, (*path, key), doc)
        # `<<: *anchor` keys: explicit keys above win, as in the constructor.
        for value_node in merged:
            sources = (
                value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
            )
            for source in sources:
                if isinstance(source, yaml.MappingNode):
                    for key_node, sub in source.value:
                        key = str(key_node.value)
                        if (*path, key) not in doc.lines:
                            doc.lines[(*path, key)] = key_node.start_mark.line + 1
                            _walk(sub, (*path, key), doc)
