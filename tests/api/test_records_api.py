"""The record API: who may see what, hidden and delayed entries, audit, service grants."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from api.audit.models import AuditEvent
from api.records.models import SECTIONS, Consultation, Document
from api.services import Services

RECORD = "/api/patients/{}/record"


def audit_rows(services: Services, patient_id: str) -> list[AuditEvent]:
    with services.db.sessions() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.patient_id == patient_id)
                              .order_by(AuditEvent.id)))


def test_unauthenticated_gets_401_json(client: TestClient, patient_ids: dict[str, str]) -> None:
    r = client.get(RECORD.format(patient_ids["david"]))
    assert r.status_code == 401
    assert r.json() == {"error": "Please log in."}


def test_patient_reads_own_record_with_every_section(
        patient_client: TestClient, patient_ids: dict[str, str], services: Services) -> None:
    pid = patient_ids["david"]
    r = patient_client.get(RECORD.format(pid))
    assert r.status_code == 200
    body = r.json()
    assert body["patient"]["nhs_number"] == "9993456780"
    assert set(SECTIONS) <= set(body)
    assert body["allergies"] == []  # visible but empty: present
    meds = {m["name"]: m for m in body["medications"]}
    assert meds["Atorvastatin 20mg tablets"]["status"] == "repeat"
    assert meds["Atorvastatin 20mg tablets"]["code"] == {
        "system": "https://dmd.nhs.uk", "code": "320000009", "display": "Atorvastatin 20mg tablets"}
    assert meds["Naproxen 250mg tablets"]["status"] == "past"
    systolic = [x for x in body["results"] if x["name"] == "Systolic blood pressure"]
    assert {x["value"] for x in systolic} == {162, 150, 138}
    assert all("hidden" not in x for x in body["problems"])  # release controls not exposed
    last = audit_rows(services, pid)[-1]
    assert (last.section, last.outcome, last.role, last.channel) == (
        "record", "allowed", "patient", "api")


def test_someone_elses_record_is_403_and_audited(
        patient_client: TestClient, patient_ids: dict[str, str], services: Services,
        user_ids: dict[str, str]) -> None:
    other = patient_ids["amelia"]
    for path in (RECORD.format(other), f"/api/patients/{other}/medications",
                 f"/api/patients/{other}/results/history", f"/api/patients/{other}/audit",
                 f"/api/patients/{other}/record/explained"):
        r = patient_client.get(path)
        assert r.status_code == 403, path
        assert "error" in r.json()
    denied = [e for e in audit_rows(services, other) if e.outcome == "denied"]
    assert len(denied) == 5
    assert {e.user_id for e in denied} == {user_ids["david"]}


def test_unknown_patient_is_404(clinician_client: TestClient) -> None:
    r = clinician_client.get(RECORD.format("00000000-0000-0000-0000-000000000000"))
    assert r.status_code == 404
    assert r.json()["error"]


def test_unknown_section_is_404(patient_client: TestClient, patient_ids: dict[str, str]) -> None:
    assert patient_client.get(f"/api/patients/{patient_ids['david']}/secrets").status_code == 404


def test_hidden_consultation_never_reaches_the_patient_but_a_clinician_sees_it(
        login: Callable[[str], TestClient], patient_ids: dict[str, str]) -> None:
    pid = patient_ids["chloe"]
    as_patient = login("chloe").get(f"/api/patients/{pid}/consultations").json()
    as_reception = login("reception").get(f"/api/patients/{pid}/consultations").json()
    as_gp = login("drshah").get(f"/api/patients/{pid}/consultations").json()
    texts = lambda rows: " ".join(e["text"] for c in rows for e in c["entries"])  # noqa: E731
    assert "third-party" not in texts(as_patient)
    assert "third-party" not in texts(as_reception)
    assert "third-party" in texts(as_gp)
    assert len(as_gp) == len(as_patient) + 1
    assert [c["hidden"] for c in as_gp].count(True) == 1
    full = login("chloe").get(RECORD.format(pid)).json()
    assert "third-party" not in str(full)


def test_delayed_entry_appears_only_after_release(
        login: Callable[[str], TestClient], patient_ids: dict[str, str],
        services: Services) -> None:
    pid = patient_ids["robert"]
    robert = login("robert")

    def set_release(when: datetime) -> None:
        with services.db.session() as s:
            s.execute(update(Document).where(Document.patient_id == pid)
                      .values(release_after=when))

    now = datetime.now(timezone.utc)
    set_release(now + timedelta(days=1))
    assert robert.get(f"/api/patients/{pid}/documents").json() == []
    assert "Colonoscopy report" not in robert.get(RECORD.format(pid)).text
    gp_docs = login("drshah").get(f"/api/patients/{pid}/documents").json()
    assert [d["title"] for d in gp_docs] == ["Colonoscopy report, Royal County Hospital"]
    set_release(now - timedelta(minutes=1))
    docs = robert.get(f"/api/patients/{pid}/documents").json()
    assert [d["title"] for d in docs] == ["Colonoscopy report, Royal County Hospital"]
    assert docs[0]["sensitive"] is True


def test_demo_report_is_held_back_until_its_release_date(
        login: Callable[[str], TestClient], patient_ids: dict[str, str],
        services: Services) -> None:
    pid = patient_ids["robert"]
    with services.db.sessions() as s:
        release = s.scalars(select(Document.release_after).where(Document.patient_id == pid)).one()
    assert release is not None
    shown = login("robert").get(f"/api/patients/{pid}/documents").json()
    assert (len(shown) == 0) == (release > datetime.now(timezone.utc))


def test_parent_proxy_sees_childs_whole_record_but_not_others(
        proxy_client: TestClient, patient_ids: dict[str, str]) -> None:
    r = proxy_client.get(RECORD.format(patient_ids["amelia"]))
    assert r.status_code == 200
    assert set(SECTIONS) <= set(r.json())
    assert proxy_client.get(RECORD.format(patient_ids["david"])).status_code == 403


def test_carer_proxy_sees_only_allowed_sections(
        carer_client: TestClient, patient_ids: dict[str, str]) -> None:
    pid = patient_ids["margaret"]
    body = carer_client.get(RECORD.format(pid)).json()
    assert set(body) == {"patient", "medications", "allergies", "immunisations"}
    assert len(body["medications"]) >= 10
    assert carer_client.get(f"/api/patients/{pid}/consultations").status_code == 403
    assert carer_client.get(f"/api/patients/{pid}/results").status_code == 403
    assert carer_client.get(f"/api/patients/{pid}/results/history").status_code == 403
    assert carer_client.get(f"/api/patients/{pid}/audit").status_code == 403
    explained = carer_client.get(f"/api/patients/{pid}/record/explained").json()
    assert set(explained) == {"patient", "medications", "allergies", "immunisations"}


def test_staff_see_any_record(receptionist_client: TestClient,
                              patient_ids: dict[str, str]) -> None:
    for pid in patient_ids.values():
        assert receptionist_client.get(RECORD.format(pid)).status_code == 200


def test_service_grant_serves_only_the_grants_patient(
        service_client: Callable[..., TestClient], patient_ids: dict[str, str],
        services: Services) -> None:
    bot = service_client("david")
    assert bot.get(f"/api/patients/{patient_ids['david']}/medications").status_code == 200
    other = patient_ids["amelia"]
    r = bot.get(f"/api/patients/{other}/medications")
    assert r.status_code == 403
    event = audit_rows(services, other)[-1]
    assert (event.outcome, event.channel, event.role) == ("denied", "bot", "patient")


def test_service_grant_for_a_record_the_user_cannot_see_is_403(
        service_client: Callable[..., TestClient], patient_ids: dict[str, str]) -> None:
    # A grant naming Amelia minted for David (a bug upstream) still cannot read her record.
    r = service_client("david", patient="amelia").get(RECORD.format(patient_ids["amelia"]))
    assert r.status_code == 403


def test_service_grant_for_a_carer_keeps_the_carers_limits(
        service_client: Callable[..., TestClient], patient_ids: dict[str, str]) -> None:
    bot = service_client("tom", channel="sms")
    pid = patient_ids["margaret"]
    assert bot.get(f"/api/patients/{pid}/medications").status_code == 200
    assert bot.get(f"/api/patients/{pid}/consultations").status_code == 403
    assert set(bot.get(RECORD.format(pid)).json()) == {
        "patient", "medications", "allergies", "immunisations"}


def test_service_calls_need_the_right_token_and_a_valid_grant(
        app, services: Services, grant_for: Callable[..., str],  # type: ignore[no-untyped-def]
        patient_ids: dict[str, str]) -> None:
    path = f"/api/patients/{patient_ids['david']}/medications"
    with TestClient(app) as c:
        ok = {"Authorization": f"Bearer {services.settings.service_token}"}
        assert c.get(path, headers={**ok, "X-Conversation-Grant": grant_for("david")}
                     ).status_code == 200
        assert c.get(path, headers=ok).status_code == 401
        assert c.get(path, headers={**ok, "X-Conversation-Grant": grant_for("david") + "x"}
                     ).status_code == 401
        assert c.get(path, headers={"Authorization": "Bearer wrong",
                                    "X-Conversation-Grant": grant_for("david")}).status_code == 401


def test_audit_shows_who_viewed_the_record(
        login: Callable[[str], TestClient], patient_ids: dict[str, str]) -> None:
    pid = patient_ids["amelia"]
    login("sarah").get(f"/api/patients/{pid}/immunisations")
    login("reception").get(RECORD.format(pid))
    events = login("amelia").get(f"/api/patients/{pid}/audit").json()
    seen = {(e["role"], e["section"], e["outcome"]) for e in events}
    assert ("proxy", "immunisations", "allowed") in seen
    assert ("receptionist", "record", "allowed") in seen
    assert events[0]["section"] == "audit"  # newest first, this very read included
    assert {e["viewer"] for e in events} >= {"you", "practice staff", "someone with proxy access"}


def test_results_history_is_one_series_per_test_oldest_first(
        patient_client: TestClient, patient_ids: dict[str, str]) -> None:
    series = patient_client.get(f"/api/patients/{patient_ids['david']}/results/history").json()
    hba1c = next(s for s in series if s["code"]["code"] == "1049301000000100")
    assert hba1c["unit"] == "mmol/mol"
    assert [p["value"] for p in hba1c["points"]] == [58, 52, 49, 51, 54, 50, 47, 53, 56]
    dates = [p["effective"] for p in hba1c["points"]]
    assert dates == sorted(dates)
    assert hba1c["points"][0]["range_high"] == 41


def test_explained_record_attaches_explanations(
        patient_client: TestClient, patient_ids: dict[str, str]) -> None:
    r = patient_client.get(f"/api/patients/{patient_ids['david']}/record/explained")
    assert r.status_code == 200
    body = r.json()
    diabetes = next(p for p in body["problems"] if p["code"]["code"] == "44054006")
    assert diabetes["explanation"]["text"]
    assert all("explanation" in x for x in body["results"])
    assert all("terms" in c for c in body["consultations"])


def test_explained_record_is_503_when_the_glossary_cannot_load(
        patient_client: TestClient, patient_ids: dict[str, str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(self: Services) -> None:
        raise RuntimeError("content failed to load")

    monkeypatch.setattr(Services, "glossary", property(broken))
    r = patient_client.get(f"/api/patients/{patient_ids['david']}/record/explained")
    assert r.status_code == 503
    assert r.json() == {"error": "Explanations are not available right now."}


def test_import_is_staff_only_and_idempotent(
        patient_client: TestClient, receptionist_client: TestClient) -> None:
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": [
        {"resource": {"resourceType": "Patient", "id": "p",
                      "identifier": [{"system": "https://fhir.nhs.uk/Id/nhs-number",
                                      "value": "9990000018"}],
                      "name": [{"family": "New", "given": ["Pat"]}]}},
        {"resource": {"resourceType": "Condition", "id": "c",
                      "code": {"coding": [{"system": "http://snomed.info/sct",
                                           "code": "195967001", "display": "Asthma"}]},
                      "subject": {"reference": "Patient/p"}}},
        {"resource": {"resourceType": "Observation", "id": "bad"}}]}
    assert patient_client.post("/api/records/import", json=bundle).status_code == 403
    first = receptionist_client.post("/api/records/import", json=bundle)
    assert first.status_code == 200
    assert first.json()["created"] == 2
    assert [i["index"] for i in first.json()["issues"]] == [2]
    again = receptionist_client.post("/api/records/import", json=bundle).json()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 2)
    pid = again["patients"][0]
    problems = receptionist_client.get(f"/api/patients/{pid}/problems").json()
    assert [p["code"]["code"] for p in problems] == ["195967001"]
    assert receptionist_client.post("/api/records/import", json={"resourceType": "Patient"}
                                    ).status_code == 422


def test_openapi_documents_every_record_endpoint(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for section in (*SECTIONS, "record", "record/explained", "results/history", "audit"):
        op = paths[f"/api/patients/{{patient_id}}/{section}"]["get"]
        assert "$ref" in str(op["responses"]["200"]["content"]["application/json"]["schema"])
        assert {"401", "403", "404"} <= set(op["responses"])


def test_consultation_shorthand_is_kept_as_written(
        patient_client: TestClient, patient_ids: dict[str, str], services: Services) -> None:
    rows = patient_client.get(f"/api/patients/{patient_ids['david']}/consultations").json()
    text = " ".join(e["text"] for c in rows for e in c["entries"])
    assert "O/E BP 150/95" in text and "F/U" in text
    with services.db.sessions() as s:
        assert s.scalar(select(Consultation.clinician).where(
            Consultation.patient_id == patient_ids["david"]).limit(1)) == "Dr Priya Shah"
