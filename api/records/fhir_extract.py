"""Turning one FHIR resource (R4 or GP Connect STU3, as a validated dict) into stored fields.

Pure functions over plain dicts: the importer validates each resource with ``fhir.resources``
first, then reads the JSON it was sent, so what is stored is exactly what the GP system said.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from glossary.codes import sctid_problem

SNOMED = "http://snomed.info/sct"
DMD = "https://dmd.nhs.uk"
LOINC = "http://loinc.org"
READ_SYSTEMS = ("http://read.info/readv2", "http://read.info/ctv3")
NHS_NUMBER_SYSTEM = "https://fhir.nhs.uk/Id/nhs-number"
# Release controls the practice sets on an entry (our profile; GP systems map theirs onto it).
EXT_VISIBILITY = "https://plainrecord.dev/fhir/StructureDefinition/online-visibility"
EXT_RELEASE_AFTER = "https://plainrecord.dev/fhir/StructureDefinition/release-after"
EXT_LAST_ISSUED = "https://plainrecord.dev/fhir/StructureDefinition/medication-last-issued"
SENSITIVE_CONFIDENTIALITY = {"R", "V"}  # v3 Confidentiality: restricted, very restricted
FLAGS = {"H", "L", "HH", "LL", "A", "N"}
FLAG_ALIASES = {"AA": "A", "HU": "HH", "LU": "LL", ">": "HH", "<": "LL", "NORMAL": "N"}
PAST_STATUSES = {"completed", "stopped", "cancelled", "ended", "inactive", "not-taken",
                 "intended"}


class EntryProblem(ValueError):
    """Why one resource cannot be stored."""


@dataclass
class Extracted:
    """What to store for one resource (some resources give several rows, e.g. BP)."""

    section: str
    source_id: str
    fields: dict[str, Any]
    note_for: str | None = None  # a consultation note: the encounter reference it belongs to
    children: list[dict[str, Any]] = field(default_factory=list)


def stable_key(resource: Mapping[str, Any]) -> str:
    """The resource's FHIR id, else its first identifier, else a hash of its content."""
    if resource.get("id"):
        return str(resource["id"])
    for ident in resource.get("identifier") or []:
        if isinstance(ident, Mapping) and ident.get("value"):
            return f"{ident.get('system', '')}|{ident['value']}"[:200]
    canonical = json.dumps(resource, sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()[:40]


def parse_when(value: Any) -> datetime | None:
    """A FHIR date or dateTime ("2024", "2024-03", "2024-03-01", "...T09:30:00Z") in UTC."""
    if not value or not isinstance(value, str):
        return None
    text = value.strip()
    if len(text) == 4:
        text += "-01-01"
    elif len(text) == 7:
        text += "-01"
    text = text.replace("Z", "+00:00")
    try:
        when = datetime.fromisoformat(text)
    except ValueError as exc:
        raise EntryProblem(f"not a FHIR date: {value!r}") from exc
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.astimezone(timezone.utc)


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _notes(resource: Mapping[str, Any]) -> str | None:
    parts = [n.get("text") for n in resource.get("note") or [] if isinstance(n, Mapping)]
    if resource.get("comment"):  # STU3 Observation
        parts.append(resource["comment"])
    joined = "\n".join(p for p in parts if p)
    return joined or None


def _cc_text(cc: Any) -> str | None:
    if not isinstance(cc, Mapping):
        return None
    if cc.get("text"):
        return str(cc["text"])
    for coding in cc.get("coding") or []:
        if coding.get("display"):
            return str(coding["display"])
    return None


def pick_coding(cc: Any, prefer: Iterable[str] = (SNOMED,)) -> dict[str, str | None]:
    """The code to keep from a CodeableConcept: the preferred system first, display as sent.

    Raises:
        EntryProblem: when a SNOMED CT code is not a valid concept id.
    """
    if not isinstance(cc, Mapping):
        return {"code_system": None, "code": None, "display": None}
    codings = [c for c in cc.get("coding") or [] if isinstance(c, Mapping)]
    chosen: Mapping[str, Any] | None = None
    for wanted in prefer:
        chosen = next((c for c in codings if c.get("system") == wanted and c.get("code")), None)
        if chosen:
            break
    if chosen is None:
        chosen = next((c for c in codings if c.get("code")), None)
    if chosen is None:
        return {"code_system": None, "code": None, "display": _cc_text(cc)}
    system: str | None = chosen.get("system")
    code = str(chosen.get("code"))
    if system == SNOMED:
        problem = sctid_problem(code)
        if problem:
            raise EntryProblem(f"SNOMED CT code {code!r} {problem}")
    return {"code_system": system, "code": code,
            "display": chosen.get("display") or _cc_text(cc)}


def _ext(resource: Mapping[str, Any], url_part: str) -> Mapping[str, Any] | None:
    for ext in resource.get("extension") or []:
        if isinstance(ext, Mapping) and url_part in str(ext.get("url", "")):
            return ext
    return None


def release_controls(resource: Mapping[str, Any]) -> dict[str, Any]:
    """Hidden / release-after / sensitive, from our extensions and ``meta.security``.

    Hidden: our ``online-visibility`` extension, or the ``NOPAT`` ("no patient access")
    security label GP Connect uses. Sensitive: confidentiality ``R`` or ``V``.
    """
    visibility = _ext(resource, EXT_VISIBILITY)
    release = _ext(resource, EXT_RELEASE_AFTER)
    security = (resource.get("meta") or {}).get("security") or []
    sensitive = any(s.get("code") in SENSITIVE_CONFIDENTIALITY for s in security)
    # GP Connect marks entries the patient must not see online with the NOPAT security label.
    nopat = any(s.get("code") == "NOPAT" for s in security)
    return {
        "hidden": nopat or bool(visibility and visibility.get("valueCode") == "hidden"),
        "release_after": parse_when(release.get("valueDateTime")) if release else None,
        "sensitive": sensitive,
    }


def _period_start(resource: Mapping[str, Any], *names: str) -> str | None:
    for name in names:
        value = resource.get(name)
        if isinstance(value, str) and value:
            return value
        if isinstance(value, Mapping) and value.get("start"):
            return str(value["start"])
    return None


def _status_code(value: Any) -> str | None:
    """R4 uses a CodeableConcept for some statuses, STU3 a plain code."""
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        for coding in value.get("coding") or []:
            if coding.get("code"):
                return str(coding["code"])
    return None


def _reference(value: Any) -> str | None:
    if isinstance(value, Mapping) and value.get("reference"):
        return str(value["reference"])
    return None


def _display(value: Any) -> str | None:
    if isinstance(value, Mapping):
        return _text(value.get("display"))
    return None


def patient_reference(resource: Mapping[str, Any]) -> str | None:
    """The patient a clinical resource is about (``subject`` or ``patient``)."""
    return _reference(resource.get("subject")) or _reference(resource.get("patient"))


# --- one function per resource type -------------------------------------------------------


def condition(res: Mapping[str, Any]) -> list[Extracted]:
    """A problem. Significance from the CareConnect ``ProblemSignificance`` extension."""
    status = _status_code(res.get("clinicalStatus"))
    ended = res.get("abatementDateTime") or res.get("abatementString")
    if isinstance(res.get("abatementPeriod"), Mapping):
        ended = res["abatementPeriod"].get("end")
    active = status in ("active", "recurrence", "relapse") if status else not ended
    significance = _ext(res, "ProblemSignificance")
    return [Extracted("problems", stable_key(res), {
        **pick_coding(res.get("code")),
        "status": "active" if active else "past",
        "significant": bool(significance and significance.get("valueCode") == "major"),
        "onset": _period_start(res, "onsetDateTime", "onsetPeriod", "onsetString"),
        "ended": ended,
        "notes": _notes(res),
    })]


def _flag(res: Mapping[str, Any]) -> str | None:
    interp = res.get("interpretation")
    concepts = interp if isinstance(interp, list) else [interp] if interp else []
    for cc in concepts:
        for coding in (cc or {}).get("coding") or []:
            code = str(coding.get("code", "")).upper()
            if code in FLAGS:
                return code
            if code in FLAG_ALIASES:
                return FLAG_ALIASES[code]
    return None


def _value(res: Mapping[str, Any]) -> tuple[float | None, str | None, str | None]:
    """(number, text, unit) from value[x]."""
    qty = res.get("valueQuantity")
    if isinstance(qty, Mapping) and qty.get("value") is not None:
        number = float(qty["value"])
        text = f"{qty['comparator']}{qty['value']}" if qty.get("comparator") else None
        return number, text, qty.get("unit") or qty.get("code")
    if res.get("valueString") is not None:
        return None, str(res["valueString"]), None
    if res.get("valueCodeableConcept") is not None:
        return None, _cc_text(res["valueCodeableConcept"]), None
    if res.get("valueInteger") is not None:
        return float(res["valueInteger"]), None, None
    if res.get("valueBoolean") is not None:
        return None, "yes" if res["valueBoolean"] else "no", None
    return None, None, None


def _range(res: Mapping[str, Any]) -> dict[str, Any]:
    ranges = res.get("referenceRange") or []
    if not ranges:
        return {"range_low": None, "range_high": None, "range_text": None}
    first = ranges[0]
    low, high = first.get("low") or {}, first.get("high") or {}
    return {
        "range_low": float(low["value"]) if low.get("value") is not None else None,
        "range_high": float(high["value"]) if high.get("value") is not None else None,
        "range_text": first.get("text"),
    }


def has_value(res: Mapping[str, Any]) -> bool:
    """Whether an observation carries a value of its own."""
    return any(k.startswith("value") for k in res) or bool(res.get("component"))


def observation(res: Mapping[str, Any], panel: str | None) -> list[Extracted]:
    """A result; a blood pressure's components become one result each.

    An observation with no value but a note, attached to an encounter, is a consultation's
    free-text entry (GP Connect sends consultation text this way).
    """
    key = stable_key(res)
    encounter = _reference(res.get("encounter")) or _reference(res.get("context"))
    effective = parse_when(_period_start(res, "effectiveDateTime", "effectivePeriod")
                           or res.get("issued"))
    if not has_value(res) and not res.get("hasMember") and encounter and _notes(res):
        return [Extracted("consultations", key, {}, note_for=encounter, children=[
            {"heading": _cc_text(res.get("code")), "text": _notes(res)}])]
    coding = pick_coding(res.get("code"), prefer=(SNOMED, LOINC))
    name = _cc_text(res.get("code")) or coding["display"] or "Test"
    out: list[Extracted] = []
    base = {"effective": effective, "comment": _notes(res), "abnormal_flag": _flag(res)}
    if res.get("component"):
        for i, comp in enumerate(res["component"]):
            number, text, unit = _value(comp)
            comp_coding = pick_coding(comp.get("code"), prefer=(SNOMED, LOINC))
            out.append(Extracted("results", f"{key}#component-{i}", {
                **base, **comp_coding, **_range(comp),
                "abnormal_flag": _flag(comp) or base["abnormal_flag"],
                "name": _cc_text(comp.get("code")) or comp_coding["display"] or name,
                "value": number, "value_text": text, "unit": unit, "panel": name,
            }))
        return out
    number, text, unit = _value(res)
    return [Extracted("results", key, {
        **base, **coding, **_range(res), "name": name, "value": number, "value_text": text,
        "unit": unit, "panel": panel,
    })]


def _quantity(qty: Mapping[str, Any]) -> str | None:
    value = qty.get("value")
    if value is None:
        return None
    number = float(value)
    shown = str(int(number)) if number.is_integer() else str(number)
    return f"{shown} {qty.get('unit') or ''}".strip()


def medication(
    res: Mapping[str, Any], medicines: Mapping[str, Mapping[str, Any]]
) -> list[Extracted]:
    """A MedicationStatement or MedicationRequest: repeat, acute or past."""
    concept = res.get("medicationCodeableConcept")
    ref = _reference(res.get("medicationReference"))
    if concept is None and ref:
        concept = (medicines.get(ref) or {}).get("code")
    if concept is None:
        raise EntryProblem("no medicine named (medicationCodeableConcept or a known Medication)")
    coding = pick_coding(concept, prefer=(DMD, SNOMED))
    dosages = res.get("dosage") or res.get("dosageInstruction") or []
    dose = "; ".join(d["text"] for d in dosages if isinstance(d, Mapping) and d.get("text"))
    quantity = ((res.get("dispenseRequest") or {}).get("quantity") or {})
    prescribing = _ext(res, "PrescriptionType") or _ext(res, "PrescribingType")
    kind = None
    if prescribing:
        kind = _status_code(prescribing.get("valueCodeableConcept"))
    course = _status_code(res.get("courseOfTherapyType"))
    if res.get("status") in PAST_STATUSES:
        status = "past"
    elif (kind or "").startswith("repeat") or course == "continuous" or _ext(
            res, "MedicationRepeatInformation"):
        status = "repeat"
    else:
        status = "acute"
    last = _ext(res, EXT_LAST_ISSUED) or _ext(res, "LastIssueDate")
    reasons = [_cc_text(r) for r in res.get("reasonCode") or []]
    return [Extracted("medications", stable_key(res), {
        **coding,
        "name": _cc_text(concept) or coding["display"] or "Medicine",
        "dose": dose or None,
        "quantity": _quantity(quantity),
        "status": status,
        "started": _period_start(res, "effectivePeriod", "effectiveDateTime", "authoredOn",
                                 "dateAsserted"),
        "last_issued": (last.get("valueDateTime") or last.get("valueDate")) if last else None,
        "reason": "; ".join(r for r in reasons if r) or None,
    })]


def allergy(res: Mapping[str, Any]) -> list[Extracted]:
    """An allergy or intolerance."""
    reaction = (res.get("reaction") or [{}])[0]
    manifest = [_cc_text(m) for m in reaction.get("manifestation") or []]
    words = [w for w in [*manifest, reaction.get("description")] if w]
    return [Extracted("allergies", stable_key(res), {
        **pick_coding(res.get("code")),
        "kind": res.get("type"),
        "status": _status_code(res.get("clinicalStatus")),
        "reaction": "; ".join(words) or None,
        "severity": reaction.get("severity") or res.get("criticality"),
        "recorded": res.get("recordedDate") or res.get("assertedDate")
        or _period_start(res, "onsetDateTime"),
    })]


def immunisation(res: Mapping[str, Any]) -> list[Extracted]:
    """A vaccination (R4 ``occurrenceDateTime``, STU3 ``date`` and ``notGiven``)."""
    dose = None
    for applied in res.get("protocolApplied") or res.get("vaccinationProtocol") or []:
        dose = applied.get("doseNumberPositiveInt") or applied.get("doseNumberString") \
            or applied.get("doseSequence")
    status = res.get("status")
    if res.get("notGiven"):
        status = "not-done"
    return [Extracted("immunisations", stable_key(res), {
        **pick_coding(res.get("vaccineCode")),
        "date": res.get("occurrenceDateTime") or res.get("date"),
        "status": status,
        "dose_number": str(dose) if dose is not None else None,
        "notes": _notes(res),
    })]


def procedure(res: Mapping[str, Any]) -> list[Extracted]:
    """An operation or procedure."""
    return [Extracted("procedures", stable_key(res), {
        **pick_coding(res.get("code")),
        "date": _period_start(res, "performedDateTime", "performedPeriod"),
        "status": res.get("status"),
        "notes": _notes(res),
    })]


def encounter(res: Mapping[str, Any], names: Mapping[str, str]) -> list[Extracted]:
    """A consultation; its free-text entries arrive as observations pointing at it."""
    types = res.get("type") or []
    clinician = None
    for part in res.get("participant") or []:
        ind = part.get("individual") or {}
        clinician = _display(ind) or names.get(_reference(ind) or "")
        if clinician:
            break
    locations = res.get("location") or []
    location = _display((locations[0] or {}).get("location")) if locations else None
    provider = res.get("serviceProvider")
    return [Extracted("consultations", stable_key(res), {
        **(pick_coding(types[0]) if types else pick_coding(None)),
        "date": parse_when(_period_start(res, "period")),
        "kind": _cc_text(types[0]) if types else None,
        "clinician": clinician,
        "location": location or _display(provider) or names.get(_reference(provider) or ""),
    })]


def referral(res: Mapping[str, Any], names: Mapping[str, str]) -> list[Extracted]:
    """A ServiceRequest (R4) or ReferralRequest (STU3)."""
    concept = res.get("code") or (res.get("serviceRequested") or [None])[0] or res.get("type")
    targets = res.get("performer") or res.get("recipient") or []
    service = next((_display(t) or names.get(_reference(t) or "") for t in targets), None)
    if not service and res.get("specialty"):
        service = _cc_text(res["specialty"])
    reasons = [_cc_text(r) for r in res.get("reasonCode") or []]
    notes = _notes(res) or res.get("description")
    return [Extracted("referrals", stable_key(res), {
        **pick_coding(concept),
        "date": res.get("authoredOn") or _period_start(res, "occurrenceDateTime"),
        "status": res.get("status"),
        "priority": res.get("priority"),
        "service": service,
        "reason": "; ".join(r for r in reasons if r) or None,
        "notes": notes,
    })]


def document(res: Mapping[str, Any], names: Mapping[str, str]) -> list[Extracted]:
    """A DocumentReference: metadata only, never the document's content."""
    attachment = ((res.get("content") or [{}])[0] or {}).get("attachment") or {}
    authors = res.get("author") or []
    author = next((_display(a) or names.get(_reference(a) or "") for a in authors), None)
    title = (res.get("description") or attachment.get("title") or _cc_text(res.get("type"))
             or "Document")
    return [Extracted("documents", stable_key(res), {
        **pick_coding(res.get("type")),
        "title": title,
        "date": res.get("date") or res.get("indexed") or res.get("created"),
        "author": author,
        "description": res.get("description"),
        "content_type": attachment.get("contentType"),
        "url": attachment.get("url"),
        "meta": {"status": res.get("status"), "size": attachment.get("size"),
                 "category": [_cc_text(c) for c in res.get("category") or []],
                 "type": _cc_text(res.get("type"))},
    })]


def patient_fields(res: Mapping[str, Any], names: Mapping[str, str]) -> dict[str, Any]:
    """Demographics; the NHS number is required (it is how we match a patient across imports)."""
    nhs = next((i.get("value") for i in res.get("identifier") or []
                if i.get("system") == NHS_NUMBER_SYSTEM), None)
    if not nhs:
        raise EntryProblem("the patient has no NHS number identifier")
    names_ = res.get("name") or [{}]
    name = next((n for n in names_ if n.get("use") in ("official", "usual")), names_[0])
    mobile = next((t.get("value") for t in res.get("telecom") or []
                   if t.get("system") == "phone" and t.get("use") == "mobile"), None)
    gps = res.get("generalPractitioner") or []
    practice = next((_display(g) or names.get(_reference(g) or "") for g in gps), None)
    if not practice:
        org = res.get("managingOrganization")
        practice = _display(org) or names.get(_reference(org) or "")
    return {
        "nhs_number": str(nhs),
        "given_name": " ".join(name.get("given") or []) or "",
        "family_name": name.get("family") or "",
        "birth_date": res.get("birthDate"),
        "mobile": mobile,
        "practice": practice,
    }
