"""NhsNumber: 10 digits with a modulus-11 check digit, refusing anything else."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from api.records.demo import DEMO_USERS
from api.records.nhs_number import InvalidNhsNumber, NhsNumber, check_digit


def test_accepts_a_valid_number_and_normalises_spacing() -> None:
    n = NhsNumber("943 476 5919")
    assert n.value == "9434765919"
    assert n.formatted == "943 476 5919"
    assert str(n) == "9434765919"
    assert not n.is_test_number


@pytest.mark.parametrize("bad", ["9434765918", "943476591", "94347659190", "94347659l9", "",
                                 "９４３４７６５９１９", "999 123 4560"])
def test_refuses_bad_input(bad: str) -> None:
    with pytest.raises(InvalidNhsNumber):
        NhsNumber(bad)


def test_refuses_non_text() -> None:
    with pytest.raises(InvalidNhsNumber):
        NhsNumber(9434765919)  # type: ignore[arg-type]


def test_a_check_digit_of_ten_means_no_valid_number() -> None:
    # 999123456 gives 11 - (sum % 11) == 10: no 10th digit makes it valid.
    assert check_digit("999123456") is None
    for last in "0123456789":
        with pytest.raises(InvalidNhsNumber):
            NhsNumber("999123456" + last)


def test_is_frozen() -> None:
    n = NhsNumber("9434765919")
    with pytest.raises(AttributeError):
        n.value = "1"  # type: ignore[misc]


def test_demo_patients_use_valid_test_range_numbers() -> None:
    numbers = [NhsNumber(u.nhs_number) for u in DEMO_USERS if u.nhs_number]
    assert len(numbers) >= 5
    assert all(n.is_test_number for n in numbers)


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_exactly_one_check_digit_is_valid_or_none(nine: str) -> None:
    valid = []
    for d in "0123456789":
        try:
            NhsNumber(nine + d)
            valid.append(d)
        except InvalidNhsNumber:
            pass
    expected = check_digit(nine)
    assert valid == ([] if expected is None else [str(expected)])
