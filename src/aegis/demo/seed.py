"""Seeding the demo organisation of Northwind Holdings, deterministic for a given seed."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from aegis.core.authz import Principal, Role
from aegis.core.storage import LocalBlobStore
from aegis.demo import catalog
from aegis.demo.content import evidence_file
from aegis.domains.assessments import service as assessments
from aegis.domains.assessments.schemas import AssessmentCreate, OverrideWrite
from aegis.domains.assets import service as assets
from aegis.domains.assets.schemas import AssetCreate, AssetUpdate
from aegis.domains.auth import service as auth
from aegis.domains.common.quotas import UploadQuota
from aegis.domains.controls import service as controls
from aegis.domains.controls.schemas import ControlCreate
from aegis.domains.evidence import files as evidence_files
from aegis.domains.evidence import service as evidence
from aegis.domains.evidence.schemas import EvidenceFileCreate, EvidenceLinkCreate, Upload
from aegis.domains.frameworks import service as frameworks
from aegis.domains.risks import acceptance
from aegis.domains.risks import service as risks
from aegis.domains.risks.acceptance_schemas import (
    AcceptanceDecision,
    AcceptancePolicy,
    AcceptanceRequestCreate,
)
from aegis.domains.risks.schemas import RiskCreate
from aegis.domains.tasks import service as tasks
from aegis.domains.tasks.schemas import TaskCreate, TaskUpdate
from aegis.domains.units import service as units
from aegis.domains.users import service as users
from aegis.domains.users.schemas import UserCreate
from aegis.models import Unit, User

# the demo's shared sign-in password, printed at start-up; never seeded in production
DEMO_PASSWORD = "northwind-demo-2026"  # noqa: S105  # nosec B105 # demo data only
DEMO_DOMAIN = "northwind.example.com"
STATUS_BY_TREATMENT = {"accept": "accepted", "transfer": "monitoring", "mitigate": "in_treatment"}
ROLE_TITLES = {
    "admin": "Administrator",
    "analyst": "Risk analyst",
    "readonly": "Auditor (read-only)",
}


@dataclass
class DemoSummary:
    """What the demo contains and how to sign in."""

    logins: list[tuple[str, str]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @classmethod
    def existing(cls, session: Session) -> DemoSummary | None:
        """The sign-ins of an already seeded demo, or None when this is not a demo database."""
        emails = [f"{local}@{DEMO_DOMAIN}" for local, *_ in catalog.PEOPLE]
        found = set(session.scalars(select(User.email).where(User.email.in_(emails))))
        if not found:
            return None
        return cls(logins=[login for login in _logins() if login[0] in found])


def _logins() -> list[tuple[str, str]]:
    rows = []
    for local, _name, role, unit in catalog.PEOPLE:
        scope = unit or catalog.ORGANISATION
        rows.append((f"{local}@{DEMO_DOMAIN}", f"{ROLE_TITLES[role]}, {scope}"))
    return rows


def has_data(session: Session) -> bool:
    """Whether the database already holds an organisation."""
    return session.scalar(select(Unit.id).limit(1)) is not None


class _Builder:
    """Creates the demo objects one kind after another, remembering their ids."""

    def __init__(self, session: Session, store: LocalBlobStore, seed: int, today: date) -> None:
        self.session, self.store, self.today = session, store, today
        self.rng = random.Random(seed)  # nosec B311 # demo data, reproducible from its seed
        self.units: dict[str, int] = {}
        self.users: dict[str, int] = {}
        self.assets: dict[str, int] = {}
        self.controls: dict[str, int] = {}
        self.risks: dict[str, int] = {}
        self.admin: Principal | None = None

    @property
    def principal(self) -> Principal:
        if self.admin is None:
            raise RuntimeError("the demo administrator is created first")
        return self.admin

    def organisation(self) -> None:
        root = units.create_root_unit(session=self.session, name=catalog.ORGANISATION)
        self.units[catalog.ORGANISATION] = root.id
        for division, teams in catalog.DIVISIONS.items():
            unit = units.create_child_unit(session=self.session, parent_id=root.id, name=division)
            self.units[division] = unit.id
            for team in teams:
                child = units.create_child_unit(session=self.session, parent_id=unit.id, name=team)
                self.units[team] = child.id

    def people(self) -> None:
        for local, name, role, unit in catalog.PEOPLE:
            data = UserCreate(
                email=f"{local}@{DEMO_DOMAIN}",
                name=name,
                password=DEMO_PASSWORD,
                role=Role(role),
                unit_id=self.units[unit or catalog.ORGANISATION],
            )
            self.users[local] = users.create_user(
                session=self.session, principal=None, data=data
            ).id
        admin = self.session.get(User, self.users["admin"])
        if admin is None:
            raise RuntimeError("the demo administrator was not stored")
        self.admin = auth.principal_for_user(session=self.session, user=admin)

    def owner(self) -> int:
        return self.users[self.rng.choice(["analyst", "retail.analyst", "corporate.analyst"])]

    def inventory(self, scale: int) -> None:
        for copy in range(scale):
            suffix = "" if copy == 0 else f"-{copy + 1}"
            for name, kind, criticality, env, classification, tags, team in catalog.ASSETS:
                host = f"{name}{suffix}.{team.lower().replace(' ', '-')}.northwind.internal"
                data = AssetCreate(
                    unit_id=self.units[team],
                    name=f"{name}{suffix}",
                    type=kind,
                    criticality=criticality,
                    environment=env,
                    data_classification=classification,
                    tags=tags,
                    owner_id=self.owner(),
                    hostname=host,
                    description=f"{name.replace('-', ' ').capitalize()} of {team}.",
                )
                created = assets.create_asset(
                    session=self.session, principal=self.principal, data=data
                )
                self.assets[f"{name}{suffix}"] = created.id
        by_asset: dict[str, list[int]] = {}
        for name, other in catalog.DEPENDENCIES:
            by_asset.setdefault(name, []).append(self.assets[other])
        for name, ids in by_asset.items():
            assets.update_asset(
                session=self.session,
                principal=self.principal,
                asset_id=self.assets[name],
                data=AssetUpdate(depends_on_ids=ids),
            )

    def control_library(self, shipped: dict[str, dict[str, int]]) -> None:
        csf, sp800 = shipped["csf"], shipped["sp800-53"]
        for ref, title, status, team, csf_refs, sp_refs in catalog.CONTROLS:
            requirement_ids = [csf[r] for r in csf_refs if r in csf]
            requirement_ids += [sp800[r] for r in sp_refs if r in sp800]
            data = ControlCreate(
                unit_id=self.units[team or catalog.ORGANISATION],
                ref=ref,
                title=title,
                status=status,
                owner_id=self.owner(),
                requirement_ids=requirement_ids,
                description=f"{title}. Operated and reviewed by the control owner.",
            )
            created = controls.create_control(
                session=self.session, principal=self.principal, data=data
            )
            self.controls[ref] = created.id

    def register(self, scale: int) -> None:
        control_ids = list(self.controls.values())
        for copy in range(scale):
            suffix = "" if copy == 0 else f" ({copy + 1})"
            for title, category, inherent, residual, treatment, unit, linked in catalog.RISKS:
                self.risks[f"{title}{suffix}"] = self._risk(
                    f"{title}{suffix}",
                    category,
                    inherent,
                    residual,
                    treatment,
                    unit,
                    linked,
                    self.rng.sample(control_ids, k=self.rng.randint(1, 3)),
                )

    def _risk(
        self,
        title: str,
        category: str,
        inherent: tuple[int, int],
        residual: tuple[int, int] | None,
        treatment: str | None,
        unit: str,
        linked: list[str],
        control_ids: list[int],
    ) -> int:
        status = STATUS_BY_TREATMENT.get(treatment or "", "assessed") if residual else "identified"
        accepted = status == "accepted"
        data = RiskCreate(
            unit_id=self.units[unit],
            title=title,
            category=category,
            status="assessed" if accepted else status,
            description=f"{title}. Identified in the yearly risk workshop.",
            owner_id=self.owner(),
            inherent_likelihood=inherent[0],
            inherent_impact=inherent[1],
            residual_likelihood=residual[0] if residual else None,
            residual_impact=residual[1] if residual else None,
            treatment=treatment,
            treatment_plan=""
            if not treatment
            else f"{treatment.capitalize()}: see linked controls and tasks.",
            treatment_due_date=self.today + timedelta(days=self.rng.randint(-20, 120))
            if treatment == "mitigate"
            else None,
            next_review_date=self.today + timedelta(days=self.rng.randint(-15, 200)),
            asset_ids=[self.assets[name] for name in linked],
            control_ids=control_ids,
        )
        risk_id = risks.create_risk(session=self.session, principal=self.principal, data=data).id
        if accepted:
            self._accept(risk_id)
        return risk_id

    def _accept(self, risk_id: int) -> None:
        """The company analyst asks for the acceptance and the administrator approves it."""
        analyst = self.session.get(User, self.users["analyst"])
        if analyst is None:
            raise RuntimeError("the demo analyst was not stored")
        policy = AcceptancePolicy()
        request = acceptance.request_acceptance(
            session=self.session,
            principal=auth.principal_for_user(session=self.session, user=analyst),
            risk_id=risk_id,
            data=AcceptanceRequestCreate(
                justification="Within appetite; cost of treatment exceeds exposure.",
                expires_on=self.today + timedelta(days=180),
            ),
            policy=policy,
            today=self.today,
        )
        acceptance.approve_request(
            session=self.session,
            principal=self.principal,
            request_id=request.id,
            data=AcceptanceDecision(comment="Reviewed at the quarterly risk committee."),
            policy=policy,
            today=self.today,
        )

    def evidence(self) -> None:
        for title, filename, refs, expires_in in catalog.EVIDENCE:
            control = refs[0]
            team_unit = self._unit_of_control(control)
            data = EvidenceFileCreate(
                unit_id=team_unit,
                title=title,
                owner_id=self.owner(),
                expires_on=self.today + timedelta(days=expires_in),
                control_ids=[self.controls[r] for r in refs],
            )
            upload = Upload(filename=filename, stream=evidence_file(filename, title, self.today))
            evidence_files.upload_evidence(
                session=self.session,
                principal=self.principal,
                store=self.store,
                data=data,
                upload=upload,
                max_bytes=10 * 1024 * 1024,
                quota=UploadQuota(),  # the demo's own files count against no one
            )
        link = EvidenceLinkCreate(
            unit_id=self.units[catalog.ORGANISATION],
            title="Board minutes approving the security policy",
            url="https://intranet.northwind.example.com/board/2026-03-minutes",
            control_ids=[self.controls["GV-01"]],
            expires_on=self.today + timedelta(days=365),
        )
        evidence.create_link(session=self.session, principal=self.principal, data=link)

    def _unit_of_control(self, ref: str) -> int:
        team = next(row[3] for row in catalog.CONTROLS if row[0] == ref)
        return self.units[team or catalog.ORGANISATION]

    def assessment(self, csf_framework_id: int, csf: dict[str, int]) -> None:
        created = assessments.create_assessment(
            session=self.session,
            principal=self.principal,
            data=AssessmentCreate(
                unit_id=self.units[catalog.ORGANISATION],
                framework_id=csf_framework_id,
                name="NIST CSF 2.0 self-assessment 2026",
                status="in_progress",
                description="Yearly self-assessment against NIST CSF 2.0 for the board.",
                due_date=self.today + timedelta(days=30),
            ),
        )
        assessments.set_override(
            session=self.session,
            principal=self.principal,
            assessment_id=created.id,
            requirement_id=csf["GV.OC-01"],
            data=OverrideWrite(
                status="compliant",
                justification="Mission statement reviewed with the board; minutes on file.",
            ),
        )

    def work(self) -> None:
        for title, kind, priority, due_in, status, (link_kind, ref) in catalog.TASKS:
            link = {
                "risk": {"risk_id": self.risks.get(ref)},
                "control": {"control_id": self.controls.get(ref)},
                "asset": {"asset_id": self.assets.get(ref)},
            }[link_kind]
            created = tasks.create_task(
                session=self.session,
                principal=self.principal,
                data=TaskCreate(
                    title=title,
                    kind=kind,
                    priority=priority,
                    assignee_id=self.owner(),
                    due_date=self.today + timedelta(days=due_in),
                    **link,
                ),
            )
            if status != "open":
                tasks.update_task(
                    session=self.session,
                    principal=self.principal,
                    task_id=created.id,
                    data=TaskUpdate(status=status),
                )


def _shipped_requirements(
    session: Session, principal: Principal, root: int
) -> tuple[int, dict[str, dict[str, int]]]:
    """Load the shipped frameworks; return the CSF id and {key: {ref_id: requirement id}}."""
    loaded = {
        f.key: f.id for f in frameworks.load_shipped_frameworks(session=session, unit_id=root)
    }
    wanted = {"csf": loaded["nist-csf"], "sp800-53": loaded["nist-sp-800-53-high"]}
    refs = {
        key: frameworks.requirement_ids(session=session, principal=principal, framework_id=fid)
        for key, fid in wanted.items()
    }
    return wanted["csf"], refs


def seed_demo(
    session: Session,
    *,
    store: LocalBlobStore,
    seed: int = 2026,
    scale: int = 1,
    today: date | None = None,
) -> DemoSummary:
    """Create the demo organisation in an empty database and return how to sign in."""
    builder = _Builder(session, store, seed, today or date.today())
    builder.organisation()
    builder.people()
    csf_id, shipped = _shipped_requirements(
        session, builder.principal, builder.units[catalog.ORGANISATION]
    )
    builder.inventory(scale)
    builder.control_library(shipped)
    builder.register(scale)
    builder.evidence()
    builder.assessment(csf_id, shipped["csf"])
    builder.work()
    session.flush()
    counts = {
        "units": len(builder.units),
        "users": len(builder.users),
        "assets": len(builder.assets),
        "controls": len(builder.controls),
        "risks": len(builder.risks),
    }
    return DemoSummary(logins=_logins(), counts=counts)
