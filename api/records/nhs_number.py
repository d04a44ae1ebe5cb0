"""The NHS number: a validated, frozen value type (10 digits, modulus-11 check digit)."""

from __future__ import annotations

from dataclasses import dataclass

_WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2)


class InvalidNhsNumber(ValueError):
    """The text is not a valid NHS number."""


def check_digit(first_nine: str) -> int | None:
    """The modulus-11 check digit for nine digits, or None when no valid digit exists (10)."""
    total = sum(int(d) * w for d, w in zip(first_nine, _WEIGHTS, strict=True))
    digit = 11 - (total % 11)
    if digit == 11:
        return 0
    if digit == 10:
        return None
    return digit


@dataclass(frozen=True, order=True)
class NhsNumber:
    """A 10-digit NHS number whose check digit is correct.

    Spaces and hyphens are accepted on input ("943 476 5919") and dropped.

    Raises:
        InvalidNhsNumber: when the value is not 10 digits or its check digit is wrong.
    """

    value: str

    def __post_init__(self) -> None:
        if not isinstance(self.value, str):
            raise InvalidNhsNumber("an NHS number must be given as text")
        cleaned = self.value.replace(" ", "").replace("-", "")
        if len(cleaned) != 10 or not cleaned.isascii() or not cleaned.isdigit():
            raise InvalidNhsNumber("an NHS number has exactly 10 digits")
        expected = check_digit(cleaned[:9])
        if expected is None or expected != int(cleaned[9]):
            raise InvalidNhsNumber("the NHS number's check digit is wrong")
        object.__setattr__(self, "value", cleaned)

    def __str__(self) -> str:
        return self.value

    @property
    def formatted(self) -> str:
        """The number as people write it: ``999 123 4560``."""
        return f"{self.value[:3]} {self.value[3:6]} {self.value[6:]}"

    @property
    def is_test_number(self) -> bool:
        """True in the 999 range the NHS keeps for testing (never issued to a person)."""
        return self.value.startswith("999")
