"""Documents people print, stamp and file (issue #9): quote (見積書), policy schedule
(保険証券), settlement letter (支払通知) and incident report, as PDF.

Pure rendering: each ``render_*`` takes a plain data object (:mod:`.model`) and a
language and returns PDF bytes, with IPAex Gothic embedded (:mod:`.fonts`). Gathering the
data, with authorisation, is ``cybercover.services.documents``. See docs/documents.md.
"""

from cybercover.documents.formats import Lang, date_text, limit_text, moment_text, wareki
from cybercover.documents.incident import render_incident
from cybercover.documents.model import (
    IncidentReport,
    PolicySchedule,
    Quote,
    SettlementLetter,
    T,
)
from cybercover.documents.quote import render_quote
from cybercover.documents.schedule import render_schedule
from cybercover.documents.settlement import render_settlement

__all__ = [
    "IncidentReport",
    "Lang",
    "PolicySchedule",
    "Quote",
    "SettlementLetter",
    "T",
    "date_text",
    "limit_text",
    "moment_text",
    "render_incident",
    "render_quote",
    "render_schedule",
    "render_settlement",
    "wareki",
]
