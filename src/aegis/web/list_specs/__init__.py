"""Every list declared once: its page, its exports and the links to it read from here."""

from aegis.web.list_specs.assessments import ASSESSMENTS
from aegis.web.list_specs.assets import ASSETS
from aegis.web.list_specs.audit import AUDIT
from aegis.web.list_specs.controls import CONTROLS
from aegis.web.list_specs.evidence import EVIDENCE
from aegis.web.list_specs.frameworks import FRAMEWORKS
from aegis.web.list_specs.risks import RISKS
from aegis.web.list_specs.tasks import TASKS

ALL = (RISKS, ASSETS, CONTROLS, EVIDENCE, TASKS, ASSESSMENTS, FRAMEWORKS, AUDIT)

__all__ = [
    "ALL",
    "ASSESSMENTS",
    "ASSETS",
    "AUDIT",
    "CONTROLS",
    "EVIDENCE",
    "FRAMEWORKS",
    "RISKS",
    "TASKS",
]
