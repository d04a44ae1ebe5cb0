"""api.safety is domain code: it imports no web, bot or cache framework."""

from __future__ import annotations

import ast
from pathlib import Path

FORBIDDEN = {"fastapi", "starlette", "rasa_sdk", "rasa", "redis", "uvicorn", "httpx"}
PACKAGE = Path(__file__).resolve().parents[3] / "api" / "safety"


def test_no_framework_imports() -> None:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            found += [(path.name, n) for n in names if n.split(".")[0] in FORBIDDEN]
    assert found == []
