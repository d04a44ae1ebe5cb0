"""Explaining a medicine by code, name, brand or generic name, tolerant of misspelling."""

from __future__ import annotations

import re

from rapidfuzz import fuzz, process

from glossary.content import MedicineEntry
from glossary.model import MedicineExplanation

# Words in a prescription line that are not the medicine's name.
_NOISE = re.compile(
    r"\b(\d+(\.\d+)?\s*(mg|mcg|microgram(s)?|g|ml|%|units?|iu|dose(s)?)?|tablets?|caps(ules)?|"
    r"oral|solution|suspension|cream|ointment|gel|inhaler|pessar(y|ies)|modified|release|m/r|mr|"
    r"gastro-resistant|e/c|dispersible|effervescent|soluble|film-coated|pre-filled|pen|pens|"
    r"injection|drops|eye|ear|nasal|spray|patch(es)?|sachets?|powder|chewable|sugar|free|x\d+)\b",
    re.IGNORECASE,
)
FUZZY_CUTOFF = 85
# When two medicines score this close, a misspelling could be either: say nothing rather than
# guess.
AMBIGUITY_MARGIN = 4


def _words(text: str) -> str:
    return " ".join(_NOISE.sub(" ", text.lower()).replace("/", " ").split())


class MedicineIndex:
    """Finds the glossary's entry for a medicine."""

    def __init__(self, medicines: tuple[MedicineEntry, ...]):
        """Index names, generic names, brands and dm+d codes."""
        self.by_code: dict[str, MedicineEntry] = {}
        self.by_name: dict[str, tuple[MedicineEntry, str]] = {}
        for m in medicines:
            for code in m.dmd:
                self.by_code[code] = m
            for how, names in (("name", [m.name]), ("generic", [m.generic]), ("brand", m.brands)):
                for name in names:
                    self.by_name.setdefault(_words(name) or name.lower(), (m, how))
        self._names = list(self.by_name)

    def find(self, name: str, code: str | None = None) -> tuple[MedicineEntry, str] | None:
        """The entry and how it was matched (``code|name|brand|generic|fuzzy``), or None."""
        if code and code.strip() in self.by_code:
            return self.by_code[code.strip()], "code"
        words = _words(name)
        if not words:
            return None
        if words in self.by_name:
            return self.by_name[words]
        tokens = words.split()
        # "Amlodipine besilate" or "Ventolin Evohaler": try each word and each pair of words.
        for size in (2, 1):
            for i in range(len(tokens) - size + 1):
                part = " ".join(tokens[i : i + size])
                if part in self.by_name:
                    return self.by_name[part]
        candidates = [words, *tokens]
        best: tuple[str, float] | None = None
        for cand in candidates:
            if len(cand) < 5:
                continue
            hits = process.extract(cand, self._names, scorer=fuzz.ratio, limit=2)
            if not hits or hits[0][1] < FUZZY_CUTOFF:
                continue
            if len(hits) > 1 and hits[0][1] - hits[1][1] < AMBIGUITY_MARGIN and (
                self.by_name[hits[0][0]][0].key != self.by_name[hits[1][0]][0].key
            ):
                continue
            if best is None or hits[0][1] > best[1]:
                best = (hits[0][0], hits[0][1])
        if best is None:
            return None
        return self.by_name[best[0]][0], "fuzzy"


def explain_medicine_entry(m: MedicineEntry, matched_by: str, asked: str) -> MedicineExplanation:
    """The plain-English explanation for a medicine entry."""
    sentences = []
    if matched_by == "fuzzy":
        sentences.append(f"We think “{asked}” means {m.name}. Please check the spelling.")
    elif matched_by == "brand":
        brand = next((b for b in m.brands if b.lower() in asked.lower()), asked)
        sentences.append(f"{brand} is a brand name for {m.generic}.")
    if m.generic.lower() != m.name.lower():
        sentences.append(f"It contains {m.generic}.")
    if m.group_plain:
        # Written as "a statin: lowers cholesterol"; what it does follows in used_for.
        group = f"It is {m.group_plain.split(':')[0].strip()}."
        if not m.used_for.lower().startswith(group.lower().rstrip(".")):
            sentences.append(group)
    sentences.append(m.used_for)
    sentences.append(
        "Your GP decides why you take it. If you have a question about it, ask the practice "
        "or a pharmacist."
    )
    return MedicineExplanation(
        title=m.name,
        text=" ".join(sentences),
        generic=m.generic,
        group=m.group_plain or m.group,
        used_for=m.used_for,
        sensitive=m.sensitive,
        key=m.key,
        matched_by=matched_by,  # type: ignore[arg-type]
    )
