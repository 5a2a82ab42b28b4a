"""The incident desk's domain (issue #4): the initial interview (初期ヒアリング), triage
and first advice (初動アドバイス), and the regulatory clocks. Pure: values in, values
out; the clock is passed in; the only I/O is reading the packaged data files.
See docs/incident-desk.md."""

from cybercover.incidents.clocks import (
    Change,
    Deadline,
    deadline_status,
    deadlines,
    recompute,
    regulatory_rules,
)
from cybercover.incidents.common import Answer, Text
from cybercover.incidents.hearing import HearingAnswers, hearing, validate_answers
from cybercover.incidents.triage import (
    FAMILIES,
    AdviceItem,
    Family,
    Reason,
    Severity,
    Triage,
    advice,
    playbook,
    triage,
)

__all__ = [
    "FAMILIES",
    "AdviceItem",
    "Answer",
    "Change",
    "Deadline",
    "Family",
    "HearingAnswers",
    "Reason",
    "Severity",
    "Text",
    "Triage",
    "advice",
    "deadline_status",
    "deadlines",
    "hearing",
    "playbook",
    "recompute",
    "regulatory_rules",
    "triage",
    "validate_answers",
]
