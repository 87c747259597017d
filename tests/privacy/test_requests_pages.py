"""A school admin's queue of privacy requests: most urgent first, overdue and nearly
due shown in words, each step from the request's page, never another school's."""

import sys
import types
from datetime import timedelta

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from audit.models import AuditEntry
from privacy.models import PrivacyRequest
from privacy.services import privacy_request_close, privacy_request_open
from tests.factories import (
    GuardianshipFactory,
    PupilFactory,
    SchoolClassFactory,
    SchoolFactory,
    UserFactory,
    admin_of,
    teacher_of,
)

pytestmark = pytest.mark.django_db

Kind = PrivacyRequest.Kind
Status = PrivacyRequest.Status


@pytest.fixture
def school():
    return SchoolFactory(name="Oakfield Primary")


@pytest.fixture
def admin(school):
    return admin_of(school, first_name="Ada", last_name="Head")


@pytest.fixture
def link(school):
    return GuardianshipFactory(
        pupil__school=school,
        pupil__first_name="Zebedee",
        pupil__last_name="Quartermaine",
        parent__first_name="Petronella",
        parent__last_name="Quartermaine",
    )


@pytest.fixture
def client_as(staff_client):
    return staff_client


def _open(admin, *, days_ago=0, kind=Kind.ACCESS, **subject):
    return privacy_request_open(
        kind=kind,
        actor=admin,
        received_at=timezone.now() - timedelta(days=days_ago, hours=1),
        **subject,
    )


def _list_url(school, **query):
    url = reverse("privacy:school_requests", args=[school.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def _url(name, privacy_request):
    return reverse(name, args=[privacy_request.school_id, privacy_request.pk])


# --- The list -------------------------------------------------------------------------


def test_the_queue_lists_kind_person_dates_status_and_outcome(client_as, school, admin, link):
    request = _open(admin, days_ago=2, kind=Kind.RECTIFICATION, subject_pupil=link.pupil)
    about_parent = _open(admin, days_ago=1, subject_user=link.parent, school=school)

    page = client_as(admin).get(_list_url(school))

    assert page.status_code == 200
    content = page.content.decode()
    assert "Rectification (correcting data)" in content
    assert "Zebedee Quartermaine" in content
    assert "Petronella Quartermaine" in content
    assert f"{timezone.localtime(request.received_at):%-d %b %Y}" in content
    assert f"{timezone.localtime(request.due_at):%-d %b %Y}" in content
    assert "Open" in content
    assert list(page.context["page"]) == [request, about_parent]


def test_overdue_and_nearly_due_requests_come_first_and_say_so(client_as, school, admin, link):
    fresh = _open(admin, days_ago=1, subject_pupil=link.pupil)
    nearly = _open(admin, days_ago=25, subject_pupil=link.pupil)
    overdue = _open(admin, days_ago=33, subject_pupil=link.pupil)
    closed_late = _open(admin, days_ago=40, subject_pupil=link.pupil)
    privacy_request_close(privacy_request=closed_late, actor=admin, outcome="Sent.")

    page = client_as(admin).get(_list_url(school))

    assert list(page.context["page"]) == [overdue, nearly, fresh]
    content = page.content.decode()
    assert ">Overdue</span> 3 days late" in content
    assert ">Nearly due</span> 5 days left" in content
    assert "29 days left" in content
    assert "<strong>1</strong> overdue" in content
    assert "<strong>1</strong> nearly due" in content
    assert 'class="request-overdue"' in content
    assert 'class="request-nearly_due"' in content


def test_the_filter_shows_open_or_closed_or_all(client_as, school, admin, link):
    open_one = _open(admin, days_ago=3, subject_pupil=link.pupil)
    closed = _open(admin, days_ago=5, subject_pupil=link.pupil)
    privacy_request_close(privacy_request=closed, actor=admin, outcome="Posted a copy.")
    client = client_as(admin)

    assert list(client.get(_list_url(school)).context["page"]) == [open_one]
    closed_page = client.get(_list_url(school, state="closed"))
    assert list(closed_page.context["page"]) == [closed]
    assert "Posted a copy." in closed_page.content.decode()
    assert list(client.get(_list_url(school, state="all")).context["page"]) == [open_one, closed]
    assert list(client.get(_list_url(school, state="nonsense")).context["page"]) == [open_one]


def test_another_schools_requests_are_not_listed(client_as, school, admin, link):
    elsewhere = SchoolFactory()
    other = GuardianshipFactory(pupil__school=elsewhere, pupil__first_name="Ottoline")
    _open(admin_of(elsewhere), subject_pupil=other.pupil)

    page = client_as(admin).get(_list_url(school, state="all"))

    assert list(page.context["page"]) == []
    assert "Ottoline" not in page.content.decode()


@pytest.mark.parametrize("requests", [3, 30])
def test_the_queue_takes_the_same_queries_however_many_requests(
    client_as, num_queries, school, admin, requests
):
    classes = [SchoolClassFactory(school=school) for _ in range(3)]
    for number in range(requests):
        pupil = PupilFactory(school=school, school_class=classes[number % 3])
        link = GuardianshipFactory(pupil=pupil)
        subject = {"subject_pupil": link.pupil} if number % 2 else {"subject_user": link.parent}
        _open(admin, days_ago=number, school=school, **subject)
    client = client_as(admin)

    response = num_queries(client, _list_url(school, state="all"), 10)

    assert len(response.context["page"]) == requests


# --- Who may see it -------------------------------------------------------------------


def test_teachers_parents_and_other_schools_admins_cannot_see_the_queue(
    client, client_as, school, admin, link
):
    request = _open(admin, subject_pupil=link.pupil)
    teacher = teacher_of(link.pupil.school_class)
    other_admin = admin_of(SchoolFactory())
    urls = [
        _list_url(school),
        reverse("privacy:school_request_new", args=[school.pk]),
        _url("privacy:school_request", request),
        _url("privacy:school_request_close", request),
    ]
    for user in (teacher, other_admin):
        signed_in = client_as(user)
        for url in urls:
            assert signed_in.get(url).status_code == 404, (user, url)
    client.force_login(link.parent)
    for url in urls:
        assert client.get(url).status_code in {403, 404}, url


def test_another_schools_request_is_a_404_even_under_ones_own_school(client_as, school, admin):
    elsewhere = SchoolFactory()
    pupil = PupilFactory(school=elsewhere)
    theirs = _open(admin_of(elsewhere), subject_pupil=pupil)
    client = client_as(admin)

    for name in ("school_request", "school_request_close", "school_request_refuse"):
        url = reverse(f"privacy:{name}", args=[school.pk, theirs.pk])
        assert client.get(url).status_code == 404
    start = reverse("privacy:school_request_start", args=[school.pk, theirs.pk])
    assert client.post(start).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == Status.OPEN


def test_the_navigation_counts_the_open_requests(client_as, school, admin, link):
    _open(admin, subject_pupil=link.pupil)
    _open(admin, subject_user=link.parent, school=school)
    done = _open(admin, subject_pupil=link.pupil)
    privacy_request_close(privacy_request=done, actor=admin, outcome="Sent.")
    _open(admin_of(SchoolFactory()), subject_pupil=PupilFactory())

    content = client_as(admin).get(reverse("accounts:settings")).content.decode()

    assert f'<a href="{_list_url(school)}">Privacy requests (2)</a>' in content


def test_teachers_have_no_privacy_requests_link(client_as, school, admin, link):
    _open(admin, subject_pupil=link.pupil)
    teacher = teacher_of(link.pupil.school_class)
    content = client_as(teacher).get(reverse("accounts:settings")).content.decode()
    assert "Privacy requests" not in content


# --- Recording a request --------------------------------------------------------------


def test_recording_a_letter_about_a_pupil_of_the_school(client_as, school, admin, link):
    received = timezone.localdate() - timedelta(days=3)
    response = client_as(admin).post(
        reverse("privacy:school_request_new", args=[school.pk]),
        {
            "kind": "access",
            "person": f"pupil-{link.pupil.pk}",
            "received_on": received.isoformat(),
            "details": "Letter from Zebedee's mother",
        },
    )

    request = PrivacyRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _url("privacy:school_request", request)
    assert (request.kind, request.subject_pupil, request.school) == ("access", link.pupil, school)
    assert timezone.localdate(request.received_at) == received
    assert timezone.localdate(request.due_at) == received + timedelta(days=30)
    assert AuditEntry.objects.filter(action="privacy_request.open", actor=admin).count() == 1


def test_recording_a_call_from_a_parent_of_the_school(client_as, school, admin, link):
    client_as(admin).post(
        reverse("privacy:school_request_new", args=[school.pk]),
        {
            "kind": "restriction",
            "person": f"parent-{link.parent.pk}",
            "received_on": timezone.localdate().isoformat(),
        },
    )
    request = PrivacyRequest.objects.get()
    assert (request.subject_user, request.requester, request.school) == (
        link.parent,
        link.parent,
        school,
    )


def test_the_form_offers_and_accepts_only_the_schools_own_people(client_as, school, admin, link):
    elsewhere = GuardianshipFactory(
        pupil__first_name="Ottoline", parent__first_name="Perpetua", pupil__school=SchoolFactory()
    )
    client = client_as(admin)
    url = reverse("privacy:school_request_new", args=[school.pk])

    form_page = client.get(url).content.decode()
    assert "Zebedee Quartermaine" in form_page
    assert "Petronella Quartermaine" in form_page
    assert "Ottoline" not in form_page and "Perpetua" not in form_page

    for person in (f"pupil-{elsewhere.pupil.pk}", f"parent-{elsewhere.parent.pk}", "pupil-x"):
        response = client.post(
            url,
            {"kind": "erasure", "person": person, "received_on": timezone.localdate()},
        )
        assert response.status_code == 200
        assert "Choose one of the school&#x27;s pupils or parents" in response.content.decode()
    assert not PrivacyRequest.objects.exists()


def test_a_date_in_the_future_is_refused_with_a_clear_error(client_as, school, admin, link):
    response = client_as(admin).post(
        reverse("privacy:school_request_new", args=[school.pk]),
        {
            "kind": "access",
            "person": f"pupil-{link.pupil.pk}",
            "received_on": (timezone.localdate() + timedelta(days=2)).isoformat(),
        },
    )
    assert response.status_code == 200
    assert "cannot be in the future" in response.content.decode()
    assert 'id="error-summary"' in response.content.decode()
    assert not PrivacyRequest.objects.exists()


# --- Steps on one request --------------------------------------------------------------


def test_start_then_record_the_outcome_from_the_requests_page(client_as, school, admin, link):
    request = _open(admin, subject_pupil=link.pupil, kind=Kind.RECTIFICATION)
    client = client_as(admin)

    detail = client.get(_url("privacy:school_request", request)).content.decode()
    assert "Mark as in progress" in detail
    client.post(_url("privacy:school_request_start", request))
    request.refresh_from_db()
    assert request.status == Status.IN_PROGRESS

    confirm = client.get(_url("privacy:school_request_close", request)).content.decode()
    assert "cannot be changed or reopened" in confirm
    assert 'class="button-danger"' in confirm
    empty = client.post(_url("privacy:school_request_close", request), {"outcome": ""})
    assert "Say what was done." in empty.content.decode()
    client.post(_url("privacy:school_request_close", request), {"outcome": "Name corrected."})

    request.refresh_from_db()
    assert (request.status, request.outcome) == (Status.DONE, "Name corrected.")
    page = client.get(_url("privacy:school_request", request)).content.decode()
    assert "Name corrected." in page
    assert "Mark as in progress" not in page and "Record the outcome" not in page


def test_refusing_from_the_page_needs_a_reason(client_as, school, admin, link):
    request = _open(admin, subject_user=link.parent, school=school, kind=Kind.OBJECTION)
    client = client_as(admin)

    client.post(_url("privacy:school_request_refuse", request), {"reason": "Legal obligation."})

    request.refresh_from_db()
    assert (request.status, request.outcome) == (Status.REFUSED, "Legal obligation.")
    assert AuditEntry.objects.filter(action="privacy_request.refuse").count() == 1


def test_a_closed_request_cannot_be_changed_from_its_pages(client_as, school, admin, link):
    request = _open(admin, subject_user=link.parent, school=school, kind=Kind.RESTRICTION)
    privacy_request_close(privacy_request=request, actor=admin, outcome="Handled by phone.")
    client = client_as(admin)

    for name, data in [
        ("privacy:school_request_close", {"outcome": "Again"}),
        ("privacy:school_request_refuse", {"reason": "Again"}),
        ("privacy:school_request_restrict", {"restricted": "1"}),
        ("privacy:school_request_start", {}),
    ]:
        response = client.post(_url(name, request), data, follow=True)
        assert response.status_code == 200, name
        assert "cannot be changed" in response.content.decode(), name
    request.refresh_from_db()
    link.parent.refresh_from_db()
    assert request.outcome == "Handled by phone."
    assert not link.parent.processing_restricted


def test_restricting_a_parents_data_from_the_request_page(client, client_as, school, admin, link):
    request = _open(admin, subject_user=link.parent, school=school, kind=Kind.RESTRICTION)
    staff = client_as(admin)

    detail = staff.get(_url("privacy:school_request", request)).content.decode()
    assert "Restrict this parent's data" in detail
    confirm = staff.get(_url("privacy:school_request_restrict", request)).content.decode()
    assert "They can still sign in" in confirm
    assert 'class="button-danger"' in confirm
    staff.post(_url("privacy:school_request_restrict", request), {"restricted": "1"})

    link.parent.refresh_from_db()
    request.refresh_from_db()
    assert link.parent.processing_restricted
    assert request.status == Status.DONE
    entry = AuditEntry.objects.get(action="user.restrict")
    assert (entry.actor, entry.changes["on_request"]) == (admin, True)


def test_lifting_a_restriction_from_a_new_request(client_as, school, admin, link):
    link.parent.processing_restricted = True
    link.parent.save(update_fields=["processing_restricted"])
    request = _open(admin, subject_user=link.parent, school=school, kind=Kind.RESTRICTION)
    staff = client_as(admin)

    detail = staff.get(_url("privacy:school_request", request)).content.decode()
    assert "Lift the restriction" in detail
    staff.post(_url("privacy:school_request_restrict", request), {"restricted": "0"})

    link.parent.refresh_from_db()
    assert not link.parent.processing_restricted
    assert AuditEntry.objects.get(action="user.unrestrict").changes["on_request"] is True


def test_erasing_a_parent_asks_first_then_erases_and_closes(
    client_as, school, admin, link, monkeypatch
):
    calls = []
    erasure = types.ModuleType("privacy.services.erasure")
    erasure.user_erase = lambda **kwargs: calls.append(kwargs) or {"accounts": 1}
    monkeypatch.setitem(sys.modules, "privacy.services.erasure", erasure)
    request = _open(admin, subject_user=link.parent, school=school, kind=Kind.ERASURE)
    staff = client_as(admin)

    confirm = staff.get(_url("privacy:school_request_erase", request)).content.decode()
    assert "This cannot be undone" in confirm
    assert 'class="button-danger"' in confirm
    assert calls == []
    staff.post(_url("privacy:school_request_erase", request))

    assert calls == [{"user": link.parent, "actor": admin, "reason": "request"}]
    request.refresh_from_db()
    assert request.status == Status.DONE


def test_restriction_and_erasure_are_offered_only_where_they_apply(client_as, school, admin, link):
    client = client_as(admin)
    about_pupil = _open(admin, subject_pupil=link.pupil, kind=Kind.ERASURE)
    access = _open(admin, subject_user=link.parent, school=school, kind=Kind.ACCESS)

    for request in (about_pupil, access):
        page = client.get(_url("privacy:school_request", request)).content.decode()
        assert "Erase this parent" not in page and "Restrict this parent" not in page
        for name in ("privacy:school_request_erase", "privacy:school_request_restrict"):
            response = client.post(_url(name, request), {"restricted": "1"}, follow=True)
            assert "not one for this request" in response.content.decode()
    link.parent.refresh_from_db()
    assert not link.parent.processing_restricted


def test_an_access_request_about_a_pupil_links_to_the_pupils_export(client_as, school, admin, link):
    try:
        export_url = reverse(
            "privacy:pupil_export", kwargs={"school_id": school.pk, "pupil_id": link.pupil.pk}
        )
    except NoReverseMatch:
        pytest.skip("the pupil export is not in this build")
    request = _open(admin, subject_pupil=link.pupil, kind=Kind.ACCESS)
    page = client_as(admin).get(_url("privacy:school_request", request)).content.decode()
    assert f'href="{export_url}"' in page


def test_names_on_the_pages_are_escaped(client_as, school, admin):
    link = GuardianshipFactory(
        pupil__school=school, pupil__first_name="<b>Bobby</b>", parent__last_name="O'Hare"
    )
    _open(admin, subject_pupil=link.pupil)
    _open(admin, subject_user=link.parent, school=school)
    content = client_as(admin).get(_list_url(school)).content.decode()
    assert "<b>Bobby</b>" not in content and "&lt;b&gt;Bobby&lt;/b&gt;" in content
    assert "O&#x27;Hare" in content


def test_a_parent_outside_the_platform_staff_sees_no_queue(client):
    client.force_login(UserFactory())
    assert client.get(_list_url(SchoolFactory())).status_code == 404


def test_a_pupils_page_opens_the_form_with_the_pupil_chosen(client_as, school, admin, link):
    client = client_as(admin)
    new_url = reverse("privacy:school_request_new", args=[school.pk])
    pupil_page = client.get(reverse("schools:pupil_detail", args=[school.pk, link.pupil.pk]))
    assert f"{new_url}?person=pupil-{link.pupil.pk}" in pupil_page.content.decode()

    form = client.get(new_url, {"person": f"pupil-{link.pupil.pk}"})
    assert form.context["form"]["person"].value() == f"pupil-{link.pupil.pk}"
    assert f'<option value="pupil-{link.pupil.pk}" selected>' in form.content.decode()


def test_another_schools_pupil_or_parent_in_the_link_is_a_404(client_as, school, admin):
    elsewhere = GuardianshipFactory(pupil__school=SchoolFactory())
    client = client_as(admin)
    new_url = reverse("privacy:school_request_new", args=[school.pk])
    for person in (f"pupil-{elsewhere.pupil.pk}", f"parent-{elsewhere.parent.pk}", "pupil-0"):
        assert client.get(new_url, {"person": person}).status_code == 404
