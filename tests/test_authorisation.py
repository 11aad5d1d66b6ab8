"""Every URL of the project, checked for anonymous, wrong-organisation and wrong-role access.

The patterns are read from the URL configuration, so a page added later is checked too:
if it takes a parameter this test does not know how to fill, the test fails and asks for
it (add it to PARAMETERS), and if it lets in someone it should not, the test fails.

alice: clerk of the forestry group (owns the data); bob: leader of the same group
(another role); charlie: clerk of the water group (another organisation).
"""

from __future__ import annotations

import io
import re
import zipfile

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver

from tests.conftest import enter, make_user, set_status
from tracker.entry.models import Report, Status
from tracker.entry.periods import Period
from tracker.entry.services import Entry, values_save_bulk, values_save_for_period
from tracker.entry.workbook import CODE_ROW, FIRST_ORG_COLUMN, entry_workbook
from tracker.orgs.access import PERMISSIONS, Permission, can, people_who_can
from tracker.orgs.models import Membership, Organisation, OrgKind, Role

# Patterns that are public on purpose, or guarded by another mechanism.
NOT_CHECKED = {
    "login": "the login page is public",
    "set_language": "choosing a language works before logging in",
    "logout": "logging out needs no permission",
}
# The Django admin checks is_staff and model permissions itself (tested in test_audit).
SKIPPED_PREFIXES = ("admin/",)

# How to fill each URL parameter: forestry's objects, which alice may see and charlie may not.
PARAMETERS = {
    "org": "forestry-organ",
    "year": "2022",
    "period": "2022",
    "action": "submit",
    "code": "grp_cases_filed",
    "pk": "9001",
    "group": "forestry",  # forestry's document template (forestry_template below)
    "role": "clerk",  # a guide of the help (every role's guide is open to everyone)
}
# Pages whose parameters name no organisation's object: like the pages without parameters, they may
# only show the user's own.
NO_ORGANISATION = {"help:role"}
# Query strings for views that take their object from the query (the JSON API).
QUERIES = {"api:summary": "?org=forestry-organ&year=2022", "documents:choose": "?org=forestry-organ&year=2022"}
# Writes: POST endpoints a leader must be refused with 403. Every other URL must refuse POST (405)
# or be one of these.
WRITES = {
    "entry:report",
    "entry:transition",
    "entry:bulk",
    "entry:import",
    "entry:grid",
    "entry:reopen",
    "entry:acceptance",
    "lockouts",
    "remind",
}
# Writes of documents: a leader may make them, a clerk may not (the permission table's
# MANAGE_TEMPLATES), so the clerk is the wrong role there.
DOCUMENT_WRITES = {"documents:new", "documents:texts", "documents:source", "documents:bind", "documents:generated"}
WRITES |= DOCUMENT_WRITES
# Pages that show on GET and write on POST.
PAGES_THAT_WRITE = {"entry:report", "entry:import", "entry:grid", "entry:acceptance", "documents:generated"}
# Writes every user may make on their own account: a POST without the old password changes nothing.
OWN_ACCOUNT = {"password_change"}


def all_patterns(resolver=None, prefix="", namespace=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            yield from all_patterns(entry, route, f"{ns}:" if entry.namespace else namespace)
        elif isinstance(entry, URLPattern):
            yield route, (namespace + entry.name) if entry.name else route


def build(route: str, name: str) -> str:
    def fill(match):
        key = match.group(2)
        if key not in PARAMETERS:
            pytest.fail(f"{name}: don't know how to fill <{key}>; add it to PARAMETERS in {__file__}")
        return PARAMETERS[key]

    path = re.sub(r"<(?:(\w+):)?(\w+)>", fill, route)
    return "/" + path.lstrip("^").rstrip("$") + QUERIES.get(name, "")


CHECKED = [
    (route, name)
    for route, name in all_patterns()
    if name not in NOT_CHECKED and not route.startswith(SKIPPED_PREFIXES)
]


def test_the_enumeration_sees_the_projects_pages():
    names = {name for _, name in CHECKED}
    assert {"entry:report", "reports:summary", "api:summary", "completeness", "checks"} <= names


def forestry_template(world, text: str = "立案4件。"):
    """Forestry's document template, with the id the URLs above use."""
    from tracker.documents.models import DocumentTemplate, TemplateVersion
    from tracker.documents.services import proposed_bindings

    template = DocumentTemplate.objects.create(pk=int(PARAMETERS["pk"]), organisation=world["forestry"], name="讲话")
    TemplateVersion.objects.create(template=template, number=1, text=text, bindings=proposed_bindings(text))
    return template


@pytest.fixture
def data(world, indicators):
    report, _ = values_save_for_period(
        organisation=world["organ"], period=Period.parse("2022"), entries={indicators["grp_cases_filed"]: Entry(4)}
    )
    forestry_template(world)
    return report


@pytest.mark.parametrize("route, name", CHECKED, ids=[name for _, name in CHECKED])
class TestEveryUrl:
    def test_anonymous_is_sent_to_login(self, client, data, route, name):
        for method in (client.get, client.post):
            response = method(build(route, name))
            if name.startswith("api:"):
                # A dashboard gets a JSON 401 it can act on, not a login page (or 405 for a POST).
                assert response.status_code in (401, 405), f"{method.__name__} {name}"
                continue
            assert response.status_code == 302, f"{method.__name__} {name}"
            assert response["Location"].startswith("/accounts/login/")

    def test_another_organisation_gets_404(self, client, data, charlie, route, name):
        client.force_login(charlie)
        url = build(route, name)
        if ("<" not in route or name in NO_ORGANISATION) and name not in QUERIES:
            # Takes no organisation (home, chooser, index, lockouts): it may only show charlie's own.
            response = client.get(url)
            assert response.status_code in (200, 302, 403, *((405,) if name in WRITES else ()))
            content = response.content
            if content.startswith(b"PK"):
                # A download (the import's code list and sample): the text of its parts.
                archive = zipfile.ZipFile(io.BytesIO(content))
                content = b"".join(archive.read(part) for part in archive.namelist())
            assert "forestry-organ" not in content.decode()
            return
        assert client.get(url).status_code in ((404, 405) if name in WRITES else (404,))
        assert client.post(url, {"v_grp_cases_filed": "99", "reason": "x"}).status_code in (404, 405)
        data.refresh_from_db()
        assert data.status == Status.DRAFT
        assert data.values.get().value == 4

    def test_the_wrong_role_cannot_write(self, client, data, alice, bob, route, name):
        client.force_login(alice if name in DOCUMENT_WRITES else bob)
        response = client.post(build(route, name), {"v_grp_cases_filed": "99", "reason": "x"})
        expected = 403 if name in WRITES else 200 if name in OWN_ACCOUNT else 405
        assert response.status_code == expected, f"POST {name} by a leader: {response.status_code}"
        data.refresh_from_db()
        assert data.status == Status.DRAFT
        assert data.values.get().value == 4

    def test_the_owner_gets_through(self, client, data, alice, route, name):
        client.force_login(alice)
        set_status(Report.objects.filter(pk=data.pk), Status.DRAFT)
        response = client.get(build(route, name))
        if name in WRITES and name not in PAGES_THAT_WRITE:
            assert response.status_code in (403, 405)  # POST-only, or reviewers' page
        else:
            assert response.status_code in (200, 302), f"GET {name}: {response.status_code}"


# --- The permission table, tested through the ways in -------------------------------------------------
# Every permission of tracker.orgs.access is tried here through a real way in, by a user of every
# role over forestry's unit (and by a superuser with no membership at all); what happens must be
# what the table says. A permission added to the table without a way in here fails the first test.

# status the report must be in for the action to be possible, and the status it ends in
TRANSITION_STATES = {
    Permission.SUBMIT: (Status.DRAFT, Status.SUBMITTED),
    Permission.RETURN: (Status.SUBMITTED, Status.RETURNED),
    Permission.APPROVE: (Status.SUBMITTED, Status.APPROVED),
    Permission.UNLOCK: (Status.APPROVED, Status.DRAFT),
}


def _view(client, user, report):
    return client.get("/reports/forestry-organ/2022/").status_code == 200


def _enter(client, user, report):
    response = client.post(
        "/entry/forestry-organ/2022/", {"revision": report.revision, "v_grp_cases_filed": "7"}, follow=True
    )
    assert response.status_code in (200, 403)
    return report.values.get(indicator__code="grp_cases_filed").value == 7


def _transition(permission):
    def attempt(client, user, report):
        before, after = TRANSITION_STATES[permission]
        set_status(Report.objects.filter(pk=report.pk), before)
        response = client.post(f"/entry/forestry-organ/2022/{permission}/", {"reason": "核对"})
        assert response.status_code in (302, 403)
        report.refresh_from_db()
        assert report.status in (before, after)
        return report.status == after

    return attempt


def _enter_closed(client, user, report):
    from tracker.entry.models import PeriodReopening

    response = client.post("/entry/forestry-organ/2022/reopen/", {"reason": "补录"})
    assert response.status_code in (302, 403)
    return PeriodReopening.objects.filter(organisation__code="forestry-organ").exists()


def _lift_lockout(client, user, report):
    return client.get("/accounts/lockouts/").status_code == 200


def _import(client, user, report):
    from tracker.catalogue.models import Indicator

    indicator = Indicator.objects.get(code="grp_cases_filed")
    try:
        values_save_bulk([(report.organisation, Period.parse("2022"), indicator, Entry(9))], user=user)
    except PermissionDenied:
        return False
    return report.values.get(indicator=indicator).value == 9


def _group_period_approved():
    """forestry's 2022: the group's own report and both units' approved (what reporting it needs)."""
    from tracker.catalogue.models import Indicator

    for org in Organisation.objects.filter(path__startswith="city/forestry/"):
        indicator = Indicator.objects.active().entered().filter(reported_by=org.kind).first()
        report, _ = values_save_for_period(organisation=org, period=Period.parse("2022"), entries={indicator: Entry(1)})
        set_status(Report.objects.filter(pk=report.pk), Status.APPROVED)


def _report_up(client, user, report):
    from tracker.entry.models import GroupAcceptance

    _group_period_approved()
    response = client.post("/entry/acceptance/forestry/2022/", {"action": "report"})
    assert response.status_code in (302, 403)
    return GroupAcceptance.objects.filter(organisation__code="forestry", status="submitted").exists()


def _accept(client, user, report):
    # Asked of the group's commission: the user's membership is at the city for this one (below).
    from tracker.entry.models import GroupAcceptance

    _group_period_approved()
    GroupAcceptance.objects.create(
        organisation=Organisation.objects.get(code="forestry"),
        year=2022,
        period_type="year",
        period_number=0,
        status="submitted",
    )
    response = client.post("/entry/acceptance/forestry/2022/", {"action": "accept"})
    assert response.status_code in (302, 403)
    return GroupAcceptance.objects.filter(organisation__code="forestry", status="accepted").exists()


def _manage_templates(client, user, report):
    # The organisation's names used in its documents: a page for those who manage templates.
    return client.get("/documents/texts/forestry/").status_code == 200


def _overview(client, user, report):
    # The start page: the headline figures of the user's organisation, or none.
    response = client.get("/")
    assert response.status_code == 200
    return 'id="headlines"' in response.content.decode()


WAYS_IN = {
    Permission.VIEW: _view,
    Permission.ENTER: _enter,
    Permission.ENTER_CLOSED: _enter_closed,
    Permission.SUBMIT: _transition(Permission.SUBMIT),
    Permission.RETURN: _transition(Permission.RETURN),
    Permission.APPROVE: _transition(Permission.APPROVE),
    Permission.UNLOCK: _transition(Permission.UNLOCK),
    Permission.LIFT_LOCKOUT: _lift_lockout,
    Permission.IMPORT: _import,
    Permission.MANAGE_TEMPLATES: _manage_templates,
    Permission.REPORT_UP: _report_up,
    Permission.ACCEPT: _accept,
    Permission.OVERVIEW: _overview,
}
# Where each permission is asked, when not of the forestry group's subtree: accepting a group's
# figures is its commission's.
ASKED_AT = {Permission.ACCEPT: "city"}
ROLES = [*Role.values, "superuser"]


def test_every_permission_of_the_table_has_a_way_in_here():
    assert set(WAYS_IN) == set(Permission)
    assert set(PERMISSIONS) == set(Role.values)


@pytest.mark.parametrize("permission", list(Permission), ids=lambda p: p.value)
@pytest.mark.parametrize("role", ROLES)
def test_each_role_may_do_what_the_table_says(client, world, indicators, role, permission):
    report, _ = values_save_for_period(
        organisation=world["organ"],
        period=Period.parse("2022"),
        entries={indicators["grp_cases_filed"]: Entry(2), indicators["grp_clues_accepted"]: Entry(5)},
    )
    if role == "superuser":
        # No membership: a superuser is an administrator of every tree, and nothing more.
        user = get_user_model().objects.create_superuser("root", password="x")
        expected = permission in PERMISSIONS[Role.ADMIN]
    else:
        user = make_user("someone", world[ASKED_AT.get(permission, "forestry")], role)
        expected = permission in PERMISSIONS[role]
    client.force_login(user)
    assert WAYS_IN[permission](client, user, report) is expected


# --- What a check or an import reads is limited to the user's subtree ----------------------------------
#
# An organisation outside it is answered exactly as one that does not exist: a template workbook naming
# another tree's unit lists nothing of what that unit stored, and a unit's clerk is not told the other
# units' median in an outlier warning.


def _template_naming(organisation, code: str) -> bytes:
    """The entry template of `organisation` for 2023, its figures cleared, its column's code set to `code`."""
    book = openpyxl.load_workbook(io.BytesIO(entry_workbook(organisation, Period.parse("2023"))))
    sheet = book.worksheets[0]
    sheet.cell(CODE_ROW, FIRST_ORG_COLUMN).value = code
    for row in sheet.iter_rows(min_row=CODE_ROW + 2, min_col=FIRST_ORG_COLUMN, max_col=FIRST_ORG_COLUMN):
        for cell in row:
            if not (isinstance(cell.value, str) and cell.value.startswith("=")):
                cell.value = None
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def stored_elsewhere(world, indicators):
    enter(world["water_unit"], "2023", {"grp_cases_filed": 4, "grp_clues_accepted": 9, "grp_petitions_received": 2})


def _preview(client, content: bytes):
    response = client.post("/entry/import/", {"file": SimpleUploadedFile("template.xlsx", content)})
    assert response.status_code == 200
    return response.context


def test_another_trees_unit_in_a_template_is_answered_as_a_missing_one(client, alice, world, stored_elsewhere):
    client.force_login(alice)
    other = _preview(client, _template_naming(world["water_unit"], "water-organ"))
    nowhere = _preview(client, _template_naming(world["water_unit"], "no-such-unit"))
    assert other.get("changes", []) == nowhere.get("changes", []) == []
    assert [str(e) for e in other.get("errors", [])] == [
        str(e).replace("no-such-unit", "water-organ") for e in nowhere.get("errors", [])
    ]
    # Nothing of what 水务局机关 holds is named.
    assert len(other.get("errors", [])) <= 1


def test_a_units_own_clerk_is_not_told_the_other_units_median(client, world, alice, indicators):
    """The warning reaches the unit's clerk, but the median is of units outside the clerk's subtree."""
    from tracker.orgs.models import Role

    units = [world["park"]] + [
        Organisation.objects.create(code=f"forestry-u{n}", name=f"单位{n}", kind=OrgKind.UNIT, parent=world["forestry"])
        for n in range(4)
    ]
    for unit, figure in zip(units, (2, 3, 2, 4, 3), strict=True):
        enter(unit, "2023", {"grp_clues_accepted": figure}, status=None)
    enter(world["organ"], "2023", {"grp_clues_accepted": 60}, status=None)
    unit_clerk = make_user("organ-clerk", world["organ"], Role.CLERK)
    client.force_login(unit_clerk)
    html = client.get("/entry/forestry-organ/2023/").content.decode()
    assert "明显偏离本组其他单位的同项数据" in html
    assert "中位数" not in html
    # The group's clerk, who may see every unit's figures, is told the median.
    client.force_login(alice)
    html = client.get("/entry/forestry-organ/2023/").content.decode()
    assert "其中位数为 3" in html


# --- Who may do something over an organisation, asked the other way round ------------------------------------
#
# people_who_can(organisation, permission): everyone can() says yes for; who is told of an event is chosen by it.


class TestPeopleWhoCan:
    def test_it_is_everyone_can_says_yes_for_and_nobody_else(self, world):
        group_reviewer = make_user("rita", world["forestry"], Role.REVIEWER)  # on an ancestor of the unit
        unit_clerk = make_user("uma", world["organ"], Role.CLERK)
        group_leader = make_user("leo", world["forestry"], Role.LEADER)  # a role without the permission
        other_tree = make_user("wade", world["water"], Role.REVIEWER)  # another group's reviewer
        city_reviewer = make_user("carl", world["city"], Role.REVIEWER)
        # Nearest membership decides: a reviewer of the group who is only a clerk of this unit.
        nested = make_user("nina", world["forestry"], Role.REVIEWER)
        Membership.objects.create(user=nested, organisation=world["organ"], role=Role.CLERK)
        gone = make_user("olga", world["forestry"], Role.REVIEWER)
        gone.is_active = False
        gone.save()
        root = get_user_model().objects.create_superuser("root", password="x")
        people = [group_reviewer, unit_clerk, group_leader, other_tree, city_reviewer, nested, root]

        approvers = people_who_can(world["organ"], Permission.APPROVE)
        assert approvers == [group_reviewer, city_reviewer]
        for permission in (Permission.APPROVE, Permission.SUBMIT, Permission.VIEW, Permission.OVERVIEW):
            expected = [u for u in people if can(u, permission, world["organ"])]
            assert people_who_can(world["organ"], permission) == expected, permission
        assert other_tree not in people_who_can(world["organ"], Permission.VIEW)
        assert root in people_who_can(world["organ"], Permission.VIEW)  # an administrator of every tree

    def test_own_is_the_organisations_own_people(self, world):
        group_reviewer = make_user("rita", world["forestry"], Role.REVIEWER)
        city_reviewer = make_user("carl", world["city"], Role.REVIEWER)
        assert people_who_can(world["forestry"], Permission.REPORT_UP) == [group_reviewer, city_reviewer]
        assert people_who_can(world["forestry"], Permission.REPORT_UP, own=True) == [group_reviewer]
        assert people_who_can(world["city"], Permission.ACCEPT, own=True) == [city_reviewer]
