"""``plainrecord db upgrade``, ``import`` and ``demo`` on a throwaway SQLite database."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from api import services as services_module
from api import settings as settings_module
from api.accounts.models import User
from api.cli import main
from api.records.models import ImportIssue, Patient

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("PLAINRECORD_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    settings_module.get_settings.cache_clear()
    services_module.get_services.cache_clear()
    yield tmp_path
    services_module.get_services().db.engine.dispose()
    settings_module.get_settings.cache_clear()
    services_module.get_services.cache_clear()


def test_demo_then_import(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo"]) == 0
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "0 created, 0 updated" in out and "drshah" in out
    db = services_module.get_services().db
    with db.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Patient)) == 5
        assert s.scalar(select(func.count()).select_from(User)) == 9

    assert main(["import", str(FIXTURES)]) == 0
    bad = data_dir / "bad.json"
    bundle = json.loads((FIXTURES / "gpconnect_stu3.json").read_text())
    bundle["entry"].append({"resource": {"resourceType": "Observation", "id": "x"}})
    bad.write_text(json.dumps(bundle))
    assert main(["import", str(bad)]) == 1  # imported, but one entry was kept aside
    assert "entry 13 (Observation)" in capsys.readouterr().out
    with db.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Patient)) == 6
        assert s.scalar(select(func.count()).select_from(ImportIssue)) == 1


def test_import_of_a_file_that_is_not_json_fails_cleanly(
        data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "upgrade"]) == 0
    junk = data_dir / "junk.json"
    junk.write_text("{not json")
    assert main(["import", str(junk)]) == 1
    assert "not imported" in capsys.readouterr().err
