"""The loss-model data file: every parameter read, bad files refused with a field path."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from cybercover.errors import ProductFileError
from cybercover.product import default_product
from cybercover.risk.model import (
    DEFAULT_MODEL_FILE,
    consistency_problems,
    default_loss_model,
    load_loss_model,
    parse_loss_model,
)
from tests.unit.risk.helpers import model_data


def test_packaged_model_agrees_with_the_product() -> None:
    model = default_loss_model()
    product = default_product()
    assert consistency_problems(model, product) == []
    assert set(model.family_codes) == {f.code for f in product.event_families}
    assert set(model.industries) == set(product.rating.industries)
    assert [s.code for s in model.scenarios] == [
        "cloud_outage",
        "mass_exploitation",
        "ransomware_campaign",
        "supply_chain",
    ]


def test_every_parameter_names_its_source() -> None:
    raw = tomllib.loads(DEFAULT_MODEL_FILE.read_text(encoding="utf-8"))
    for table in ("families", "scenarios"):
        for row in raw[table]:
            assert row["source"].strip(), f"{table} {row['code']} has no source"
    for name, row in raw["industries"].items():
        assert row["source"].strip(), name
    assert raw["controls"]["source"] and raw["vendors"]["source"]


def test_size_bands_pick_by_revenue() -> None:
    model = default_loss_model()
    assert [model.size_bands[model.band_index(r)].code for r in (1, 99_999_999)] == [
        "micro",
        "micro",
    ]
    assert model.size_bands[model.band_index(100_000_000)].code == "small"
    assert model.size_bands[model.band_index(9_999_999_999)].code == "medium"
    assert model.size_bands[model.band_index(50_000_000_000)].code == "large"


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (
            lambda d: d["families"][0].update(split={"liability": 0.5, "response_costs": 0.4}),
            "families.0",
        ),
        (lambda d: d["families"][1].update(frequency=-0.1), "families.1.frequency"),
        (lambda d: d["families"][0].update(colour="red"), "families.0.colour"),
        (lambda d: d["scenarios"][0].update(hit_probability=1.5), "scenarios.0.hit_probability"),
        (lambda d: d["vendors"].update(shares={"aws": 0.5}), "vendors"),
        (lambda d: d["size_bands"][0].update(below=None), "size_bands"),
    ],
)
def test_bad_model_files_name_the_field(change: object, path: str) -> None:
    data = model_data()
    change(data)  # type: ignore[operator]
    with pytest.raises(ProductFileError) as err:
        parse_loss_model(data)
    assert any(
        p.path.replace("[", ".").replace("]", "").startswith(path) for p in err.value.problems
    ), [p.path for p in err.value.problems]


def test_a_missing_industry_is_named(tmp_path: Path) -> None:
    text = DEFAULT_MODEL_FILE.read_text(encoding="utf-8")
    cut = text.replace("[industries.education]", "[industries.schooling]")
    path = tmp_path / "model.toml"
    path.write_text(cut, encoding="utf-8")
    with pytest.raises(ProductFileError) as err:
        load_loss_model(path, default_product())
    assert [p.rule for p in err.value.problems] == ["industry_missing"]
    assert "education" in err.value.problems[0].en


def test_a_broken_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "model.toml"
    path.write_text("[model\n", encoding="utf-8")
    with pytest.raises(ProductFileError) as err:
        load_loss_model(path)
    assert err.value.problems[0].rule == "toml_syntax"
