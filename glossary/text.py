"""Finding and explaining terms in free text (consultation notes) and in what a patient types.

Abbreviations match as written (case-sensitive: "AS" is not "as"); names of conditions, tests
and medicines match whatever their case. Patterns are built with the same blank English
tokenizer as the text, so "O/E" (three tokens) matches. An ambiguous abbreviation is resolved
by the words around it, or explained every way it can be read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz, process

from glossary.content import AbbreviationEntry, Content
from glossary.explain_codes import entry_explanation
from glossary.model import Explanation, TextSpan

CONTEXT_WINDOW = 12  # tokens either side of an ambiguous abbreviation
LOOKUP_CUTOFF = 88


def abbreviation_explanations(a: AbbreviationEntry) -> list[Explanation]:
    """One explanation per sense (one for a plain abbreviation)."""
    key = f"abbr:{a.abbr}"
    if a.senses:
        return [
            Explanation(title=f"{a.abbr}: {s.meaning}", text=s.explanation, provenance="entry",
                        key=key)
            for s in a.senses
        ]
    return [Explanation(title=f"{a.abbr}: {a.meaning}", text=a.explanation or "",
                        provenance="entry", key=key)]


def ambiguous_explanation(a: AbbreviationEntry) -> Explanation:
    """An explanation that gives every meaning, when the context does not settle it."""
    meanings = [s.meaning for s in a.senses]
    listed = ", ".join(meanings[:-1]) + f" or {meanings[-1]}"
    return Explanation(
        title=f"{a.abbr}: {listed}",
        text=f"{a.abbr} can mean {listed}. The words around it do not make it clear which. "
        "You can ask the practice which one they meant.",
        provenance="entry",
        key=f"abbr:{a.abbr}",
    )


NEGATIONS = frozenset({"no", "not", "nil", "denies", "denied", "without", "negative", "never",
                       "absent", "excluded", "ruled", "nad"})
NEGATION_WINDOW = 3


def _negated(doc: Any, start: int) -> bool:
    """Whether a negation word comes just before ``start`` in the same sentence."""
    for tok in reversed(doc[max(0, start - NEGATION_WINDOW):start]):
        if tok.text in {".", ";", ":", "?", "!"}:
            return False
        if tok.lower_ in NEGATIONS:
            return True
    return False


def _numbered(a: AbbreviationEntry, written: str, m: re.Match[str]) -> Explanation:
    """ "2/12" with the x/12 pattern entry: "2 months", not "Months (a number over 12)"."""
    unit = (a.meaning or "").split(" (")[0].strip().lower()
    n = m.group(1) if m.groups() else ""
    if n == "1" and unit.endswith("s"):
        unit = unit[:-1]
    title = f"{written}: {n} {unit}" if n and unit else f"{written}: {a.meaning}"
    return Explanation(title=title, text=a.explanation or "", provenance="entry",
                       key=f"abbr:{a.abbr}")


@dataclass(frozen=True)
class _Target:
    explanations: tuple[Explanation, ...]
    abbreviation: AbbreviationEntry | None = None


class TextExplainer:
    """A spaCy PhraseMatcher over every abbreviation and name in the glossary."""

    def __init__(self, content: Content):
        """Build the matchers (spaCy is imported here, not when the module is imported)."""
        import spacy
        from spacy.matcher import PhraseMatcher

        self.nlp = spacy.blank("en")
        self._exact = PhraseMatcher(self.nlp.vocab, attr="ORTH")
        self._lower = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        self._targets: dict[str, _Target] = {}
        self._patterns: list[tuple[re.Pattern[str], AbbreviationEntry]] = []
        self._lookup: dict[str, str] = {}  # lower-case text -> target id

        for a in content.abbreviations:
            tid = f"abbr:{a.abbr}"
            self._targets[tid] = _Target(tuple(abbreviation_explanations(a)), a)
            if a.pattern:
                self._patterns.append((re.compile(a.pattern), a))
                continue
            forms = {a.abbr, a.abbr.upper()}
            if not a.abbr.isalpha():  # "c/o", "o/e": safe to match in lower case too
                forms.add(a.abbr.lower())
            self._add(self._exact, tid, sorted(forms))
            self._lookup.setdefault(a.abbr.lower(), tid)
        for c in content.concepts:
            tid = f"concept:{c.key}"
            self._targets[tid] = _Target((entry_explanation(c, None),))
            self._add(self._lower, tid, [c.name])
        for lab in content.labs:
            tid = f"lab:{lab.key}"
            text = lab.what_for
            self._targets[tid] = _Target((Explanation(
                title=lab.plain_name, text=text, sensitive=lab.sensitive, provenance="entry",
                key=lab.key),))
            self._add(self._lower, tid, [lab.name, lab.plain_name, *lab.aliases])
        for m in content.medicines:
            tid = f"medicine:{m.key}"
            self._targets[tid] = _Target((Explanation(
                title=m.name, text=m.used_for, sensitive=m.sensitive, provenance="entry",
                key=m.key),))
            self._add(self._lower, tid, [m.name, m.generic, *m.brands])
        self._lookup_keys = list(self._lookup)

    def _add(self, matcher: object, tid: str, phrases: Iterable[str]) -> None:
        docs = [self.nlp.make_doc(p) for p in phrases if p and p.strip()]
        if docs:
            matcher.add(tid, docs)  # type: ignore[attr-defined]
        for p in phrases:
            if p and p.strip():
                self._lookup.setdefault(p.strip().lower(), tid)

    def explain_text(self, text: str) -> list[TextSpan]:
        """Every glossary term found in ``text``, longest match first where they overlap.

        Args:
            text: free text, such as a consultation note.

        Returns:
            Spans in order of position, each with its explanation.
        """
        doc = self.nlp.make_doc(text)
        found: list[tuple[int, int, str]] = []
        for matcher in (self._exact, self._lower):
            for match_id, start, end in matcher(doc):
                found.append((start, end, self.nlp.vocab.strings[match_id]))
        numbered: dict[int, Explanation] = {}
        for tok in doc:
            for pattern, a in self._patterns:
                m = pattern.match(tok.text)
                if m:
                    found.append((tok.i, tok.i + 1, f"abbr:{a.abbr}"))
                    numbered[tok.i] = _numbered(a, tok.text, m)
                    break
        found.sort(key=lambda f: (f[0], -(f[1] - f[0])))
        spans: list[TextSpan] = []
        taken_until = 0
        for start, end, tid in found:
            if start < taken_until:
                continue
            target = self._targets[tid]
            if target.abbreviation is None and _negated(doc, start):
                # "No chest pain": naming chest pain here would read as if the patient has it.
                continue
            taken_until = end
            span = doc[start:end]
            alternatives: tuple[Explanation, ...] = ()
            if start in numbered:
                explanation = numbered[start]
            else:
                explanation, alternatives = self._resolve(target, doc, start, end)
            spans.append(TextSpan(span.start_char, span.end_char, span.text, explanation,
                                  alternatives))
        return spans

    def _resolve(
        self, target: _Target, doc: object, start: int, end: int
    ) -> tuple[Explanation, tuple[Explanation, ...]]:
        a = target.abbreviation
        if a is None or not a.senses:
            return target.explanations[0], ()
        lo, hi = max(0, start - CONTEXT_WINDOW), end + CONTEXT_WINDOW
        window = {t.lower_ for t in doc[lo:hi]}  # type: ignore[index]
        scores = [sum(1 for w in s.context if w.lower() in window) for s in a.senses]
        best = max(scores)
        if best > 0 and scores.count(best) == 1:
            return target.explanations[scores.index(best)], ()
        return ambiguous_explanation(a), target.explanations

    def lookup(self, text: str) -> Explanation | None:
        """A term, name or abbreviation as a patient typed it (close misspellings allowed).

        Args:
            text: what the patient typed.

        Returns:
            The explanation, or None if nothing is close enough.
        """
        query = " ".join(text.strip().split())
        if not query:
            return None
        tid = self._lookup.get(query.lower())
        if tid is None:
            for prefix in ("what is ", "what's ", "what does ", "meaning of "):
                if query.lower().startswith(prefix):
                    return self.lookup(query[len(prefix):].rstrip("?").removesuffix(" mean"))
            if len(query) < 4:
                return None
            hit = process.extractOne(query.lower(), self._lookup_keys, scorer=fuzz.ratio,
                                     score_cutoff=LOOKUP_CUTOFF)
            if hit is None:
                return None
            tid = self._lookup[hit[0]]
        target = self._targets[tid]
        a = target.abbreviation
        if a is not None and a.senses:
            return ambiguous_explanation(a)
        return target.explanations[0]
