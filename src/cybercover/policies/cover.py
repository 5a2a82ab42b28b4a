"""Cover in time: which terms version is in force at a moment, and whether the premium
condition lets an accident at that moment be paid (issue #17, rules 1 and 2).

Pure: the caller hands in the policy's history (its period, its terms versions and its
lifecycle events) and the first premium instalment; nothing here reads a database or a
clock. The incident desk, the claims worksheet, payments and ``GET /policies/{id}/terms``
all ask these functions, so "in force?" has one answer everywhere.

- **Versions.** Bind/issue makes version 1 from the start of the period; each applied
  endorsement a new version from its effective moment. Version *n* is in force from its
  ``effective_from`` until the next version's (or the end of the period).
- **Spans.** The policy is in force over half-open spans: the period, cut at a
  cancellation or a lapse. Reinstating a *lapsed* policy starts a new span at the
  reinstatement: the gap stays uncovered (nothing is covered after the fact). Reinstating
  a *cancelled* policy rescinds the cancellation (the returned premium is charged back in
  full, services/policies.py), so cover is continuous again.
- **Premium condition** (保険料領収前の事故, product ``[policy]``): an accident after the
  first instalment was received is covered. One before that instalment fell due (a
  monthly plan or direct debit whose first collection falls after the start) is covered,
  its payment *held* until the premium is received, and refused once the premium is
  overdue past the grace period. One on or after the due date while the premium was
  unpaid is not covered, unless the product covers accidents before the premium is
  received (``cover_before_premium_received``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Literal

from cybercover.timeutil import JST

__all__ = [
    "Cover",
    "FirstPremium",
    "LifecycleEvent",
    "PolicyHistory",
    "TermsVersion",
    "cover_at",
    "in_force_spans",
    "premium_condition",
    "version_at",
]

EventKind = Literal["cancellation", "lapse", "reinstatement"]
PremiumState = Literal["received", "held", "refused", "not_required"]


@dataclass(frozen=True, slots=True)
class TermsVersion:
    """One version of a policy's terms: the options as stored (limits, deductibles,
    business interruption, waiting period) and the annual premium they were rated at."""

    number: int
    effective_from: datetime
    terms: dict[str, Any]
    annual_premium: int


@dataclass(frozen=True, slots=True)
class LifecycleEvent:
    kind: EventKind
    at: datetime
    after: str = ""  # for a reinstatement: what it reinstated ("cancellation" or "lapse")


@dataclass(frozen=True, slots=True)
class PolicyHistory:
    start: datetime
    end: datetime
    versions: tuple[TermsVersion, ...]
    events: tuple[LifecycleEvent, ...] = ()
    issued: bool = True


@dataclass(frozen=True, slots=True)
class FirstPremium:
    """The first premium instalment: when it falls due (a date in Japan) and when it was
    received in full (the bank's value date), if it was."""

    due_on: date
    received_at: datetime | None


@dataclass(frozen=True, slots=True)
class Cover:
    """The answer for one moment: in force, the version, and the premium condition."""

    at: datetime
    in_force: bool
    version: TermsVersion | None
    premium: PremiumState
    reason: str  # a stable code: covered, not_started, ended, lapse_gap, not_issued, premium_*

    @property
    def covered(self) -> bool:
        """Cover exists (a held payment included: it waits for the premium, not for a
        decision)."""
        return self.in_force and self.premium in ("received", "held", "not_required")


def in_force_spans(history: PolicyHistory) -> list[tuple[datetime, datetime]]:
    """The half-open spans over which the policy was in force, in order."""
    if not history.issued:
        return []
    spans: list[tuple[datetime, datetime]] = []
    open_from: datetime | None = history.start
    ended_by: str | None = None
    for event in sorted(history.events, key=lambda e: e.at):
        if event.kind in ("cancellation", "lapse"):
            if open_from is not None:
                end = max(min(event.at, history.end), open_from)
                if end > open_from:
                    spans.append((open_from, end))
                open_from, ended_by = None, event.kind
        elif event.kind == "reinstatement" and open_from is None:
            if ended_by == "cancellation" or event.after == "cancellation":
                # rescinded: cover continues from where the cancelled span began
                open_from = spans.pop()[0] if spans else history.start
            else:
                open_from = max(event.at, history.start)
            ended_by = None
    if open_from is not None and open_from < history.end:
        spans.append((open_from, history.end))
    return spans


def version_at(history: PolicyHistory, at: datetime) -> TermsVersion | None:
    """The terms version in effect at ``at`` (whether or not the policy was in force)."""
    if not history.start <= at < history.end:
        return None
    current = None
    for version in sorted(history.versions, key=lambda v: (v.effective_from, v.number)):
        if version.effective_from <= at:
            current = version
    return current


def premium_condition(
    at: datetime,
    first: FirstPremium | None,
    *,
    grace_days: int,
    cover_before_premium_received: bool,
    now: datetime,
) -> PremiumState:
    """The premium condition for an accident at ``at``, judged at ``now``."""
    if cover_before_premium_received:
        return "not_required"
    if first is None:
        return "refused"
    if first.received_at is not None and first.received_at <= at:
        return "received"
    due = datetime.combine(first.due_on, time(0), tzinfo=JST)
    if at >= due:
        return "refused"  # the premium was due and unpaid when the accident happened
    past_grace = due + timedelta(days=grace_days + 1)  # 00:00 JST after the last day
    if first.received_at is not None:
        # received since: within its due date or grace, the held payment goes ahead;
        # received only after the grace period, it came too late for this accident
        return "received" if first.received_at < past_grace else "refused"
    if now >= past_grace:
        return "refused"  # overdue past the grace period: the held claim is refused
    return "held"


def cover_at(
    history: PolicyHistory,
    at: datetime,
    first: FirstPremium | None,
    *,
    grace_days: int,
    cover_before_premium_received: bool,
    now: datetime,
) -> Cover:
    """In force at ``at``? Under which version? And the premium condition."""
    version = version_at(history, at)
    if not history.issued:
        return Cover(at, False, None, "refused", "not_issued")
    if at < history.start:
        return Cover(at, False, None, "refused", "not_started")
    if at >= history.end:
        return Cover(at, False, None, "refused", "ended")
    spans = in_force_spans(history)
    if not any(a <= at < b for a, b in spans):
        later = any(a > at for a, _ in spans)
        reason = "lapse_gap" if later else "ended"
        return Cover(at, False, version, "refused", reason)
    premium = premium_condition(
        at,
        first,
        grace_days=grace_days,
        cover_before_premium_received=cover_before_premium_received,
        now=now,
    )
    reason = "covered" if premium in ("received", "not_required") else f"premium_{premium}"
    return Cover(at, True, version, premium, reason)
