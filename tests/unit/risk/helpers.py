"""Small loss models for tests: the packaged file with one family or one scenario kept."""

from __future__ import annotations

from typing import Any

from cybercover.risk.model import LossModel, default_loss_model, parse_loss_model


def model_data() -> dict[str, Any]:
    return default_loss_model().model_dump(mode="python")


def one_family(
    code: str = "leak", *, scenarios: bool = False, **changes: Any
) -> tuple[LossModel, dict[str, Any]]:
    """The packaged model with only family ``code`` (changed by ``changes``) active:
    the other families' frequencies are 0; scenarios are dropped unless asked."""
    data = model_data()
    for fam in data["families"]:
        if fam["code"] == code:
            fam.update(changes)
        else:
            fam["frequency"] = 0.0
    if not scenarios:
        data["scenarios"] = []
    return parse_loss_model(data), data
