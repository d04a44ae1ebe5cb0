"""Clinical codes as validated values.

A SNOMED CT identifier (SCTID) is 6 to 18 digits with no leading zero. Its last digit is a
Verhoeff check digit; the two digits before it are the partition identifier, which says whether
the id names a concept, a description or a relationship, and whether it carries a namespace.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# The Verhoeff scheme: multiplication in the dihedral group D5, a permutation, and its inverse.
_D = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 2, 3, 4, 0, 6, 7, 8, 9, 5),
    (2, 3, 4, 0, 1, 7, 8, 9, 5, 6),
    (3, 4, 0, 1, 2, 8, 9, 5, 6, 7),
    (4, 0, 1, 2, 3, 9, 5, 6, 7, 8),
    (5, 9, 8, 7, 6, 0, 4, 3, 2, 1),
    (6, 5, 9, 8, 7, 1, 0, 4, 3, 2),
    (7, 6, 5, 9, 8, 2, 1, 0, 4, 3),
    (8, 7, 6, 5, 9, 3, 2, 1, 0, 4),
    (9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
)
_P = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 5, 7, 6, 2, 8, 3, 0, 9, 4),
    (5, 8, 0, 3, 7, 9, 6, 1, 4, 2),
    (8, 9, 1, 6, 0, 4, 3, 5, 2, 7),
    (9, 4, 5, 3, 1, 2, 6, 8, 7, 0),
    (4, 2, 8, 6, 5, 7, 3, 9, 0, 1),
    (2, 7, 9, 3, 8, 0, 6, 4, 1, 5),
    (7, 0, 4, 6, 9, 1, 3, 2, 5, 8),
)
_INV = (0, 4, 3, 2, 1, 5, 6, 7, 8, 9)

PartitionKind = Literal["concept", "description", "relationship"]
_PARTITIONS: dict[str, PartitionKind] = {
    "00": "concept",
    "01": "description",
    "02": "relationship",
    "10": "concept",
    "11": "description",
    "12": "relationship",
}


def _checksum(digits: str) -> int:
    c = 0
    for i, ch in enumerate(reversed(digits)):
        c = _D[c][_P[i % 8][ord(ch) - 48]]
    return c


def verhoeff_valid(digits: str) -> bool:
    """Whether a string of digits ends with a correct Verhoeff check digit.

    Args:
        digits: the number as written, check digit last.

    Returns:
        True if the check digit is right; False for anything else, including non-digits.
    """
    if not digits or not digits.isascii() or not digits.isdigit():
        return False
    return _checksum(digits) == 0


def verhoeff_check_digit(digits: str) -> str:
    """The Verhoeff check digit to append to a string of digits.

    Args:
        digits: the number without its check digit.

    Returns:
        One digit, as a string.

    Raises:
        ValueError: if ``digits`` is empty or not all ASCII digits.
    """
    if not digits or not digits.isascii() or not digits.isdigit():
        raise ValueError("digits expected")
    return str(_INV[_checksum(digits + "0")])


class InvalidConceptId(ValueError):
    """Raised for text that is not a valid SNOMED CT concept id."""


def sctid_problem(text: str) -> str | None:
    """Why ``text`` is not a SNOMED CT concept id, or None if it is one.

    Args:
        text: a candidate SCTID.

    Returns:
        A short reason, or None when the id is valid.
    """
    if not text.isascii() or not text.isdigit():
        return "not all digits"
    if not 6 <= len(text) <= 18:
        return "not 6 to 18 digits long"
    if text[0] == "0":
        return "has a leading zero"
    kind = _PARTITIONS.get(text[-3:-1])
    if kind is None:
        return f"unknown partition {text[-3:-1]}"
    if kind != "concept":
        return f"is a {kind} id, not a concept id"
    if not verhoeff_valid(text):
        return "wrong check digit"
    return None


@dataclass(frozen=True, slots=True)
class ConceptId:
    """A SNOMED CT concept id, checked when made.

    Build one with ``ConceptId("22298006")`` or ``ConceptId.parse(22298006)``; bad input raises
    :class:`InvalidConceptId`.
    """

    value: str

    def __post_init__(self) -> None:
        if not isinstance(self.value, str):
            raise InvalidConceptId(f"SCTID must be text, got {type(self.value).__name__}")
        problem = sctid_problem(self.value)
        if problem is not None:
            raise InvalidConceptId(f"{self.value!r} is not a SNOMED CT concept id: {problem}")

    @classmethod
    def parse(cls, raw: str | int) -> ConceptId:
        """Make a concept id from text (surrounding spaces ignored) or an int.

        Args:
            raw: the id as received.

        Returns:
            The validated id.

        Raises:
            InvalidConceptId: if it is not a valid concept id.
        """
        if isinstance(raw, bool):
            raise InvalidConceptId("a boolean is not an SCTID")
        text = str(raw).strip() if isinstance(raw, (str, int)) else raw
        return cls(text)

    @property
    def has_namespace(self) -> bool:
        """Whether this id was issued in an extension namespace (long format)."""
        return self.value[-3] == "1"

    @property
    def namespace(self) -> str | None:
        """The seven-digit namespace identifier, for long-format ids."""
        return self.value[-10:-3] if self.has_namespace else None

    def __int__(self) -> int:
        return int(self.value)

    def __str__(self) -> str:
        return self.value


def make_concept_id(item: int, namespace: int | None = None) -> ConceptId:
    """Build a valid concept id from an item number (and optionally a namespace).

    Args:
        item: the item identifier, a positive integer.
        namespace: a seven-digit namespace id for extension (long-format) ids.

    Returns:
        The concept id with its partition and check digit.
    """
    body = f"{item}00" if namespace is None else f"{item}{namespace:07d}10"
    if item < 1 or len(body) > 17:
        raise ValueError("item out of range")
    if len(body) < 5:
        raise ValueError("short-format ids need an item number of 100 or more")
    return ConceptId(body + verhoeff_check_digit(body))
