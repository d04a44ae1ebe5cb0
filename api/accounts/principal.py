"""Who is asking, and what they may read. Pure logic: no web framework, no database."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from api.accounts.models import STAFF_ROLES
from api.records.models import SECTIONS

ALL_SECTIONS: frozenset[str] = frozenset(SECTIONS)


@dataclass(frozen=True)
class Principal:
    """An authenticated caller.

    Attributes:
        user_id: the user's id.
        role: ``patient``, ``proxy``, ``receptionist`` or ``clinician``.
        display_name: how to greet them (never logged).
        patient_id: their own record, for patients.
        proxy: patient id -> sections this user may see as a proxy.
        channel: ``portal``, ``api``, ``bot`` or ``sms`` (for the audit log).
        grant_patient_id: set for service calls: the only patient the conversation may read.
    """

    user_id: str
    role: str
    display_name: str = ""
    patient_id: str | None = None
    proxy: Mapping[str, frozenset[str]] = field(default_factory=dict)
    channel: str = "portal"
    grant_patient_id: str | None = None

    @property
    def is_staff(self) -> bool:
        """Practice staff (not through a conversation grant)."""
        return self.role in STAFF_ROLES and self.grant_patient_id is None

    @property
    def is_service(self) -> bool:
        """A call from the action server on behalf of a conversation."""
        return self.grant_patient_id is not None

    @property
    def include_hidden(self) -> bool:
        """Only clinicians see entries hidden from online view, or not yet released."""
        return self.role == "clinician" and not self.is_service

    def sections_for(self, patient_id: str) -> frozenset[str]:
        """The record sections this caller may read for a patient (empty: no access)."""
        if self.grant_patient_id is not None and patient_id != self.grant_patient_id:
            return frozenset()
        if self.is_staff:
            return ALL_SECTIONS
        if self.role == "patient" and patient_id == self.patient_id:
            return ALL_SECTIONS
        return self.proxy.get(patient_id, frozenset()) & ALL_SECTIONS

    def can_read(self, patient_id: str, section: str) -> bool:
        """Whether this caller may read a section (or ``record``: at least one section)."""
        allowed = self.sections_for(patient_id)
        if section in ("record", "patient", "results/history", "record/explained"):
            return bool(allowed) if section != "results/history" else "results" in allowed
        return section in allowed

    def can_read_audit(self, patient_id: str) -> bool:
        """Who viewed a record is shown to the patient themselves and to staff."""
        if self.is_staff:
            return True
        return (
            self.role == "patient"
            and self.patient_id == patient_id
            and self.grant_patient_id in (None, patient_id)
        )
