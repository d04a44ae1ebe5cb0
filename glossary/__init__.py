"""Plain-English explanations of what a GP record says.

``get_glossary()`` builds the glossary on first use (content, terminology, matchers); nothing is
built at import time. See docs/CONTRACTS.md for the API.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property, lru_cache
from importlib.abc import Traversable
from typing import TYPE_CHECKING

from glossary.content import Content, load_content
from glossary.explain_codes import CodeExplainer
from glossary.medicines import MedicineIndex, explain_medicine_entry
from glossary.model import (
    SNOMED,
    Explanation,
    MedicineExplanation,
    ResultExplanation,
    ResultInput,
    TextSpan,
)
from glossary.results import LabIndex, explain_result
from glossary.terminology import Terminology, open_terminology

if TYPE_CHECKING:
    from glossary.text import TextExplainer

__all__ = [
    "SNOMED",
    "Explanation",
    "Glossary",
    "MedicineExplanation",
    "ResultExplanation",
    "ResultInput",
    "TextSpan",
    "get_glossary",
]


class Glossary:
    """Explains codes, results, medicines and free text from reviewed content."""

    def __init__(self, content: Content, terminology: Terminology):
        """Index the content against a terminology (precomputes the ancestor table)."""
        self.content = content
        self.terminology = terminology
        self.codes = CodeExplainer(content.concepts, terminology, _lab_and_medicine_codes(content))
        self.labs = LabIndex(content.labs)
        self.medicines = MedicineIndex(content.medicines)

    @classmethod
    def build(cls, data: Traversable | None = None, snomed_db: str | None = None) -> Glossary:
        """Load content and open the configured terminology.

        Args:
            data: a content folder (default the packaged ``glossary/data``).
            snomed_db: a full-release database (default ``$PLAINRECORD_SNOMED_DB``, else the
                bundled starter set).
        """
        content = load_content(data)
        names = {str(code): c.name for c in content.concepts for code in c.codes}
        return cls(content, open_terminology(snomed_db, names))

    @cached_property
    def _text(self) -> TextExplainer:
        # Built on first use: importing spaCy and building the matchers takes a second or two.
        from glossary import text

        return text.TextExplainer(self.content)

    def explain_code(
        self, code: str, system: str = SNOMED, display: str | None = None
    ) -> Explanation:
        """Explain a coded entry: its own entry, a broader reviewed one, or its name.

        Args:
            code: the code.
            system: the code system URI (SNOMED CT by default).
            display: the text the record shows with the code.

        Returns:
            An explanation that is never blank.
        """
        return self.codes.explain(code, system, display)

    def explain_result(
        self, result: ResultInput, history: Sequence[ResultInput] = ()
    ) -> ResultExplanation:
        """Explain a test result against its range and earlier results."""
        return explain_result(result, history, self.labs)

    def explain_medicine(
        self, name: str, code: str | None = None, system: str | None = None
    ) -> MedicineExplanation | None:
        """Explain a medicine by code (any system), name, brand or generic name.

        Args:
            name: the medicine as written on the record.
            code: a code for it (dm+d, SNOMED CT...), if any.
            system: the code's system (not needed: codes are looked up as given).

        Returns:
            The explanation, or None when no entry is close enough.
        """
        hit = self.medicines.find(name, code)
        if hit is None:
            return None
        entry, how = hit
        return explain_medicine_entry(entry, how, name)

    def lookup(self, text: str) -> Explanation | None:
        """A term, display or abbreviation the patient typed, or None."""
        stripped = text.strip()
        if stripped.isdigit():
            found = self.codes.explain(stripped)
            return found if found.provenance != "unknown" else None
        return self._text.lookup(text)

    def explain_text(self, text: str) -> list[TextSpan]:
        """Find and explain glossary terms and abbreviations in free text."""
        return self._text.explain_text(text)


def _lab_and_medicine_codes(content: Content) -> dict[str, Explanation]:
    """SNOMED codes that name a test or a medicine, explained as such (for ``explain_code``)."""
    out: dict[str, Explanation] = {}
    for lab in content.labs:
        for code in lab.snomed:
            out.setdefault(str(code), Explanation(
                title=lab.plain_name, text=lab.what_for, sensitive=lab.sensitive,
                provenance="entry", key=lab.key, code=str(code)))
    for m in content.medicines:
        for dmd in m.dmd:
            out.setdefault(dmd, Explanation(
                title=m.name, text=m.used_for, sensitive=m.sensitive, provenance="entry",
                key=m.key, code=dmd))
    return out


@lru_cache(maxsize=1)
def get_glossary() -> Glossary:
    """The process's glossary, built on first use from the packaged content."""
    return Glossary.build()
