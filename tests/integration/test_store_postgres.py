"""The record store on real databases: SQLite and the PostgreSQL server on 127.0.0.1:5432.

Every test gets a fresh, empty database: a new SQLite file, or a new PostgreSQL schema (dropped
afterwards). Set ``PLAINRECORD_TEST_PG_URL`` to point at another server.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, MetaData, create_engine, func, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from api.accounts.principal import ALL_SECTIONS
from api.audit.log import events_for_patient, record_access
from api.db import Database, make_engine
from api.migrations import alembic_config, load_models
from api.records import fhir_extract
from api.records.demo import demo_bundles, load_demo
from api.records.importer import import_bundle
from api.records.models import Consultation, Document, Patient, Result
from api.records.nhs_number import NhsNumber
from api.records.queries import RecordView, full_record, result_history

PG_URL = os.environ.get("PLAINRECORD_TEST_PG_URL",
                        "postgresql+psycopg://postgres@127.0.0.1:5432/test")
RECORD_TABLES = {"patients", "problems", "consultations", "consultation_entries", "results",
                 "medications", "allergies", "immunisations", "procedures", "referrals",
                 "documents", "import_issues", "users", "proxy_access", "audit_log"}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        eng = make_engine(f"sqlite:///{tmp_path / 'store.sqlite3'}")
        yield eng
        eng.dispose()
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    eng = create_engine(PG_URL, connect_args={"options": f"-csearch_path={schema}"})
    try:
        yield eng
    finally:
        eng.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def migrate(engine: Engine, revision: str = "head") -> None:
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


@pytest.fixture
def db(engine: Engine) -> Database:
    migrate(engine)
    return Database(engine=engine, sessions=sessionmaker(engine, expire_on_commit=False))


def diff_against(engine: Engine, metadata: MetaData) -> list[object]:
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        return [d for d in compare_metadata(ctx, metadata)
                if not (isinstance(d, tuple) and d[0] == "remove_table"
                        and d[1].name == "alembic_version")]


def test_migrations_at_head_match_the_models(engine: Engine) -> None:
    migrate(engine)
    assert diff_against(engine, load_models()) == []


def test_migration_0001_creates_exactly_the_record_tables(engine: Engine) -> None:
    migrate(engine, "0001_records")
    full = load_models()
    mine = MetaData(naming_convention=full.naming_convention)
    for name in RECORD_TABLES:
        full.tables[name].to_metadata(mine)
    assert diff_against(engine, mine) == []
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == \
            "0001_records"


def test_demo_load_is_idempotent(db: Database) -> None:
    with db.session() as s:
        first = load_demo(s)
    with db.session() as s:
        second = load_demo(s)
        patients = s.scalar(select(func.count()).select_from(Patient))
        results = s.scalar(select(func.count()).select_from(Result))
    assert all(not r.issues for r in first)
    assert sum(r.created for r in second) == 0 and sum(r.updated for r in second) == 0
    assert patients == len(list(demo_bundles())) and results and results > 50


def test_a_bundle_is_one_transaction(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    bundle = json.loads(demo_bundles()[0].read_text())

    def explode(*args: object) -> object:
        raise RuntimeError("disk full")

    monkeypatch.setattr(fhir_extract, "immunisation", explode)
    with pytest.raises(RuntimeError), db.session() as s:
        import_bundle(s, bundle)
    with db.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Patient)) == 0


def test_visibility_rules_hold_in_sql(db: Database) -> None:
    with db.session() as s:
        load_demo(s)
    with db.session() as s:
        chloe = s.scalars(select(Patient).where(Patient.given_name == "Chloe")).one()
        robert = s.scalars(select(Patient).where(Patient.given_name == "Robert")).one()
        now = datetime.now(timezone.utc)
        patient_view = RecordView(sections=ALL_SECTIONS, now=now)
        gp_view = RecordView(sections=ALL_SECTIONS, include_hidden=True, now=now)
        assert len(full_record(s, chloe, gp_view).consultations or []) == \
            len(full_record(s, chloe, patient_view).consultations or []) + 1
        hidden = s.scalars(select(Consultation).where(Consultation.hidden.is_(True))).one()
        assert hidden.patient_id == chloe.id

        s.execute(update(Document).where(Document.patient_id == robert.id)
                  .values(release_after=now + timedelta(hours=1)))
        assert full_record(s, robert, patient_view).documents == []
        later = RecordView(sections=ALL_SECTIONS, now=now + timedelta(hours=2))
        assert len(full_record(s, robert, later).documents or []) == 1


def test_history_orders_points_by_time(db: Database) -> None:
    with db.session() as s:
        load_demo(s)
        david = s.scalars(select(Patient).where(Patient.given_name == "David John")).one()
        series = result_history(s, david.id, RecordView(sections=ALL_SECTIONS))
    hba1c = next(x for x in series if x.code.code == "1049301000000100")
    times = [p.effective for p in hba1c.points]
    assert times == sorted(times) and len(times) == 9  # type: ignore[type-var]
    assert all(t is not None and t.tzinfo is not None for t in times)


def test_history_never_mixes_units(db: Database) -> None:
    def hba1c(id_: str, value: float, unit: str, when: str) -> dict[str, object]:
        return {"resource": {
            "resourceType": "Observation", "id": id_, "status": "final",
            "code": {"coding": [{"system": "http://snomed.info/sct", "code": "1049301000000100",
                                 "display": "HbA1c"}]},
            "subject": {"reference": "Patient/p"}, "effectiveDateTime": when,
            "valueQuantity": {"value": value, "unit": unit}}}
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": [
        {"resource": {"resourceType": "Patient", "id": "p", "identifier": [
            {"system": "https://fhir.nhs.uk/Id/nhs-number", "value": "9434765919"}]}},
        hba1c("a", 7.5, "%", "2009-01-01"), hba1c("b", 58, "mmol/mol", "2012-01-01"),
        hba1c("c", 52, "mmol/mol", "2013-01-01")]}
    with db.session() as s:
        report = import_bundle(s, bundle)
        series = result_history(s, report.patients[0], RecordView(sections=ALL_SECTIONS))
    assert sorted((x.unit, [p.value for p in x.points]) for x in series) == [
        ("%", [7.5]), ("mmol/mol", [58, 52])]


def test_nhs_number_is_unique_and_validated(db: Database) -> None:
    with db.session() as s:
        s.add(Patient(nhs_number=NhsNumber("9434765919"), given_name="A", family_name="B",
                      raw={}))
    with pytest.raises(IntegrityError), db.session() as s:
        s.add(Patient(nhs_number=NhsNumber("9434765919"), given_name="C", family_name="D",
                      raw={}))
    with db.sessions() as s:
        stored = s.scalars(select(Patient)).one()
    assert isinstance(stored.nhs_number, NhsNumber)


def test_audit_events_are_kept_newest_first(db: Database) -> None:
    pid = str(uuid.uuid4())
    with db.session() as s:
        for section in ("record", "results", "medications"):
            record_access(s, user_id="u1", role="patient", patient_id=pid, section=section,
                          channel="portal", outcome="allowed")
        with pytest.raises(ValueError):
            record_access(s, user_id="u1", role="patient", patient_id=pid, section="x",
                          channel="carrier-pigeon", outcome="allowed")
    with db.sessions() as s:
        events = events_for_patient(s, pid)
    assert [e.section for e in events] == ["medications", "results", "record"]
