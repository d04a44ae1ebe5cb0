"""Writes the demo FHIR R4 bundles (``python -m api.records.demo.build``).

The records are invented. NHS numbers are in the 999 range the NHS keeps for testing. Codes are
real SNOMED CT (international and UK) and LOINC codes; medicine names follow dm+d. The JSON files
beside this module are its output and are what ``plainrecord demo`` loads.
"""

# ruff: noqa: E501  (clinical content: one line per record entry reads best)
from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from api.records.fhir_extract import (
    DMD,
    EXT_LAST_ISSUED,
    EXT_RELEASE_AFTER,
    EXT_VISIBILITY,
    LOINC,
    NHS_NUMBER_SYSTEM,
    SNOMED,
)

HERE = Path(__file__).parent
NS = uuid.UUID("6f1c2d4e-8a9b-4c3d-9e0f-1a2b3c4d5e6f")
SIGNIFICANCE = "https://fhir.nhs.uk/STU3/StructureDefinition/Extension-CareConnect-GPC-ProblemSignificance-1"
RESTRICTED = {"security": [{"system": "http://terminology.hl7.org/CodeSystem/v3-Confidentiality",
                            "code": "R", "display": "restricted"}]}
PRACTICE = {"reference": "Organization/riverside", "display": "Riverside Surgery"}
ORG = {"resourceType": "Organization", "id": "riverside", "name": "Riverside Surgery",
       "identifier": [{"system": "https://fhir.nhs.uk/Id/ods-organization-code", "value": "Y99999"}]}
GPS = {
    "dr-shah": ("Dr", "Priya", "Shah"), "dr-okafor": ("Dr", "Daniel", "Okafor"),
    "nurse-evans": ("", "Helen", "Morgan"),
}


class Record:
    """Builds one patient's bundle."""

    def __init__(self, key: str, nhs: str, given: str, family: str, gender: str, born: str,
                 mobile: str) -> None:
        self.key = key
        self.entries: list[dict[str, Any]] = []
        self.n = 0
        self.subject = {"reference": f"Patient/{key}"}
        self.add({"resourceType": "Patient", "id": key,
                  "identifier": [{"system": NHS_NUMBER_SYSTEM, "value": nhs}],
                  "name": [{"use": "official", "family": family, "given": given.split()}],
                  "gender": gender, "birthDate": born,
                  "telecom": [{"system": "phone", "value": mobile, "use": "mobile"}],
                  "generalPractitioner": [PRACTICE]})
        self.add(dict(ORG))
        for pid, (prefix, first, last) in GPS.items():
            self.add({"resourceType": "Practitioner", "id": pid,
                      "name": [{"prefix": [prefix] if prefix else [], "given": [first],
                                "family": last}]})

    def rid(self, label: str) -> str:
        return str(uuid.uuid5(NS, f"{self.key}/{label}"))

    def add(self, resource: dict[str, Any]) -> dict[str, Any]:
        rtype = resource["resourceType"]
        self.entries.append({"fullUrl": f"https://riverside.example/fhir/{rtype}/{resource['id']}",
                             "resource": resource})
        return resource

    def condition(self, label: str, code: str, display: str, onset: str, *, active: bool = True,
                  significant: bool = False, ended: str | None = None,
                  note: str | None = None) -> dict[str, Any]:
        res: dict[str, Any] = {
            "resourceType": "Condition", "id": self.rid(label),
            "extension": [{"url": SIGNIFICANCE, "valueCode": "major" if significant else "minor"}],
            "clinicalStatus": {"coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                "code": "active" if active else "resolved"}]},
            "category": [{"coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/condition-category",
                "code": "problem-list-item"}]}],
            "code": {"coding": [{"system": SNOMED, "code": code, "display": display}]},
            "subject": self.subject, "onsetDateTime": onset,
        }
        if ended:
            res["abatementDateTime"] = ended
        if note:
            res["note"] = [{"text": note}]
        return self.add(res)

    def result(self, label: str, date: str, name: str, value: float | str, unit: str | None,
               *, snomed: str, loinc: str | None = None, low: float | None = None,
               high: float | None = None, range_text: str | None = None,
               flag: str | None = None, comment: str | None = None) -> dict[str, Any]:
        codings = [{"system": SNOMED, "code": snomed, "display": name}]
        if loinc:
            codings.append({"system": LOINC, "code": loinc, "display": name})
        res: dict[str, Any] = {
            "resourceType": "Observation", "id": self.rid(label), "status": "final",
            "category": [{"coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                "code": "laboratory"}]}],
            "code": {"coding": codings, "text": name}, "subject": self.subject,
            "effectiveDateTime": date, "issued": f"{date[:10]}T16:05:00Z",
        }
        if isinstance(value, str):
            res["valueString"] = value
        else:
            res["valueQuantity"] = {"value": value, "unit": unit}
        rng: dict[str, Any] = {}
        if low is not None:
            rng["low"] = {"value": low, "unit": unit}
        if high is not None:
            rng["high"] = {"value": high, "unit": unit}
        if range_text:
            rng["text"] = range_text
        if rng:
            res["referenceRange"] = [rng]
        if flag:
            res["interpretation"] = [{"coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation",
                "code": flag}]}]
        if comment:
            res["note"] = [{"text": comment}]
        return self.add(res)

    def panel(self, label: str, date: str, name: str, snomed: str,
              members: list[dict[str, Any]]) -> None:
        self.add({"resourceType": "Observation", "id": self.rid(label), "status": "final",
                  "code": {"coding": [{"system": SNOMED, "code": snomed, "display": name}],
                           "text": name},
                  "subject": self.subject, "effectiveDateTime": date,
                  "hasMember": [{"reference": f"Observation/{m['id']}"} for m in members]})

    def bp(self, label: str, date: str, sys: int, dia: int) -> None:
        def comp(code: str, loinc: str, name: str, value: int, high: int) -> dict[str, Any]:
            return {"code": {"coding": [{"system": SNOMED, "code": code, "display": name},
                                        {"system": LOINC, "code": loinc}], "text": name},
                    "valueQuantity": {"value": value, "unit": "mmHg"},
                    "referenceRange": [{"high": {"value": high, "unit": "mmHg"}}]}
        self.add({"resourceType": "Observation", "id": self.rid(label), "status": "final",
                  "category": [{"coding": [{
                      "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                      "code": "vital-signs"}]}],
                  "code": {"coding": [{"system": SNOMED, "code": "75367002",
                                       "display": "Blood pressure"},
                                      {"system": LOINC, "code": "85354-9"}],
                           "text": "Blood pressure"},
                  "subject": self.subject, "effectiveDateTime": date,
                  "component": [comp("271649006", "8480-6", "Systolic blood pressure", sys, 140),
                                comp("271650006", "8462-4", "Diastolic blood pressure", dia, 90)]})

    def medicine(self, label: str, name: str, dose: str, quantity: str, *, dmd: str | None,
                 course: str, started: str, last: str | None = None, stopped: bool = False,
                 reason: str | None = None) -> None:
        concept: dict[str, Any] = {"text": name}
        if dmd:
            concept["coding"] = [{"system": DMD, "code": dmd, "display": name}]
        value, _, unit = quantity.partition(" ")
        res: dict[str, Any] = {
            "resourceType": "MedicationRequest", "id": self.rid(label),
            "status": "stopped" if stopped else ("active" if course == "continuous"
                                                  else "completed"),
            "intent": "order",
            "courseOfTherapyType": {"coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/medicationrequest-course-of-therapy",
                "code": course}]},
            "medicationCodeableConcept": concept, "subject": self.subject,
            "authoredOn": started, "dosageInstruction": [{"text": dose}],
            "dispenseRequest": {"quantity": {"value": float(value), "unit": unit}},
        }
        if course == "acute" and not stopped:
            res["status"] = "active"
        if last:
            res["extension"] = [{"url": EXT_LAST_ISSUED, "valueDateTime": last}]
        if reason:
            res["reasonCode"] = [{"text": reason}]
        self.add(res)

    def allergy(self, label: str, code: str, display: str, reaction: str, recorded: str,
                kind: str = "allergy") -> None:
        self.add({"resourceType": "AllergyIntolerance", "id": self.rid(label), "type": kind,
                  "clinicalStatus": {"coding": [{
                      "system": "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical",
                      "code": "active"}]},
                  "verificationStatus": {"coding": [{
                      "system": "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification",
                      "code": "confirmed"}]},
                  "code": {"coding": [{"system": SNOMED, "code": code, "display": display}]},
                  "patient": self.subject, "recordedDate": recorded,
                  "reaction": [{"manifestation": [{"text": reaction}], "severity": "moderate"}]})

    def vaccine(self, label: str, code: str, display: str, date: str, dose: int | None = None,
                note: str | None = None) -> None:
        res: dict[str, Any] = {
            "resourceType": "Immunization", "id": self.rid(label), "status": "completed",
            "vaccineCode": {"coding": [{"system": SNOMED, "code": code, "display": display}],
                            "text": display},
            "patient": self.subject, "occurrenceDateTime": date,
        }
        if dose:
            res["protocolApplied"] = [{"doseNumberPositiveInt": dose}]
        if note:
            res["note"] = [{"text": note}]
        self.add(res)

    def procedure(self, label: str, code: str, display: str, date: str,
                  note: str | None = None) -> None:
        res: dict[str, Any] = {
            "resourceType": "Procedure", "id": self.rid(label), "status": "completed",
            "code": {"coding": [{"system": SNOMED, "code": code, "display": display}]},
            "subject": self.subject, "performedDateTime": date}
        if note:
            res["note"] = [{"text": note}]
        self.add(res)

    def consultation(self, label: str, date: str, clinician: str, kind: str,
                     lines: list[tuple[str, str]], *, hidden: bool = False) -> None:
        enc_id = self.rid(label)
        enc: dict[str, Any] = {
            "resourceType": "Encounter", "id": enc_id, "status": "finished",
            "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
                      "code": "AMB", "display": "ambulatory"},
            "type": [{"coding": [{"system": SNOMED, "code": "185349003",
                                  "display": "Encounter for check up"}], "text": kind}],
            "subject": self.subject,
            "participant": [{"individual": {"reference": f"Practitioner/{clinician}"}}],
            "period": {"start": date}, "serviceProvider": PRACTICE,
        }
        if hidden:
            enc["extension"] = [{"url": EXT_VISIBILITY, "valueCode": "hidden"}]
        self.add(enc)
        for i, (heading, text) in enumerate(lines):
            note: dict[str, Any] = {
                "resourceType": "Observation", "id": self.rid(f"{label}/note-{i}"),
                "status": "final", "code": {"text": heading}, "subject": self.subject,
                "encounter": {"reference": f"Encounter/{enc_id}"}, "effectiveDateTime": date,
                "note": [{"text": text}]}
            if hidden:
                note["extension"] = [{"url": EXT_VISIBILITY, "valueCode": "hidden"}]
            self.add(note)

    def referral(self, label: str, code: str, display: str, date: str, service: str,
                 priority: str, reason: str, note: str, sensitive: bool = False) -> None:
        res: dict[str, Any] = {
            "resourceType": "ServiceRequest", "id": self.rid(label), "status": "active",
            "intent": "order", "priority": priority,
            "category": [{"coding": [{"system": SNOMED, "code": "3457005",
                                      "display": "Patient referral"}]}],
            "code": {"coding": [{"system": SNOMED, "code": code, "display": display}]},
            "subject": self.subject, "authoredOn": date,
            "performer": [{"display": service}], "reasonCode": [{"text": reason}],
            "note": [{"text": note}]}
        if sensitive:
            res["meta"] = RESTRICTED
        self.add(res)

    def document(self, label: str, title: str, date: str, author: str, kind: str, *,
                 release_after: str | None = None, sensitive: bool = False) -> None:
        res: dict[str, Any] = {
            "resourceType": "DocumentReference", "id": self.rid(label), "status": "current",
            "type": {"coding": [{"system": SNOMED, "code": "371530004",
                                 "display": "Clinical consultation report"}], "text": kind},
            "subject": self.subject, "date": f"{date}T09:00:00Z", "author": [{"display": author}],
            "description": title,
            "content": [{"attachment": {"contentType": "application/pdf", "title": title,
                                        "url": f"Binary/{self.rid(label + '/pdf')}",
                                        "size": 48213}}]}
        if release_after:
            res["extension"] = [{"url": EXT_RELEASE_AFTER, "valueDateTime": release_after}]
        if sensitive:
            res["meta"] = RESTRICTED
        self.add(res)

    def bundle(self) -> dict[str, Any]:
        return {"resourceType": "Bundle", "id": self.rid("bundle"), "type": "collection",
                "timestamp": "2026-11-20T08:00:00Z", "entry": self.entries}


HBA1C = ("1049301000000100", "59261-8", "HbA1c level (IFCC standardised)", "mmol/mol")
EGFR = ("1011481000000105", "62238-1", "eGFR using creatinine (CKD-EPI) per 1.73 square metres",
        "mL/min/1.73m2")


def child() -> Record:
    r = Record("amelia", "9992345675", "Amelia Rose", "Hughes", "female", "2018-04-12",
               "07700900111")
    r.condition("asthma", "195967001", "Asthma", "2022-02-03", significant=True)
    r.condition("eczema", "24079001", "Atopic dermatitis", "2018-11-20",
                note="Mild, flexures. Emollients.")
    r.medicine("salbutamol", "Salbutamol 100micrograms/dose inhaler CFC free",
               "2 puffs when required for wheeze, up to 4 times a day", "1 inhaler",
               dmd="320151000", course="continuous", started="2022-02-03",
               last="2026-09-14T10:12:00Z", reason="Asthma")
    r.medicine("clenil", "Clenil Modulite 50micrograms/dose inhaler",
               "1 puff twice a day, with spacer", "1 inhaler", dmd=None, course="continuous",
               started="2022-03-10", last="2026-10-02T09:40:00Z", reason="Asthma")
    r.medicine("amox", "Amoxicillin 250mg/5ml oral suspension", "5ml three times a day for 5 days",
               "100 ml", dmd=None, course="acute", started="2025-01-08", stopped=True)
    vacc = [
        ("6in1-1", "6-in-1 vaccine (DTaP/IPV/Hib/HepB) first dose", "2018-06-14", 1),
        ("6in1-2", "6-in-1 vaccine (DTaP/IPV/Hib/HepB) second dose", "2018-07-12", 2),
        ("6in1-3", "6-in-1 vaccine (DTaP/IPV/Hib/HepB) third dose", "2018-08-09", 3),
    ]
    for label, display, date, dose in vacc:
        r.vaccine(label, "16584000", display, date, dose)
    r.vaccine("pcv-1", "12866006", "Pneumococcal conjugate vaccine", "2018-07-12", 1)
    r.vaccine("menb-1", "41088001", "Meningococcal B vaccine", "2018-06-14", 1)
    r.vaccine("mmr-1", "38598009", "MMR vaccine first dose", "2019-04-15", 1)
    r.vaccine("mmr-2", "38598009", "MMR vaccine second dose", "2021-05-20", 2,
              note="Pre-school booster given same day.")
    r.vaccine("flu-2025", "86198006", "Nasal flu vaccine (LAIV)", "2025-10-17")
    r.vaccine("flu-2026", "86198006", "Nasal flu vaccine (LAIV)", "2026-10-09")
    r.result("pefr-2026", "2026-03-18T10:20:00Z", "Peak expiratory flow rate", 230, "L/min",
             snomed="1022191000000100", loinc="19935-6",
             comment="Predicted 250 L/min for height.")
    r.consultation("c-2022", "2022-02-03T09:10:00Z", "dr-okafor", "Face to face consultation", [
        ("History", "Mum reports night cough x 6/52, wheeze with colds. Eczema. FHx asthma (dad)."),
        ("Examination", "O/E chest: scattered wheeze bilat, no recession, sats 97% RA."),
        ("Plan", "Trial salbutamol via spacer. Asthma dx discussed. F/U 2/52 with nurse."),
    ])
    r.consultation("c-2026", "2026-03-18T10:20:00Z", "nurse-evans", "Asthma review", [
        ("Review", "Annual asthma review. Using spacer well. No night waking. ACT 22."),
        ("Plan", "Cont Clenil 50 1 puff BD. Personalised asthma action plan updated. Flu vacc due Oct."),
    ])
    return r


def midlife() -> Record:
    r = Record("david", "9993456780", "David John", "Clarke", "male", "1968-05-22",
               "07700900222")
    r.condition("htn", "59621000", "Essential hypertension", "2016-09-14", significant=True)
    r.condition("t2dm", "44054006", "Type 2 diabetes mellitus", "2019-03-07", significant=True)
    r.condition("chol", "13644009", "Hypercholesterolaemia", "2019-03-07")
    r.condition("backpain", "279039007", "Low back pain", "2021-06-02", active=False,
                ended="2021-08-30")
    r.medicine("metformin", "Metformin 500mg modified-release tablets",
               "2 tablets once a day with evening meal", "56 tablet", dmd=None,
               course="continuous", started="2019-03-21", last="2026-10-28T11:02:00Z",
               reason="Type 2 diabetes")
    r.medicine("atorva", "Atorvastatin 20mg tablets", "1 tablet at night", "28 tablet",
               dmd="320000009", course="continuous", started="2019-04-11",
               last="2026-10-28T11:02:00Z", reason="Reduce cholesterol")
    r.medicine("ramipril", "Ramipril 5mg capsules", "1 capsule once a day", "28 capsule",
               dmd=None, course="continuous", started="2016-10-05",
               last="2026-10-28T11:02:00Z", reason="High blood pressure")
    r.medicine("amlo", "Amlodipine 5mg tablets", "1 tablet once a day", "28 tablet",
               dmd="319283006", course="continuous", started="2023-01-16",
               last="2026-10-28T11:02:00Z")
    r.medicine("naproxen", "Naproxen 250mg tablets", "1 tablet twice a day with food",
               "28 tablet", dmd=None, course="acute", started="2021-06-02", stopped=True)
    hba1c = [("2019-03-01", 58, "H"), ("2019-09-12", 52, "H"), ("2020-10-05", 49, "H"),
             ("2021-09-20", 51, "H"), ("2022-09-26", 54, "H"), ("2023-09-18", 50, "H"),
             ("2024-09-23", 47, "H"), ("2025-09-22", 53, "H"), ("2026-10-20", 56, "H")]
    for date, value, flag in hba1c:
        r.result(f"hba1c-{date}", f"{date}T09:30:00Z", HBA1C[2], value, HBA1C[3],
                 snomed=HBA1C[0], loinc=HBA1C[1], low=20, high=41, flag=flag,
                 comment="Diabetic range. Please review." if value >= 48 else None)
    egfr = [("2019-03-01", 88), ("2021-09-20", 84), ("2023-09-18", 79), ("2025-09-22", 74),
            ("2026-10-20", 71)]
    for date, value in egfr:
        r.result(f"egfr-{date}", f"{date}T09:30:00Z", EGFR[2], value, EGFR[3], snomed=EGFR[0],
                 loinc=EGFR[1], range_text=">90", flag="L" if value < 60 else None)
    lipids = [("2019-03-01", 6.8, 1.0, 4.9, 2.1), ("2021-09-20", 4.6, 1.1, 2.7, 1.8),
              ("2023-09-18", 4.3, 1.2, 2.4, 1.6), ("2026-10-20", 4.9, 1.1, 2.9, 2.0)]
    for date, total, hdl, ldl, tg in lipids:
        when = f"{date}T09:30:00Z"
        members = [
            r.result(f"chol-{date}", when, "Serum cholesterol level", total, "mmol/L",
                     snomed="1005671000000105", loinc="2093-3", high=5.0,
                     flag="H" if total > 5 else None),
            r.result(f"hdl-{date}", when, "Serum HDL cholesterol level", hdl, "mmol/L",
                     snomed="1005681000000107", loinc="2085-9", low=1.0),
            r.result(f"ldl-{date}", when, "Serum LDL cholesterol level", ldl, "mmol/L",
                     snomed="1022191000000100", loinc="2089-1", high=3.0,
                     flag="H" if ldl > 3 else None),
            r.result(f"tg-{date}", when, "Serum triglycerides level", tg, "mmol/L",
                     snomed="1005691000000109", loinc="2571-8", high=1.7,
                     flag="H" if tg > 1.7 else None),
        ]
        r.panel(f"lipids-{date}", when, "Lipid profile", "252150008", members)
    r.result("acr-2026", "2026-10-20T09:30:00Z", "Urine albumin:creatinine ratio", 2.1,
             "mg/mmol", snomed="1023491000000104", loinc="9318-7", high=3.0)
    r.result("k-2026", "2026-10-20T09:30:00Z", "Serum potassium level", 4.6, "mmol/L",
             snomed="1000651000000109", loinc="2823-3", low=3.5, high=5.3)
    r.bp("bp-2016", "2016-09-14T09:00:00Z", 162, 98)
    r.bp("bp-2023", "2023-01-16T09:00:00Z", 150, 95)
    r.bp("bp-2026", "2026-10-27T09:15:00Z", 138, 84)
    r.vaccine("flu-2026", "86198006", "Influenza vaccine", "2026-10-04")
    r.vaccine("cov-2025", "33879002", "COVID-19 vaccine (autumn booster)", "2025-10-11")
    r.consultation("c-2023", "2023-01-16T09:00:00Z", "dr-shah", "Face to face consultation", [
        ("History", "HTN review. Home BP avg 148/92. Taking ramipril. No SE. Non-smoker."),
        ("Examination", "O/E BP 150/95, HR 76 reg. BMI 31."),
        ("Plan", "Add amlodipine 5mg OD. Lifestyle advice. Recheck BP F/U 4/52."),
    ])
    r.consultation("c-2026", "2026-10-27T09:15:00Z", "dr-shah", "Diabetes review", [
        ("History", "DM review. c/o tiredness. Diet lapsed over summer. No polyuria."),
        ("Examination", "O/E BP 138/84. Feet: pulses palpable, monofilament NAD."),
        ("Results", "HbA1c 56 (up from 53). eGFR 71 stable. LDL 2.9."),
        ("Plan", "Discussed diet + activity. Cont metformin, consider SGLT2i if HbA1c >58 at "
                 "3/12. Refer DESMOND. F/U 3/12 with bloods."),
    ])
    r.referral("desmond", "306206005", "Referral to service", "2026-10-27",
               "DESMOND diabetes education programme", "routine",
               "Type 2 diabetes: structured education", "Patient keen to attend evening course.")
    return r


def older() -> Record:
    r = Record("margaret", "9994567896", "Margaret Anne", "Wilson", "female", "1940-08-03",
               "07700900333")
    r.condition("af", "49436004", "Atrial fibrillation", "2017-05-11", significant=True)
    r.condition("ckd3", "433144002", "Chronic kidney disease stage 3", "2020-02-19",
                significant=True)
    r.condition("hf", "84114007", "Heart failure", "2021-11-02", significant=True)
    r.condition("hypothyroid", "40930008", "Hypothyroidism", "2004-03-15")
    r.condition("oa-knee", "239873007", "Osteoarthritis of knee", "2012-07-01")
    r.condition("osteoporosis", "64859006", "Osteoporosis", "2018-01-22")
    r.condition("fall", "1912002", "Fall", "2023-12-27", active=False, ended="2024-01-15",
                note="Fall at home, no fracture.")
    meds = [
        ("apixaban", "Apixaban 2.5mg tablets", "1 tablet twice a day", "56 tablet", "AF - stroke prevention"),
        ("bisoprolol", "Bisoprolol 2.5mg tablets", "1 tablet once a day", "28 tablet", "AF / heart failure"),
        ("furosemide", "Furosemide 40mg tablets", "1 tablet each morning", "28 tablet", "Heart failure"),
        ("levo", "Levothyroxine sodium 75microgram tablets", "1 tablet each morning before breakfast", "28 tablet", "Hypothyroidism"),
        ("alendronic", "Alendronic acid 70mg tablets", "1 tablet once a week, on Sunday, 30 minutes before breakfast", "4 tablet", "Osteoporosis"),
        ("adcal", "Adcal-D3 chewable tablets", "1 tablet twice a day", "112 tablet", "Osteoporosis"),
        ("paracetamol", "Paracetamol 500mg tablets", "2 tablets up to 4 times a day when required", "100 tablet", "Knee pain"),
        ("omeprazole", "Omeprazole 20mg gastro-resistant capsules", "1 capsule once a day", "28 capsule", None),
        ("ramipril", "Ramipril 2.5mg capsules", "1 capsule once a day", "28 capsule", "Heart failure"),
    ]
    for label, name, dose, qty, reason in meds:
        r.medicine(label, name, dose, qty, dmd=None, course="continuous", started="2021-11-02",
                   last="2026-11-03T10:30:00Z", reason=reason)
    r.medicine("warfarin", "Warfarin 1mg tablets", "As directed by anticoagulant clinic",
               "28 tablet", dmd=None, course="continuous", started="2017-05-11", stopped=True)
    r.medicine("lactulose", "Lactulose 3.35g/5ml oral solution", "15ml twice a day",
               "300 ml", dmd=None, course="acute", started="2026-08-12")
    r.allergy("penicillin", "91936005", "Allergy to penicillin", "Rash", "1998-06-01")
    r.allergy("codeine", "14760008", "Constipation", "Severe constipation with codeine",
              "2019-02-11", kind="intolerance")
    for date, value in [("2020-02-10", 52), ("2022-02-14", 47), ("2024-02-12", 44),
                        ("2025-08-04", 42), ("2026-08-10", 41)]:
        r.result(f"egfr-{date}", f"{date}T09:30:00Z", EGFR[2], value, EGFR[3], snomed=EGFR[0],
                 loinc=EGFR[1], range_text=">90", flag="L")
    r.result("cr-2026", "2026-08-10T09:30:00Z", "Serum creatinine level", 118, "umol/L",
             snomed="1000731000000107", loinc="2160-0", low=45, high=84, flag="H")
    r.result("k-2026", "2026-08-10T09:30:00Z", "Serum potassium level", 5.1, "mmol/L",
             snomed="1000651000000109", loinc="2823-3", low=3.5, high=5.3)
    r.result("tsh-2026", "2026-08-10T09:30:00Z", "Serum TSH level", 2.4, "mU/L",
             snomed="1022791000000101", loinc="3016-3", low=0.27, high=4.2)
    r.result("hb-2026", "2026-08-10T09:30:00Z", "Haemoglobin estimation", 118, "g/L",
             snomed="1022431000000105", loinc="718-7", low=115, high=165)
    r.bp("bp-2026", "2026-08-12T10:00:00Z", 128, 72)
    r.vaccine("flu-2026", "86198006", "Influenza vaccine", "2026-09-29")
    r.vaccine("pneumo", "12866006", "Pneumococcal polysaccharide vaccine (PPV23)", "2006-10-10")
    r.vaccine("shingles", "33879002", "Shingles vaccine (Shingrix) first dose", "2024-03-05", 1)
    r.procedure("hip", "52734007", "Total replacement of hip", "2015-04-20",
                note="Left THR, Royal County Hospital.")
    r.procedure("cataract", "385468004", "Cataract extraction and insertion of intraocular lens",
                "2019-09-03", note="Right eye.")
    r.consultation("c-2026", "2026-08-12T10:00:00Z", "dr-okafor", "Home visit", [
        ("History", "HV. c/o SOB on exertion, worse 1/52. Ankles more swollen. No CP. "
                    "Carer (son) present."),
        ("Examination", "O/E HR 72 irreg irreg, BP 128/72, bibasal creps, pitting oedema to mid-shin."),
        ("Plan", "Furosemide 40mg OM cont, ?increase - U&E first. Daily weights. "
                 "If worse or SOB at rest call 999. F/U 1/52."),
    ])
    r.referral("hf-nurse", "306206005", "Referral to service", "2026-08-12",
               "Community heart failure nursing team", "routine", "Heart failure",
               "Please review diuretic dose and fluid status.")
    r.document("discharge", "Discharge summary: fall, Royal County Hospital", "2024-01-02",
               "Royal County Hospital, Elderly Care", "Discharge summary")
    return r


def young_adult() -> Record:
    r = Record("chloe", "9996789012", "Chloe", "Evans", "female", "2003-11-30", "07700900444")
    r.condition("depression", "35489007", "Depressive disorder", "2024-02-06",
                significant=True)
    r.condition("anxiety", "197480006", "Anxiety disorder", "2024-02-06")
    r.condition("contraception", "5935008", "Oral contraception", "2022-05-09")
    r.condition("acne", "11381005", "Acne vulgaris", "2018-03-01", active=False,
                ended="2021-01-10")
    r.medicine("sertraline", "Sertraline 100mg tablets", "1 tablet once a day", "28 tablet",
               dmd=None, course="continuous", started="2024-02-06", last="2026-11-10T09:00:00Z",
               reason="Depression")
    r.medicine("desogestrel", "Desogestrel 75microgram tablets", "1 tablet daily, no break",
               "84 tablet", dmd=None, course="continuous", started="2022-05-09",
               last="2026-08-22T14:10:00Z", reason="Contraception")
    r.medicine("lymecycline", "Lymecycline 408mg capsules", "1 capsule once a day",
               "28 capsule", dmd=None, course="continuous", started="2019-06-01", stopped=True)
    for date, value in [("2024-02-06", 17), ("2024-05-14", 12), ("2024-11-20", 8),
                        ("2025-06-03", 6), ("2026-05-12", 9)]:
        r.result(f"phq9-{date}", f"{date}T11:00:00Z",
                 "Patient Health Questionnaire Nine Item score", value, "score",
                 snomed="720433000", loinc="44261-6", range_text="0-4 minimal")
    r.bp("bp-2026", "2026-08-22T14:10:00Z", 112, 70)
    r.result("bmi-2026", "2026-08-22T14:10:00Z", "Body mass index", 22.4, "kg/m2",
             snomed="60621009", loinc="39156-5", low=18.5, high=24.9)
    r.vaccine("hpv-1", "33879002", "HPV vaccine", "2016-09-20", 1)
    r.vaccine("menacwy", "41088001", "MenACWY vaccine", "2018-01-15", 1)
    r.consultation("c-2024", "2024-02-06T11:00:00Z", "dr-shah", "Telephone consultation", [
        ("History", "Low mood 3/12, poor sleep, anhedonia. Uni stress. No SH, no suicidal "
                    "ideation. PHQ-9 17."),
        ("Plan", "Dx depression. Start sertraline 50mg OD. Self-referral to Talking Therapies. "
                 "Safety-netted. F/U 2/52."),
    ])
    r.consultation("c-2026-hidden", "2026-05-12T11:00:00Z", "dr-shah", "Face to face consultation", [
        ("History", "Discussed third-party information from family member (see scanned letter)."),
        ("Plan", "Not for online view: third-party information."),
    ], hidden=True)
    r.consultation("c-2026", "2026-08-22T14:10:00Z", "nurse-evans", "Contraception review", [
        ("Review", "POP review. Happy with desogestrel. Irregular light bleeding only. "
                   "BP 112/70, BMI 22.4. Non-smoker."),
        ("Plan", "12/12 supply issued. Discussed LARC options."),
    ])
    return r


def suspected_cancer() -> Record:
    r = Record("robert", "9997890124", "Robert", "Patel", "male", "1961-02-17", "07700900555")
    r.condition("ida", "87522002", "Iron deficiency anaemia", "2026-11-04", significant=True)
    r.condition("bowel", "12063002", "Rectal haemorrhage", "2026-11-04",
                note="Intermittent dark blood mixed with stool, 6 weeks.")
    r.condition("weightloss", "89362005", "Weight loss", "2026-11-04")
    r.condition("gout", "190828008", "Gout", "2015-07-20", active=False, ended="2015-09-01")
    r.medicine("ferrous", "Ferrous fumarate 210mg tablets", "1 tablet twice a day",
               "56 tablet", dmd=None, course="acute", started="2026-11-11")
    r.medicine("allopurinol", "Allopurinol 100mg tablets", "1 tablet once a day", "28 tablet",
               dmd=None, course="continuous", started="2015-09-01", stopped=True)
    r.result("hb-2026", "2026-11-06T09:00:00Z", "Haemoglobin estimation", 104, "g/L",
             snomed="1022431000000105", loinc="718-7", low=130, high=170, flag="L")
    r.result("mcv-2026", "2026-11-06T09:00:00Z", "Mean corpuscular volume", 74, "fL",
             snomed="1022491000000106", loinc="787-2", low=80, high=100, flag="L")
    r.result("ferritin-2026", "2026-11-06T09:00:00Z", "Serum ferritin level", 9, "ug/L",
             snomed="993381000000106", loinc="2276-4", low=30, high=400, flag="L")
    r.result("fit-2026", "2026-11-10T09:00:00Z", "Faecal immunochemical test", 152, "ug/g",
             snomed="1049661000000107", loinc="29771-3", range_text="<10", flag="H",
             comment="FIT positive. Meets threshold for urgent suspected cancer referral.")
    r.consultation("c-2026", "2026-11-04T16:30:00Z", "dr-okafor", "Face to face consultation", [
        ("History", "c/o change in bowel habit 6/52, looser, with dark PR bleeding. Wt loss "
                    "4kg 2/12. Tired. No abdo pain. FHx: father bowel ca aged 70."),
        ("Examination", "O/E pale. Abdo soft NT, no masses. PR: no palpable mass, dark blood on glove."),
        ("Plan", "FBC, ferritin, U&E, LFT, FIT. If FIT >=10 refer 2WW LGI. Explained reason "
                 "for tests. Safety-netted: if heavy bleeding, faint, severe abdo pain call 999."),
    ])
    r.consultation("c-2026b", "2026-11-11T12:00:00Z", "dr-okafor", "Telephone consultation", [
        ("Results", "FIT 152, Hb 104, ferritin 9. IDA."),
        ("Plan", "Discussed urgent referral to check bowel (2WW colorectal). Pt understands, "
                 "has leaflet. Start ferrous fumarate. Hospital will call within 2/52."),
    ])
    r.referral("2ww", "183545006", "Referral to colorectal surgeon", "2026-11-11",
               "Royal County Hospital, Colorectal (suspected cancer) clinic", "urgent",
               "Suspected lower gastrointestinal cancer (2WW): FIT 152, iron deficiency anaemia",
               "Urgent suspected cancer pathway. Straight-to-test colonoscopy requested.",
               sensitive=True)
    r.procedure("colonoscopy", "73761001", "Colonoscopy", "2026-11-24",
                note="Straight-to-test colonoscopy.")
    r.document("colonoscopy-report", "Colonoscopy report, Royal County Hospital",
               "2026-11-24", "Royal County Hospital, Endoscopy Unit", "Procedure report",
               release_after="2026-12-08T09:00:00Z", sensitive=True)
    return r


BUILDERS = (child, midlife, older, young_adult, suspected_cancer)


def main() -> None:
    """Write every demo bundle as ``<patient>.json`` beside this module."""
    for build in BUILDERS:
        record = build()
        path = HERE / f"{record.key}.json"
        path.write_text(json.dumps(record.bundle(), indent=1) + "\n")
        print(path.name, len(record.entries))


if __name__ == "__main__":
    main()
