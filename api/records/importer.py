"""Importing FHIR bundles (R4, and GP Connect STU3 structured records) into the store.

Each bundle is one transaction. Every entry is validated with ``fhir.resources`` (R4B or STU3
models); an entry that fails is reported (index, resource type, why) and kept raw in
``import_issues`` while the rest of the bundle is imported. Entries are keyed by patient +
resource type + FHIR id (or identifier), so importing the same bundle again changes nothing.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.records import fhir_extract as fx
from api.records.models import (
    SECTION_MODELS,
    Consultation,
    ConsultationEntry,
    EntryMixin,
    ImportIssue,
    Patient,
)
from api.records.nhs_number import InvalidNhsNumber, NhsNumber

log = logging.getLogger("plainrecord.import")

CLINICAL_TYPES = {
    "Condition", "Observation", "MedicationStatement", "MedicationRequest",
    "AllergyIntolerance", "Immunization", "Procedure", "Encounter", "ServiceRequest",
    "ReferralRequest", "DocumentReference",
}
SUPPORT_TYPES = {"Patient", "Organization", "Practitioner", "PractitionerRole", "Medication",
                 "Location", "List"}
STU3_ONLY = {"ReferralRequest", "ProcedureRequest"}


class BundleError(ValueError):
    """The file is not a FHIR Bundle at all (nothing imported)."""


@dataclass(frozen=True)
class Issue:
    """An entry that was not imported."""

    index: int
    resource_type: str | None
    reason: str


@dataclass
class ImportReport:
    """What importing one bundle did. Holds ids and counts only, never names."""

    source: str | None
    fhir_version: str
    patients: list[str] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    issues: list[Issue] = field(default_factory=list)

    def count(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)


def detect_version(bundle: Mapping[str, Any]) -> str:
    """``STU3`` for GP Connect structured records (by profile or STU3-only types), else ``R4``."""
    profiles = " ".join((bundle.get("meta") or {}).get("profile") or [])
    for entry in bundle.get("entry") or []:
        res = entry.get("resource") if isinstance(entry, Mapping) else None
        if not isinstance(res, Mapping):
            continue
        if res.get("resourceType") in STU3_ONLY:
            return "STU3"
        profiles += " " + " ".join((res.get("meta") or {}).get("profile") or [])
    return "STU3" if "/STU3/" in profiles else "R4"


def _model_class(version: str) -> Callable[[str], Any]:
    if version == "STU3":
        from fhir.resources.STU3 import get_fhir_model_class as stu3
        return stu3
    from fhir.resources.R4B import get_fhir_model_class as r4b
    return r4b


def _why(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first.get("loc", ()))
    return f"not valid FHIR: {where}: {first.get('msg')}"[:500]


@dataclass
class _Entry:
    index: int
    resource: dict[str, Any]
    full_url: str | None

    @property
    def type(self) -> str:
        return str(self.resource.get("resourceType"))

    def aliases(self) -> list[str]:
        names = [f"{self.type}/{self.resource['id']}"] if self.resource.get("id") else []
        return [*names, *([self.full_url] if self.full_url else [])]


class _BundleImport:
    """The state of importing one bundle."""

    def __init__(self, session: Session, bundle: Mapping[str, Any], source: str | None,
                 version: str) -> None:
        self.session = session
        self.bundle = bundle
        self.report = ImportReport(source=source, fhir_version=version)
        canonical = json.dumps(bundle, sort_keys=True, separators=(",", ":"), default=str)
        self.bundle_hash = hashlib.sha256(canonical.encode()).hexdigest()
        self.model_class = _model_class(version)
        self.names: dict[str, str] = {}
        self.medicines: dict[str, Mapping[str, Any]] = {}
        self.panels: dict[str, str] = {}
        self.patients: dict[str, Patient] = {}  # alias -> patient
        self.encounters: dict[str, tuple[str, str]] = {}  # alias -> (patient id, source id)
        self.seen: set[tuple[str, str, str]] = set()
        self.existing: dict[tuple[str, str], dict[tuple[str, str], Any]] = {}

    def issue(self, index: int, resource_type: str | None, reason: str, raw: Any) -> None:
        self.report.issues.append(Issue(index, resource_type, reason))
        exists = self.session.scalar(select(ImportIssue.id).where(
            ImportIssue.bundle_hash == self.bundle_hash, ImportIssue.entry_index == index))
        if exists is None:
            self.session.add(ImportIssue(bundle_hash=self.bundle_hash, source=self.report.source,
                                         entry_index=index, resource_type=resource_type,
                                         reason=reason, raw=raw))
        # Index and type only: a reason can quote ids or values from the record.
        log.warning("import issue index=%s type=%s", index, resource_type)

    def valid_entries(self) -> Iterator[_Entry]:
        for index, entry in enumerate(self.bundle.get("entry") or []):
            res = entry.get("resource") if isinstance(entry, Mapping) else None
            if not isinstance(res, dict) or not isinstance(res.get("resourceType"), str):
                self.issue(index, None, "entry has no resource", entry)
                continue
            rtype = res["resourceType"]
            if rtype not in CLINICAL_TYPES | SUPPORT_TYPES:
                self.issue(index, rtype, f"resource type {rtype} is not imported", res)
                continue
            try:
                self.model_class(rtype).model_validate(res)
            except ValidationError as exc:
                self.issue(index, rtype, _why(exc), res)
                continue
            except (KeyError, ValueError, TypeError) as exc:
                self.issue(index, rtype, f"not valid FHIR: {exc}"[:500], res)
                continue
            if res.get("status") == "entered-in-error":
                continue  # withdrawn by the practice: never stored, never shown
            yield _Entry(index, res, entry.get("fullUrl"))

    def run(self) -> ImportReport:
        entries = list(self.valid_entries())
        for e in entries:
            self._index_support(e)
        for e in (e for e in entries if e.type == "Patient"):
            self._patient(e)
        ordered = sorted((e for e in entries if e.type in CLINICAL_TYPES),
                         key=lambda e: (e.type != "Encounter", e.index))
        notes: dict[str, list[tuple[_Entry, dict[str, Any]]]] = {}
        for e in ordered:
            try:
                patient = self._patient_for(e)
                extracted = self._extract(e)
                for ex in extracted:
                    if ex.note_for is not None:
                        notes.setdefault(self._encounter_key(ex.note_for, patient),
                                         []).append((e, ex.children[0]))
                        continue
                    self._upsert(e, patient, ex)
            except fx.EntryProblem as exc:
                self.issue(e.index, e.type, str(exc), e.resource)
        for key, items in notes.items():
            self._notes(key, items)
        self.session.flush()
        return self.report

    def _index_support(self, e: _Entry) -> None:
        res = e.resource
        name = None
        if e.type == "Organization":
            name = res.get("name")
        elif e.type == "Practitioner":
            n = (res.get("name") or [{}])
            n0 = n[0] if isinstance(n, list) and n else (n if isinstance(n, dict) else {})
            name = n0.get("text") or " ".join([*(n0.get("prefix") or []), *(n0.get("given") or []),
                                              n0.get("family") or ""]).strip()
        elif e.type == "Location":
            name = res.get("name")
        elif e.type == "Medication":
            for alias in e.aliases():
                self.medicines[alias] = res
        elif e.type == "Observation" and res.get("hasMember"):
            panel = fx._cc_text(res.get("code")) or "Panel"
            for member in res["hasMember"]:
                if member.get("reference"):
                    self.panels[member["reference"]] = panel
        if name:
            for alias in e.aliases():
                self.names[alias] = name

    def _patient(self, e: _Entry) -> None:
        try:
            fields = fx.patient_fields(e.resource, self.names)
            nhs = NhsNumber(fields.pop("nhs_number"))
        except (fx.EntryProblem, InvalidNhsNumber) as exc:
            self.issue(e.index, "Patient", str(exc), e.resource)
            return
        patient = self.session.scalar(select(Patient).where(Patient.nhs_number == nhs))
        values = {**fields, "source_id": fx.stable_key(e.resource), "raw": e.resource}
        if patient is None:
            patient = Patient(nhs_number=nhs, **values)
            self.session.add(patient)
            self.session.flush()
            self.report.count("created")
        elif any(getattr(patient, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(patient, k, v)
            self.report.count("updated")
        else:
            self.report.count("unchanged")
        self.report.patients.append(patient.id)
        for alias in e.aliases():
            self.patients[alias] = patient

    def _patient_for(self, e: _Entry) -> Patient:
        ref = fx.patient_reference(e.resource)
        if ref is None:
            distinct = {p.id: p for p in self.patients.values()}
            if len(distinct) == 1:
                return next(iter(distinct.values()))
            raise fx.EntryProblem("no subject, and the bundle does not hold exactly one patient")
        patient = self.patients.get(ref)
        if patient is None:
            raise fx.EntryProblem(f"refers to a patient not imported from this bundle ({ref})")
        return patient

    def _extract(self, e: _Entry) -> list[fx.Extracted]:
        res = e.resource
        if e.type == "Condition":
            return fx.condition(res)
        if e.type == "Observation":
            if res.get("hasMember") and not fx.has_value(res):
                return []  # the panel itself: its members carry the values
            panel = next((self.panels[a] for a in e.aliases() if a in self.panels), None)
            return fx.observation(res, panel)
        if e.type in ("MedicationStatement", "MedicationRequest"):
            return fx.medication(res, self.medicines)
        if e.type == "AllergyIntolerance":
            return fx.allergy(res)
        if e.type == "Immunization":
            return fx.immunisation(res)
        if e.type == "Procedure":
            return fx.procedure(res)
        if e.type == "Encounter":
            return fx.encounter(res, self.names)
        if e.type in ("ServiceRequest", "ReferralRequest"):
            return fx.referral(res, self.names)
        if e.type == "DocumentReference":
            return fx.document(res, self.names)
        raise fx.EntryProblem(f"resource type {e.type} is not imported")

    def _upsert(self, e: _Entry, patient: Patient, ex: fx.Extracted) -> None:
        key = (patient.id, e.type, ex.source_id)
        if key in self.seen:
            raise fx.EntryProblem(f"a second entry with the same id ({ex.source_id})")
        self.seen.add(key)
        model: type[EntryMixin] = SECTION_MODELS[ex.section]
        values = {**ex.fields, **fx.release_controls(e.resource), "raw": e.resource}
        row = self._existing(model, patient.id).get((e.type, ex.source_id))
        if row is None:
            row = cast(Any, model)(patient_id=patient.id, source_type=e.type,
                                   source_id=ex.source_id, **values)
            self.session.add(row)
            self._existing(model, patient.id)[(e.type, ex.source_id)] = row
            self.report.count("created")
        elif any(getattr(row, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(row, k, v)
            self.report.count("updated")
        else:
            self.report.count("unchanged")
        if e.type == "Encounter":
            for alias in e.aliases():
                self.encounters[alias] = (patient.id, ex.source_id)

    def _existing(self, model: type[EntryMixin], patient_id: str) -> dict[tuple[str, str], Any]:
        """The patient's stored rows of one section, loaded once per bundle (one query)."""
        key = (model.__name__, patient_id)
        if key not in self.existing:
            rows = self.session.scalars(select(model).where(model.patient_id == patient_id))
            self.existing[key] = {(r.source_type, r.source_id): r for r in rows}
        return self.existing[key]

    def _encounter_key(self, ref: str, patient: Patient) -> str:
        found = self.encounters.get(ref)
        if found is None:
            # An encounter imported from an earlier bundle.
            source_id = ref.split("/", 1)[1] if ref.startswith("Encounter/") else ref
            found = (patient.id, source_id)
        if found[0] != patient.id:
            raise fx.EntryProblem("a consultation note and its encounter are for different "
                                  "patients")
        return f"{found[0]}\x00{found[1]}"

    def _notes(self, key: str, items: list[tuple[_Entry, dict[str, Any]]]) -> None:
        patient_id, source_id = key.split("\x00", 1)
        consultation = self._existing(Consultation, patient_id).get(("Encounter", source_id))
        if consultation is None:
            for e, _ in items:
                self.issue(e.index, e.type, "consultation note for an encounter that is not in "
                                            "the record", e.resource)
            return
        wanted = [
            {"position": i, "heading": child["heading"], "text": child["text"],
             "source_id": fx.stable_key(e.resource),
             "hidden": fx.release_controls(e.resource)["hidden"], "raw": e.resource}
            for i, (e, child) in enumerate(items)
        ]
        have = [{k: getattr(c, k) for k in wanted[0]} for c in consultation.entries]
        if have == wanted:
            self.report.unchanged += len(wanted)
            return
        if have:
            self.report.updated += len(wanted)
        else:
            self.report.created += len(wanted)
        consultation.entries.clear()
        self.session.flush()
        consultation.entries.extend(ConsultationEntry(**w) for w in wanted)


def import_bundle(session: Session, bundle: Any, source: str | None = None) -> ImportReport:
    """Import one bundle into the session (the caller commits: one transaction per bundle).

    Args:
        session: an open session.
        bundle: the parsed JSON of a FHIR Bundle (R4, or GP Connect STU3).
        source: where it came from (a file name), for the report and the issues table.

    Raises:
        BundleError: when the input is not a Bundle at all.
    """
    if not isinstance(bundle, Mapping) or bundle.get("resourceType") != "Bundle":
        raise BundleError("not a FHIR Bundle")
    if not isinstance(bundle.get("entry") or [], list):
        raise BundleError("the bundle's entry is not a list")
    return _BundleImport(session, bundle, source, detect_version(bundle)).run()


def bundle_files(path: Path) -> list[Path]:
    """The JSON files to import: the file itself, or every ``*.json`` in a folder (sorted)."""
    if path.is_dir():
        return sorted(p for p in path.rglob("*.json") if p.is_file())
    return [path]
