"""Log lines as configured: an exception is written as its plain traceback, never its locals."""

from __future__ import annotations

import io
import json

import pytest
import structlog

from aegis.core.logging import processors

TYPED = "Pw-typed-by-the-user-8e1d"


def _check_password(typed: str) -> None:
    reversed_typed = typed[::-1]
    raise RuntimeError(f"could not check a password of {len(reversed_typed)} characters")


@pytest.mark.parametrize("as_json", [True, False])
def test_an_exception_is_logged_with_its_traceback_but_no_local_value(as_json: bool) -> None:
    out = io.StringIO()
    log = structlog.wrap_logger(structlog.PrintLogger(out), processors=processors(json=as_json))
    try:
        _check_password(TYPED)
    except RuntimeError:
        log.exception("sign_in_error", request_id="r-1")
    text = out.getvalue()
    if as_json:
        line = json.loads(text)
        assert (line["event"], line["level"], line["request_id"]) == (
            "sign_in_error",
            "error",
            "r-1",
        )
        text = line["exception"]
    assert "Traceback" in text and "_check_password" in text
    assert "could not check a password of 25 characters" in text
    assert TYPED not in text and TYPED[::-1] not in text
