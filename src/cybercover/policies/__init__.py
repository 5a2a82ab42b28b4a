"""The policy lifecycle's pure rules: settings, premium arithmetic, policy numbers."""

from cybercover.policies.model import PolicyRulesDef
from cybercover.policies.numbers import is_valid_policy_number, policy_number
from cybercover.policies.premium import (
    earned_premium,
    instalments,
    pro_rata,
    return_premium,
    short_rate_retained,
)

__all__ = [
    "PolicyRulesDef",
    "earned_premium",
    "instalments",
    "is_valid_policy_number",
    "policy_number",
    "pro_rata",
    "return_premium",
    "short_rate_retained",
]
