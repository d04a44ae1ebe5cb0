"""The RF2 importer, the PyMedTermino backend and the starter set."""

from __future__ import annotations

import shutil
import sqlite3
import threading
from pathlib import Path

import pytest

from glossary.terminology import open_terminology
from glossary.terminology.base import nearest_curated_ancestors, walk_ancestors
from glossary.terminology.pymedtermino_backend import PyMedTerminoTerminology
from glossary.terminology.rf2 import ImportReport, Rf2Error, find_rf2_files, import_rf2
from glossary.terminology.starter import StarterTerminology

RF2_DIR = Path(__file__).resolve().parents[2] / "fixtures" / "rf2"

INACTIVE = "99911000000105"
ALLERGIC_ASTHMA, ASTHMA, HYPERTENSION = "389145006", "195967001", "38341003"


@pytest.fixture(scope="module")
def term(rf2_import: ImportReport) -> PyMedTerminoTerminology:
    t = open_terminology(str(rf2_import.db_path))
    assert isinstance(t, PyMedTerminoTerminology)
    return t


def test_uk_edition_file_names_are_found() -> None:
    files = find_rf2_files(RF2_DIR)
    assert [p.name for p in files["concept"]] == [
        "sct2_Concept_UKCLSnapshot_GB1000000_20240101.txt"
    ]
    # Stated relationships are not the inferred hierarchy: not picked up.
    assert [p.name for p in files["relationship"]] == [
        "sct2_Relationship_UKCLSnapshot_GB1000000_20240101.txt"
    ]
    assert len(files["language"]) == 1


def test_international_and_mono_names_are_found(tmp_path: Path) -> None:
    for name in (
        "sct2_Concept_Snapshot_INT_20240101.txt",
        "sct2_Description_Snapshot-en_INT_20240101.txt",
        "sct2_Relationship_Snapshot_INT_20240101.txt",
        "sct2_Concept_MONOSnapshot_GB_20240101.txt",
        "sct2_Concept_Full_INT_20240101.txt",
    ):
        (tmp_path / name).write_text("")
    files = find_rf2_files(tmp_path)
    assert sorted(p.name for p in files["concept"]) == [
        "sct2_Concept_MONOSnapshot_GB_20240101.txt",
        "sct2_Concept_Snapshot_INT_20240101.txt",
    ]


def test_import_report(rf2_import: ImportReport) -> None:
    assert rf2_import.release == "20240101"
    assert rf2_import.active_concepts == rf2_import.concepts - 1
    # The relationship type PyMedTermino cannot name is skipped and counted, not fatal.
    assert rf2_import.skipped_relationship_types == {1142135004: 1}


def test_preferred_term_is_en_gb_not_fsn_or_us(term: PyMedTerminoTerminology) -> None:
    assert term.term("267038008") == "Oedema"
    assert term.fsn("267038008") == "Edema (finding)"
    assert term.term(HYPERTENSION) == "Hypertension"


def test_inactive_concept_is_not_returned(term: PyMedTerminoTerminology) -> None:
    assert term.term(INACTIVE) is None
    assert term.fsn(INACTIVE) is None
    assert term.parents(INACTIVE) == []


def test_inactive_is_a_row_is_not_followed(term: PyMedTerminoTerminology) -> None:
    assert term.parents(ALLERGIC_ASTHMA) == [ASTHMA]
    assert HYPERTENSION not in term.ancestors(ALLERGIC_ASTHMA)
    assert (ALLERGIC_ASTHMA, HYPERTENSION) not in set(term.is_a_edges())


def test_lookups_from_several_threads(term: PyMedTerminoTerminology) -> None:
    errors: list[BaseException] = []
    results: list[list[str]] = []

    def work() -> None:
        try:
            for _ in range(50):
                results.append(term.ancestors("233678006"))
                assert term.fsn("59621000") == "Essential hypertension (disorder)"
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(results) == 300
    assert all(r[0] == ASTHMA and "138875005" in r for r in results)


def test_a_failed_import_leaves_no_database(tmp_path: Path) -> None:
    src = tmp_path / "release"
    shutil.copytree(RF2_DIR, src)
    concept = next(src.rglob("sct2_Concept_*.txt"))
    concept.write_text(concept.read_text().splitlines()[0] + "\n")  # header only
    with pytest.raises(Rf2Error, match="no active concepts"):
        import_rf2(src, tmp_path / "out")
    assert not (tmp_path / "out" / "snomedct.sqlite3").exists()
    assert not list((tmp_path / "out").glob("*.partial"))


def test_not_an_rf2_folder(tmp_path: Path) -> None:
    with pytest.raises(Rf2Error, match="no Snapshot"):
        import_rf2(tmp_path, tmp_path)


def test_database_has_the_tables_pymedtermino_reads(rf2_import: ImportReport) -> None:
    conn = sqlite3.connect(rf2_import.db_path)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"Concept", "Description", "Relationship", "Description_fts"} <= tables
    assert conn.execute("SELECT count(*) FROM Description_fts WHERE term MATCH 'asthma'").fetchone()[0] >= 3


def test_nearest_curated_ancestor_is_the_closest() -> None:
    # a -> b -> c(curated) -> d(curated); e -> d; f has no curated ancestor
    edges = [("a", "b"), ("b", "c"), ("c", "d"), ("e", "d"), ("f", "g")]
    table = nearest_curated_ancestors(edges, {"c", "d"})
    assert table == {"a": "c", "b": "c", "e": "d"}
    parents: dict[str, list[str]] = {}
    for child, parent in edges:
        parents.setdefault(child, []).append(parent)
    assert list(walk_ancestors(parents, "a")) == ["b", "c", "d"]


def test_multiple_parents_pick_the_fewest_steps() -> None:
    # x has two parents: p1 (curated, 1 step away via p1) and q -> r -> p2 (curated).
    edges = [("x", "p1"), ("x", "q"), ("q", "r"), ("r", "p2")]
    assert nearest_curated_ancestors(edges, {"p1", "p2"})["x"] == "p1"


def test_starter_set_names_gps_and_curated_codes() -> None:
    t = StarterTerminology.load({"1107481000000106": "Average blood sugar"})
    assert t.term("195967001") == "Asthma"
    assert t.fsn("195967001") == "Asthma (disorder)"
    assert t.term("1107481000000106") == "Average blood sugar"
    assert t.has_hierarchy is False and list(t.is_a_edges()) == []
