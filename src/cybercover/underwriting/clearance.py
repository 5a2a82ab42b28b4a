"""A clearance is tied to the facts it cleared (issue #17, rule 3).

Pure: an underwriter clears an issue *for the facts the rule fired on* (the field →
value pairs of :attr:`~cybercover.underwriting.rules.UnderwritingIssue.facts`). The
clearance keeps a digest of those facts; when the application is evaluated again and
the rule fires on different facts, the clearance no longer holds and the issue opens
again; when the rule fires on the same facts, the clearance stands (and carries over to
an endorsement of the policy, docs/underwriting.md "Clearance tied to facts").

Facts are compared as they are stored (``{field: str(value)}``), so the digest of an
issue's raw facts and of its stored facts are the same.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from cybercover.timeutil import to_utc

__all__ = ["carried_entry", "cleared_facts", "facts_digest", "reopen_entry", "stored_facts"]


def stored_facts(facts: Mapping[str, object]) -> dict[str, str]:
    """The facts as an issue row keeps them: every value as its text."""
    return {str(k): str(v) for k, v in facts.items()}


def facts_digest(facts: Mapping[str, object]) -> str:
    """SHA-256 (hex) of the facts, independent of their order."""
    canonical = json.dumps(
        stored_facts(facts), sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def cleared_facts(
    facts: Mapping[str, object], lowered: Mapping[str, int] | None = None
) -> dict[str, str]:
    """The facts a decision clears: the rule's facts, with the limits an underwriter
    lowered (``lower_limits``) put in place of those asked for, since the issue is
    cleared for the terms as lowered (PRODUCT.md §3 ※1)."""
    out = stored_facts(facts)
    for key, value in (lowered or {}).items():
        field = f"limits.{key}"
        if field in out:
            out[field] = str(value)
    return out


def reopen_entry(
    *,
    at: datetime,
    status_after: str,
    facts_cleared: Mapping[str, object],
    facts_now: Mapping[str, object],
) -> dict[str, Any]:
    """The history row of an issue that opens again because its facts changed."""
    return {
        "at": to_utc(at).isoformat(),
        "by": None,
        "by_name": "",
        "decision": "reopen",
        "reason": "判断の前提となった事実が変わったため再び確認が必要です / "
        "the facts the clearance was given for have changed",
        "status_before": "cleared",
        "status_after": status_after,
        "facts_cleared": stored_facts(facts_cleared),
        "facts_now": stored_facts(facts_now),
    }


def carried_entry(
    *, at: datetime, status_before: str, from_issue: int, facts: Mapping[str, object]
) -> dict[str, Any]:
    """The history row of an endorsement's issue that an earlier clearance of the same
    policy, for the same facts, already covers."""
    return {
        "at": to_utc(at).isoformat(),
        "by": None,
        "by_name": "",
        "decision": "carried",
        "reason": f"同じ事実について確認済み（確認事項 {from_issue}） / "
        f"cleared earlier for the same facts (issue {from_issue})",
        "status_before": status_before,
        "status_after": "cleared",
        "from_issue": from_issue,
        "facts_cleared": stored_facts(facts),
    }
