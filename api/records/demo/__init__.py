"""Demo data: five invented patients as FHIR R4 bundles, and a login for each kind of user.

Every record here is made up. NHS numbers are in the 999 range, which is never issued.
``load_demo`` is idempotent: run it twice and nothing changes the second time.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from importlib.abc import Traversable

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.accounts.service import create_user, grant_proxy
from api.records.importer import ImportReport, import_bundle
from api.records.models import Patient
from api.records.nhs_number import NhsNumber

DEMO_PASSWORD = "demo-password"  # noqa: S105 - demo mode only; listed on the login page


@dataclass(frozen=True)
class ProxyGrant:
    """A demo proxy's access to one patient's record."""

    nhs_number: str
    relationship: str
    sections: tuple[str, ...]


@dataclass(frozen=True)
class DemoUser:
    """One demo login."""

    username: str
    role: str
    display_name: str
    description: str
    password: str = DEMO_PASSWORD
    nhs_number: str | None = None  # patients: their own record
    proxy_for: tuple[ProxyGrant, ...] = field(default=())


ALL = ("problems", "medications", "results", "allergies", "immunisations", "consultations",
       "referrals", "documents", "procedures")

DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("amelia", "patient", "Amelia Hughes",
             "Patient, 8: asthma, eczema, childhood vaccines", nhs_number="9992345675"),
    DemoUser("david", "patient", "David Clarke",
             "Patient, 58: high blood pressure, type 2 diabetes, statin; years of results",
             nhs_number="9993456780"),
    DemoUser("margaret", "patient", "Margaret Wilson",
             "Patient, 86: atrial fibrillation, kidney disease, heart failure, many medicines",
             nhs_number="9994567896"),
    DemoUser("chloe", "patient", "Chloe Evans",
             "Patient, 22: depression, contraception (one consultation hidden from online view)",
             nhs_number="9996789012"),
    DemoUser("robert", "patient", "Robert Patel",
             "Patient, 65: urgent suspected-cancer referral (a report not yet released)",
             nhs_number="9997890124"),
    DemoUser("sarah", "proxy", "Sarah Hughes", "Proxy: Amelia's mother (whole record)",
             proxy_for=(ProxyGrant("9992345675", "parent", ALL),)),
    DemoUser("tom", "proxy", "Tom Wilson",
             "Proxy: Margaret's son and carer (medicines, allergies, vaccines only)",
             proxy_for=(ProxyGrant("9994567896", "carer",
                                   ("medications", "allergies", "immunisations")),)),
    DemoUser("reception", "receptionist", "Jo (reception)", "Receptionist: triage dashboard"),
    DemoUser("drshah", "clinician", "Dr Priya Shah", "Clinician (GP)"),
)


def demo_bundles() -> list[Traversable]:
    """The packaged demo bundles, in a stable order."""
    folder = resources.files("api.records.demo")
    return sorted((p for p in folder.iterdir() if p.name.endswith(".json")), key=lambda p: p.name)


def load_demo(session: Session) -> list[ImportReport]:
    """Import the demo bundles and create the demo users (idempotent; the caller commits)."""
    reports = [import_bundle(session, json.loads(p.read_text()), source=f"demo/{p.name}")
               for p in demo_bundles()]
    for user in DEMO_USERS:
        patient_id = _patient_id(session, user.nhs_number) if user.nhs_number else None
        row = create_user(session, username=user.username, password=user.password,
                          role=user.role, display_name=user.display_name, patient_id=patient_id)
        for grant in user.proxy_for:
            grant_proxy(session, row, _patient_id(session, grant.nhs_number), grant.sections,
                        grant.relationship)
    return reports


def _patient_id(session: Session, nhs_number: str) -> str:
    patient_id = session.scalar(select(Patient.id).where(
        Patient.nhs_number == NhsNumber(nhs_number)))
    if patient_id is None:
        raise LookupError("demo patient missing: import the demo bundles first")
    return patient_id
