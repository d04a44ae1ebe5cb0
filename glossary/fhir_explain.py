"""Explain a FHIR R4 bundle section by section (for ``plainrecord explain``).

Deliberately minimal and self-contained: plain dict access over the resources the glossary can
explain. The records importer owns real ingestion; this is a way to see what a patient would read.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from glossary import Glossary
from glossary.model import SNOMED, ResultInput

SECTIONS = {
    "Condition": "Problems and diagnoses",
    "Observation": "Test results",
    "MedicationStatement": "Medicines",
    "MedicationRequest": "Medicines",
    "AllergyIntolerance": "Allergies",
    "Immunization": "Vaccinations",
}
NOTES = "Consultation notes"
NO_MEDICINE_ENTRY = (
    "We do not have an explanation for this medicine yet. A pharmacist or the practice can "
    "tell you about it."
)
_FLAGS = {"H", "HH", "L", "LL", "A", "N"}


@dataclass
class ExplainedItem:
    """One record entry and what the patient would read about it."""

    section: str
    record_text: str
    title: str
    text: str
    provenance: str
    details: dict[str, Any] = field(default_factory=dict)


def _codings(concept: dict[str, Any] | None) -> list[dict[str, Any]]:
    return list((concept or {}).get("coding") or [])


def _display(concept: dict[str, Any] | None) -> str:
    concept = concept or {}
    if concept.get("text"):
        return str(concept["text"])
    for c in _codings(concept):
        if c.get("display"):
            return str(c["display"])
    return "(no description)"


def _pick(concept: dict[str, Any] | None) -> tuple[str | None, str | None]:
    """The SNOMED CT coding if there is one, else the first coding."""
    codings = _codings(concept)
    for c in codings:
        if c.get("system") == SNOMED and c.get("code"):
            return str(c["code"]), SNOMED
    if codings and codings[0].get("code"):
        return str(codings[0]["code"]), codings[0].get("system")
    return None, None


def resources(bundle: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The resources in a bundle (or a single resource)."""
    if bundle.get("resourceType") != "Bundle":
        yield bundle
        return
    for entry in bundle.get("entry") or []:
        if isinstance(entry, dict) and isinstance(entry.get("resource"), dict):
            yield entry["resource"]


def _result_input(obs: dict[str, Any]) -> ResultInput:
    code, system = _pick(obs.get("code"))
    quantity = obs.get("valueQuantity") or {}
    ranges = obs.get("referenceRange") or [{}]
    flag = None
    for interp in obs.get("interpretation") or []:
        for c in _codings(interp):
            if c.get("code") in _FLAGS:
                flag = c["code"]
    return ResultInput(
        code=code,
        system=system,
        name=_display(obs.get("code")),
        value=quantity.get("value"),
        unit=quantity.get("unit") or quantity.get("code"),
        range_low=(ranges[0].get("low") or {}).get("value"),
        range_high=(ranges[0].get("high") or {}).get("value"),
        abnormal_flag=flag,
        effective=obs.get("effectiveDateTime"),
    )


def explain_bundle(bundle: dict[str, Any], glossary: Glossary) -> list[ExplainedItem]:
    """Explain every supported resource in a bundle, in section order.

    Args:
        bundle: a FHIR R4 Bundle (or one resource), as parsed JSON.
        glossary: the glossary to explain with.

    Returns:
        One item per supported resource.
    """
    found = [r for r in resources(bundle) if r.get("resourceType") in SECTIONS]
    series: dict[tuple[str | None, str], list[ResultInput]] = defaultdict(list)
    for r in found:
        if r["resourceType"] == "Observation":
            ri = _result_input(r)
            series[(ri.code, ri.name or "")].append(ri)
    items: list[ExplainedItem] = []
    for rtype in SECTIONS:
        for r in (x for x in found if x["resourceType"] == rtype):
            if _is_note(r):
                continue
            items.append(_explain_one(r, glossary, series))
    items += [_explain_note(r, glossary) for r in found if _is_note(r)]
    return items


def _note_text(r: dict[str, Any]) -> str:
    notes = [n.get("text", "") for n in r.get("note") or [] if isinstance(n, dict)]
    if isinstance(r.get("valueString"), str):
        notes.insert(0, r["valueString"])
    return " ".join(n for n in notes if n)


def _is_note(r: dict[str, Any]) -> bool:
    """A free-text Observation (a consultation's History, Examination, Plan...)."""
    return (
        r.get("resourceType") == "Observation"
        and "valueQuantity" not in r
        and not _codings(r.get("code"))
        and bool(_note_text(r))
    )


def _explain_note(r: dict[str, Any], glossary: Glossary) -> ExplainedItem:
    """The note as written, with the words the glossary knows explained after it."""
    text = _note_text(r)
    heading = _display(r.get("code"))
    seen: set[str] = set()
    words: list[str] = []
    for span in glossary.explain_text(text):
        key = span.explanation.key or span.text.lower()
        if key not in seen:
            seen.add(key)
            words.append(f"{span.text}: {span.explanation.title.split(': ', 1)[-1]}")
    explained = ("Words explained: " + "; ".join(words) + ".") if words else (
        "We did not find any words here that we can explain.")
    return ExplainedItem(NOTES, f"{heading}: {text}", heading, explained,
                         "entry" if words else "unknown", {"terms": len(words)})


def _explain_one(
    r: dict[str, Any],
    glossary: Glossary,
    series: dict[tuple[str | None, str], list[ResultInput]],
) -> ExplainedItem:
    rtype = r["resourceType"]
    section = SECTIONS[rtype]
    if rtype == "Observation":
        ri = _result_input(r)
        history = series[(ri.code, ri.name or "")]
        x = glossary.explain_result(ri, history)
        text = " ".join(t for t in (x.what_for, x.text) if t)
        return ExplainedItem(section, ri.name or "", x.title, text, "entry" if x.key else "term",
                             {"direction": x.direction, "change": x.change})
    if rtype in ("MedicationStatement", "MedicationRequest"):
        concept = r.get("medicationCodeableConcept")
        name = _display(concept)
        code, system = _pick(concept)
        m = glossary.explain_medicine(name, code, system)
        if m is None:
            return ExplainedItem(section, name, name, NO_MEDICINE_ENTRY, "unknown")
        return ExplainedItem(section, name, m.title, m.text, "entry", {"matched_by": m.matched_by})
    concept = r.get("vaccineCode") if rtype == "Immunization" else r.get("code")
    display = _display(concept)
    code, system = _pick(concept)
    if code is None:
        e = glossary.lookup(display)
        if e is None:
            return ExplainedItem(section, display, display,
                                 f"Your record says “{display}”. Ask the practice if you want to "
                                 "know more.", "unknown")
    else:
        e = glossary.explain_code(code, system or SNOMED, display)
    text = " ".join(t for t in (e.text, e.what_it_can_mean, e.what_happens_next) if t)
    if rtype == "AllergyIntolerance":
        text = "Your record says you have an allergy or bad reaction to this. " + text
    return ExplainedItem(section, display, e.title, text, e.provenance,
                         {"key": e.key, "sensitive": e.sensitive})


def as_text(items: list[ExplainedItem]) -> str:
    """The explanations as plain text, one section after another."""
    lines: list[str] = []
    current = None
    for item in items:
        if item.section != current:
            current = item.section
            lines += ["", current, "-" * len(current)]
        lines.append(f"* {item.record_text}")
        if item.title != item.record_text:
            lines.append(f"  {item.title}")
        lines.append(f"  {item.text}")
    return "\n".join(lines).lstrip("\n") + "\n"


def as_json(items: list[ExplainedItem]) -> list[dict[str, Any]]:
    """The explanations as JSON-ready dicts."""
    return [asdict(i) for i in items]
