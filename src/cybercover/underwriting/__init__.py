"""Underwriting: the disclosure (告知), eligibility, referral and decline rules, and the
decisions that clear them (PRODUCT.md §1 underwriter, §3 ※1, §5, §7; docs/underwriting.md).

Pure domain: values in, values out; storing issues and their history is the services'
job. Nothing here imports :mod:`cybercover.product.model` at run time (that module
imports :mod:`cybercover.underwriting.model` for ``Product.disclosure`` and
``Product.underwriting``).
"""

from cybercover.underwriting.answers import (
    CheckedAnswers,
    IsmsCertificate,
    answer_problems,
    isms_valid,
    isms_waives,
    parse_isms,
    validate_answers,
    waived_questions,
)
from cybercover.underwriting.clearance import (
    carried_entry,
    cleared_facts,
    facts_digest,
    reopen_entry,
    stored_facts,
)
from cybercover.underwriting.decisions import (
    ChosenTerms,
    Decider,
    DecisionOutcome,
    HistoryEntry,
    IssueDecision,
    decide,
    parse_decision,
)
from cybercover.underwriting.model import (
    ConditionDef,
    DisclosureDef,
    QuestionDef,
    RuleDef,
    UnderwritingDef,
    underwriting_problems,
)
from cybercover.underwriting.rules import Facts, UnderwritingIssue, evaluate

__all__ = [
    "CheckedAnswers",
    "ChosenTerms",
    "ConditionDef",
    "Decider",
    "DecisionOutcome",
    "DisclosureDef",
    "Facts",
    "HistoryEntry",
    "IsmsCertificate",
    "IssueDecision",
    "QuestionDef",
    "RuleDef",
    "UnderwritingDef",
    "UnderwritingIssue",
    "answer_problems",
    "carried_entry",
    "cleared_facts",
    "decide",
    "evaluate",
    "facts_digest",
    "isms_valid",
    "isms_waives",
    "parse_decision",
    "parse_isms",
    "reopen_entry",
    "stored_facts",
    "underwriting_problems",
    "validate_answers",
    "waived_questions",
]
