"""All mapped models; importing this module registers every table on ``Base.metadata``."""

from cybercover.storage.models.audit import AuditHead, AuditRecord
from cybercover.storage.models.base import Base
from cybercover.storage.models.claims import (
    Claim,
    ClaimAdjudication,
    ClaimDocument,
    ClaimPayment,
    ClaimRecovery,
    ClaimReserve,
    LossItem,
    PolicyLedger,
)
from cybercover.storage.models.companies import Company, CompanyAgency
from cybercover.storage.models.incidents import (
    CostDocument,
    Deadline,
    Dispatch,
    Incident,
    IncidentEvent,
    PartnerProfile,
)
from cybercover.storage.models.numbering import NumberSeries
from cybercover.storage.models.outbox import OutboxMessage
from cybercover.storage.models.people import (
    ApiToken,
    LoginFailure,
    Organisation,
    User,
    WebSession,
)
from cybercover.storage.models.policies import (
    Invoice,
    Policy,
    PolicyAgency,
    PolicyTransaction,
    PreBindRecord,
    Quote,
    Submission,
    UnderwritingIssueRow,
    Upload,
)
from cybercover.storage.models.risk import RiskRun

__all__ = [
    "ApiToken",
    "AuditHead",
    "AuditRecord",
    "Base",
    "Claim",
    "ClaimAdjudication",
    "ClaimDocument",
    "ClaimPayment",
    "ClaimRecovery",
    "ClaimReserve",
    "Company",
    "CompanyAgency",
    "CostDocument",
    "Deadline",
    "Dispatch",
    "Incident",
    "IncidentEvent",
    "Invoice",
    "LoginFailure",
    "LossItem",
    "NumberSeries",
    "Organisation",
    "OutboxMessage",
    "PartnerProfile",
    "Policy",
    "PolicyAgency",
    "PolicyLedger",
    "PolicyTransaction",
    "PreBindRecord",
    "Quote",
    "RiskRun",
    "Submission",
    "UnderwritingIssueRow",
    "Upload",
    "User",
    "WebSession",
]
