"""Import an RF2 snapshot (International or UK Edition) into the SQLite file PyMedTermino reads.

PyMedTermino's own import script only knows International file names, takes the release tag from
the folder name and leaves an empty database behind when it fails. This importer:

- finds Snapshot files by pattern, so ``sct2_Concept_Snapshot_INT_...``,
  ``sct2_Concept_UKCLSnapshot_GB1000000_...`` and ``sct2_Concept_MONOSnapshot_GB_...`` all work
  (several files of one kind are merged; for a repeated id the latest effectiveTime wins);
- keeps only relationship types PyMedTermino can name (plus is-a), counting the rest, because its
  ``.relations`` raises KeyError on a type it does not know;
- stores the en-GB preferred term for each concept (language refsets, GB first) in an extra
  ``PreferredTerm`` table, since PyMedTermino's ``.term`` is the fully specified name;
- writes to a temporary file and renames it only when the import succeeded.
"""

from __future__ import annotations

import ast
import importlib.util
import os
import re
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

IS_A = 116680003
FSN_TYPE = 900000000000003001
SYNONYM_TYPE = 900000000000013009
PREFERRED = 900000000000548007
# Language refsets in order of preference: NHS realm (clinical), GB English, US English.
LANGUAGE_PRIORITY = (999001261000000100, 900000000000508004, 900000000000509007)
DB_NAME = "snomedct.sqlite3"

_KIND_PATTERNS = {
    "concept": re.compile(r"^sct2_Concept_[A-Za-z]*Snapshot_.+\.txt$"),
    "description": re.compile(r"^sct2_Description_[A-Za-z]*Snapshot-en[A-Za-z-]*_.+\.txt$"),
    "relationship": re.compile(r"^sct2_Relationship_[A-Za-z]*Snapshot_.+\.txt$"),
    "language": re.compile(r"^der2_cRefset_Language[A-Za-z]*Snapshot-en[A-Za-z-]*_.+\.txt$"),
}
DESCRIPTION_COLUMNS = [
    "id", "effectiveTime", "active", "moduleId", "conceptId", "languageCode", "typeId", "term",
    "caseSignificanceId",
]
RELATIONSHIP_COLUMNS = [
    "id", "effectiveTime", "active", "moduleId", "sourceId", "destinationId",
    "relationshipGroup", "typeId", "characteristicTypeId", "modifierId",
]
_DATE = re.compile(r"_(\d{8})\.txt$")

SCHEMA = """
CREATE TABLE Concept (id INTEGER PRIMARY KEY, effectiveTime TEXT, active INTEGER,
    moduleId INTEGER, definitionStatusId INTEGER, is_in_core INTEGER DEFAULT 0);
CREATE TABLE Description (id INTEGER PRIMARY KEY, effectiveTime TEXT, active INTEGER,
    moduleId INTEGER, conceptId INTEGER, languageCode TEXT, typeId INTEGER, term TEXT,
    caseSignificanceId INTEGER);
CREATE TABLE Relationship (id INTEGER PRIMARY KEY, effectiveTime TEXT, active INTEGER,
    moduleId INTEGER, sourceId INTEGER, destinationId INTEGER, relationshipGroup INTEGER,
    typeId INTEGER, characteristicTypeId INTEGER, modifierId INTEGER);
CREATE TABLE PreferredTerm (conceptId INTEGER PRIMARY KEY, term TEXT, refsetId INTEGER);
CREATE TABLE Release (key TEXT PRIMARY KEY, value TEXT);
"""
INDEXES = """
CREATE INDEX Description_conceptId ON Description (conceptId);
CREATE INDEX Relationship_sourceId ON Relationship (sourceId, typeId);
CREATE INDEX Relationship_destinationId ON Relationship (destinationId, typeId);
CREATE VIRTUAL TABLE Description_fts USING fts4(term);
INSERT INTO Description_fts (docid, term) SELECT id, term FROM Description;
"""


class Rf2Error(ValueError):
    """Raised when a folder is not a usable RF2 snapshot."""


@dataclass
class ImportReport:
    """What an import read and what it skipped."""

    db_path: Path
    files: dict[str, list[str]]
    release: str
    concepts: int = 0
    active_concepts: int = 0
    descriptions: int = 0
    relationships: int = 0
    preferred_terms: int = 0
    skipped_relationship_types: dict[int, int] = field(default_factory=dict)
    bad_lines: int = 0


def find_rf2_files(root: Path) -> dict[str, list[Path]]:
    """Find the Snapshot files of each kind under ``root`` (Full and Delta files are ignored).

    Args:
        root: an unpacked release folder (any depth).

    Returns:
        ``{"concept" | "description" | "relationship" | "language": [paths]}``.

    Raises:
        Rf2Error: if there is no concept, description or relationship file.
    """
    found: dict[str, list[Path]] = {kind: [] for kind in _KIND_PATTERNS}
    for dirpath, _dirs, names in os.walk(root):
        for name in sorted(names):
            for kind, pattern in _KIND_PATTERNS.items():
                if pattern.match(name):
                    found[kind].append(Path(dirpath) / name)
    missing = [k for k in ("concept", "description", "relationship") if not found[k]]
    if missing:
        raise Rf2Error(f"{root}: no Snapshot {', '.join(missing)} file found")
    return found


def known_relationship_types() -> frozenset[int]:
    """The relationship type ids PyMedTermino's SNOMED CT module can name.

    Read from its source (importing the module would need a database), so this follows the
    installed version.
    """
    spec = importlib.util.find_spec("pymedtermino")
    if spec is None or spec.origin is None:
        return frozenset({IS_A})
    source = Path(spec.origin).with_name("snomedct.py").read_text(encoding="utf-8")
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "code_2_relation" for t in node.targets
        ):
            value = ast.literal_eval(node.value)
            return frozenset(int(k) for k in value) | {IS_A}
    return frozenset({IS_A})


def _rows(
    paths: Iterable[Path], columns: int, report: ImportReport, progress: bool
) -> Iterator[list[str]]:
    for path in paths:
        with path.open(encoding="utf-8", newline="") as fh:
            header = fh.readline().rstrip("\r\n").split("\t")
            if len(header) != columns:
                raise Rf2Error(f"{path.name}: expected {columns} columns, header has {len(header)}")
            for line in tqdm(fh, desc=path.name[:40], unit=" rows", disable=not progress):
                parts = line.rstrip("\r\n").split("\t")
                if len(parts) != columns:
                    report.bad_lines += 1
                    continue
                yield parts


def _upsert(table: str, columns: list[str]) -> str:
    """An INSERT that keeps, for a repeated id, the row with the latest effectiveTime."""
    cols = ", ".join(columns)
    marks = ", ".join("?" * len(columns))
    sets = ", ".join(f"{c} = excluded.{c}" for c in columns[1:])
    # Table and column names are our own constants; the values are bound parameters.
    on_conflict = f"ON CONFLICT(id) DO UPDATE SET {sets} "
    keep_latest = f"WHERE excluded.effectiveTime >= {table}.effectiveTime"
    return f"INSERT INTO {table} ({cols}) VALUES ({marks}) " + on_conflict + keep_latest  # noqa: S608


def import_rf2(
    source: Path,
    out: Path,
    *,
    progress: bool = False,
    echo: Callable[[str], None] | None = None,
) -> ImportReport:
    """Import an RF2 snapshot into a PyMedTermino database.

    Args:
        source: the unpacked release folder.
        out: the database file (must be named ``snomedct.sqlite3``) or a folder to put it in.
        progress: show tqdm progress bars.
        echo: called with one-line status messages.

    Returns:
        What was imported.

    Raises:
        Rf2Error: for a folder that is not an RF2 snapshot, or an import that found no
            active concepts (nothing is written then).
    """
    say = echo or (lambda _msg: None)
    db_path = out / DB_NAME if out.is_dir() or not out.suffix else out
    if db_path.name != DB_NAME:
        raise Rf2Error(f"PyMedTermino reads a file named {DB_NAME}, not {db_path.name}")
    files = find_rf2_files(source)
    dates = sorted({m.group(1) for ps in files.values() for p in ps if (m := _DATE.search(p.name))})
    report = ImportReport(
        db_path=db_path,
        files={k: [p.name for p in v] for k, v in files.items()},
        release=dates[-1] if dates else "unknown",
    )
    db_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = db_path.with_name(db_path.name + ".partial")
    tmp.unlink(missing_ok=True)
    conn = sqlite3.connect(tmp)
    try:
        conn.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;" + SCHEMA)
        _load(conn, files, report, progress, say)
        if report.active_concepts == 0:
            raise Rf2Error(f"{source}: no active concepts imported")
        say("indexing")
        conn.executescript(INDEXES)
        conn.executemany(
            "INSERT INTO Release VALUES (?, ?)",
            [("release", report.release), ("source", source.name), ("importer", "plainrecord")],
        )
        conn.commit()
    except BaseException:
        conn.close()
        tmp.unlink(missing_ok=True)
        raise
    conn.close()
    os.replace(tmp, db_path)
    return report


def _load(
    conn: sqlite3.Connection,
    files: dict[str, list[Path]],
    report: ImportReport,
    progress: bool,
    say: Callable[[str], None],
) -> None:
    say("concepts")
    conn.executemany(
        _upsert("Concept", ["id", "effectiveTime", "active", "moduleId", "definitionStatusId"]),
        _rows(files["concept"], 5, report, progress),
    )
    report.concepts = conn.execute("SELECT count(*) FROM Concept").fetchone()[0]
    report.active_concepts = conn.execute(
        "SELECT count(*) FROM Concept WHERE active = 1"
    ).fetchone()[0]
    say("descriptions")
    conn.executemany(
        _upsert("Description", DESCRIPTION_COLUMNS),
        _rows(files["description"], 9, report, progress),
    )
    report.descriptions = conn.execute("SELECT count(*) FROM Description").fetchone()[0]
    say("relationships")
    known = known_relationship_types()

    def keep(rows: Iterator[list[str]]) -> Iterator[list[str]]:
        for r in rows:
            type_id = int(r[7])
            if type_id in known:
                yield r
            else:
                report.skipped_relationship_types[type_id] = (
                    report.skipped_relationship_types.get(type_id, 0) + 1
                )

    conn.executemany(
        _upsert("Relationship", RELATIONSHIP_COLUMNS),
        keep(_rows(files["relationship"], 10, report, progress)),
    )
    report.relationships = conn.execute("SELECT count(*) FROM Relationship").fetchone()[0]
    say("preferred terms")
    report.preferred_terms = _preferred_terms(conn, files["language"], report, progress)


def _preferred_terms(
    conn: sqlite3.Connection, paths: list[Path], report: ImportReport, progress: bool
) -> int:
    """Fill PreferredTerm: the preferred synonym in the best language refset, else the FSN."""
    rank = {refset: i for i, refset in enumerate(LANGUAGE_PRIORITY)}
    best: dict[int, tuple[int, int]] = {}  # descriptionId -> (rank, refsetId)
    for r in _rows(paths, 7, report, progress):
        if r[2] != "1" or int(r[6]) != PREFERRED:
            continue
        refset = int(r[4])
        if refset not in rank:
            continue
        desc = int(r[5])
        if desc not in best or rank[refset] < best[desc][0]:
            best[desc] = (rank[refset], refset)
    conn.execute("CREATE TEMP TABLE Pref (descriptionId INTEGER PRIMARY KEY, rank INTEGER, "
                 "refsetId INTEGER)")
    conn.executemany(
        "INSERT INTO Pref VALUES (?, ?, ?)", ((d, rk, rs) for d, (rk, rs) in best.items())
    )
    # One row per active concept: the best-ranked active preferred synonym.
    conn.execute(
        """
        INSERT INTO PreferredTerm (conceptId, term, refsetId)
        SELECT conceptId, term, refsetId FROM (
            SELECT d.conceptId, d.term, p.refsetId,
                   ROW_NUMBER() OVER (PARTITION BY d.conceptId ORDER BY p.rank, d.id) AS n
            FROM Description d JOIN Pref p ON p.descriptionId = d.id
            JOIN Concept c ON c.id = d.conceptId
            WHERE d.active = 1 AND c.active = 1 AND d.typeId = ?
        ) WHERE n = 1
        """,
        (SYNONYM_TYPE,),
    )
    # Concepts with no preferred synonym fall back to the FSN (tidied when shown).
    conn.execute(
        """
        INSERT OR IGNORE INTO PreferredTerm (conceptId, term, refsetId)
        SELECT d.conceptId, d.term, NULL FROM Description d JOIN Concept c ON c.id = d.conceptId
        WHERE d.active = 1 AND c.active = 1 AND d.typeId = ?
        """,
        (FSN_TYPE,),
    )
    conn.execute("DROP TABLE Pref")
    count: int = conn.execute("SELECT count(*) FROM PreferredTerm").fetchone()[0]
    return count
