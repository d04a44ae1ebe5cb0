"""``plainrecord explain`` and ``plainrecord terminology import-rf2``."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from glossary import Glossary, cli
from glossary.fhir_explain import as_text, explain_bundle

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
BUNDLE = FIXTURES / "glossary" / "demo_bundle.json"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser()
    cli.register(parser.add_subparsers(dest="command", required=True))
    return parser


def test_bundle_explained_section_by_section(full_glossary: Glossary) -> None:
    items = explain_bundle(json.loads(BUNDLE.read_text()), full_glossary)
    sections = [i.section for i in items]
    assert sections == ["Problems and diagnoses"] * 3 + ["Test results"] * 2 + ["Medicines"] * 2 + [
        "Allergies", "Vaccinations"]
    by_text = {i.record_text: i for i in items}
    assert by_text["Allergic asthma"].provenance == "ancestor"
    assert by_text["Odd local code"].provenance == "unknown"
    latest = items[4]
    assert latest.details == {"direction": "above", "change": "up"}
    assert by_text["Ventolin Evohaler 100micrograms/dose inhaler"].title == "Salbutamol"
    assert "do not have an explanation" in by_text["Zzzzmadeupamab 10mg tablets"].text
    assert items[7].text.startswith("Your record says you have an allergy")
    text = as_text(items)
    assert text.index("Problems and diagnoses") < text.index("Test results") < text.index(
        "Medicines")


def test_explain_command_prints_json(capsys: pytest.CaptureFixture[str]) -> None:
    args = _parser().parse_args(["explain", str(BUNDLE), "--json"])
    assert args.func(args) == 0
    out = json.loads(capsys.readouterr().out)
    assert len(out) == 9 and {"section", "title", "text", "provenance"} <= set(out[0])
    assert all(item["text"] for item in out)


def test_explain_command_refuses_a_missing_file(tmp_path: Path) -> None:
    args = _parser().parse_args(["explain", str(tmp_path / "nope.json")])
    assert args.func(args) == 2


def test_import_rf2_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "db"
    args = _parser().parse_args(
        ["terminology", "import-rf2", str(FIXTURES / "rf2"), "--out", str(out), "--quiet"])
    assert args.func(args) == 0
    printed = capsys.readouterr().out
    assert "14 active concepts" in printed
    assert "skipped 1 relationships of 1 types" in printed
    assert (out / "snomedct.sqlite3").is_file()
