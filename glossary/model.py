"""The values the glossary hands out (see docs/CONTRACTS.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
DMD = "https://dmd.nhs.uk"

Provenance = Literal["entry", "ancestor", "term", "unknown"]
Direction = Literal["in", "below", "above", "unknown"]
Change = Literal["up", "down", "same", "none"]


@dataclass(frozen=True, slots=True)
class Explanation:
    """What a code or term means, in plain English.

    ``provenance`` says how we know: ``entry`` (a reviewed entry for this code), ``ancestor``
    (a reviewed entry for a broader idea this is a kind of), ``term`` (only the terminology's
    name for it), ``unknown`` (nothing).
    """

    title: str
    text: str
    what_it_can_mean: str | None = None
    what_happens_next: str | None = None
    sensitive: bool = False
    provenance: Provenance = "unknown"
    key: str | None = None
    code: str | None = None


@dataclass(frozen=True, slots=True)
class ResultInput:
    """One test result, as the record gives it."""

    code: str | None = None
    system: str | None = None
    name: str | None = None
    value: float | None = None
    unit: str | None = None
    range_low: float | None = None
    range_high: float | None = None
    abnormal_flag: str | None = None
    effective: str | None = None


@dataclass(frozen=True, slots=True)
class ResultExplanation:
    """A result explained: what the test is for, where the value sits, how it has changed."""

    title: str
    text: str
    what_for: str | None
    direction: Direction
    range_low: float | None
    range_high: float | None
    range_source: str | None
    change: Change
    previous_value: float | None
    what_happens_next: str
    sensitive: bool
    key: str | None
    sentences: tuple[str, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class MedicineExplanation:
    """What a medicine is and what it is usually used for."""

    title: str
    text: str
    generic: str
    group: str | None
    used_for: str
    sensitive: bool
    key: str
    matched_by: Literal["code", "name", "brand", "generic", "fuzzy"]


@dataclass(frozen=True, slots=True)
class TextSpan:
    """A stretch of free text (a consultation note) that the glossary can explain."""

    start: int
    end: int
    text: str
    explanation: Explanation
    alternatives: tuple[Explanation, ...] = ()
