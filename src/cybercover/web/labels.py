"""Names shown for the codes the services return (statuses, roles, parts, plans).

Each name is an English message id, translated through the catalog like the templates'
text; a code with no name here is shown as it is.
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["CLOCKS", "DONE", "LIMITS", "N_", "PLANS", "PREBIND", "ROLES", "STATUSES", "clock_name"]


def N_(message: str) -> str:
    """Mark a message for the catalog; translated where it is shown."""
    return message


ROLES = {
    "policyholder": N_("Policyholder"),
    "agent": N_("Agent"),
    "underwriter": N_("Underwriter"),
    "desk_operator": N_("Desk operator"),
    "partner": N_("Partner"),
    "claims_handler": N_("Claims handler"),
    "admin": N_("Administrator"),
    "actuary": N_("Reinsurance and actuarial"),
    "auditor": N_("Internal audit"),
}

STATUSES = {
    "draft": N_("draft"),
    "quoted": N_("quoted"),
    "referred": N_("referred"),
    "declined": N_("declined"),
    "bound": N_("bound"),
    "issued": N_("issued"),
    "in_force": N_("in force"),
    "cancelled": N_("cancelled"),
    "lapsed": N_("lapsed"),
    "expired": N_("expired"),
    "superseded": N_("superseded"),
    "open": N_("open"),
    "cleared": N_("cleared"),
    "not_applicable": N_("not applicable"),
    "new": N_("new"),
    "reported": N_("reported"),
    "triaged": N_("triaged"),
    "handed_over": N_("handed over"),
    "closed": N_("closed"),
    "requested": N_("requested"),
    "accepted": N_("accepted"),
    "submitted": N_("submitted"),
    "approved": N_("approved"),
    "refused": N_("refused"),
    "paid": N_("paid"),
    "pending_approval": N_("awaiting approval"),
    "done": N_("done"),
    "new_business": N_("new business"),
    "renewal": N_("renewal"),
    "issue": N_("issue"),
    "endorsement": N_("endorsement"),
    "cancellation": N_("cancellation"),
    "reinstatement": N_("reinstatement"),
    "estimate": N_("estimate"),
    "invoice": N_("invoice"),
    "active": N_("active"),
    "withdrawn": N_("withdrawn"),
    "part_paid": N_("part paid"),
    "amended": N_("amended"),
    "rejected": N_("rejected"),
    "voided": N_("voided"),
    "reversed": N_("reversed"),
    # the claim lifecycle (issue #17, rule 7)
    "partly_paid": N_("partly paid"),
    "denied": N_("denied"),
    "reopened": N_("reopened"),
    "applied": N_("applied"),
}

LIMITS = {
    "liability": N_("Liability"),
    "response_costs": N_("Incident response costs"),
    "profit_loss": N_("Loss of profit"),
    "continuation_costs": N_("Business continuation costs"),
    "business_interruption": N_("Business interruption (shared)"),
}

PLANS = {
    "lump_sum": N_("lump sum"),
    "monthly": N_("monthly"),
    "invoice": N_("invoice"),
    "direct_debit": N_("direct debit"),
}

PREBIND = {
    "important_matters": N_("Important matters explained (重要事項説明)"),
    "intention_confirmation": N_("Intention confirmed (意向確認)"),
    "application": N_("Signed application received"),
    "antisocial_check": N_("Anti-social forces check clear"),
}

CLOCKS = {
    "first_response": N_("First response"),
    "acceptance": N_("Partner to accept dispatch #%(n)s"),
    "approval": N_("Desk to approve cost #%(n)s"),
}


def clock_name(code: str, gettext: Callable[[str], str]) -> str:
    """``approval:5`` → the translated name with the number filled in."""
    kind, _, number = code.partition(":")
    if kind not in CLOCKS:
        return code
    return gettext(CLOCKS[kind]) % {"n": number}


DONE = {
    "risk_run": N_("The portfolio run is stored."),
    "created": N_("Created."),
    "saved": N_("Saved."),
    "quoted": N_("Quoted: the options are below."),
    "referred": N_("Referred to an underwriter: the quote waits for the decision."),
    "declined": N_("Declined."),
    "draft": N_("Saved."),
    "prebind": N_("Recorded."),
    "bound": N_("Bound. Issue the policy to give it its number."),
    "issued": N_("The policy is issued."),
    "endorsed": N_("The endorsement is applied."),
    "endorsement_referred": N_(
        "The endorsement is referred to an underwriter: apply it once the issues are cleared."
    ),
    "endorsement_declined": N_("The endorsement is declined by underwriting."),
    "renewal": N_("The renewal submission is ready."),
    "cancelled": N_("The policy is cancelled."),
    "reinstated": N_("The policy is back in force."),
    "premium_recorded": N_("Receipt recorded."),
    "decided": N_("Decision recorded."),
    "reported": N_("Your report is received. The desk will call you back."),
    "heard": N_("Hearing saved; the regulatory clocks are set."),
    "linked": N_("The reports are linked: this one is handled as part of the other."),
    "unlinked": N_("The link is undone: this report is an incident of its own again."),
    "advised": N_("Advice recorded."),
    "dispatched": N_("Partner requested."),
    "handed_over": N_("Handed over."),
    "responded": N_("Response sent."),
    "logged": N_("Work logged."),
    "cost": N_("Sent to the desk."),
    "cost_decided": N_("Decision recorded."),
    "deadline_done": N_("Marked as done."),
    "claim_opened": N_("Claim opened."),
    "item": N_("Loss item added."),
    "adjudicated": N_("Worksheet computed."),
    "reserve": N_("Reserve set."),
    "payment": N_("Payment requested."),
    "approved": N_("Payment approved and paid."),
    "payment_decided": N_("Payment decision recorded."),
    "payment_undone": N_("The payment is undone (voided or reversed)."),
    "item_corrected": N_("The loss item is corrected; the original is kept."),
    "notice": N_("The notice of circumstances is recorded."),
    "documents_complete": N_("The documents are complete: the payment clock runs."),
    "recovery": N_("Recovery recorded."),
    "claim_closed": N_("The claim is closed."),
    "claim_denied": N_("The claim is denied: the denial letter is ready."),
    "claim_reopened": N_("The claim is reopened."),
    "user": N_("User created."),
    "user_deactivated": N_("User deactivated: their tokens are revoked and sessions ended."),
    "user_activated": N_("User reactivated."),
    "organisation": N_("Organisation created."),
    "partner": N_("Partner firm registered."),
    "document": N_("Document received."),
    "client": N_("Client registered."),
}
