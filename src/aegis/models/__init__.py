"""ORM tables, one module per aggregate; importing this package registers them all."""

from aegis.models.api_token import ApiToken, ApiTokenAccess, api_token_units
from aegis.models.assessment import Assessment, AssessmentResult
from aegis.models.asset import Asset, asset_dependencies, asset_tags
from aegis.models.audit import AuditChainHead, AuditEvent
from aegis.models.control import Control, control_requirements
from aegis.models.discussion import Comment, RiskAttachment
from aegis.models.evidence import (
    Evidence,
    EvidenceVersion,
    evidence_controls,
    evidence_requirements,
)
from aegis.models.framework import Framework, Requirement, RequirementMapping
from aegis.models.mfa import (
    MfaChallenge,
    MfaRequirement,
    RecoveryCode,
    SecurityKey,
    TotpCredential,
)
from aegis.models.notification import Notification
from aegis.models.quarantine import QuarantinedFile
from aegis.models.risk import (
    Risk,
    RiskAcceptanceRequest,
    RiskScoreChange,
    risk_assets,
    risk_controls,
)
from aegis.models.setting import StoredSetting
from aegis.models.sign_in import SignInThrottle
from aegis.models.task import Task, TaskComment
from aegis.models.unit import Unit
from aegis.models.user import AuthSession, RefreshToken, RoleAssignment, User

__all__ = [
    "ApiToken",
    "ApiTokenAccess",
    "Assessment",
    "AssessmentResult",
    "Asset",
    "AuditChainHead",
    "AuditEvent",
    "AuthSession",
    "Comment",
    "Control",
    "Evidence",
    "EvidenceVersion",
    "Framework",
    "MfaChallenge",
    "MfaRequirement",
    "Notification",
    "QuarantinedFile",
    "RecoveryCode",
    "RefreshToken",
    "Requirement",
    "RequirementMapping",
    "Risk",
    "RiskAcceptanceRequest",
    "RiskAttachment",
    "RiskScoreChange",
    "RoleAssignment",
    "SecurityKey",
    "SignInThrottle",
    "StoredSetting",
    "Task",
    "TaskComment",
    "TotpCredential",
    "Unit",
    "User",
    "api_token_units",
    "asset_dependencies",
    "asset_tags",
    "control_requirements",
    "evidence_controls",
    "evidence_requirements",
    "risk_assets",
    "risk_controls",
]
