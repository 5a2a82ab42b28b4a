"""Documents as PDF (issue #9): quote, policy schedule, settlement letter, incident report.

Each route calls one service, which authorises through the same scoped loaders as the
JSON routes: an outsider gets 404/403 problem JSON and no byte of the document.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from cybercover.api.deps import CurrentActor, Db
from cybercover.services.documents import (
    Rendered,
    content_disposition,
    incident_pdf,
    parse_lang,
    quote_pdf,
    schedule_pdf,
    settlement_pdf,
)

router = APIRouter(tags=["documents"])

LangQuery = Annotated[
    str, Query(description="ja（日本語、既定）または en / ja (default) or en", examples=["en"])
]
PDF: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/pdf": {}}, "description": "PDF"}
}


def _pdf(doc: Rendered) -> Response:
    return Response(
        doc.content,
        media_type="application/pdf",
        headers={
            "Content-Disposition": content_disposition(doc),
            "Cache-Control": "private, no-store",
        },
    )


@router.get("/submissions/{submission_id}/documents/quote.pdf", responses=PDF)
def quote(submission_id: int, actor: CurrentActor, db: Db, lang: LangQuery = "ja") -> Response:
    """見積書 / quotation of the submission's current options."""
    return _pdf(quote_pdf(db, actor, submission_id, parse_lang(lang)))


@router.get("/policies/{policy_id}/documents/schedule.pdf", responses=PDF)
def schedule(policy_id: int, actor: CurrentActor, db: Db, lang: LangQuery = "ja") -> Response:
    """保険証券 / policy schedule."""
    return _pdf(schedule_pdf(db, actor, policy_id, parse_lang(lang)))


@router.get("/claims/{claim_id}/documents/settlement.pdf", responses=PDF)
def settlement(
    claim_id: int,
    actor: CurrentActor,
    db: Db,
    lang: LangQuery = "ja",
    payment_id: Annotated[
        int | None, Query(description="1件の支払だけ / one payment only (default: all to date)")
    ] = None,
) -> Response:
    """保険金支払通知書 / settlement letter."""
    return _pdf(settlement_pdf(db, actor, claim_id, parse_lang(lang), payment_id))


@router.get("/incidents/{incident_id}/documents/report.pdf", responses=PDF)
def incident_report(
    incident_id: int, actor: CurrentActor, db: Db, lang: LangQuery = "ja"
) -> Response:
    """事故対応報告書 / incident report."""
    return _pdf(incident_pdf(db, actor, incident_id, parse_lang(lang)))
