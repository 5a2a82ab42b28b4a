"""Claims settings of the product file (`[claims]`): the figures an insurer may change
about handling a claim (issue #17: "the product file holds every figure an insurer may
change"). docs/claims.md "Initial reserves" explains each one."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, StrictInt

__all__ = ["ClaimsRulesDef", "initial_reserve"]


class ClaimsRulesDef(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # 初期備金: the reserve the system sets on a coverage part when the part first has a
    # loss item on a claim (a fixed figure per part, as Guidewire's initial reserve by
    # exposure type); a part not named gets none until the handler sets one
    initial_reserve: dict[str, StrictInt] = Field(default_factory=dict)
    source: str = ""


def initial_reserve(default: int, limit: int, taken: int) -> int:
    """The reserve a part starts with: the product file's figure, never above the part's
    limit under the terms that judge it, and never below what the claim has already paid
    or asked to pay on the part (a reserve is never below its payments)."""
    return max(min(default, limit), taken)
