"""The headless layers must never pull in Textual or Rich (checked in a clean interpreter), and
the app and the store never import the client's wire protocol (checked by parsing imports)."""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import cfgo_tui

HEADLESS = ("client", "api", "config", "localserver", "tokens", "store", "demo")


def headless_modules() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(cfgo_tui.__path__, "cfgo_tui."):
        layer = info.name.split(".")[1]
        if layer in HEADLESS:
            names.append(info.name)
    return names


@pytest.mark.parametrize("module", headless_modules())
def test_headless_module_imports_no_textual(module: str):
    code = (
        f"import sys, {module}; "
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')); "
        "print(','.join(bad)); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], check=False, capture_output=True, text=True
    )
    assert result.returncode == 0, f"{module} imports {result.stdout.strip()} {result.stderr}"


# Widgets never speak the wire protocol: the app and the store see the client's events and
# intents, never its frames codec or its connection.
WIRE = ("cfgo_tui.client.codec", "cfgo_tui.client.connection")
NO_WIRE = ("tui", "store")
SOURCE = Path(cfgo_tui.__file__).resolve().parent


def imported_modules(source: str, module: str, *, is_package: bool = False) -> set[str]:
    """Every module `source` names in an import, anywhere in it (functions, TYPE_CHECKING
    blocks, `import_module("...")`), relative imports resolved against `module`."""
    package = module if is_package else module.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1])
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            names.add(target)
            # `from cfgo_tui.client import codec` imports the module `codec`
            names.update(f"{target}.{alias.name}" for alias in node.names)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name | ast.Attribute)
            and (node.func.id if isinstance(node.func, ast.Name) else node.func.attr)
            in ("import_module", "__import__")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            names.add(node.args[0].value)
    return names


def wire_imports(names: set[str]) -> list[str]:
    return sorted(n for n in names if any(n == w or n.startswith(f"{w}.") for w in WIRE))


def no_wire_sources() -> list[Path]:
    return sorted(path for layer in NO_WIRE for path in (SOURCE / layer).rglob("*.py"))


def module_name(path: Path) -> str:
    parts = path.relative_to(SOURCE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@pytest.mark.parametrize(
    "source",
    [
        "from cfgo_tui.client import codec",
        "from cfgo_tui.client import errors, connection",
        "import cfgo_tui.client.connection as conn",
        "from cfgo_tui.client.codec import encode",
        "from ..client import codec",
        "from ..client.connection import Connection",
        "from .. import client\nfrom ..client import connection",
        "if TYPE_CHECKING:\n    from cfgo_tui.client.connection import Connection",
        "def later():\n    import cfgo_tui.client.codec",
        "codec = importlib.import_module('cfgo_tui.client.codec')",
    ],
)
def test_the_wire_contract_finds_a_wire_import(source: str):
    names = imported_modules(source, "cfgo_tui.store.store")
    assert wire_imports(names), f"not found in {source!r}: {sorted(names)}"


@pytest.mark.parametrize(
    "source",
    [
        "from cfgo_tui.client.codes import describe",
        "from cfgo_tui.client import errors, events",
        "from ..client.events import Event",
        "import cfgo_tui.client.codec_notes",
        "connection = 'cfgo_tui.client.connection'",
    ],
)
def test_the_wire_contract_lets_other_client_imports_pass(source: str):
    assert wire_imports(imported_modules(source, "cfgo_tui.store.store")) == []


def test_tui_and_store_never_import_the_wire_protocol():
    sources = no_wire_sources()
    assert {path.parent.name for path in sources} >= {"tui", "widgets", "screens", "store"}
    seen: set[str] = set()
    offenders: list[str] = []
    for path in sources:
        names = imported_modules(
            path.read_text(encoding="utf-8"),
            module_name(path),
            is_package=path.name == "__init__.py",
        )
        seen |= names
        offenders += [f"{path.relative_to(SOURCE.parent)}: {n}" for n in wire_imports(names)]
    # the parse does read their imports: the app does use the client's events and errors
    assert {"cfgo_tui.client.events", "cfgo_tui.client.errors"} <= seen
    assert offenders == [], "\n".join(offenders)
