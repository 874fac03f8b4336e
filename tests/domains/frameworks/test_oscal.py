"""Reading OSCAL catalogs: NIST's own files as published, and hostile or broken ones."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest

from aegis.core.errors import PayloadTooLarge, ValidationFailed
from aegis.domains.frameworks.oscal import parse_catalog
from aegis.domains.frameworks.schemas import MAX_IMPORT_BYTES
from tests.domains.frameworks.data import CSF, CSF_SIMPLE, HIGH, HIGH_PROFILE, PRIVACY, oscal


def catalog(*groups: dict[str, Any], **extra: Any) -> bytes:
    """A minimal OSCAL catalog around some groups."""
    body = {
        "catalog": {
            "uuid": "00000000-0000-4000-8000-000000000000",
            "metadata": {"title": "Test Catalog", "version": "1.0", "oscal-version": "1.1.2"},
            "groups": list(groups),
            **extra,
        }
    }
    return json.dumps(body).encode()


def control(control_id: str, prose: str = "Do it.", **extra: Any) -> dict[str, Any]:
    """A control with a statement."""
    parts = [{"id": f"{control_id}_smt", "name": "statement", "prose": prose}]
    return {"id": control_id, "title": control_id.upper(), "parts": parts, **extra}


WITHDRAWN = [{"name": "status", "value": "withdrawn"}]


def test_csf_catalog_has_6_functions_22_categories_and_106_subcategories() -> None:
    parsed = parse_catalog(oscal(CSF))
    assert Counter((n.depth, n.assessable) for n in parsed.nodes) == {
        (1, False): 6,
        (2, False): 22,
        (3, True): 106,
    }
    assert (parsed.title, parsed.version) == (
        "Electronic Version of NIST Cybersecurity Framework 2.0",
        "1.2.0",
    )


def test_csf_catalog_matches_the_published_csf_tree() -> None:
    expected = json.loads(CSF_SIMPLE.read_text())["nodes"]
    parsed = {n.ref_id: n for n in parse_catalog(oscal(CSF)).nodes}
    assert {(n["id"], n["parent"], n["assessable"]) for n in expected} == {
        (n.ref_id, n.parent_ref, n.assessable) for n in parsed.values()
    }
    assert all(node.text for node in parsed.values())


def test_csf_text_keeps_implementation_examples() -> None:
    parsed = {n.ref_id: n for n in parse_catalog(oscal(CSF)).nodes}
    text = parsed["GV.OC-01"].text
    assert text.startswith("The organizational mission is understood")
    assert "Implementation examples:\n- Share the organization's mission" in text


def test_csf_withdrawn_items_are_skipped() -> None:
    document = json.loads(oscal(CSF))
    withdrawn = set()
    stack = list(document["catalog"]["groups"])
    while stack:
        item = stack.pop()
        stack.extend(item.get("controls", []))
        if any(p.get("name") == "status" and p["value"] == "withdrawn" for p in item["props"]):
            withdrawn.add(item["id"])
    assert len(withdrawn) == 12 + 79
    assert withdrawn.isdisjoint(n.ref_id for n in parse_catalog(oscal(CSF)).nodes)


def test_sp800_53_high_has_370_controls_in_18_families() -> None:
    nodes = parse_catalog(oscal(HIGH)).nodes
    by_ref = {n.ref_id: n for n in nodes}
    assert sum(n.assessable for n in nodes) == 370
    families = [n for n in nodes if n.parent_ref is None]
    assert len(families) == 18 and not any(f.assessable for f in families)
    assert by_ref["AC-2(1)"].parent_ref == "AC-2"
    assert by_ref["AC-2"].parent_ref == "ac"
    assert by_ref["AC-2"].title == "Account Management"
    assert [n.position for n in nodes] == list(range(len(nodes)))
    assert by_ref["AC-2"].position < by_ref["AC-2(1)"].position < by_ref["AC-3"].position


def test_sp800_53_parameters_are_rendered_readably() -> None:
    by_ref = {n.ref_id: n for n in parse_catalog(oscal(HIGH)).nodes}
    assert "c. Require [Assignment: prerequisites and criteria] for group" in by_ref["AC-2"].text
    assert "  1. Authorized users of the system;" in by_ref["AC-2"].text
    assert (
        "[Selection (one or more): decrypting the information; blocking the flow"
        in by_ref["AC-4(4)"].text
    )
    assert all("{{" not in n.text for n in by_ref.values())


def test_sp800_53_guidance_follows_the_statement() -> None:
    text = {n.ref_id: n for n in parse_catalog(oscal(HIGH)).nodes}["AC-2(1)"].text
    statement, guidance = text.split("\n\nGuidance: ")
    assert (
        statement
        == "Support the management of system accounts using [Assignment: automated mechanisms]."
    )
    assert guidance.startswith("Automated system account management includes")


def test_privacy_baseline_has_102_controls_in_16_families() -> None:
    nodes = parse_catalog(oscal(PRIVACY)).nodes
    assert sum(n.assessable for n in nodes) == 102
    assert sum(n.parent_ref is None for n in nodes) == 16


def test_withdrawn_controls_and_everything_below_are_skipped() -> None:
    old = control("x-1", props=WITHDRAWN, controls=[control("x-1.1")])
    group = {"id": "x", "title": "X", "controls": [old, control("x-2")]}
    gone = {"id": "y", "title": "Y", "props": WITHDRAWN, "controls": [control("y-1")]}
    nodes = parse_catalog(catalog(group, gone)).nodes
    assert [n.ref_id for n in nodes] == ["x", "x-2"]


def test_label_without_class_is_the_reference_and_spaced_labels_are_not() -> None:
    labels = [
        {"name": "label", "value": "X-01", "class": "zero-padded"},
        {"name": "label", "value": "X-1"},
    ]
    group = {
        "id": "x",
        "title": "X",
        "props": [{"name": "label", "value": "Group X (x)"}],
        "controls": [control("x-1", props=labels)],
    }
    assert [n.ref_id for n in parse_catalog(catalog(group)).nodes] == ["x", "X-1"]


def test_siblings_follow_their_sort_ids() -> None:
    group = {
        "id": "g",
        "title": "G",
        "controls": [
            control("b", props=[{"name": "sort-id", "value": "02"}]),
            control("a", props=[{"name": "sort-id", "value": "01"}]),
        ],
    }
    assert [(n.ref_id, n.position) for n in parse_catalog(catalog(group)).nodes] == [
        ("g", 0),
        ("a", 1),
        ("b", 2),
    ]


def test_parameter_values_unknown_parameters_and_cycles() -> None:
    params = [
        {"id": "p-set", "label": "ignored", "values": ["30 days"]},
        {"id": "p-loop", "select": {"choice": ["{{ insert: param, p-loop }}"]}},
        {"id": "p-bare"},
    ]
    prose = (
        "Every {{ insert: param, p-set }}, {{ insert: param, p-none }}, "
        "{{insert:param,p-bare}} and {{ insert: param, p-loop }}."
    )
    group = {"id": "g", "title": "G", "controls": [control("c", prose, params=params)]}
    text = parse_catalog(catalog(group)).nodes[1].text
    assert text.startswith("Every 30 days, [p-none], [p-bare] and [Selection: [Selection: ")


def test_controls_may_sit_directly_in_the_catalog() -> None:
    nodes = parse_catalog(catalog(controls=[control("c-1")])).nodes
    assert [(n.ref_id, n.assessable, n.parent_ref) for n in nodes] == [("c-1", True, None)]


def _rejected(content: bytes) -> str:
    with pytest.raises(ValidationFailed) as caught:
        parse_catalog(content)
    assert caught.value.details and caught.value.details[0]["field"] == "file"
    return caught.value.message


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xff\xfe not text", "not UTF-8"),
        (b"<catalog/>", "not JSON"),
        (b'{"catalog": ', "not JSON"),
        (b"[1, 2]", "top level must be an object"),
        (b'{"title": "x"}', "no 'catalog'"),
        (b'{"component-definition": {}}', "OSCAL component-definition, not a catalog"),
        (b'{"catalog": []}', "catalog: must be an object"),
        (b'{"catalog": {"groups": []}}', "'metadata' is missing"),
        (b'{"catalog": {"metadata": {"version": "1"}}}', "catalog.metadata: 'title' is missing"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    ],
)
def test_files_that_are_not_catalogs_are_rejected(content: bytes, message: str) -> None:
    assert message in _rejected(content)


def test_a_profile_is_rejected_with_advice() -> None:
    assert "OSCAL profile; import its resolved catalog" in _rejected(oscal(HIGH_PROFILE))


def test_a_control_without_id_is_rejected_with_its_path() -> None:
    group = {"id": "g", "title": "G", "controls": [control("c-1"), {"title": "No id"}]}
    assert "catalog.groups[0].controls[1]: 'id' is missing" in _rejected(catalog(group))


def test_wrong_types_are_rejected_with_their_path() -> None:
    assert "catalog.groups[0].controls: must be a list" in _rejected(
        catalog({"id": "g", "title": "G", "controls": {"id": "c"}})
    )
    assert "catalog.groups[0]: must be an object" in _rejected(catalog("not a group"))  # type: ignore[arg-type]
    assert "'title' must be a non-empty string" in _rejected(catalog({"id": "g", "title": 7}))


def test_groups_nested_too_deep_are_rejected() -> None:
    group: dict[str, Any] = control("leaf")
    for depth in range(13):
        group = {"id": f"g{depth}", "title": "G", "groups": [group]}
    assert "nested deeper than 12" in _rejected(catalog(group))


def test_parts_nested_too_deep_are_rejected() -> None:
    part: dict[str, Any] = {"name": "item", "prose": "deep"}
    for _ in range(10):
        part = {"name": "item", "parts": [part]}
    leaf = {"id": "c", "title": "C", "parts": [{"name": "statement", "parts": [part]}]}
    assert "parts are nested deeper than 8" in _rejected(
        catalog({"id": "g", "title": "G", "controls": [leaf]})
    )


def test_duplicate_references_are_rejected() -> None:
    same = [{"name": "label", "value": "C-1"}]
    group = {
        "id": "g",
        "title": "G",
        "controls": [control("a", props=same), control("b", props=same)],
    }
    assert "id 'C-1' repeats" in _rejected(catalog(group))


def test_a_catalog_without_active_controls_is_rejected() -> None:
    group = {"id": "g", "title": "G", "controls": [control("c", props=WITHDRAWN)]}
    assert "there are no active controls" in _rejected(catalog(group))
    assert "there are no requirements" in _rejected(catalog())


def test_texts_that_explode_through_parameters_are_rejected() -> None:
    params = [{"id": "big", "label": "x" * 900}]
    prose = "{{ insert: param, big }}" * 200
    group = {"id": "g", "title": "G", "controls": [control("c", prose, params=params)]}
    assert "too long" in _rejected(catalog(group))


def test_a_file_over_the_import_limit_is_refused_before_parsing() -> None:
    with pytest.raises(PayloadTooLarge):
        parse_catalog(b" " * (MAX_IMPORT_BYTES + 1))
