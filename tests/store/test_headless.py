"""The store is headless: importing it pulls in neither Textual nor Rich."""

from __future__ import annotations

import subprocess
import sys


def test_store_imports_no_textual_or_rich():
    code = (
        "import sys, cfgo_tui.store; "
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')); "
        "print(','.join(bad)); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], check=False, capture_output=True, text=True
    )
    assert result.returncode == 0, f"cfgo_tui.store imports {result.stdout.strip()}"
