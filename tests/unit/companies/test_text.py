"""Names and kana: one stored form (NFKC, whitespace collapsed), compared case-blind."""

from __future__ import annotations

import pytest

from cybercover.companies import name_key, names_match, normalize_kana, normalize_name


def test_full_width_letters_and_digits_become_ascii_and_spaces_collapse() -> None:
    assert (
        normalize_name("　ＡＢＣ　　ホールディングス  株式会社\t")
        == "ABC ホールディングス 株式会社"
    )


def test_half_width_katakana_becomes_full_width() -> None:
    assert normalize_name("ｻｲﾊﾞｰｶﾊﾞｰ株式会社") == "サイバーカバー株式会社"


def test_the_enclosed_kabu_sign_is_spelled_out() -> None:
    assert normalize_name("㈱サンプル") == "(株)サンプル"


def test_an_all_blank_name_normalises_to_empty() -> None:
    assert normalize_name(" \u3000\n") == ""


def test_company_names_compare_by_their_normalised_case_folded_form() -> None:
    assert names_match("ＡＢＣ株式会社", "abc株式会社")
    assert names_match("サイバー　カバー", "ｻｲﾊﾞｰ ｶﾊﾞｰ")
    assert not names_match("ABC株式会社", "ABD株式会社")
    assert name_key("ＡＢＣ 株式会社") == "abc 株式会社"


def test_kana_readings_are_stored_in_full_width_katakana() -> None:
    assert normalize_kana("さいばーかばー") == "サイバーカバー"
    assert normalize_kana("ｻｲﾊﾞｰｶﾊﾞｰ") == "サイバーカバー"
    assert normalize_kana("エヌ・ティ・ティ　ドコモ") == "エヌ・ティ・ティ ドコモ"
    assert normalize_kana("ゞゝ") == "ヾヽ"


@pytest.mark.parametrize("reading", ["サイバー株式会社", "ABCカバー", "カバー1", "カバー（株）"])
def test_a_kana_reading_with_kanji_latin_or_digits_is_refused(reading: str) -> None:
    with pytest.raises(ValueError, match=r"カタカナ.* / the kana reading must be katakana"):
        normalize_kana(reading)


def test_an_empty_kana_reading_is_refused() -> None:
    with pytest.raises(ValueError, match="空にできません"):
        normalize_kana("　")
