"""The FHIR importer: idempotent, keeps what it cannot store, reads R4 and GP Connect STU3."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.records.demo import demo_bundles
from api.records.demo.build import midlife
from api.records.importer import BundleError, import_bundle
from api.records.models import (
    SECTION_MODELS,
    Consultation,
    ImportIssue,
    Medication,
    Patient,
    Problem,
    Referral,
    Result,
)

FIXTURES = Path(__file__).parent / "fixtures"
NHS = "9434765919"


def bundle(*resources: dict[str, Any], nhs: str = NHS) -> dict[str, Any]:
    patient = {"resourceType": "Patient", "id": "pat",
               "identifier": [{"system": "https://fhir.nhs.uk/Id/nhs-number", "value": nhs}],
               "name": [{"family": "Test", "given": ["Alex"]}], "birthDate": "1970-01-01"}
    return {"resourceType": "Bundle", "type": "collection",
            "entry": [{"resource": r} for r in (patient, *resources)]}


def obs(id_: str, **fields: Any) -> dict[str, Any]:
    return {"resourceType": "Observation", "id": id_, "status": "final",
            "subject": {"reference": "Patient/pat"}, **fields}


def counts(session: Session) -> dict[str, int]:
    out = {name: session.scalar(select(func.count()).select_from(model)) or 0
           for name, model in SECTION_MODELS.items()}
    out["patients"] = session.scalar(select(func.count()).select_from(Patient)) or 0
    out["issues"] = session.scalar(select(func.count()).select_from(ImportIssue)) or 0
    return out


def test_demo_bundles_import_cleanly_and_reimport_changes_nothing(session: Session) -> None:
    bundles = [json.loads(p.read_text()) for p in demo_bundles()]
    assert len(bundles) >= 5
    first = [import_bundle(session, b) for b in bundles]
    session.commit()
    assert all(not r.issues for r in first), [r.issues for r in first]
    before = counts(session)
    raw_before = {r.id: (r.value, r.raw) for r in session.scalars(select(Result))}

    second = [import_bundle(session, b) for b in bundles]
    session.commit()
    assert all(r.created == 0 and r.updated == 0 and r.unchanged > 0 for r in second)
    assert counts(session) == before
    assert {r.id: (r.value, r.raw) for r in session.scalars(select(Result))} == raw_before


def test_a_changed_entry_is_updated_in_place(session: Session) -> None:
    record = midlife().bundle()
    import_bundle(session, record)
    changed = copy.deepcopy(record)
    for entry in changed["entry"]:
        res = entry["resource"]
        if res["resourceType"] == "MedicationRequest" and "Atorvastatin" in res[
                "medicationCodeableConcept"]["text"]:
            res["dosageInstruction"] = [{"text": "1 tablet at night (increased)"}]
    report = import_bundle(session, changed)
    assert report.updated == 1 and report.created == 0
    doses = session.scalars(select(Medication.dose).where(Medication.name.like("Atorvastatin%")))
    assert list(doses) == ["1 tablet at night (increased)"]


def test_malformed_entries_are_reported_kept_raw_and_do_not_stop_the_rest(
        session: Session) -> None:
    no_status = {"resourceType": "Observation", "id": "bad-obs", "code": {"text": "Sodium"},
                 "subject": {"reference": "Patient/pat"}}
    bad_snomed = {"resourceType": "Condition", "id": "bad-code",
                  "code": {"coding": [{"system": "http://snomed.info/sct", "code": "195967002"}]},
                  "subject": {"reference": "Patient/pat"}}
    good = {"resourceType": "Condition", "id": "good",
            "code": {"coding": [{"system": "http://snomed.info/sct", "code": "195967001",
                                 "display": "Asthma"}]},
            "subject": {"reference": "Patient/pat"}}
    data = bundle(no_status, bad_snomed, good)
    data["entry"].append({"fullUrl": "urn:uuid:nothing"})
    report = import_bundle(session, data)
    session.commit()
    by_index = {i.index: i for i in report.issues}
    assert set(by_index) == {1, 2, 4}
    assert by_index[1].resource_type == "Observation" and "status" in by_index[1].reason
    assert by_index[2].resource_type == "Condition" and "check digit" in by_index[2].reason
    assert by_index[4].resource_type is None
    assert session.scalars(select(Problem.code)).all() == ["195967001"]
    kept = {i.entry_index: i for i in session.scalars(select(ImportIssue))}
    assert kept[1].raw == no_status and "status" in kept[1].reason
    # Importing the same bundle again reports the same issues but stores them once.
    again = import_bundle(session, data)
    session.commit()
    assert len(again.issues) == 3
    assert session.scalar(select(func.count()).select_from(ImportIssue)) == 3


def test_blood_pressure_components_become_two_results(session: Session) -> None:
    bp = obs("bp1", code={"coding": [{"system": "http://snomed.info/sct", "code": "75367002",
                                       "display": "Blood pressure"}], "text": "Blood pressure"},
             effectiveDateTime="2026-01-05T09:00:00Z", component=[
                 {"code": {"coding": [{"system": "http://snomed.info/sct", "code": "271649006",
                                       "display": "Systolic blood pressure"}]},
                  "valueQuantity": {"value": 150, "unit": "mmHg"},
                  "interpretation": [{"coding": [{"code": "H"}]}]},
                 {"code": {"coding": [{"system": "http://loinc.org", "code": "8462-4",
                                       "display": "Diastolic blood pressure"}]},
                  "valueQuantity": {"value": 95, "unit": "mmHg"},
                  "referenceRange": [{"high": {"value": 90}}]}])
    import_bundle(session, bundle(bp))
    rows = {r.name: r for r in session.scalars(select(Result))}
    assert set(rows) == {"Systolic blood pressure", "Diastolic blood pressure"}
    assert rows["Systolic blood pressure"].value == 150
    assert rows["Systolic blood pressure"].abnormal_flag == "H"
    assert rows["Diastolic blood pressure"].value == 95
    assert rows["Diastolic blood pressure"].range_high == 90
    assert rows["Diastolic blood pressure"].code_system == "http://loinc.org"
    assert {r.panel for r in rows.values()} == {"Blood pressure"}
    assert all(r.raw["id"] == "bp1" for r in rows.values())


def test_panel_members_are_grouped_and_ranges_kept_as_sent(session: Session) -> None:
    member = obs("chol", code={"coding": [{"system": "http://loinc.org", "code": "2093-3",
                                            "display": "Cholesterol"}]},
                 effectiveDateTime="2025-03-01", valueQuantity={"value": 5.6, "unit": "mmol/L"},
                 referenceRange=[{"high": {"value": 5.0}, "text": "<5.0"}],
                 note=[{"text": "Fasting sample"}])
    panel = obs("lipids", code={"text": "Lipid profile"}, effectiveDateTime="2025-03-01",
                hasMember=[{"reference": "Observation/chol"}])
    import_bundle(session, bundle(panel, member))
    (row,) = session.scalars(select(Result)).all()
    assert (row.panel, row.value, row.range_high, row.range_text, row.comment) == (
        "Lipid profile", 5.6, 5.0, "<5.0", "Fasting sample")
    assert row.effective is not None and row.effective.isoformat() == "2025-03-01T00:00:00+00:00"


def test_release_controls_are_read(session: Session) -> None:
    hidden = {"resourceType": "Condition", "id": "c1",
              "extension": [{"url": "https://plainrecord.dev/fhir/StructureDefinition/"
                                    "online-visibility", "valueCode": "hidden"}],
              "code": {"text": "Something private"}, "subject": {"reference": "Patient/pat"}}
    delayed = obs("o1", code={"text": "Biopsy"}, valueString="See letter",
                  extension=[{"url": "https://plainrecord.dev/fhir/StructureDefinition/"
                                     "release-after", "valueDateTime": "2030-01-01T09:00:00Z"}],
                  meta={"security": [{"code": "R"}]})
    import_bundle(session, bundle(hidden, delayed))
    problem = session.scalars(select(Problem)).one()
    result = session.scalars(select(Result)).one()
    assert problem.hidden and not result.hidden
    assert result.release_after is not None and result.release_after.year == 2030
    assert result.sensitive


def test_gp_connect_no_patient_access_label_hides_the_entry(session: Session) -> None:
    nopat = {"resourceType": "Condition", "id": "c1", "code": {"text": "Safeguarding concern"},
             "meta": {"security": [{"system": "http://hl7.org/fhir/v3/ActCode",
                                    "code": "NOPAT"}]},
             "subject": {"reference": "Patient/pat"}}
    import_bundle(session, bundle(nopat))
    assert session.scalars(select(Problem.hidden)).one() is True


def test_an_entry_for_another_patient_is_refused(session: Session) -> None:
    stray = {"resourceType": "Condition", "id": "c1", "code": {"text": "Asthma"},
             "subject": {"reference": "Patient/someone-else"}}
    report = import_bundle(session, bundle(stray))
    assert [i.index for i in report.issues] == [1]
    assert "patient" in report.issues[0].reason
    assert session.scalar(select(func.count()).select_from(Problem)) == 0


def test_a_patient_without_a_valid_nhs_number_is_not_imported(session: Session) -> None:
    report = import_bundle(session, bundle({"resourceType": "Condition", "id": "c1",
                                            "code": {"text": "Asthma"},
                                            "subject": {"reference": "Patient/pat"}},
                                           nhs="1234567890"))
    assert {i.index for i in report.issues} == {0, 1}
    assert session.scalar(select(func.count()).select_from(Patient)) == 0


def test_import_logs_carry_no_patient_details(session: Session,
                                              caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("DEBUG")
    record = midlife().bundle()
    record["entry"].append({"resource": {"resourceType": "Condition", "id": "x",
                                         "code": {"text": "David Clarke 9993456780"},
                                         "subject": {"reference": "Patient/nobody"}}})
    report = import_bundle(session, record)
    assert len(report.issues) == 1 and caplog.records
    logged = " ".join(r.getMessage() for r in caplog.records)
    for secret in ("9993456780", "Clarke", "David", "nobody"):
        assert secret not in logged


def test_not_a_bundle_is_refused() -> None:
    with pytest.raises(BundleError):
        import_bundle(None, {"resourceType": "Patient"})  # type: ignore[arg-type]


def test_gp_connect_stu3_structured_record(session: Session) -> None:
    data = json.loads((FIXTURES / "gpconnect_stu3.json").read_text())
    report = import_bundle(session, data)
    assert report.fhir_version == "STU3"
    assert report.issues == []
    patient = session.scalars(select(Patient)).one()
    assert patient.practice == "Hillside Medical Centre"
    problems = {p.code: p for p in session.scalars(select(Problem))}
    assert problems["38341003"].significant and problems["38341003"].status == "active"
    assert problems["H06z0"].code_system == "http://read.info/readv2"
    assert problems["H06z0"].status == "past" and not problems["H06z0"].significant
    med = session.scalars(select(Medication)).one()
    assert (med.name, med.status, med.last_issued, med.dose) == (
        "Lisinopril 10mg tablets", "repeat", "2026-10-01", "One tablet daily")
    assert med.code_system == "https://dmd.nhs.uk"
    referral = session.scalars(select(Referral)).one()
    assert referral.source_type == "ReferralRequest"
    assert referral.service == "County Hospital surgical clinic"
    consultation = session.scalars(select(Consultation)).one()
    assert consultation.clinician == "Dr Ann Jones"
    assert [(e.heading, e.text) for e in consultation.entries] == [
        ("History", "c/o headaches 2/52. BP review.")]
    result = session.scalars(select(Result)).one()
    assert (result.abnormal_flag, result.comment) == ("N", "Normal - no action")
    assert import_bundle(session, data).created == 0
