"""法人番号: the National Tax Agency's check digit, and what typed input is accepted."""

from __future__ import annotations

import pytest

from cybercover.companies import CorporateNumber, check_digit

# Published in the National Tax Agency's corporate number register (法人番号公表サイト).
PUBLISHED = {
    "7000012050002": "国税庁",
    "4000012090001": "経済産業省",
    "1000011000005": "国立国会図書館",
    "1180301018771": "トヨタ自動車株式会社",
    "5010001008846": "株式会社三菱ＵＦＪ銀行",
    "8120001059652": "積水ハウス株式会社",
    "8120001059917": "大和ハウス工業株式会社",
}


@pytest.mark.parametrize("number", sorted(PUBLISHED))
def test_published_corporate_numbers_pass_their_check_digit(number: str) -> None:
    assert str(CorporateNumber.parse(number)) == number
    assert check_digit(number[1:]) == int(number[0])


def test_the_check_digit_of_the_national_tax_agency_is_worked_out_as_in_the_ordinance() -> None:
    # base 000012050002: 2×1 + 5×1 + 2×1 + 1×2 = 11; 11 mod 9 = 2; 9 − 2 = 7.
    assert check_digit("000012050002") == 7


def test_a_sum_divisible_by_nine_gives_check_digit_nine_never_zero() -> None:
    assert check_digit("000000000000") == 9
    assert check_digit("000000000009") == 9


@pytest.mark.parametrize(
    "number",
    [
        "8000012050002",  # check digit changed
        "7000012050003",  # last digit changed
        "7000021050002",  # two digits swapped
        "0000012050002",  # check digit is never 0
    ],
)
def test_a_mistyped_number_fails_its_check_digit(number: str) -> None:
    with pytest.raises(ValueError, match=r"検査用数字.* / the corporate number's check digit"):
        CorporateNumber.parse(number)


@pytest.mark.parametrize(
    "typed",
    [
        "７００００１２０５０００２",  # full-width digits
        "7-0000-1205-0002",
        "7000-01-205-0002",
        "７－００００－１２０５－０００２",  # full-width hyphens
        " 7 0000 1205 0002 ",
        "7000\u300001205\u30000002",  # ideographic spaces
        "7\u20100000\u221212050002",  # Unicode hyphen and minus sign
    ],
)
def test_full_width_digits_hyphens_and_spaces_are_accepted(typed: str) -> None:
    assert CorporateNumber.parse(typed).digits == "7000012050002"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "数字で入力してください"),
        ("70000120500０x", "数字で入力してください"),
        ("7000.0120.50002", "数字で入力してください"),
        ("١٢٣٤٥٦٧٨٩٠١٢٣", "数字で入力してください"),  # digits, but not Arabic numerals
        ("700001205000", "13桁です（入力は12桁）"),
        ("70000120500021", "13桁です（入力は14桁）"),
        ("T7000012050002", "T は付けないでください"),
    ],
)
def test_anything_that_is_not_thirteen_digits_is_refused_saying_why(
    typed: str, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        CorporateNumber.parse(typed)


def test_the_value_itself_refuses_an_unchecked_number() -> None:
    with pytest.raises(ValueError, match="check digit"):
        CorporateNumber("8000012050002")
    with pytest.raises(ValueError, match="13 ASCII digits"):
        CorporateNumber("７００００１２０５０００２")
