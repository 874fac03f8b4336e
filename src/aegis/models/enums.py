"""Value sets stored as strings in the database and validated at the API edge."""

from enum import StrEnum


class AssetType(StrEnum):
    """Kinds of assets in the inventory."""

    SERVER = "server"
    WORKSTATION = "workstation"
    NETWORK_DEVICE = "network_device"
    APPLICATION = "application"
    DATABASE = "database"
    CLOUD_SERVICE = "cloud_service"
    SAAS = "saas"
    CONTAINER = "container"
    MOBILE_DEVICE = "mobile_device"
    DATA_STORE = "data_store"
    PROCESS = "process"
    VENDOR = "vendor"
    OTHER = "other"


class Criticality(StrEnum):
    """How much the organisation depends on an asset."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class Environment(StrEnum):
    """Where an asset runs."""

    PRODUCTION = "production"
    STAGING = "staging"
    DEVELOPMENT = "development"
    TEST = "test"
    CORPORATE = "corporate"


class DataClassification(StrEnum):
    """Sensitivity of the data an asset holds or processes."""

    PUBLIC = "public"
    INTERNAL = "internal"
    CONFIDENTIAL = "confidential"
    RESTRICTED = "restricted"


class RiskCategory(StrEnum):
    """Risk categories of the register."""

    STRATEGIC = "strategic"
    OPERATIONAL = "operational"
    TECHNICAL = "technical"
    COMPLIANCE = "compliance"
    FINANCIAL = "financial"
    THIRD_PARTY = "third_party"
    PRIVACY = "privacy"
    REPUTATIONAL = "reputational"


class RiskStatus(StrEnum):
    """Stages of a risk's life."""

    IDENTIFIED = "identified"
    ASSESSED = "assessed"
    TREATMENT_PLANNED = "treatment_planned"
    IN_TREATMENT = "in_treatment"
    ACCEPTED = "accepted"
    ACCEPTANCE_EXPIRED = "acceptance_expired"
    MONITORING = "monitoring"
    CLOSED = "closed"


class AcceptanceRequestStatus(StrEnum):
    """Where a request to accept a risk stands."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class Treatment(StrEnum):
    """Ways to treat a risk."""

    MITIGATE = "mitigate"
    ACCEPT = "accept"
    TRANSFER = "transfer"
    AVOID = "avoid"


class ControlStatus(StrEnum):
    """Implementation status of a control."""

    PLANNED = "planned"
    IMPLEMENTED = "implemented"
    PARTIALLY_IMPLEMENTED = "partially_implemented"
    NOT_IMPLEMENTED = "not_implemented"
    NOT_APPLICABLE = "not_applicable"


class MappingRelationship(StrEnum):
    """How one requirement relates to another (set-theoretic, as in NIST OLIR)."""

    EQUAL = "equal"
    SUBSET = "subset"
    SUPERSET = "superset"
    INTERSECT = "intersect"


class AssessmentStatus(StrEnum):
    """Progress of a compliance assessment."""

    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"


class ResultStatus(StrEnum):
    """Compliance result of one requirement in an assessment."""

    COMPLIANT = "compliant"
    PARTIALLY_COMPLIANT = "partially_compliant"
    NON_COMPLIANT = "non_compliant"
    NOT_APPLICABLE = "not_applicable"
    NOT_ASSESSED = "not_assessed"


class EvidenceKind(StrEnum):
    """Evidence is a stored file or a link to elsewhere."""

    FILE = "file"
    LINK = "link"


class TaskStatus(StrEnum):
    """Progress of a task."""

    OPEN = "open"
    IN_PROGRESS = "in_progress"
    BLOCKED = "blocked"
    DONE = "done"
    CANCELLED = "cancelled"


class TaskPriority(StrEnum):
    """Urgency of a task."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    URGENT = "urgent"


class TaskKind(StrEnum):
    """What a task is for."""

    REMEDIATION = "remediation"
    REVIEW = "review"
    OTHER = "other"
