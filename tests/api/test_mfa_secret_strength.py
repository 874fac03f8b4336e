"""Recovery codes and WebAuthn challenges carry enough randomness and are stored as digests."""

from __future__ import annotations

import math
import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from webauthn.helpers import base64url_to_bytes

from aegis.core.security import token_digest
from aegis.domains.auth.mfa_recovery import ALPHABET, normalise
from aegis.models import RecoveryCode
from tests.conftest import World
from tests.mfa_support import CodeClock, enrol, password_step
from tests.webauthn_support import SoftKey

CODE_SHAPE = re.compile(rf"^[{ALPHABET}]{{5}}(-[{ALPHABET}]{{5}}){{4}}$")


def test_recovery_codes_have_over_112_random_bits_and_only_their_digests_are_stored(
    client: TestClient, token_for, codes: CodeClock, db, world: World
) -> None:
    _, recovery = enrol(client, token_for("analyst"), codes)
    assert len(recovery) == 10 and len(set(recovery)) == 10
    assert all(CODE_SHAPE.match(code) for code in recovery), recovery
    bits = 25 * math.log2(len(set(ALPHABET)))
    assert bits >= 112 and len(set(ALPHABET)) == len(ALPHABET) == 31
    used_symbols = set("".join(normalise(code) for code in recovery))
    assert len(used_symbols) > 20  # drawn from the whole alphabet, not a fixed pattern
    stored = db.scalars(
        select(RecoveryCode.code_hash).where(RecoveryCode.user_id == world.users["analyst"])
    ).all()
    assert sorted(stored) == sorted(token_digest(normalise(code)) for code in recovery)
    assert all(re.fullmatch(r"[0-9a-f]{64}", digest) for digest in stored)


def test_webauthn_challenges_are_256_bits_and_new_every_time(client: TestClient, token_for) -> None:
    headers = token_for("analyst")
    registrations = [
        client.post("/api/v1/auth/mfa/webauthn/options", headers=headers).json()["public_key"]
        for _ in range(3)
    ]
    registered = client.post(
        "/api/v1/auth/mfa/webauthn",
        headers=headers,
        json={"name": "Blue key", "credential": SoftKey().create(registrations[-1])},
    )
    assert registered.status_code == 201, registered.text
    sign_ins = []
    for _ in range(3):
        step = password_step(client)["challenge"]
        options = client.post("/api/v1/auth/login/mfa/webauthn/options", json={"challenge": step})
        assert options.status_code == 200, options.text
        sign_ins.append(options.json()["public_key"])
    challenges = [options["challenge"] for options in registrations + sign_ins]
    assert all(len(base64url_to_bytes(value)) == 32 for value in challenges)
    assert len(set(challenges)) == len(challenges)
