"""The glossary's reviewed content: YAML under ``glossary/data/``, checked as it loads.

Files (each a top-level YAML list): ``concepts/<topic>.yaml``, ``abbreviations.yaml``,
``labs.yaml``, ``medicines.yaml``. A missing file is an empty list, so the engine works while
content is still being written. Any error names the file and the entry.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import resources
from importlib.abc import Traversable
from typing import Any, Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from glossary.codes import InvalidConceptId, sctid_problem


class ContentError(ValueError):
    """Raised when a content file is malformed; the message names the file and the entry."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Review(_Model):
    """Who reviewed an entry, and when."""

    status: Literal["draft", "reviewed"]
    by: str | None = None
    date: dt.date | str | None = None


def _check_sctids(codes: list[int]) -> list[int]:
    for code in codes:
        problem = sctid_problem(str(code))
        if problem is not None:
            raise InvalidConceptId(f"SNOMED code {code}: {problem}")
    return codes


class _Sourced(_Model):
    sources: list[str] = Field(min_length=1)
    review: Review


class ConceptEntry(_Sourced):
    """A curated explanation of one clinical idea, and the SNOMED codes it covers."""

    key: str = Field(min_length=1)
    codes: list[int] = Field(min_length=1)
    name: str = Field(min_length=1)
    explanation: str = Field(min_length=1)
    what_it_can_mean: str | None = None
    what_happens_next: str | None = None
    sensitive: bool = False

    _codes = field_validator("codes")(_check_sctids)


class Sense(_Model):
    """One meaning of an ambiguous abbreviation, chosen by the words around it."""

    meaning: str
    explanation: str
    context: list[str] = Field(default_factory=list)


class AbbreviationEntry(_Sourced):
    """An abbreviation seen in GP records; ambiguous ones have ``senses``."""

    abbr: str = Field(min_length=1)
    meaning: str | None = None
    explanation: str | None = None
    senses: list[Sense] = Field(default_factory=list)
    pattern: str | None = None
    examples: list[str] = Field(default_factory=list)

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        if value is not None:
            re.compile(value)
        return value

    def model_post_init(self, __context: Any) -> None:
        if not self.senses and not (self.meaning and self.explanation):
            raise ValueError("needs meaning and explanation, or senses")


class Range(_Model):
    """A typical reference range."""

    low: float | None = None
    high: float | None = None


class LabEntry(_Sourced):
    """A blood or other test, how to recognise it, and what its results can mean."""

    key: str = Field(min_length=1)
    name: str
    plain_name: str
    snomed: list[int] = Field(default_factory=list)
    loinc: list[str] = Field(default_factory=list)
    aliases: list[str] = Field(default_factory=list)
    unit: str | None = None
    unit_words: str | None = None
    range: Range | None = None
    range_female: Range | None = None
    range_male: Range | None = None
    range_source: str | None = None
    what_for: str
    high_can_mean: str | None = None
    low_can_mean: str | None = None
    sensitive: bool = False

    _codes = field_validator("snomed")(_check_sctids)

    @field_validator("loinc", "aliases", mode="before")
    @classmethod
    def _as_strings(cls, values: list[Any] | None) -> list[str]:
        return [str(v) for v in values or []]


class MedicineEntry(_Sourced):
    """A medicine: its generic and brand names, its group and what it is used for."""

    key: str = Field(min_length=1)
    name: str
    generic: str
    brands: list[str] = Field(default_factory=list)
    group: str | None = None
    group_plain: str | None = None
    used_for: str
    dmd: list[str] = Field(default_factory=list)
    sensitive: bool = False

    @field_validator("dmd", "brands", mode="before")
    @classmethod
    def _as_strings(cls, values: list[Any] | None) -> list[str]:
        return [str(v) for v in values or []]


@dataclass(frozen=True)
class Content:
    """Everything the glossary knows, as loaded from its data files."""

    concepts: tuple[ConceptEntry, ...] = ()
    abbreviations: tuple[AbbreviationEntry, ...] = ()
    labs: tuple[LabEntry, ...] = ()
    medicines: tuple[MedicineEntry, ...] = ()
    files: tuple[str, ...] = field(default=())

    def explanation_texts(self) -> Iterator[tuple[str, str]]:
        """Every text shown to patients, as ``(where, text)`` pairs, for reading-age checks."""
        for c in self.concepts:
            for name in ("explanation", "what_it_can_mean", "what_happens_next"):
                if text := getattr(c, name):
                    yield f"concept {c.key}.{name}", text
        for a in self.abbreviations:
            if a.explanation:
                yield f"abbreviation {a.abbr}", a.explanation
            for i, s in enumerate(a.senses):
                yield f"abbreviation {a.abbr} sense {i}", s.explanation
        for lab in self.labs:
            for name in ("what_for", "high_can_mean", "low_can_mean"):
                if text := getattr(lab, name):
                    yield f"lab {lab.key}.{name}", text
        for m in self.medicines:
            yield f"medicine {m.key}.used_for", m.used_for


M = TypeVar("M", bound=BaseModel)


def _entry_label(raw: Any, index: int) -> str:
    if isinstance(raw, dict):
        for k in ("key", "abbr"):
            if k in raw:
                return f"entry {index} ({k}={raw[k]!r})"
    return f"entry {index}"


def _load_list(node: Traversable, model: type[M], label: str) -> list[M]:
    try:
        raw = yaml.safe_load(node.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ContentError(f"{label}: not valid YAML: {exc}") from exc
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise ContentError(f"{label}: expected a list of entries at the top level")
    out: list[M] = []
    for i, item in enumerate(raw):
        try:
            out.append(model.model_validate(item))
        except (ValidationError, ValueError) as exc:
            raise ContentError(f"{label}: {_entry_label(item, i)}: {exc}") from exc
    return out


def data_root() -> Traversable:
    """The packaged ``glossary/data`` folder."""
    return resources.files("glossary") / "data"


def load_content(root: Traversable | None = None) -> Content:
    """Load and check every content file.

    Args:
        root: a folder laid out like ``glossary/data`` (tests pass a fixture); default the
            packaged data.

    Returns:
        The content, with the list of files read.

    Raises:
        ContentError: naming the file and entry, for bad YAML, schema errors, invalid codes,
            duplicate keys or a code claimed by two concepts.
    """
    root = root or data_root()
    files: list[str] = []
    concepts: list[ConceptEntry] = []
    concepts_dir = root / "concepts"
    if concepts_dir.is_dir():
        for node in sorted(concepts_dir.iterdir(), key=lambda n: n.name):
            if node.name.endswith((".yaml", ".yml")):
                files.append(f"concepts/{node.name}")
                concepts += _load_list(node, ConceptEntry, f"concepts/{node.name}")

    def one(name: str, model: type[M]) -> list[M]:
        node = root / name
        if not node.is_file():
            return []
        files.append(name)
        return _load_list(node, model, name)

    content = Content(
        concepts=tuple(concepts),
        abbreviations=tuple(one("abbreviations.yaml", AbbreviationEntry)),
        labs=tuple(one("labs.yaml", LabEntry)),
        medicines=tuple(one("medicines.yaml", MedicineEntry)),
        files=tuple(files),
    )
    _check_unique(content)
    return content


def _check_unique(content: Content) -> None:
    seen_code: dict[int, str] = {}
    for label, keys in (
        ("concepts", [c.key for c in content.concepts]),
        ("labs.yaml", [lab.key for lab in content.labs]),
        ("medicines.yaml", [m.key for m in content.medicines]),
        ("abbreviations.yaml", [a.abbr for a in content.abbreviations]),
    ):
        seen: set[str] = set()
        for key in keys:
            if key in seen:
                raise ContentError(f"{label}: duplicate key {key!r}")
            seen.add(key)
    for c in content.concepts:
        for code in c.codes:
            if code in seen_code:
                raise ContentError(
                    f"concepts: code {code} is claimed by both {seen_code[code]!r} and {c.key!r}"
                )
            seen_code[code] = c.key
