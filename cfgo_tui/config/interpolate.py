"""`${VAR}`, `${VAR:-default}` (unset or empty), `${VAR-default}` (unset only) and `$$` (a literal
`$`) in every string value of the document. Keys are never interpolated.

A plain (unquoted) scalar is re-typed after substitution the way YAML would have typed it, so
`timeout: ${TIMEOUT:-5}` is the number 5; a quoted one stays a string.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import yaml

from cfgo_tui.config.yamltree import KeyPath, YamlDocument

_REFERENCE = re.compile(
    r"\$(?:(?P<escaped>\$)|\{(?P<name>[^}:\-]*)(?:(?P<op>:?-)(?P<default>[^}]*))?\}|(?P<bad>\{))"
)
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def interpolate(doc: YamlDocument, env: Mapping[str, str]) -> set[KeyPath]:
    """Substitute references in `doc.data` in place; returns the key paths whose value came (at
    least in part) from the environment, so the secret-permission check can tell literals apart."""
    touched: set[KeyPath] = set()
    doc.data = _visit(doc.data, (), doc, env, touched)
    return touched


def _visit(
    value: Any, path: KeyPath, doc: YamlDocument, env: Mapping[str, str], touched: set[KeyPath]
) -> Any:
    if isinstance(value, str):
        return _substitute(value, path, doc, env, touched)
    if isinstance(value, list):
        return [_visit(item, (*path, i), doc, env, touched) for i, item in enumerate(value)]
    if isinstance(value, dict):
        return {key: _visit(item, (*path, key), doc, env, touched) for key, item in value.items()}
    return value


def _substitute(
    text: str, path: KeyPath, doc: YamlDocument, env: Mapping[str, str], touched: set[KeyPath]
) -> Any:
    if "$" not in text:
        return text

    def replace(match: re.Match[str]) -> str:
        if match.group("escaped"):
            return "$"
        if match.group("bad"):
            raise doc.error(
                path,
                f"malformed reference in {text!r}: write `${{NAME}}` or `${{NAME:-default}}`; "
                "`$$` is a literal `$`",
            )
        name = match.group("name")
        if not _NAME.match(name):
            raise doc.error(
                path, f"bad variable name {name!r} in `${{{name}}}`: use letters, digits and _"
            )
        touched.add(path)
        op, default = match.group("op"), match.group("default")
        found = env.get(name)
        if op == ":-" and not found:
            return str(default)
        if op == "-" and found is None:
            return str(default)
        if found is None:
            raise doc.error(
                path,
                f"environment variable `{name}` is not set (referenced as `${{{name}}}`); set it "
                f"or give a default: `${{{name}:-value}}`",
            )
        return found

    result = _REFERENCE.sub(replace, text)
    if path in doc.plain and path in touched:
        return _retype(result)
    return result


def _retype(text: str) -> Any:
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError:
        return text
    if isinstance(value, bool | int | float) or value is None:
        return value
    return text
