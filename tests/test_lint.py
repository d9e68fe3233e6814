"""The lint rules as a test: the checkout stays clean under `[tool.ruff]` in pyproject.toml.

The rules live in pyproject.toml so an editor's ruff and this test agree; here they are
run over the whole checkout with the ruff installed beside the interpreter, the one the
test extras pin, so a contributor's newer ruff cannot pass or fail the suite on its own.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .conftest import ROOT


def test_the_checkout_passes_the_lint_rules_in_pyproject():
    """A finding fails the suite with ruff's own report (file, line, rule), so the fix is
    where it points; `ruff check --fix` settles import order and other mechanical ones."""
    ruff = Path(sys.executable).with_name("ruff")
    result = subprocess.run(
        [str(ruff), "check", "--no-cache", "--output-format", "concise", "."],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
