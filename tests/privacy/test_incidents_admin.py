"""The breach register in the admin: platform staff see the deadlines (overdue
ones in words), an incident's schools and counts of people (never a family's
name), and take each step through a form or a confirmation page; nobody else
gets in, and no page costs more queries for 50 families than for 5."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from notifications.models import Message
from privacy.models import Incident
from privacy.services import incident_scope_set
from tests.admin.platform_staff import platform_staff_member
from tests.factories import GuardianshipFactory, PupilFactory, UserFactory, teacher_of
from tests.privacy.incident_world import build_world, recorded

pytestmark = pytest.mark.django_db

LIST = reverse("admin:privacy_incident_changelist")
ADD = reverse("admin:privacy_incident_add")


@pytest.fixture
def world():
    return build_world()


@pytest.fixture
def platform_staff():
    return platform_staff_member(first_name="Alex", last_name="Morgan")


@pytest.fixture
def client_for(staff_client):
    return staff_client


@pytest.fixture
def staff_page(client_for, platform_staff):
    return client_for(platform_staff)


def page_url(incident, step=None):
    if step is None:
        return reverse("admin:privacy_incident_change", args=[incident.pk])
    return reverse(f"admin:privacy_incident_{step}", args=[incident.pk])


def family_names(world) -> list[str]:
    names = []
    for person in [*world.parents.values(), *world.pupils.values()]:
        names += [person.first_name, person.last_name]
        names += [getattr(person, "email", None) or "", getattr(person, "mobile", "")]
    return [name for name in names if name]


def assert_no_family_names(response, world):
    content = response.content.decode()
    for name in family_names(world):
        assert name not in content, f"{name!r} shown on {response.wsgi_request.path}"


def scoped(world, actor, **fields):
    incident = recorded(actor=actor, **fields)
    incident_scope_set(incident=incident, kind="schools", schools=[world.oak], actor=actor)
    return incident


# --- The list ------------------------------------------------------------------------


def test_the_list_shows_each_deadline_and_an_overdue_one_in_words(staff_page, platform_staff):
    found_at = timezone.now() - timedelta(hours=30) + timedelta(minutes=5)
    late = recorded(actor=platform_staff, found_at=found_at)
    fresh = recorded(actor=platform_staff, title="Fresh one")

    response = staff_page.get(LIST)

    content = response.content.decode()
    assert response.status_code == 200
    assert "Breach register" in content
    assert "ICO report (72 h)" in content
    assert "Schools told (24 h)" in content
    assert "Retrospective (7 days)" in content
    # Nearly 30 hours in: schools are nearly 6 hours overdue, the ICO report has
    # just over 42 hours left.
    assert '<strong class="deadline-overdue">OVERDUE by 5 hours</strong>' in content
    assert "1 day 18 hours left" in content
    assert f"#{fresh.pk} Fresh one" in content
    assert f"#{late.pk} Class list emailed to the wrong school" in content


def test_the_overdue_filter_lists_only_incidents_with_a_step_overdue(staff_page, platform_staff):
    late = recorded(
        actor=platform_staff, title="Late one", found_at=timezone.now() - timedelta(hours=30)
    )
    recorded(actor=platform_staff, title="Fresh one")
    content = staff_page.get(LIST, {"state": "overdue"}).content.decode()
    assert "Late one" in content
    assert "Fresh one" not in content
    assert late.pk


def test_the_list_costs_the_same_queries_for_1_or_20_incidents(
    staff_page, platform_staff, django_assert_max_num_queries
):
    recorded(actor=platform_staff)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        staff_page.get(LIST)
    for _ in range(19):
        recorded(actor=platform_staff)
    with django_assert_max_num_queries(len(one)):
        response = staff_page.get(LIST)
    assert response.content.decode().count("deadline") >= 20


# --- Recording -----------------------------------------------------------------------


def test_recording_an_incident_starts_its_deadlines(staff_page, platform_staff):
    found = timezone.localtime() - timedelta(hours=2)
    response = staff_page.post(
        ADD,
        {
            "title": "Lost laptop",
            "found_at": found.strftime("%Y-%m-%dT%H:%M"),
            "description": "A laptop with an export was left on a train.",
            "data_categories": ["pupil_identity", "guardianships"],
            "notice_summary": "",
            "notice_actions": "",
            "notice_contact": "",
        },
    )
    incident = Incident.objects.get()
    assert response.status_code == 302
    assert response.url == page_url(incident)
    assert incident.recorded_by == platform_staff
    assert incident.found_at == found.replace(second=0, microsecond=0)
    assert incident.data_categories == ["guardianships", "pupil_identity"]
    assert AuditEntry.objects.filter(action="incident.record").count() == 1


def test_a_record_without_what_it_needs_shows_errors_and_saves_nothing(staff_page):
    future = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = staff_page.post(ADD, {"title": "", "found_at": future, "description": ""})
    content = response.content.decode()
    assert response.status_code == 200
    assert 'id="error-summary"' in content
    assert "When it was found cannot be in the future." in content
    assert not Incident.objects.exists()


# --- The incident's page -------------------------------------------------------------


def test_the_page_shows_the_schools_and_counts_of_people_never_their_names(
    staff_page, platform_staff, world
):
    incident = scoped(world, platform_staff)
    response = staff_page.get(page_url(incident))
    content = response.content.decode()
    assert response.status_code == 200
    assert "Oakfield Primary" in content
    assert "Elmwood Primary" not in content
    assert '<tr><th scope="row">Parents and carers</th><td>3</td></tr>' in content
    assert '<tr><th scope="row">Pupils</th><td>3</td></tr>' in content
    assert '<tr><th scope="row">Staff</th><td>2</td></tr>' in content
    assert_no_family_names(response, world)


def test_every_page_of_an_incident_shows_no_family_names(staff_page, platform_staff, world):
    incident = scoped(world, platform_staff)
    incident_scope_set(
        incident=incident, kind="classes", classes=[world.robins, world.owls], actor=platform_staff
    )
    staff_page.post(page_url(incident, "notify_schools"))
    staff_page.post(page_url(incident, "notify_families"))
    for url in (
        LIST,
        ADD,
        page_url(incident),
        page_url(incident, "edit"),
        page_url(incident, "scope"),
        page_url(incident, "report"),
        page_url(incident, "notify_schools"),
        page_url(incident, "notify_families"),
        page_url(incident, "retrospective"),
        page_url(incident, "close"),
        reverse("admin:privacy_incident_history", args=[incident.pk]),
    ):
        response = staff_page.get(url)
        assert response.status_code == 200, url
        assert_no_family_names(response, world)


def _families(world, count):
    for number in range(count):
        GuardianshipFactory(
            parent=UserFactory(mobile=f"+4477009{number:05d}"),
            pupil=PupilFactory(school=world.oak, school_class=world.wrens),
        )


@pytest.mark.parametrize("step", [None, "notify_schools", "notify_families", "close"])
def test_the_incident_pages_cost_the_same_queries_for_5_or_50_families(
    staff_page, platform_staff, world, step, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _families(world, 5)
    incident = scoped(world, platform_staff)
    with CaptureQueriesContext(connection) as five:
        assert staff_page.get(page_url(incident, step)).status_code == 200
    _families(world, 45)
    with django_assert_max_num_queries(len(five)):
        response = staff_page.get(page_url(incident, step))
    assert response.status_code == 200


# --- The steps -----------------------------------------------------------------------


def test_setting_the_scope_through_its_page_reports_who_is_affected(
    staff_page, platform_staff, world
):
    incident = recorded(actor=platform_staff)
    response = staff_page.post(
        page_url(incident, "scope"), {"kind": "classes", "classes": [world.robins.pk]}, follow=True
    )
    assert "Scope set: 1 schools, 2 parents or carers, 2 pupils and 1 staff affected." in (
        response.content.decode()
    )
    incident.refresh_from_db()
    assert incident.scope_kind == "classes"


def test_a_scope_without_its_window_is_refused_on_the_page(staff_page, platform_staff):
    incident = recorded(actor=platform_staff)
    response = staff_page.post(page_url(incident, "scope"), {"kind": "sign_ins"})
    content = response.content.decode()
    assert "Give the start of the time window." in content
    assert "Give the end of the time window." in content
    incident.refresh_from_db()
    assert incident.scope_kind == ""


def test_the_school_notices_page_says_how_many_will_go_then_sends_them_once(
    staff_page, platform_staff, world
):
    incident = scoped(world, platform_staff)
    url = page_url(incident, "notify_schools")
    content = staff_page.get(url).content.decode()
    assert "1 message will go, one to each admin of the 1 affected school" in content
    assert 'value="Send 1 school notice"' in content

    staff_page.post(url)
    staff_page.post(url)
    assert Message.objects.filter(template="incident_school").count() == 1
    assert "0 messages will go" in staff_page.get(url).content.decode()


def test_the_family_notices_page_says_how_many_will_go_then_sends_them_once(
    staff_page, platform_staff, world
):
    incident = scoped(world, platform_staff)
    url = page_url(incident, "notify_families")
    content = staff_page.get(url).content.decode()
    # robin: email and text; wren: email; both: email.
    assert "4 messages will go to the 3 affected parents and carers: 3 emails and 1 text" in content

    staff_page.post(url)
    staff_page.post(url)
    assert Message.objects.filter(template="incident_family").count() == 4
    incident.refresh_from_db()
    assert incident.family_notices == 4


def test_notices_wait_for_their_words(staff_page, platform_staff, world):
    incident = scoped(world, platform_staff, notice_summary="", notice_contact="")
    url = page_url(incident, "notify_families")
    content = staff_page.get(url).content.decode()
    assert "Write the notice first: what happened, who to contact." in content
    assert 'value="Send' not in content
    staff_page.post(url)
    assert not Message.objects.filter(template="incident_family").exists()


def test_the_report_and_retrospective_forms_record_them(staff_page, platform_staff, world):
    incident = scoped(world, platform_staff)
    now = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    staff_page.post(page_url(incident, "report"), {"reported": "no", "at": now, "reason": ""})
    incident.refresh_from_db()
    assert incident.ico_decided_at is None  # a decision needs its reason
    staff_page.post(
        page_url(incident, "report"), {"reported": "yes", "at": now, "reference": "IC-42"}
    )
    staff_page.post(page_url(incident, "retrospective"), {"text": "Two people check exports now."})
    incident.refresh_from_db()
    assert incident.ico_reference == "IC-42"
    assert incident.retrospective == "Two people check exports now."


def test_closing_is_confirmed_with_a_danger_button_and_waits_for_every_step(
    staff_page, platform_staff, world
):
    incident = scoped(world, platform_staff)
    url = page_url(incident, "close")
    content = staff_page.get(url).content.decode()
    assert "Record the retrospective." in content
    staff_page.post(url)
    incident.refresh_from_db()
    assert incident.closed_at is None

    now = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    staff_page.post(page_url(incident, "report"), {"reported": "yes", "at": now})
    staff_page.post(page_url(incident, "notify_schools"))
    staff_page.post(page_url(incident, "retrospective"), {"text": "Learned."})
    content = staff_page.get(url).content.decode()
    assert 'class="button-danger"' in content
    assert "nothing more can be recorded on it" in content
    staff_page.post(url)
    incident.refresh_from_db()
    assert incident.closed_at is not None
    page = staff_page.get(page_url(incident)).content.decode()
    assert page_url(incident, "scope") not in page  # no more steps offered


# --- Who gets in ---------------------------------------------------------------------


def test_platform_staff_hold_add_change_and_view_but_never_delete(platform_staff):
    permissions = platform_staff.get_all_permissions()
    assert {
        "privacy.add_incident",
        "privacy.change_incident",
        "privacy.view_incident",
    } <= permissions
    assert "privacy.delete_incident" not in permissions


def test_an_incident_is_never_deleted_in_the_admin(staff_page, platform_staff):
    incident = recorded(actor=platform_staff)
    response = staff_page.post(
        reverse("admin:privacy_incident_delete", args=[incident.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert Incident.objects.filter(pk=incident.pk).exists()


@pytest.mark.parametrize("who", ["school admin", "teacher", "parent", "staff outside the group"])
def test_nobody_else_opens_the_register_or_an_incident(client_for, world, platform_staff, who):
    incident = scoped(world, platform_staff)
    user = {
        "school admin": world.oak_admin,
        "teacher": world.robins_teacher,
        "parent": world.parents["robin"],
        "staff outside the group": UserFactory(is_staff=True),
    }[who]
    client = client_for(user)
    for url in (LIST, ADD, page_url(incident), page_url(incident, "notify_families")):
        response = client.get(url)
        assert response.status_code in (302, 403, 404), url
        if response.status_code == 302:
            assert "/admin/" not in response.url or "login" in response.url
    client.post(page_url(incident, "notify_families"))
    client.post(page_url(incident, "close"))
    assert not Message.objects.filter(template="incident_family").exists()
    assert teacher_of  # the world's teacher was made by it


def test_staff_who_may_only_view_see_the_incident_but_no_steps(client_for, world, platform_staff):
    from django.contrib.auth.models import Permission

    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_incident"))
    incident = scoped(world, platform_staff)
    client = client_for(viewer)
    page = client.get(page_url(incident))
    assert page.status_code == 200
    assert page_url(incident, "scope") not in page.content.decode()
    assert client.get(page_url(incident, "scope")).status_code == 403
    assert client.post(page_url(incident, "notify_schools")).status_code == 403
    assert client.get(ADD).status_code == 403


def test_a_missing_incident_is_a_404(staff_page):
    assert staff_page.get(reverse("admin:privacy_incident_scope", args=[999])).status_code == 404
    assert staff_page.get(reverse("admin:privacy_incident_change", args=[999])).status_code == 404
