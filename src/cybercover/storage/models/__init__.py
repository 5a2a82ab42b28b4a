"""All mapped models; importing this module registers every table on ``Base.metadata``."""

from cybercover.storage.models.audit import AuditHead, AuditRecord
from cybercover.storage.models.base import Base
from cybercover.storage.models.claim_history import ClaimStatusChange
from cybercover.storage.models.claims import (
    CircumstanceNotice,
    Claim,
    ClaimAdjudication,
    ClaimDocument,
    ClaimPayment,
    ClaimRecovery,
    ClaimReserve,
    LossItem,
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
    PolicyTermsVersion,
    PolicyTransaction,
    PreBindRecord,
    PremiumReceipt,
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
    "CircumstanceNotice",
    "Claim",
    "ClaimAdjudication",
    "ClaimDocument",
    "ClaimPayment",
    "ClaimRecovery",
    "ClaimReserve",
    "ClaimStatusChange",
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
    "PolicyTermsVersion",
    "PolicyTransaction",
    "PreBindRecord",
    "PremiumReceipt",
    "Quote",
    "RiskRun",
    "Submission",
    "UnderwritingIssueRow",
    "Upload",
    "User",
    "WebSession",
]
