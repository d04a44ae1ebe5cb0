"""A full SNOMED CT release through PyMedTermino (built by ``plainrecord terminology import-rf2``).

Two traps handled here (see docs/NOTES-stack): PyMedTermino reads its "hide inactive content"
switches as off unless they are set in the environment before it is imported, and it keeps one
SQLite connection that only the importing thread may use. We set the switches, point its
``DATA_DIR`` at our database, swap its connection for one usable from any thread, and serialise
every call through a lock.

Names shown to patients and the is-a pairs for the nearest-ancestor table come straight from the
same database with plain SQL, because building 350,000 PyMedTermino concept objects would take
hundreds of megabytes; PyMedTermino serves per-concept navigation (FSN, parents, ancestors).
"""

from __future__ import annotations

import atexit
import os
import sqlite3
import sys
import threading
from collections.abc import Iterator, Mapping
from contextlib import closing
from pathlib import Path
from types import ModuleType
from typing import Any

from glossary.terminology.rf2 import DB_NAME, FSN_TYPE, IS_A
from glossary.terminology.tidy import split_tag

_SWITCHES = {
    "PYMEDTERMINO_REMOVE_SUPPRESSED_CONCEPTS": "1",
    "PYMEDTERMINO_REMOVE_SUPPRESSED_TERMS": "1",
    "PYMEDTERMINO_REMOVE_SUPPRESSED_RELATIONS": "1",
    "PYMEDTERMINO_READ_ONLY_DATABASE": "1",
}
_import_lock = threading.Lock()


class TerminologyUnavailable(RuntimeError):
    """Raised when the configured SNOMED CT database cannot be used."""


def resolve_db(path: str | Path) -> Path:
    """The ``snomedct.sqlite3`` file for a configured path (the file or its folder)."""
    p = Path(path)
    return p / DB_NAME if p.is_dir() else p


def _import_pymedtermino(db: Path) -> ModuleType:
    """Import ``pymedtermino.snomedct`` reading ``db``, with inactive content hidden."""
    with _import_lock:
        already = sys.modules.get("pymedtermino.snomedct")
        if already is not None:
            current = Path(already.db_path) if hasattr(already, "db_path") else None
            if current != db.resolve():
                raise TerminologyUnavailable(
                    "PyMedTermino is already loaded with another database in this process"
                )
            return already
        os.environ.update(_SWITCHES)
        os.environ["PYMEDTERMINO_DATA_DIR"] = str(db.parent)
        import pymedtermino

        # The module may have been imported before our switches were set: set them directly.
        pymedtermino.DATA_DIR = str(db.parent)
        pymedtermino.REMOVE_SUPPRESSED_CONCEPTS = True
        pymedtermino.REMOVE_SUPPRESSED_TERMS = True
        pymedtermino.REMOVE_SUPPRESSED_RELATIONS = True
        pymedtermino.READ_ONLY_DATABASE = True
        import pymedtermino.snomedct as snomedct

        # It would print every code asked for but not found at exit: patients' codes in logs.
        atexit.unregister(pymedtermino.print_missing_concepts)

        # Replace the importing thread's connection with one any thread may use (under our lock).
        snomedct.db.close()
        conn = sqlite3.connect(db, check_same_thread=False)
        conn.execute("PRAGMA query_only = TRUE")
        snomedct.db = conn
        snomedct.db_cursor = conn.cursor()
        snomedct.db_path = str(db.resolve())
        return snomedct


class PyMedTerminoTerminology:
    """A full release: en-GB names, FSNs, and the is-a hierarchy (inactive content hidden)."""

    has_hierarchy = True

    def __init__(self, db_path: str | Path):
        """Open the database; names are read into memory so look-ups are dictionary hits.

        Raises:
            TerminologyUnavailable: if the file is missing or holds no active concepts.
        """
        self.db_path = resolve_db(db_path)
        if not self.db_path.is_file():
            raise TerminologyUnavailable(f"no SNOMED CT database at {self.db_path}")
        self._lock = threading.RLock()
        self._local = threading.local()
        with closing(self._connect()) as conn:
            release = conn.execute("SELECT value FROM Release WHERE key = 'release'").fetchone()
            self._terms: dict[str, str] = {
                str(code): term
                for code, term in conn.execute(
                    "SELECT p.conceptId, p.term FROM PreferredTerm p "
                    "JOIN Concept c ON c.id = p.conceptId WHERE c.active = 1"
                )
            }
            # Semantic tags, interned (a few dozen distinct strings), so "what kind of thing is
            # this" needs no database call.
            self._tags: dict[str, str] = {}
            for code, fsn in conn.execute(
                "SELECT d.conceptId, d.term FROM Description d JOIN Concept c "
                "ON c.id = d.conceptId WHERE c.active = 1 AND d.active = 1 AND d.typeId = ?",
                (FSN_TYPE,),
            ):
                tag = split_tag(fsn)[1]
                if tag:
                    self._tags[str(code)] = sys.intern(tag)
        if not self._terms:
            raise TerminologyUnavailable(f"{self.db_path} holds no active concepts")
        self.term_index: Mapping[str, str] = self._terms
        self.tag_index: Mapping[str, str] = self._tags
        self.name = f"SNOMED CT release {release[0] if release else 'unknown'}"
        self._snomedct = _import_pymedtermino(self.db_path)

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True)
        return conn

    def _concept(self, code: str) -> Any | None:
        try:
            return self._snomedct.SNOMEDCT[int(code)]
        except (ValueError, TypeError, KeyError):
            return None

    def term(self, code: str) -> str | None:
        """The en-GB preferred term of an active concept."""
        return self._terms.get(code)

    def semantic_tag(self, code: str) -> str | None:
        """The semantic tag of an active concept's FSN."""
        return self._tags.get(code)

    def fsn(self, code: str) -> str | None:
        """The fully specified name of an active concept (through PyMedTermino)."""
        with self._lock:
            concept = self._concept(code)
            return None if concept is None else str(concept.term)

    def parents(self, code: str) -> list[str]:
        """Active is-a parents (through PyMedTermino)."""
        with self._lock:
            concept = self._concept(code)
            return [] if concept is None else [str(p.code) for p in concept.parents]

    def ancestors(self, code: str) -> list[str]:
        """Every active ancestor once (PyMedTermino's ``ancestors_no_double``)."""
        with self._lock:
            concept = self._concept(code)
            if concept is None:
                return []
            return [str(a.code) for a in concept.ancestors_no_double()]

    def is_a_edges(self) -> Iterator[tuple[str, str]]:
        """Active is-a pairs between active concepts, straight from SQLite."""
        with closing(self._connect()) as conn:
            rows = conn.execute(
                "SELECT r.sourceId, r.destinationId FROM Relationship r "
                "JOIN Concept s ON s.id = r.sourceId JOIN Concept d ON d.id = r.destinationId "
                "WHERE r.typeId = ? AND r.active = 1 AND s.active = 1 AND d.active = 1",
                (int(IS_A),),
            )
            for src, dst in rows:
                yield str(src), str(dst)
