"""Named levels on the risk form and page, the appetite on the heatmaps, the matrix editor."""

from __future__ import annotations

import json
import re
from html import unescape

from aegis.domains.risks import service
from aegis.domains.risks.matrix import DEFAULT_MATRIX
from aegis.domains.risks.schemas import RiskMatrix
from aegis.web.colours import contrast
from tests.factories.risks import make_risk

BANDS = [
    ("Low", 1, 5, "#2e7d32"),
    ("Medium", 6, 10, "#f9a825"),
    ("High", 11, 15, "#ef6c00"),
    ("Critical", 16, 25, "#c62828"),
]
CELL = re.compile(r'<a href="[^"]*?(\w+)_likelihood=(\d+)&amp;\1_impact=(\d+)">(.*?)</a>', re.S)


def _matrix_form(**changes: str) -> dict[str, str]:
    """The matrix form as the page sends it for the default matrix, with some fields changed."""
    form = {"likelihood_levels": "5", "impact_levels": "5", "appetite_score": "10"}
    for index, (name, low, high, colour) in enumerate(BANDS):
        form |= {
            f"bands.{index}.name": name,
            f"bands.{index}.min_score": str(low),
            f"bands.{index}.max_score": str(high),
            f"bands.{index}.color": colour,
        }
    for axis in ("likelihood", "impact"):
        for index, level in enumerate(getattr(DEFAULT_MATRIX, f"{axis}_scale")):
            form[f"{axis}_scale.{index}.name"] = level.name
            form[f"{axis}_scale.{index}.criteria"] = level.criteria
    for likelihood in range(1, 6):
        for impact in range(1, 6):
            form[f"cell.{likelihood}.{impact}"] = ""
    return form | changes


def _options(html: str, name: str) -> list[str]:
    select = re.search(rf'<select id="f-{name}" name="{name}".*?</select>', html, re.S)
    assert select, name
    return [unescape(text).strip() for text in re.findall(r"<option[^>]*>([^<]*)<", select[0])]


def test_the_risk_form_names_levels_and_previews_the_score(browser_for) -> None:
    page = browser_for("analyst").get("/risks/new").text
    assert _options(page, "inherent_likelihood") == [
        "1 — Rare",
        "2 — Unlikely",
        "3 — Possible",
        "4 — Likely",
        "5 — Almost certain",
    ]
    assert _options(page, "residual_impact")[0] == "— Not rated"
    assert _options(page, "residual_impact")[5] == "5 — Severe"
    assert 'data-criteria="Over €1M or regulatory action"' in page
    assert (
        'id="c-inherent_likelihood" data-criteria-for="inherent_likelihood">Once in 1 to 3' in page
    )
    preview = re.search(r'data-rating-preview="inherent".*?</p>', page, re.S)
    assert preview and "Score 9" in preview[0] and ">Medium<" in preview[0]
    data = json.loads(unescape(re.search(r"data-risk-matrix='([^']*)'", page)[1]))
    assert data["bands"][1] == {"name": "Medium", "min": 6, "max": 10, "badge": "medium"}
    assert data["appetite"] == 10 and data["cells"] == {}
    assert 'class="alert rating-warning"' not in page
    assert "<script>" not in page and " style=" not in page


def test_impact_choices_follow_the_impact_levels(browser_for, db, principal_for) -> None:
    wide = RiskMatrix.model_validate(
        {
            "likelihood_levels": 3,
            "impact_levels": 4,
            "bands": [
                {"name": "Low", "min_score": 1, "max_score": 6, "color": "#2e7d32"},
                {"name": "High", "min_score": 7, "max_score": 12, "color": "#c62828"},
            ],
        }
    )
    service.update_risk_matrix(session=db, principal=principal_for("admin"), data=wide)
    db.commit()
    page = browser_for("analyst").get("/risks/new").text
    assert _options(page, "inherent_likelihood") == ["1 — Low", "2 — Medium", "3 — High"]
    assert _options(page, "inherent_impact")[-1] == "4 — Very high"


def test_a_residual_rating_above_the_inherent_one_is_saved_with_a_warning(
    browser_for, world
) -> None:
    analyst = browser_for("analyst")
    form = {
        "title": "Higher after controls",
        "unit_id": str(world.units["division-a"]),
        "category": "technical",
        "status": "identified",
        "inherent_likelihood": "2",
        "inherent_impact": "3",
        "residual_likelihood": "4",
        "residual_impact": "2",
    }
    refused = analyst.post("/risks/new", {**form, "title": ""})
    assert refused.status_code == 422
    assert '<p class="alert rating-warning">The residual rating is higher' in refused.text
    created = analyst.post("/risks/new", form)
    assert created.status_code == 303
    page = analyst.get(created.headers["location"]).text
    assert "Check the ratings:" in page
    assert "residual likelihood 4 (Likely) is above inherent likelihood 2 (Unlikely)" in page
    assert "impact 2 (Limited) is above" not in page
    assert "Likelihood 2 (Unlikely), impact 3 (Moderate)" in page


def test_a_risk_rated_lower_after_controls_shows_no_warning(
    browser_for, db, world, principal_for
) -> None:
    risk = make_risk(
        db,
        principal_for("analyst"),
        world.units["division-a"],
        residual_likelihood=2,
        residual_impact=2,
    )
    db.commit()
    page = browser_for("analyst").get(f"/risks/{risk.id}").text
    assert "Check the ratings" not in page
    edit = browser_for("analyst").get(f"/risks/{risk.id}/edit").text
    assert 'class="alert rating-warning"' not in edit


def _heatmap_cells(html: str, kind: str) -> dict[tuple[int, int], str]:
    cells = {}
    for prefix, likelihood, impact, body in CELL.findall(html):
        if prefix == kind:
            cells[int(likelihood), int(impact)] = body
    return cells


def test_the_heatmaps_outline_exactly_the_cells_above_appetite(
    browser_for, db, principal_for
) -> None:
    admin = principal_for("admin")
    matrix = DEFAULT_MATRIX.model_copy(update={"appetite_score": 12})
    service.update_risk_matrix(session=db, principal=admin, data=matrix)
    db.commit()
    page = browser_for("analyst").get("/").text
    for kind in ("inherent", "current"):
        cells = _heatmap_cells(page, kind)
        assert len(cells) == 25
        outlined = {cell for cell, body in cells.items() if 'class="appetite-outline"' in body}
        assert outlined == {(lk, im) for (lk, im) in cells if lk * im > 12}
        named = {cell for cell, body in cells.items() if "above appetite</title>" in body}
        assert named == outlined
    assert '<desc id="hm-inherent-desc">' in page and 'aria-describedby="hm-inherent-desc"' in page
    assert "Above appetite (score over 12)" in page
    assert "risk appetite of 12 have a dashed outline" in page


def _cell_colours(html: str, cell: str) -> list[tuple[str, str]]:
    """(background, text colour) of every text of every cell of an SVG grid."""
    pairs = []
    for body in re.findall(cell, html, re.S):
        background = re.search(r'<rect[^>]*fill="(#[0-9a-fA-F]{6})"', body)
        if background:
            inks = re.findall(r'<text[^>]*fill="(#[0-9a-fA-F]{6})"', body)
            pairs += [(background[1], ink) for ink in inks]
    return pairs


AMBERS = ["#ffbf00", "#ff8f00", "#e65100", "#f9a825"]


def test_text_on_level_colours_meets_wcag_aa(browser_for, db, principal_for) -> None:
    bands = [
        band.model_copy(update={"color": colour})
        for band, colour in zip(DEFAULT_MATRIX.bands, AMBERS, strict=True)
    ]
    amber = DEFAULT_MATRIX.model_copy(update={"bands": bands})
    service.update_risk_matrix(session=db, principal=principal_for("admin"), data=amber)
    db.commit()
    grids = (
        ("/", "analyst", r'<a href="/risks\?(.*?)</a>'),
        ("/admin/risk-matrix", "admin", r"<g>(.*?)</g>"),
    )
    for url, user, cell in grids:
        pairs = _cell_colours(browser_for(user).get(url).text, cell)
        assert {background for background, _ in pairs} == set(AMBERS), url
        for background, ink in pairs:
            assert contrast(background, ink) >= 4.5, (url, background, ink)


def test_the_admin_saves_names_and_cell_levels_and_the_dashboard_follows(
    browser_for, db, world, principal_for
) -> None:
    make_risk(
        db,
        principal_for("analyst"),
        world.units["division-a"],
        title="Frequent but small",
        inherent_likelihood=5,
        inherent_impact=1,
    )
    db.commit()
    admin, analyst = browser_for("admin"), browser_for("analyst")
    page = admin.get("/admin/risk-matrix").text
    assert 'name="likelihood_scale.3.name" type="text" maxlength="40" value="Likely"' in page
    assert 'name="cell.5.1"' in page and "By score (5)" in page

    def medium_count(html: str) -> tuple[str, str]:
        row = re.search(
            r"badge--medium\">Medium</span>\s*</td>\s*<td>\s*<a [^>]*>(\d+)</a>\s*</td>"
            r"\s*<td>\s*<a [^>]*>(\d+)",
            html,
        )
        assert row, "no Medium row on the dashboard"
        return row[1], row[2]

    assert medium_count(analyst.get("/").text) == ("0", "0")
    saved = admin.post(
        "/admin/risk-matrix",
        _matrix_form(**{"likelihood_scale.4.name": "Weekly", "cell.5.1": "1"}),
    )
    assert saved.status_code == 303, saved.text
    shown = admin.get("/admin/risk-matrix").text
    assert "Weekly" in shown and "Likelihood 5 × impact 1 (score 5): Medium" in shown
    assert "Medium*" in shown and "set by hand" in shown
    assert re.search(r'<option value="1"\s+selected>Medium</option>', shown)
    assert medium_count(analyst.get("/").text) == ("1", "1")
    listed = analyst.get("/risks?current_level=Medium").text
    assert "Frequent but small" in listed
    assert "5 — Weekly" in analyst.get("/risks/new").text


def test_a_band_renamed_and_chosen_for_a_cell_in_one_save(browser_for) -> None:
    admin = browser_for("admin")
    form = _matrix_form(**{"bands.1.name": "Moderate", "cell.1.5": "1"})
    assert admin.post("/admin/risk-matrix", form).status_code == 303
    assert "Likelihood 1 × impact 5 (score 5): Moderate" in admin.get("/admin/risk-matrix").text


def test_bad_names_and_cell_levels_are_shown_by_their_field_and_nothing_saved(
    browser_for,
) -> None:
    admin = browser_for("admin")
    long_name = admin.post("/admin/risk-matrix", _matrix_form(**{"impact_scale.2.name": "x" * 41}))
    assert long_name.status_code == 422
    assert 'id="e-impact_scale.2.name"' in long_name.text
    assert 'value="' + "x" * 41 + '"' in long_name.text  # kept as typed
    blank = admin.post("/admin/risk-matrix", _matrix_form(**{"likelihood_scale.0.name": ""}))
    assert blank.status_code == 422 and 'id="e-likelihood_scale.0.name"' in blank.text
    removed = _matrix_form(**{"cell.5.1": "1"})
    for field in ("name", "min_score", "max_score"):
        removed[f"bands.1.{field}"] = ""
    removed["bands.0.max_score"] = "10"
    refused = admin.post("/admin/risk-matrix", removed)
    assert refused.status_code == 422
    assert 'id="e-cell.5.1"' in refused.text and "was removed" in refused.text
    unknown = admin.post("/admin/risk-matrix", _matrix_form(**{"cell.5.1": "7"}))
    assert unknown.status_code == 422 and 'id="e-cell.5.1"' in unknown.text
    page = admin.get("/admin/risk-matrix").text
    assert "x" * 41 not in page and "set by hand" not in page


def test_a_smaller_grid_drops_the_cells_it_no_longer_has(browser_for) -> None:
    admin = browser_for("admin")
    assert admin.post("/admin/risk-matrix", _matrix_form(**{"cell.5.1": "1"})).status_code == 303
    smaller = _matrix_form(likelihood_levels="4", impact_levels="4", appetite_score="8")
    smaller |= {"bands.3.max_score": "16", "cell.5.1": "1", "cell.2.2": "2"}
    assert admin.post("/admin/risk-matrix", smaller).status_code == 303
    page = admin.get("/admin/risk-matrix").text
    assert "Likelihood 2 × impact 2 (score 4): High" in page
    assert "Likelihood 5 × impact 1" not in page
    assert 'name="likelihood_scale.4.name"' not in page
    assert 'value="Likely"' in page  # the names of the levels kept stay
