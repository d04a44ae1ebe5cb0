"""Explaining a test result: what the test is for, where the value sits, and how it has changed.

A result is compared with the lab's own range when the record gives one. Otherwise the glossary's
typical range is used, but only when the units match, and its source is named.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rapidfuzz import fuzz, process

from glossary.content import LabEntry
from glossary.model import LOINC, SNOMED, Change, Direction, ResultExplanation, ResultInput

NEXT_STEPS = (
    "Your GP team looks at all test results. If they need to do anything, they will contact "
    "you. If you have a question about this result, you can ask the practice."
)
OUTSIDE_IS_COMMON = (
    "Results a little outside the range are common. They do not always mean something is wrong."
)
_UNIT_WORDS = {
    "mmol/l": "millimoles per litre",
    "mmol/mol": "millimoles per mole",
    "umol/l": "micromoles per litre",
    "µmol/l": "micromoles per litre",
    "g/l": "grams per litre",
    "g/dl": "grams per decilitre",
    "mg/l": "milligrams per litre",
    "ng/ml": "nanograms per millilitre",
    "ug/l": "micrograms per litre",
    "µg/l": "micrograms per litre",
    "pmol/l": "picomoles per litre",
    "miu/l": "milli-units per litre",
    "mu/l": "milli-units per litre",
    "iu/l": "units per litre",
    "u/l": "units per litre",
    "x10^9/l": "thousand million per litre",
    "10*9/l": "thousand million per litre",
    "x10^12/l": "million million per litre",
    "fl": "femtolitres",
    "pg": "picograms",
    "%": "percent",
    "mmhg": "millimetres of mercury",
    "ml/min/1.73m2": "millilitres per minute",
    "kg/m2": "kilograms per square metre",
    "kg": "kilograms",
    "mg/mmol": "milligrams per millimole",
}
_FLAG_DIRECTION: dict[str, Direction] = {
    "H": "above", "HH": "above", "L": "below", "LL": "below", "N": "in",
}
JUST_OUTSIDE = 0.10
_DIGITS = re.compile(r"\d+")


def norm_unit(unit: str | None) -> str:
    """A unit written the same way whatever its case or spacing."""
    return (unit or "").strip().lower().replace(" ", "").replace("μ", "µ")


def number(value: float) -> str:
    """A number as a person would write it (no trailing ``.0``)."""
    return f"{value:g}"


class LabIndex:
    """Finds the glossary's entry for a test by SNOMED code, LOINC code or name."""

    def __init__(self, labs: tuple[LabEntry, ...]):
        """Index every lab entry."""
        self.by_code: dict[tuple[str, str], LabEntry] = {}
        self.by_name: dict[str, LabEntry] = {}
        for lab in labs:
            for sct in lab.snomed:
                self.by_code[(SNOMED, str(sct))] = lab
            for loinc in lab.loinc:
                self.by_code[(LOINC, loinc)] = lab
            for name in (lab.name, lab.plain_name, *lab.aliases):
                self.by_name.setdefault(name.strip().lower(), lab)
        self._names = list(self.by_name)

    def find(self, result: ResultInput) -> LabEntry | None:
        """The lab entry for a result, or None.

        Names are matched fuzzily only when the match is close and any numbers agree, so
        "Free T3" never matches "Free T4".
        """
        if result.code:
            system = SNOMED if (result.system or SNOMED).startswith(SNOMED) else result.system
            lab = self.by_code.get((system or "", result.code.strip()))
            if lab is not None:
                return lab
            if result.system is None:
                lab = self.by_code.get((LOINC, result.code.strip()))
                if lab is not None:
                    return lab
        if not result.name:
            return None
        name = result.name.strip().lower()
        if name in self.by_name:
            return self.by_name[name]
        hit = process.extractOne(name, self._names, scorer=fuzz.token_sort_ratio, score_cutoff=90)
        if hit is None or _DIGITS.findall(hit[0]) != _DIGITS.findall(name):
            return None
        return self.by_name[hit[0]]


def _unit_words(result: ResultInput, lab: LabEntry | None) -> str:
    if lab is not None and lab.unit_words and norm_unit(result.unit) in ("", norm_unit(lab.unit)):
        return lab.unit_words
    return _UNIT_WORDS.get(norm_unit(result.unit), result.unit or "")


def _range(
    result: ResultInput, lab: LabEntry | None
) -> tuple[float | None, float | None, str | None]:
    """The range to compare with: the lab's own, else the glossary's when units match."""
    if result.range_low is not None or result.range_high is not None:
        return result.range_low, result.range_high, "lab"
    if lab is None or lab.range is None:
        return None, None, None
    if result.unit and lab.unit and norm_unit(result.unit) != norm_unit(lab.unit):
        return None, None, None
    return lab.range.low, lab.range.high, lab.range_source or "typical range"


def _direction(value: float | None, low: float | None, high: float | None, flag: str | None) -> (
    Direction
):
    """Where the value sits. The lab's own flag wins: it knows the patient's age and sex, and
    a typical range from the glossary does not."""
    flagged = _FLAG_DIRECTION.get((flag or "").upper())
    if flagged is not None:
        return flagged
    if value is not None and (low is not None or high is not None):
        if low is not None and value < low:
            return "below"
        if high is not None and value > high:
            return "above"
        return "in"
    return "unknown"


def _just_outside(value: float | None, low: float | None, high: float | None) -> bool:
    """Whether ``value`` is outside the range by no more than a tenth of the nearer limit."""
    if value is None:
        return False
    if high is not None and value > high:
        return value - high <= JUST_OUTSIDE * abs(high)
    if low is not None and value < low:
        return low - value <= JUST_OUTSIDE * abs(low)
    return False


def _previous(result: ResultInput, history: Sequence[ResultInput]) -> ResultInput | None:
    unit = norm_unit(result.unit)
    earlier = [
        h for h in history
        if h.value is not None and h is not result
        # A change is only a change in the same units (HbA1c in % and in mmol/mol differ).
        and (not unit or not h.unit or norm_unit(h.unit) == unit)
        and (result.effective is None or h.effective is None or h.effective < result.effective)
    ]
    if not earlier:
        return None
    return max(earlier, key=lambda h: h.effective or "")


def _range_sentence(low: float | None, high: float | None, units: str, source: str | None) -> str:
    where = "The lab's" if source == "lab" else "A typical"
    if low is not None and high is not None:
        span = f"{number(low)} to {number(high)}"
    elif high is not None:
        span = f"below {number(high)}"
    else:
        span = f"above {number(low or 0)}"
    sentence = f"{where} range is {span} {units}".rstrip() + "."
    if source != "lab":
        sentence += f" Your lab's range may be a little different. (Range from: {source}.)"
    return sentence


def explain_result(
    result: ResultInput, history: Sequence[ResultInput], labs: LabIndex
) -> ResultExplanation:
    """Explain one result, calmly, with what usually happens next.

    Args:
        result: the result to explain.
        history: earlier results of the same test (any order).
        labs: the lab index.

    Returns:
        The explanation, with the direction and change worked out.
    """
    lab = labs.find(result)
    title = lab.plain_name if lab else (result.name or "Test result")
    units = _unit_words(result, lab)
    low, high, source = _range(result, lab)
    direction = _direction(result.value, low, high, result.abnormal_flag)
    sentences: list[str] = []
    if result.value is not None:
        sentences.append(f"Your result was {number(result.value)} {units}".rstrip() + ".")
    if low is not None or high is not None:
        sentences.append(_range_sentence(low, high, units, source))
    flag = (result.abnormal_flag or "").upper()
    by_range = _direction(result.value, low, high, None)
    if flag in _FLAG_DIRECTION:
        very = "very " if flag in ("HH", "LL") else ""
        sentences.append({
            "in": "The lab says your result is in the normal range.",
            "above": f"The lab marked your result as {very}high.",
            "below": f"The lab marked your result as {very}low.",
        }[direction])
        if by_range not in ("unknown", direction):
            sentences.append("This is different from the range above, so we go by what the lab "
                             "says.")
    elif direction != "unknown":
        sentences.append({
            "in": "Your result is inside this range.",
            "above": "Your result is above the range.",
            "below": "Your result is below the range.",
        }[direction])
    elif flag == "A":
        sentences.append("The lab marked this result as not in the usual range.")
    else:
        sentences.append("We cannot say how this compares with the usual range.")
    change: Change = "none"
    prev = _previous(result, history)
    if prev is not None and prev.value is not None and result.value is not None:
        change = (
            "up" if result.value > prev.value
            else "down" if result.value < prev.value
            else "same"
        )
        when = f" on {prev.effective[:10]}" if prev.effective else ""
        moved = {"up": "It has gone up.", "down": "It has gone down.", "same": "It is the same."}
        sentences.append(f"Last time{when} it was {number(prev.value)}. {moved[change]}")
    if lab is not None:
        if direction == "above" and lab.high_can_mean:
            sentences.append(lab.high_can_mean)
        elif direction == "below" and lab.low_can_mean:
            sentences.append(lab.low_can_mean)
    # Reassure only when the value is just outside a known range: far outside, or with no
    # range to judge by, saying "this is common" could mislead.
    if _just_outside(result.value, low, high):
        sentences.append(OUTSIDE_IS_COMMON)
    return ResultExplanation(
        title=title,
        text=" ".join(sentences),
        what_for=lab.what_for if lab else None,
        direction=direction,
        range_low=low,
        range_high=high,
        range_source=source,
        change=change,
        previous_value=prev.value if prev else None,
        what_happens_next=NEXT_STEPS,
        sensitive=lab.sensitive if lab else False,
        key=lab.key if lab else None,
        sentences=tuple(sentences),
    )
