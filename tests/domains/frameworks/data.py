"""Reference files the framework tests read: NIST's OSCAL content as published."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
SHARED = ROOT.parent / "shared" / "data"
PACKAGED = ROOT / "src" / "aegis" / "data" / "oscal"

CSF = "NIST_CSF_v2.0_catalog.json"
HIGH = "NIST_SP-800-53_rev5_HIGH-baseline-resolved-profile_catalog-min.json"
PRIVACY = "NIST_SP-800-53_rev5_PRIVACY-baseline-resolved-profile_catalog-min.json"
HIGH_PROFILE = "NIST_SP-800-53_rev5_HIGH-baseline_profile.json"
CSF_SIMPLE = SHARED / "frameworks" / "nist-csf-2.0.json"


def oscal(name: str) -> bytes:
    """An OSCAL file from the shared data, else the copy shipped in the package."""
    shared = SHARED / "oscal" / name
    return (shared if shared.exists() else PACKAGED / name).read_bytes()
