"""Every leader's page runs a bounded number of SQL queries, however much data there is.

Each page is measured on a small group (3 units × 1 year) and a big one (30 units × 10
years) against the SAME bound: the bound is what the small case needs, so a page that
reads per unit, per year or per indicator fails on the big one.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.urls import reverse

from tests.conftest import PASSWORD, make_user
from tracker.aggregation.totals import approved_totals_refresh
from tracker.catalogue.models import Indicator
from tracker.documents.models import DocumentTemplate
from tracker.documents.services import template_create
from tracker.entry.models import Report, Status, Value
from tracker.entry.periods import PeriodType
from tracker.entry.services import derived_figures_refresh
from tracker.orgs.models import Organisation, OrgKind, Role


@dataclass(frozen=True)
class Size:
    units: int
    years: int


SIZES = {"small": Size(units=3, years=1), "big": Size(units=30, years=10)}
LAST_YEAR = 2022


def build(size: Size) -> Organisation:
    """A commission, one group and its units, each with an approved annual report per year.

    Test data only: written with bulk_create, without the audit trail the services keep (the
    derived sums and approved totals are formed as every write forms them).
    """
    city = Organisation.objects.create(code="city", name="市纪委监委", kind=OrgKind.COMMISSION)
    group = Organisation.objects.create(code="forestry", name="林草局纪检监察组", kind=OrgKind.GROUP, parent=city)
    units = [
        Organisation.objects.create(code=f"unit-{n}", name=f"单位{n}", kind=OrgKind.UNIT, parent=group, order=n)
        for n in range(size.units)
    ]
    years = range(LAST_YEAR - size.years + 1, LAST_YEAR + 1)
    reports = [
        Report(organisation=org, year=year, period_type=PeriodType.YEAR, period_number=0, status=Status.APPROVED)
        for org in [group, *units]
        for year in years
    ]
    # One report still waiting for approval, so the "not yet approved" count has something to count.
    reports[-1].status = Status.SUBMITTED
    Report.objects.bulk_create(reports)
    reports = list(Report.objects.filter(organisation__in=[group, *units]).select_related("organisation"))
    entered = list(Indicator.objects.active().entered())
    values = []
    for report in reports:
        for position, indicator in enumerate(entered):
            if indicator.reported_by != report.organisation.kind:
                continue
            # Every seventh figure not known, so sums over units have units missing.
            known = (position + report.organisation.order) % 7 != 0
            values.append(
                Value(report=report, indicator=indicator, value=position + report.year % 10 if known else None)
            )
    Value.objects.bulk_create(values)
    derived_figures_refresh(report.pk for report in reports)
    approved_totals_refresh((report.organisation_id, report.year) for report in reports)
    return group


# The pages under test and the most queries each may run (measured on the small group; the
# big one must need no more). Every page starts the same way:
#   1. the session;  2. the user;
#   3. the user's memberships (read once per request: the scope, the switcher and the role
#      checks share them) and  4. the organisation within them (get_org_for_user; here the
#      leader's own group, read with the memberships, so the bounds below are one less);
# reads the figures through one Aggregator, each once for the whole subtree and all years:
#   A. the subtree's organisations;  B. the catalogue's stamp, and the active indicators when it
#   moved (the catalogue is kept per process: counted here as if it moved);
#   C. the period types and report counts per organisation and year;  D. the notes, on the summary
#   only (the one page that prints them: read when asked for);
#   E. the figures: one GROUP BY for every organisation shown, every depth and range together
#   (never per value, per depth or per range);
# and ends by extending the session (SessionExtendMiddleware: the first request after login, then
# at most once a minute), which under the test's transaction is three statements: SAVEPOINT,
# UPDATE django_session, RELEASE SAVEPOINT.
#
# api (10): 1–4, A–C, E (B twice), session save.
# summary (15): 1–4, A–E (this year and last together); the switcher: the organisations one
#   step away, the years with data; session save.
# units (14): 1–4, A–C, E (the group and its units together); the switcher (2); session save.
# trend (14): 1–4; the years with data (and which have approved reports); A–C and E over all of
#   them; the switcher (the organisations; its years are the trend's); session save.
# (The section filter's choice is read from its form, not by a query of the indicators' codes.)
# Every page with the navigation also counts the user's unread notifications (one query).
# Summary, units and trend also ask whether the organisation has a speech (one EXISTS): their tabs
# offer the review's Word download only then (+1 in the bounds below).
# document (17; the group's speech generated, which is its review): 1–4 (the organisation's
#   ancestors are its parent, read with it in 4); the template with its version; A–C, E, and E for
#   the units (which of them have not entered a figure); the commission's city-wide figures (C and E
#   again, its own reports only, no subtree read, the catalogue already read); the organisation
#   texts; the drafts (the latest is the first of them); session save. Which listed organisations
#   the user may open (the entry links) is read from the memberships, not the database.
# document.docx (16): the same without the page's draft list and entry links.
# bulletin (11): 1–4, A–C, E (this year and last together), the unread notifications, session save.
PAGES = {
    "api": (lambda code, year: f"{reverse('api:summary')}?org={code}&year={year}", 10),
    "summary": (lambda code, year: reverse("reports:summary", args=[code, year]), 15),
    "units": (lambda code, year: reverse("reports:units", args=[code, year]), 14),
    "trend": (lambda code, year: reverse("reports:trend", args=[code]), 14),
    "document": (lambda code, year: _document(code, year, ""), 17),
    "document_docx": (lambda code, year: _document(code, year, "document.docx"), 16),
    "bulletin": (lambda code, year: reverse("reports:bulletin", args=[code, year]), 11),
}


def _document(code: str, year: int, suffix: str) -> str:
    """The group's speech template (made by the leader_client fixture) generated for the group."""
    template = DocumentTemplate.objects.get(organisation__code=code)
    return reverse("documents:generated", args=[template.pk, code, year]) + suffix


@pytest.fixture(params=list(SIZES))
def group(request, db):
    return build(SIZES[request.param])


@pytest.fixture
def leader_client(client, group):
    leader = make_user("leader", group, Role.LEADER)
    text = "立案查处8件，党纪、政务处分3人。运用“四种形态”中的第一种形态47人次、占94%。去年全市立案1187件。"
    template_create(organisation=group, name="讲话", user=leader, text=text)
    client.login(username="leader", password=PASSWORD)
    return client


@pytest.mark.parametrize("page", list(PAGES))
def test_it_runs_a_bounded_number_of_queries(leader_client, group, page, django_assert_max_num_queries):
    url, bound = PAGES[page]
    address = url(group.code, LAST_YEAR)
    with django_assert_max_num_queries(bound):
        response = leader_client.get(address)
    assert response.status_code == 200
