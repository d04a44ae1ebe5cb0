"""Terminology backends: the bundled starter set, or a full release through PyMedTermino.

Chosen by configuration: ``PLAINRECORD_SNOMED_DB`` (a ``snomedct.sqlite3`` built by
``plainrecord terminology import-rf2``, or its folder) selects the full release; otherwise the
starter set (SNOMED CT Global Patient Set names, no hierarchy) is used.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from glossary.terminology.base import Terminology, nearest_curated_ancestors

ENV_DB = "PLAINRECORD_SNOMED_DB"

__all__ = ["ENV_DB", "Terminology", "nearest_curated_ancestors", "open_terminology"]


def open_terminology(
    db_path: str | None = None, extra_terms: Mapping[str, str] | None = None
) -> Terminology:
    """Open the configured terminology.

    Args:
        db_path: a full-release database; default ``$PLAINRECORD_SNOMED_DB``, else the starter set.
        extra_terms: ``code -> name`` for curated codes (used by the starter set).

    Returns:
        The backend.
    """
    db_path = db_path or os.environ.get(ENV_DB) or None
    if db_path:
        from glossary.terminology.pymedtermino_backend import PyMedTerminoTerminology

        return PyMedTerminoTerminology(db_path)
    from glossary.terminology.starter import StarterTerminology

    return StarterTerminology.load(extra_terms)
