"""Importing the glossary builds nothing: no spaCy, no PyMedTermino, no content loaded."""

from __future__ import annotations

import subprocess
import sys

CHECK = """
import sys
import glossary, glossary.cli, glossary.fhir_explain, glossary.terminology
heavy = [m for m in ("spacy", "pymedtermino", "textstat") if m in sys.modules]
assert not heavy, heavy
assert glossary.get_glossary.cache_info().currsize == 0
for name in ("fastapi", "starlette", "rasa_sdk", "rasa", "redis", "api", "bot"):
    assert name not in sys.modules, name
print("ok")
"""


def test_import_is_cheap_and_framework_free() -> None:
    out = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True,
                         check=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
