"""Explaining a clinical code: its own entry, else the nearest reviewed broader idea, else its name.

All look-ups are prepared when the glossary is built, so explaining a code is a dictionary hit.
"""

from __future__ import annotations

from collections.abc import Mapping

from glossary.content import ConceptEntry
from glossary.model import SNOMED, Explanation
from glossary.terminology.base import Terminology, nearest_curated_ancestors
from glossary.terminology.tidy import TAG_WORDS, sentence_case, split_tag

ASK_PRACTICE = "If you want to know what it means for you, you can ask the practice."
NO_PLAIN_WORDS = "We do not have a simple explanation for this yet."
SNOMED_SYSTEMS = frozenset({
    SNOMED, "snomed", "SNOMED", "sct", "SCT", "http://snomed.info/sct/", "https://snomed.info/sct",
})


def _lower_first(name: str) -> str:
    """ "Asthma" -> "asthma", but "COPD" and "HbA1c" stay as written."""
    if name[1:2].isupper() or name[1:2].isdigit():
        return name
    return name[:1].lower() + name[1:]


def entry_explanation(entry: ConceptEntry, code: str | None) -> Explanation:
    """The explanation given by a reviewed entry."""
    return Explanation(
        title=entry.name,
        text=entry.explanation,
        what_it_can_mean=entry.what_it_can_mean,
        what_happens_next=entry.what_happens_next,
        sensitive=entry.sensitive,
        provenance="entry",
        key=entry.key,
        code=code,
    )


class CodeExplainer:
    """Explains codes from reviewed entries, the is-a hierarchy and the terminology's names."""

    def __init__(
        self,
        concepts: tuple[ConceptEntry, ...],
        terminology: Terminology,
        other_entries: Mapping[str, Explanation] | None = None,
    ):
        """Index the entries and precompute every concept's nearest curated ancestor.

        Args:
            concepts: the curated concept entries.
            terminology: names and (for a full release) the hierarchy.
            other_entries: explanations for codes that belong to other content (tests and
                medicines); concept entries win where both name a code.
        """
        self.terminology = terminology
        # Bound once: explain() is on the hot path of every record view.
        self._term_of = terminology.term_index.get
        self._tag_of = terminology.tag_index.get
        self._entry_by_code: dict[str, ConceptEntry] = {}
        self._own: dict[str, Explanation] = {}
        for entry in concepts:
            for code in entry.codes:
                self._entry_by_code[str(code)] = entry
                self._own[str(code)] = entry_explanation(entry, str(code))
        for sct, explanation in (other_entries or {}).items():
            self._own.setdefault(sct, explanation)
        self._ancestor: Mapping[str, str] = (
            nearest_curated_ancestors(terminology.is_a_edges(), self._entry_by_code)
            if terminology.has_hierarchy
            else {}
        )
        # The words shown for an ancestor match depend only on the ancestor: build them once,
        # so explaining a code below it is two dictionary hits and one object.
        self._kind_of: dict[str, tuple[str, str | None, str, bool, str, str]] = {
            sct: (
                f"This is a kind of {_lower_first(entry.name)}. {entry.explanation}",
                entry.what_it_can_mean,
                "The record uses a more exact name. " + ASK_PRACTICE,
                entry.sensitive,
                entry.key,
                entry.name,
            )
            for sct, entry in self._entry_by_code.items()
        }

    @property
    def ancestor_table_size(self) -> int:
        """How many codes are explained through a curated ancestor."""
        return len(self._ancestor)

    def provenance_of(self, code: str) -> str:
        """``entry``, ``ancestor``, ``term`` or ``unknown`` for a SNOMED code (for reports)."""
        if code in self._own:
            return "entry"
        if code in self._ancestor:
            return "ancestor"
        return "term" if self.terminology.term(code) else "unknown"

    def explain(self, code: str, system: str = SNOMED, display: str | None = None) -> Explanation:
        """Explain a code; never returns a blank explanation.

        Args:
            code: the code as sent.
            system: its code system (SNOMED CT unless said otherwise).
            display: the text the record shows with it, if any.

        Returns:
            The explanation, with its provenance.
        """
        code = code.strip()
        # No system given: records exported from GP systems are SNOMED CT unless they say not.
        if not system or system in SNOMED_SYSTEMS:
            own = self._own.get(code)
            if own is not None:
                return own
            root = self._ancestor.get(code)
            if root is not None:
                text, can_mean, next_, sensitive, key, name = self._kind_of[root]
                # Positional arguments: this is the hot path (see bench/glossary_bench.py).
                title = sentence_case(display) if display else (self._term_of(code) or name)
                return Explanation(title, text, can_mean, next_, sensitive, "ancestor", key, code)
            term = self._term_of(code)
            if term is not None:
                return term_explanation(code, term, self._tag_of(code), display)
        return unknown_explanation(code, display)


_KIND_SENTENCE = {tag: f" This is {words}." for tag, words in TAG_WORDS.items()}


def term_explanation(code: str, term: str, tag: str | None, display: str | None) -> Explanation:
    """Explain a code from its name alone, saying honestly that that is all we have."""
    shown = display or term
    kind = _KIND_SENTENCE.get(tag, "") if tag else ""
    # Terminology names are already capitalised; a display from a record may not be.
    title = split_tag(shown)[0] if shown.endswith(")") else shown
    if display:
        title = sentence_case(title)
    # Positional arguments: a hot path when there is no curated entry above the code.
    return Explanation(
        title, f"Your record says “{shown}”.{kind} {NO_PLAIN_WORDS}", None, ASK_PRACTICE, False,
        "term", None, code,
    )


def unknown_explanation(code: str | None, display: str | None) -> Explanation:
    """What we say when we do not know a code at all."""
    if display:
        return Explanation(
            title=sentence_case(display),
            text=f"Your record says “{display}”. {NO_PLAIN_WORDS}",
            what_happens_next=ASK_PRACTICE,
            provenance="unknown",
            code=code,
        )
    return Explanation(
        title="Something we could not look up",
        text="We could not find this code in our word list, so we cannot explain it here.",
        what_happens_next=ASK_PRACTICE,
        provenance="unknown",
        code=code,
    )
