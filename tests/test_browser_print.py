"""Wide tables print whole: the per-unit page of a group with many units, printed to PDF by Chromium.

A leader prints the per-unit page before a meeting: on A4 landscape every unit's column and 合计 must be
on the paper, and none of the page's controls (switcher, tabs, buttons, sort arrows, the sort hint).
The PDF's text is read with pdftotext (poppler-utils); the PDF is kept in the test's output folder.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import Page

from tests.conftest import PASSWORD, browser_log_in, enter, make_user
from tracker.orgs.models import Organisation, OrgKind, Role

pytestmark = pytest.mark.browser

# Long names, as a forestry bureau's units are called: each wraps in its column's header.
UNIT_NAMES = [f"青岚市林业和草原局第{n}国有林场管理服务中心" for n in range(1, 13)]


@pytest.fixture
def many_units(live_server):
    """A group with 12 units, each with approved 2022 figures, and its leader (in the live server's database)."""
    from tracker.catalogue.loader import load_catalogue

    load_catalogue()  # the live server's database is flushed between tests, the catalogue with it
    city = Organisation.objects.create(code="city", name="青岚市纪委监委", kind=OrgKind.COMMISSION)
    group = Organisation.objects.create(
        code="forestry", name="派驻市林业和草原局纪检监察组", kind=OrgKind.GROUP, parent=city
    )
    for n, name in enumerate(UNIT_NAMES, 1):
        unit = Organisation.objects.create(code=f"unit-{n}", name=name, kind=OrgKind.UNIT, parent=group, order=n)
        enter(
            unit,
            "2022",
            {
                "grp_petitions_received": 100 * n + 7,
                "grp_cases_filed": n,
                "grp_form1_person_times": 10 * n,
                "grp_form2_person_times": n,
                "grp_form3_person_times": 0,
                "grp_form4_person_times": 0,
            },
        )
    make_user("leader", group, Role.LEADER)
    return group


def pdf_text(path) -> str:
    """The PDF's text in the order it was drawn (a header cell's lines together), without white space."""
    if not shutil.which("pdftotext"):
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but pdftotext is missing: install Debian's poppler-utils.")
        pytest.skip("pdftotext is not installed: apt-get install -y poppler-utils")
    result = subprocess.run(["pdftotext", "-raw", str(path), "-"], check=True, capture_output=True, timeout=60)
    return re.sub(r"\s+", "", result.stdout.decode())


def page_sizes(path) -> list[tuple[float, float]]:
    """Each page's width and height in points (pdfinfo, from the same poppler-utils)."""
    result = subprocess.run(["pdfinfo", "-f", "1", "-l", "99", str(path)], check=True, capture_output=True, timeout=60)
    sizes = re.findall(r"Page\s+\d+\s+size:\s+([\d.]+) x ([\d.]+) pts", result.stdout.decode())
    return [(float(w), float(h)) for w, h in sizes]


class TestPrintingTheUnitsPage:
    def test_every_unit_and_the_total_print_on_a4_landscape_without_controls(
        self, page: Page, live_server, many_units, browser_output, shots
    ):
        base = live_server.url
        # Sorted by the indicator's name, so the sorted column's arrow would print if anything did.
        url = "/reports/forestry/2022/units/?sort=name"
        browser_log_in(page, base, "leader", PASSWORD, url)
        shots(page, "units-screen")
        path = browser_output / "units.pdf"
        # The page asks for A4 landscape itself (@page); prefer_css_page_size lets it, as the print dialog does.
        page.pdf(path=str(path), format="A4", prefer_css_page_size=True, print_background=True)

        sizes = page_sizes(path)
        assert sizes, "pdfinfo read no page"
        for width, height in sizes:
            assert (round(width), round(height)) == (842, 595), f"not A4 landscape: {width} × {height} pt"

        text = pdf_text(path)
        for name in UNIT_NAMES:
            assert name in text, f"{name} is not on the printed page"
        assert "合计" in text
        # The last unit's and the total's figures: the right-hand columns are printed, not cut off.
        assert "1207" in text  # unit 12's petitions
        assert "7884" in text.replace(",", "")  # their total

        with translation.override("zh-hans"):
            controls = [
                gettext("Print"),
                gettext("Excel"),
                gettext("Show"),
                gettext("Apply"),
                gettext("Log out"),
                gettext("Enter figures"),
                gettext("Units in the order of"),
                gettext("Back to catalogue order"),
                gettext("including unapproved"),
            ]
            # The sort hint's first sentence ("click a column heading to sort by it").
            hint = gettext(
                "Click a column heading to sort by it. The total is the organisation's own figure, from the same "
                "figures; an empty cell means that organisation does not report the indicator."
            )
            controls.append(hint.split("。")[0])
        for control in controls + ["⇅", "▲", "▼"]:
            assert re.sub(r"\s+", "", control) not in text, f"{control!r} is printed"
