"""Shared fixtures: the test content folder and a PyMedTermino database of the RF2 fixture."""

from __future__ import annotations

from pathlib import Path

import pytest

from glossary import Glossary
from glossary.content import load_content
from glossary.terminology.rf2 import ImportReport, import_rf2

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
CONTENT_DIR = FIXTURES / "glossary"
RF2_DIR = FIXTURES / "rf2"


@pytest.fixture(scope="session")
def rf2_import(tmp_path_factory: pytest.TempPathFactory) -> ImportReport:
    """The synthetic UK-style RF2 snapshot imported once per test session.

    PyMedTermino holds one database per process, so every test shares this one.
    """
    out = tmp_path_factory.mktemp("snomed")
    return import_rf2(RF2_DIR, out)


@pytest.fixture(scope="session")
def full_glossary(rf2_import: ImportReport) -> Glossary:
    """A glossary over the test content and the full-release (fixture) terminology."""
    return Glossary.build(CONTENT_DIR, snomed_db=str(rf2_import.db_path))  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def starter_glossary() -> Glossary:
    """A glossary over the test content and the bundled starter set."""
    return Glossary.build(CONTENT_DIR, snomed_db="")  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def test_content():  # type: ignore[no-untyped-def]
    return load_content(CONTENT_DIR)  # type: ignore[arg-type]
