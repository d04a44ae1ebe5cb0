from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from glossary.codes import (
    ConceptId,
    InvalidConceptId,
    make_concept_id,
    sctid_problem,
    verhoeff_check_digit,
    verhoeff_valid,
)
from glossary.terminology.starter import read_starter_table

digits = st.text(alphabet="0123456789", min_size=1, max_size=17)


@given(digits)
def test_appending_the_check_digit_makes_a_valid_number(body: str) -> None:
    assert verhoeff_valid(body + verhoeff_check_digit(body))


@given(digits, st.integers(min_value=1, max_value=9))
def test_any_single_digit_error_is_caught(body: str, delta: int) -> None:
    number = body + verhoeff_check_digit(body)
    for pos in range(len(number)):
        wrong = number[:pos] + str((int(number[pos]) + delta) % 10) + number[pos + 1 :]
        assert not verhoeff_valid(wrong)


@given(st.text(alphabet="0123456789", min_size=2, max_size=17))
def test_adjacent_transpositions_are_caught(body: str) -> None:
    number = body + verhoeff_check_digit(body)
    for pos in range(len(number) - 1):
        a, b = number[pos], number[pos + 1]
        if a != b:
            swapped = number[:pos] + b + a + number[pos + 2 :]
            assert not verhoeff_valid(swapped)


@given(st.integers(min_value=100, max_value=10**8 - 1), st.none() | st.integers(1000000, 9999999))
def test_made_ids_round_trip(item: int, namespace: int | None) -> None:
    cid = make_concept_id(item, namespace)
    assert ConceptId.parse(int(cid)) == cid
    assert cid.has_namespace is (namespace is not None)
    if namespace is not None:
        assert cid.namespace == f"{namespace:07d}"


def test_every_concept_in_the_global_patient_set_is_valid() -> None:
    table = read_starter_table()
    assert len(table) > 26000
    assert [c for c in table if sctid_problem(c)] == []


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("195967002", "check digit"),
        ("12345", "6 to 18"),
        ("0195967001", "leading zero"),
        ("19596 7001", "digits"),
        ("１９５９６７００１", "digits"),  # full-width digits are not ASCII digits
        ("1000000000000000001", "6 to 18"),
        # A real description id (partition 01) is not a concept id.
        ("41398015", "description"),
    ],
)
def test_bad_ids_are_refused_with_a_reason(raw: str, reason: str) -> None:
    with pytest.raises(InvalidConceptId, match=reason):
        ConceptId(raw)


def test_known_ids_are_accepted() -> None:
    for code in ("195967001", "116680003", "999001261000000100", "1107481000000106"):
        assert str(ConceptId.parse(f" {code} ")) == code


def test_non_text_is_refused() -> None:
    with pytest.raises(InvalidConceptId):
        ConceptId(195967001)  # type: ignore[arg-type]
    with pytest.raises(InvalidConceptId):
        ConceptId.parse(True)
