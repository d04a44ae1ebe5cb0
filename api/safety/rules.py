"""The red-flag screen's reviewed content, read from ``api/safety/data/redflags.yaml``.

This module only reads and checks the data file; ``api.safety.screen`` compiles it into spaCy
matchers. Nothing is read at import time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

DATA_PACKAGE = "api.safety.data"
DATA_FILE = "redflags.yaml"
REVIEW_STATUSES = frozenset({"draft", "reviewed"})
CLEARS = ("negation", "history", "record_question")
CONTEXT_KEYS = (
    "clause_breaks", "sentence_breaks", "gap_breaks", "negation_cues", "negation_terminators",
    "negation_list_words", "negation_list_extension", "pseudo_negations", "uncertainty_cues",
    "history_cues", "history_units", "ongoing_words", "present_cues", "recurrence_cues",
    "record_cues", "current_cues", "question_words", "question_fillers", "meaning_words",
    "quote_marks", "cue_clause_max_words",
)


class RulesError(ValueError):
    """The red-flag data file is malformed; the message names the entry."""


@dataclass(frozen=True)
class Review:
    """Who reviewed a piece of content, and when (``status`` is ``draft`` until then)."""

    status: str
    reviewed_by: str | None
    reviewed_on: str | None


@dataclass(frozen=True)
class Message:
    """One signposting message, sent as one chat bubble or one SMS."""

    key: str
    text: str
    source: str


@dataclass(frozen=True)
class Category:
    """One kind of red flag, with the phrases and patterns that detect it."""

    id: str
    label: str
    sources: tuple[str, ...]
    review: Review
    signposting: tuple[str, ...]
    phrases: tuple[str, ...]
    patterns: tuple[str, ...]
    exclusions: tuple[str, ...]
    negation_clears: bool
    history_clears: bool
    record_question_clears: bool


@dataclass(frozen=True)
class FuzzyPolicy:
    """When a token the phrase lists do not know may be corrected to one they do."""

    min_length: int
    long_from: int
    same_first_letter: bool
    max_token_length: int


@dataclass(frozen=True)
class Rules:
    """Everything in the data file, checked."""

    version: str
    review: Review
    messages: Mapping[str, Message]
    categories: tuple[Category, ...]
    spelling: Mapping[str, str]
    never_fuzz: frozenset[str]
    fuzzy: FuzzyPolicy
    word_sets: Mapping[str, tuple[str, ...]]
    context: Mapping[str, Any]

    def category(self, category_id: str) -> Category:
        """The category with this id (``KeyError`` if there is none)."""
        for category in self.categories:
            if category.id == category_id:
                return category
        raise KeyError(category_id)


def load_rules(path: Path | None = None) -> Rules:
    """Read and check the red-flag data file.

    Args:
        path: A data file to use instead of the packaged one (a draft under review).

    Returns:
        The checked rules.

    Raises:
        RulesError: If the file is malformed.
    """
    if path is None:
        text = resources.files(DATA_PACKAGE).joinpath(DATA_FILE).read_text(encoding="utf-8")
    else:
        text = path.read_text(encoding="utf-8")
    raw = yaml.safe_load(text)
    if not isinstance(raw, dict):
        raise RulesError("the red-flag data file must be a mapping")
    return parse_rules(raw)


def parse_rules(raw: Mapping[str, Any]) -> Rules:
    """Check a parsed data file and turn it into ``Rules``.

    Args:
        raw: The YAML document as loaded.

    Returns:
        The checked rules.

    Raises:
        RulesError: If an entry is missing or malformed.
    """
    messages = {
        key: Message(key=key, text=_text(value, "text", key), source=_text(value, "source", key))
        for key, value in _mapping(raw, "messages").items()
    }
    categories = tuple(_category(entry, messages) for entry in _list(raw, "categories"))
    ids = [category.id for category in categories]
    if len(set(ids)) != len(ids):
        raise RulesError("category ids must be unique")
    fuzzy = _mapping(raw, "fuzzy")
    context = _mapping(raw, "context")
    for key in CONTEXT_KEYS:
        if key not in context:
            raise RulesError(f"context.{key} is missing")
    return Rules(
        version=str(raw.get("version", "")),
        review=_review(_mapping(raw, "review"), "file"),
        messages=messages,
        categories=categories,
        spelling={str(k).lower(): str(v).lower() for k, v in _mapping(raw, "spelling").items()},
        never_fuzz=frozenset(str(word).lower() for word in _list(raw, "never_fuzz")),
        fuzzy=FuzzyPolicy(
            min_length=int(fuzzy["min_length"]),
            long_from=int(fuzzy["long_from"]),
            same_first_letter=bool(fuzzy["same_first_letter"]),
            max_token_length=int(fuzzy["max_token_length"]),
        ),
        word_sets={
            str(name): tuple(str(word).lower() for word in words)
            for name, words in _mapping(raw, "word_sets").items()
        },
        context=context,
    )


def _category(entry: Any, messages: Mapping[str, Message]) -> Category:
    if not isinstance(entry, dict) or not entry.get("id"):
        raise RulesError("every category needs an id")
    cid = str(entry["id"])
    clears = _mapping(entry, "clears", cid)
    signposting = tuple(str(key) for key in _list(entry, "signposting", cid))
    if not signposting:
        raise RulesError(f"{cid}: signposting is empty")
    for key in signposting:
        if key not in messages:
            raise RulesError(f"{cid}: signposting message {key!r} is not defined")
    sources = tuple(str(source) for source in _list(entry, "sources", cid))
    if not sources:
        raise RulesError(f"{cid}: name the source consulted")
    phrases = tuple(str(p) for p in entry.get("phrases") or ())
    patterns = tuple(str(p) for p in entry.get("patterns") or ())
    if not phrases and not patterns:
        raise RulesError(f"{cid}: no phrases or patterns")
    for key in CLEARS:
        if not isinstance(clears.get(key), bool):
            raise RulesError(f"{cid}: clears.{key} must be true or false")
    return Category(
        id=cid,
        label=_text(entry, "label", cid),
        sources=sources,
        review=_review(_mapping(entry, "review", cid), cid),
        signposting=signposting,
        phrases=phrases,
        patterns=patterns,
        exclusions=tuple(str(p) for p in entry.get("exclusions") or ()),
        negation_clears=clears["negation"],
        history_clears=clears["history"],
        record_question_clears=clears["record_question"],
    )


def _review(raw: Mapping[str, Any], where: str) -> Review:
    status = str(raw.get("status", ""))
    if status not in REVIEW_STATUSES:
        raise RulesError(f"{where}: review status must be one of {sorted(REVIEW_STATUSES)}")
    by, on = raw.get("reviewed_by"), raw.get("reviewed_on")
    if status == "reviewed" and not (by and on):
        raise RulesError(f"{where}: a reviewed entry names its reviewer and date")
    return Review(status=status, reviewed_by=_opt(by), reviewed_on=_opt(on))


def _opt(value: Any) -> str | None:
    return None if value is None else str(value)


def _mapping(raw: Mapping[str, Any], key: str, where: str = "file") -> Mapping[str, Any]:
    value = raw.get(key)
    if not isinstance(value, dict):
        raise RulesError(f"{where}: {key} must be a mapping")
    return value


def _list(raw: Mapping[str, Any], key: str, where: str = "file") -> Sequence[Any]:
    value = raw.get(key)
    if not isinstance(value, list):
        raise RulesError(f"{where}: {key} must be a list")
    return value


def _text(raw: Any, key: str, where: str) -> str:
    value = raw.get(key) if isinstance(raw, dict) else None
    if not isinstance(value, str) or not value.strip():
        raise RulesError(f"{where}: {key} must be non-empty text")
    return " ".join(value.split())
