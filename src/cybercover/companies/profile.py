"""The company profile: who the policyholder is and the facts underwriting prices on.

Two shapes, as elsewhere in cybercover:

- :class:`CompanyIn` — the pydantic input model (API body, form, JSON file). Each field is
  normalised and checked on its own, so every error names its field.
- :class:`CompanyProfile` — the frozen domain value, built by :func:`parse_company` (or
  :meth:`CompanyIn.to_profile`) once the rules *between* fields hold: the postal code
  exists and lies in the prefecture given, and the industry's major group belongs to the
  division given. Those checks run after the field checks so each problem keeps its own
  field path (the same order as the product loader).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from cybercover.companies.address import PostalCode, PostalDirectory, Prefecture
from cybercover.companies.corporate_number import CorporateNumber
from cybercover.companies.industry import Industry, division, group
from cybercover.companies.text import name_key, names_match, normalize_kana, normalize_name
from cybercover.errors import InputError, Problem, format_path
from cybercover.validation import problems_from_validation_error

__all__ = ["MAX_TEXT_LENGTH", "CompanyIn", "CompanyProfile", "parse_company"]

MAX_TEXT_LENGTH = 200
"""Longest name, vendor or address line accepted, after normalisation (the register's
longest trade names are well under this)."""


@dataclass(frozen=True, slots=True)
class CompanyProfile:
    """A prospective or insured company, as underwriting sees it.

    Money is integer yen; ``annual_revenue`` is for the last complete fiscal year.
    ``overseas_sales_ratio`` is the share of that revenue from sales outside Japan (0..1).
    ``personal_data_records`` counts records of individuals held (customers, employees).
    Vendor names are normalised (:func:`~cybercover.companies.text.normalize_name`) so
    that later accumulation across policies can group by them.
    """

    corporate_number: CorporateNumber
    name: str
    name_kana: str | None
    postal_code: PostalCode
    prefecture: Prefecture
    address_line: str
    industry: Industry
    annual_revenue: int
    overseas_sales_ratio: Decimal
    employees: int
    personal_data_records: int
    handles_my_number: bool
    handles_card_data: bool
    cloud_vendors: tuple[str, ...] = ()
    key_software_vendors: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for field in ("annual_revenue", "employees", "personal_data_records"):
            if getattr(self, field) < 0:
                raise ValueError(f"{field} must be >= 0")
        if not Decimal(0) <= self.overseas_sales_ratio <= Decimal(1):
            raise ValueError("overseas_sales_ratio must be between 0 and 1")
        if not self.name or self.name != normalize_name(self.name):
            raise ValueError("name must be non-empty and normalised (normalize_name)")

    def has_name(self, other: str) -> bool:
        """Whether ``other`` is this company's name once both are normalised."""
        return names_match(self.name, other)


def _text(value: str) -> str:
    text = normalize_name(value)
    if not text:
        raise ValueError("空にできません / must not be empty")
    if len(text) > MAX_TEXT_LENGTH:
        raise ValueError(
            f"{MAX_TEXT_LENGTH}文字以内で入力してください"
            f" / must be at most {MAX_TEXT_LENGTH} characters"
        )
    return text


def _vendors(values: list[str]) -> list[str]:
    # Same vendor twice (ＡＷＳ and AWS) is one vendor: keep the first spelling.
    seen: set[str] = set()
    out: list[str] = []
    for value in values:
        key = name_key(value)
        if key not in seen:
            seen.add(key)
            out.append(value)
    return out


def _int_to_str(value: object) -> object:
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


Text = Annotated[str, AfterValidator(_text)]
Kana = Annotated[str, AfterValidator(normalize_kana)]
CorporateNumberText = Annotated[str, AfterValidator(lambda v: CorporateNumber.parse(v).digits)]
PostalCodeText = Annotated[str, AfterValidator(lambda v: PostalCode.parse(v).digits)]
PrefectureText = Annotated[
    str, BeforeValidator(_int_to_str), AfterValidator(lambda v: Prefecture.parse(v).ja)
]
DivisionText = Annotated[str, AfterValidator(lambda v: division(v).code)]
GroupText = Annotated[str, BeforeValidator(_int_to_str), AfterValidator(lambda v: group(v).code)]
Vendors = Annotated[list[Text], AfterValidator(_vendors)]


class CompanyIn(BaseModel):
    """A company profile as submitted. Field checks only; see :meth:`to_profile`.

    ``prefecture`` takes a name or JIS code and comes out as the Japanese name;
    ``postal_code`` and ``corporate_number`` come out as bare digits; ``industry_division``
    may be left out (it follows from ``industry_group``).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    corporate_number: CorporateNumberText
    name: Text
    name_kana: Kana | None = None
    postal_code: PostalCodeText
    prefecture: PrefectureText
    address_line: Text
    industry_division: DivisionText | None = None
    industry_group: GroupText
    annual_revenue: int = Field(ge=0)
    overseas_sales_ratio: Decimal = Field(ge=0, le=1)
    employees: int = Field(ge=0)
    personal_data_records: int = Field(ge=0)
    handles_my_number: bool
    handles_card_data: bool
    cloud_vendors: Vendors = Field(default_factory=list)
    key_software_vendors: Vendors = Field(default_factory=list)

    def to_profile(
        self, directory: PostalDirectory, prefix: Sequence[str | int] = ()
    ) -> CompanyProfile:
        """Check the rules between fields and build the profile; every problem found is
        raised together as one :class:`~cybercover.errors.InputError`."""
        problems: list[Problem] = []
        postal_code = PostalCode(self.postal_code)
        prefecture = Prefecture.parse(self.prefecture)
        areas = directory.lookup(postal_code)
        if not areas:
            problems.append(
                Problem(
                    format_path([*prefix, "postal_code"]),
                    "postal_code_unknown",
                    f"郵便番号 {postal_code} は日本郵便の郵便番号データにありません",
                    f"postal code {postal_code} is not in Japan Post's postal code data",
                )
            )
        elif prefecture not in {area.prefecture for area in areas}:
            where = "・".join(dict.fromkeys(area.prefecture.ja for area in areas))
            where_en = ", ".join(dict.fromkeys(area.prefecture.en for area in areas))
            problems.append(
                Problem(
                    format_path([*prefix, "prefecture"]),
                    "prefecture_postal_code_mismatch",
                    f"郵便番号 {postal_code} は{where}の番号です（{prefecture.ja}ではありません）",
                    f"postal code {postal_code} is in {where_en}, not {prefecture.en}",
                )
            )

        major = group(self.industry_group)
        if self.industry_division is not None and self.industry_division != major.division.code:
            problems.append(
                Problem(
                    format_path([*prefix, "industry_division"]),
                    "industry_group_not_in_division",
                    f"中分類 {major.code}（{major.ja}）は大分類 {major.division.code}"
                    f"（{major.division.ja}）に属します（{self.industry_division} ではありません）",
                    f"major group {major.code} ({major.en}) belongs to division"
                    f" {major.division.code}, not {self.industry_division}",
                )
            )
        if problems:
            raise InputError(problems)

        return CompanyProfile(
            corporate_number=CorporateNumber(self.corporate_number),
            name=self.name,
            name_kana=self.name_kana,
            postal_code=postal_code,
            prefecture=prefecture,
            address_line=self.address_line,
            industry=Industry(major.division, major),
            annual_revenue=self.annual_revenue,
            overseas_sales_ratio=self.overseas_sales_ratio,
            employees=self.employees,
            personal_data_records=self.personal_data_records,
            handles_my_number=self.handles_my_number,
            handles_card_data=self.handles_card_data,
            cloud_vendors=tuple(self.cloud_vendors),
            key_software_vendors=tuple(self.key_software_vendors),
        )


def parse_company(
    data: Mapping[str, Any], directory: PostalDirectory, prefix: Sequence[str | int] = ()
) -> CompanyProfile:
    """Validate submitted company data into a :class:`CompanyProfile`.

    Raises :class:`~cybercover.errors.InputError` naming each field at fault: first the
    field checks (all of them at once), then, if those pass, the checks between fields.
    ``prefix`` is prepended to every field path (``company.postal_code``).
    """
    try:
        company = CompanyIn.model_validate(data)
    except ValidationError as exc:
        raise InputError(problems_from_validation_error(exc, prefix)) from None
    return company.to_profile(directory, prefix)
