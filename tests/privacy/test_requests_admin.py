"""Platform staff follow every school's privacy requests (and those of no school) in
the Django admin: most urgent first, overdue and nearly due in words, the same
steps as a school's admins, and never a pupil's or parent's name or words."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from privacy.models import PrivacyRequest
from privacy.services import privacy_request_close, privacy_request_open
from tests.admin.platform_staff import platform_staff_member
from tests.factories import GuardianshipFactory, SchoolFactory, UserFactory, admin_of

pytestmark = pytest.mark.django_db

Status = PrivacyRequest.Status
NAMES = [
    "Ottoline",
    "Quibble",
    "Peregrine",
    "Parentson",
    "peregrine@example.org",
    "wants everything",
    "posted by hand",
]


@pytest.fixture
def platform_staff():
    return platform_staff_member(first_name="Alex", last_name="Morgan")


@pytest.fixture
def platform_client(staff_client, platform_staff):
    return staff_client(platform_staff)


@pytest.fixture
def world():
    school = SchoolFactory(name="Oakfield Primary")
    admin = admin_of(school)
    link = GuardianshipFactory(
        pupil__school=school,
        pupil__first_name="Ottoline",
        pupil__last_name="Quibble",
        parent__first_name="Peregrine",
        parent__last_name="Parentson",
        parent__email="peregrine@example.org",
    )

    def opened(days_ago, **fields):
        return privacy_request_open(
            actor=admin,
            details="Peregrine wants everything about Ottoline",
            received_at=timezone.now() - timedelta(days=days_ago, hours=1),
            **fields,
        )

    fresh = opened(2, kind="access", subject_pupil=link.pupil)
    overdue = opened(35, kind="erasure", subject_user=link.parent, school=school)
    nearly = opened(26, kind="restriction", subject_user=link.parent, school=school)
    closed = opened(10, kind="objection", subject_pupil=link.pupil)
    privacy_request_close(privacy_request=closed, actor=admin, outcome="posted by hand")
    staff_account = UserFactory(is_staff=True)
    no_school = privacy_request_open(
        kind="erasure", actor=staff_account, requester=staff_account, subject_user=staff_account
    )
    return {
        "school": school,
        "fresh": fresh,
        "overdue": overdue,
        "nearly": nearly,
        "closed": closed,
        "no_school": no_school,
    }


@pytest.fixture(params=["platform staff", "superuser"])
def any_admin_client(request, platform_client, staff_client):
    if request.param == "superuser":
        return staff_client(UserFactory(is_staff=True, is_superuser=True))
    return platform_client


def _assert_no_names(response):
    content = response.content.decode()
    for name in NAMES:
        assert name not in content, f"{name!r} on {response.wsgi_request.path}"


CHANGELIST = "admin:privacy_privacyrequest_changelist"


def _change(request):
    return reverse("admin:privacy_privacyrequest_change", args=[request.pk])


def test_platform_staff_see_every_schools_requests_most_urgent_first(platform_client, world):
    response = platform_client.get(reverse(CHANGELIST))

    assert response.status_code == 200
    shown = list(response.context["cl"].result_list)
    assert shown[:2] == [world["overdue"], world["nearly"]]
    assert set(shown[2:4]) == {world["fresh"], world["no_school"]}
    assert shown[4] == world["closed"]
    content = response.content.decode()
    assert "OVERDUE</strong> 5 days late" in content
    assert "Nearly due</strong> 4 days left" in content
    assert "Oakfield Primary" in content


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"due": "overdue"}, ["overdue"]),
        ({"due": "nearly_due"}, ["nearly"]),
        ({"status__exact": "done"}, ["closed"]),
        ({"kind__exact": "erasure"}, ["overdue", "no_school"]),
        ({"school__isnull": "True"}, ["no_school"]),
    ],
)
def test_the_list_filters_by_due_status_kind_and_school(platform_client, world, query, expected):
    response = platform_client.get(reverse(CHANGELIST), query)
    assert {r.pk for r in response.context["cl"].result_list} == {world[k].pk for k in expected}


def test_the_list_filters_by_school(platform_client, world):
    response = platform_client.get(reverse(CHANGELIST), {"school__id__exact": world["school"].pk})
    assert world["no_school"] not in response.context["cl"].result_list
    assert len(response.context["cl"].result_list) == 4


def test_no_page_shows_a_name_or_what_was_written(any_admin_client, world):
    pages = [
        reverse(CHANGELIST),
        _change(world["overdue"]),
        _change(world["fresh"]),
        _change(world["closed"]),
        reverse("admin:privacy_privacyrequest_close", args=[world["overdue"].pk]),
        reverse("admin:privacy_privacyrequest_refuse", args=[world["fresh"].pk]),
        reverse("admin:privacy_privacyrequest_start", args=[world["fresh"].pk]),
    ]
    for url in pages:
        response = any_admin_client.get(url)
        assert response.status_code == 200, url
        _assert_no_names(response)


def test_a_request_shows_ids_kind_school_dates_and_the_steps(platform_client, world):
    request = world["overdue"]
    content = platform_client.get(_change(request)).content.decode()
    assert "About (user id)" in content
    assert f'<div class="readonly">{request.subject_user_id}</div>' in content
    assert "Erasure" in content and "Oakfield Primary" in content
    assert "OVERDUE" in content
    for step in ("start", "close", "refuse"):
        assert reverse(f"admin:privacy_privacyrequest_{step}", args=[request.pk]) in content
    assert 'name="_save"' not in content


def test_platform_staff_take_the_steps_and_each_is_audited(platform_client, platform_staff, world):
    request = world["no_school"]

    platform_client.post(reverse("admin:privacy_privacyrequest_start", args=[request.pk]))
    request.refresh_from_db()
    assert request.status == Status.IN_PROGRESS
    empty = platform_client.post(
        reverse("admin:privacy_privacyrequest_close", args=[request.pk]), {"outcome": ""}
    )
    assert empty.status_code == 200
    assert "This field is required" in empty.content.decode()
    platform_client.post(
        reverse("admin:privacy_privacyrequest_close", args=[request.pk]),
        {"outcome": "Account erased by the platform team."},
    )
    request.refresh_from_db()
    assert request.status == Status.DONE

    refused = world["fresh"]
    platform_client.post(
        reverse("admin:privacy_privacyrequest_refuse", args=[refused.pk]), {"reason": "Duplicate."}
    )
    refused.refresh_from_db()
    assert refused.status == Status.REFUSED
    actions = set(AuditEntry.objects.filter(actor=platform_staff).values_list("action", flat=True))
    assert actions == {"privacy_request.start", "privacy_request.close", "privacy_request.refuse"}


def test_a_closed_request_cannot_be_changed_in_the_admin(platform_client, world):
    closed = world["closed"]
    for step, data in [("start", {}), ("close", {"outcome": "x"}), ("refuse", {"reason": "x"})]:
        response = platform_client.post(
            reverse(f"admin:privacy_privacyrequest_{step}", args=[closed.pk]), data, follow=True
        )
        assert response.status_code == 200
        assert "cannot be changed" in response.content.decode()
    closed.refresh_from_db()
    assert (closed.status, closed.outcome) == (Status.DONE, "posted by hand")


def test_requests_are_never_added_edited_or_deleted_in_the_admin(platform_client, world):
    request = world["fresh"]
    assert platform_client.get(reverse("admin:privacy_privacyrequest_add")).status_code == 403
    delete = reverse("admin:privacy_privacyrequest_delete", args=[request.pk])
    assert platform_client.post(delete, {"post": "yes"}).status_code == 403
    platform_client.post(_change(request), {"kind": "erasure", "status": "done"})
    request.refresh_from_db()
    assert (request.kind, request.status) == ("access", Status.OPEN)
    assert PrivacyRequest.objects.filter(pk=request.pk).exists()
    changelist = platform_client.get(reverse(CHANGELIST)).content.decode()
    assert "delete_selected" not in changelist


def test_staff_outside_the_group_cannot_see_or_act(staff_client, world):
    client = staff_client(UserFactory(is_staff=True))
    assert client.get(reverse(CHANGELIST)).status_code == 403
    start = reverse("admin:privacy_privacyrequest_start", args=[world["fresh"].pk])
    assert client.post(start).status_code == 403
    world["fresh"].refresh_from_db()
    assert world["fresh"].status == Status.OPEN


@pytest.mark.parametrize("requests", [3, 30])
def test_the_list_takes_the_same_queries_however_many_requests(
    platform_client, django_assert_num_queries, requests
):
    schools = [SchoolFactory() for _ in range(3)]
    for number in range(requests):
        link = GuardianshipFactory(pupil__school=schools[number % 3])
        privacy_request_open(kind="access", actor=None, subject_pupil=link.pupil)
    platform_client.get(reverse(CHANGELIST))  # warm the permission cache as a real user would

    # Session, user, device, consent; the user's permissions and their group's; the
    # schools to filter by; the count; the page of requests with their schools.
    with django_assert_num_queries(9):
        response = platform_client.get(reverse(CHANGELIST))

    assert len(response.context["cl"].result_list) == requests
