"""The headless layers must never pull in Textual or Rich (checked in a clean interpreter)."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

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
