"""A school admin's audit log and staff sign-in activity pages."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry, SecurityEvent
from audit.services import audit_record, security_event_record
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

LONDON = ZoneInfo("Europe/London")
Kind = SecurityEvent.Kind


@pytest.fixture
def admin(school):
    """The school's admin, made without going through a service: the log tests count
    rows, and adding staff through one writes an entry of its own."""
    return admin_of(school, first_name="Ada", last_name="Head")


def log_url(school, **query):
    url = reverse("audit:school_log", args=[school.pk])
    return url, query


def _get(client, school, name="audit:school_log", **query):
    return client.get(reverse(name, args=[school.pk]), query)


def _entry(*, actor, action="pupil.remove", subject=None, school=None, at=None) -> AuditEntry:
    entry = audit_record(actor=actor, action=action, subject=subject, school=school)
    if at is not None:
        AuditEntry.objects.filter(pk=entry.pk).update(at=at)
    return entry


def _rows(response) -> list:
    return list(response.context["page"].object_list)


# --- Who may see the pages --------------------------------------------------------------


@pytest.mark.parametrize("page", ["audit:school_log", "audit:school_security"])
def test_the_schools_admin_sees_the_page(staff_client, school, admin, page):
    assert _get(staff_client(admin), school, page).status_code == 200


@pytest.mark.parametrize("page", ["audit:school_log", "audit:school_security"])
@pytest.mark.parametrize(
    "who", ["other_schools_admin", "teacher", "parent", "platform_staff", "superuser"]
)
def test_anyone_else_is_told_there_is_no_such_page(staff_client, client, school, page, who):
    school_class = SchoolClassFactory(school=school)
    user = {
        "other_schools_admin": lambda: admin_of(SchoolFactory()),
        "teacher": lambda: teacher_of(school_class),
        "parent": lambda: GuardianshipFactory(pupil__school=school).parent,
        "platform_staff": lambda: UserFactory(is_staff=True),
        "superuser": lambda: UserFactory(is_staff=True, is_superuser=True),
    }[who]()
    if who == "parent":
        client.force_login(user)
        signed_in = client
    else:
        signed_in = staff_client(user)

    response = _get(signed_in, school, page)

    assert response.status_code == 404


@pytest.mark.parametrize("page", ["audit:school_log", "audit:school_security"])
def test_a_visitor_who_is_not_signed_in_sees_nothing(client, school, admin, page):
    _entry(actor=admin, school=school, action="secret.thing")

    response = _get(client, school, page)

    assert response.status_code in (302, 404)
    assert "secret" not in response.content.decode()


def test_the_admin_of_another_school_gets_a_404_for_this_schools_log(staff_client, school):
    other = SchoolFactory()
    other_admin = admin_of(other)
    client = staff_client(other_admin)

    assert _get(client, other).status_code == 200
    assert _get(client, school).status_code == 404


# --- The audit log ----------------------------------------------------------------------


def test_each_row_says_when_who_what_and_to_which_record(staff_client, school, admin):
    teacher = teacher_of(SchoolClassFactory(school=school), first_name="Tom", last_name="Teach")
    pupil = PupilFactory(school=school)
    _entry(
        actor=teacher,
        action="pupil.remove",
        subject=pupil,
        at=datetime(2025, 3, 4, 14, 5, tzinfo=LONDON),
    )
    _entry(actor=None, action="invitation.expire", school=school)

    html = _get(staff_client(admin), school).content.decode()

    assert "4 Mar 2025, 14:05" in html
    assert "Tom Teach" in html
    assert "Pupil: remove" in html
    assert f"Pupil #{pupil.pk}" in html
    assert "System" in html
    assert "Invitation: expire" in html


def test_the_log_is_newest_first(staff_client, school, admin):
    now = timezone.now()
    older = _entry(actor=admin, school=school, at=now - timedelta(days=2))
    newer = _entry(actor=admin, school=school, at=now - timedelta(days=1))

    assert _rows(_get(staff_client(admin), school)) == [newer, older]


def test_another_schools_entries_are_never_shown(staff_client, school, admin):
    other = SchoolFactory(name="Elmwood Primary")
    other_admin = admin_of(other, first_name="Otto", last_name="Other")
    _entry(actor=other_admin, action="elmwood.secret", school=other)
    _entry(actor=other_admin, action="elmwood.pupil", subject=PupilFactory(school=other))
    mine = _entry(actor=admin, school=school)
    client = staff_client(admin)

    response = _get(client, school)
    by_action = _get(client, school, action="elmwood.secret")
    by_person = _get(client, school, person=other_admin.pk)

    html = response.content.decode()
    assert _rows(response) == [mine]
    assert "Elmwood" not in html and "Otto" not in html and "elmwood" not in html
    assert by_action.context["form"].errors and _rows(by_action) == [mine]
    assert by_person.context["form"].errors and _rows(by_person) == [mine]


def test_the_log_filters_by_action(staff_client, school, admin):
    removed = _entry(actor=admin, school=school, action="pupil.remove")
    _entry(actor=admin, school=school, action="invitation.revoke")

    response = _get(staff_client(admin), school, action="pupil.remove")

    assert _rows(response) == [removed]
    choices = [value for value, _ in response.context["form"].fields["action"].choices]
    assert choices == ["", "invitation.revoke", "pupil.remove"]


def test_the_log_filters_by_person_among_the_schools_staff(staff_client, school, admin):
    teacher = teacher_of(SchoolClassFactory(school=school), first_name="Tom", last_name="Teach")
    by_teacher = _entry(actor=teacher, school=school)
    _entry(actor=admin, school=school)
    _entry(actor=None, school=school)
    GuardianshipFactory(pupil__school=school, parent__first_name="Polly")

    response = _get(staff_client(admin), school, person=teacher.pk)

    assert _rows(response) == [by_teacher]
    people = dict(response.context["form"].fields["person"].choices)
    assert people == {"": "Everyone", str(admin.pk): "Ada Head", str(teacher.pk): "Tom Teach"}


def test_the_dates_are_uk_dates_and_the_end_date_is_included(staff_client, school, admin):
    """Summer time: 23:30 on 30 June in London is 22:30 UTC, still 30 June."""
    before = _entry(actor=admin, school=school, at=datetime(2025, 6, 29, 23, 59, tzinfo=LONDON))
    first = _entry(actor=admin, school=school, at=datetime(2025, 6, 30, 0, 0, tzinfo=LONDON))
    last = _entry(actor=admin, school=school, at=datetime(2025, 6, 30, 23, 30, tzinfo=LONDON))
    after = _entry(actor=admin, school=school, at=datetime(2025, 7, 1, 0, 0, tzinfo=LONDON))
    client = staff_client(admin)

    one_day = _get(client, school, date_from="2025-06-30", date_to="2025-06-30")
    from_only = _get(client, school, date_from="2025-06-30")
    to_only = _get(client, school, date_to="2025-06-30")

    assert _rows(one_day) == [last, first]
    assert _rows(from_only) == [after, last, first]
    assert _rows(to_only) == [last, first, before]


def test_filters_combine(staff_client, school, admin):
    teacher = teacher_of(SchoolClassFactory(school=school))
    day = datetime(2025, 3, 4, 12, 0, tzinfo=LONDON)
    wanted = _entry(actor=teacher, school=school, action="pupil.remove", at=day)
    _entry(actor=admin, school=school, action="pupil.remove", at=day)
    _entry(actor=teacher, school=school, action="invitation.revoke", at=day)
    _entry(actor=teacher, school=school, action="pupil.remove", at=day + timedelta(days=3))

    response = _get(
        staff_client(admin),
        school,
        action="pupil.remove",
        person=teacher.pk,
        date_from="2025-03-04",
        date_to="2025-03-05",
    )

    assert _rows(response) == [wanted]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"date_from": "2025-13-45"}, "date_from"),
        ({"date_to": "yesterday"}, "date_to"),
        ({"date_from": "0001-01-01"}, "date_from"),
        ({"date_to": "9999-12-31"}, "date_to"),
        ({"date_from": "2025-03-05", "date_to": "2025-03-04"}, "date_to"),
        ({"person": "abc"}, "person"),
        ({"person": "99999999999999999999999"}, "person"),
        ({"person": "-1"}, "person"),
        ({"action": "nothing.here"}, "action"),
        ({"action": "<script>"}, "action"),
    ],
)
def test_bad_filter_input_is_an_error_on_the_page_not_a_500(
    staff_client, school, admin, query, field
):
    kept = _entry(actor=admin, school=school, at=datetime(2025, 3, 5, 12, 0, tzinfo=LONDON))

    response = _get(staff_client(admin), school, **query)

    assert response.status_code == 200
    assert field in response.context["form"].errors
    html = response.content.decode()
    assert 'class="error-summary"' in html
    assert "<script>" not in html
    assert _rows(response) == [kept]


def test_the_log_has_fifty_entries_a_page_and_pages_keep_the_filter(staff_client, school, admin):
    for _ in range(51):
        _entry(actor=admin, school=school, action="pupil.remove")
    _entry(actor=admin, school=school, action="invitation.revoke")
    client = staff_client(admin)

    first = _get(client, school, action="pupil.remove")
    second = _get(client, school, action="pupil.remove", page=2)

    assert len(_rows(first)) == 50
    assert len(_rows(second)) == 1
    assert first.context["page"].paginator.count == 51
    assert "?action=pupil.remove&amp;page=2" in first.content.decode()


@pytest.mark.parametrize("entries", [1, 30])
def test_the_log_takes_the_same_queries_however_many_entries(
    staff_client, num_queries, school, admin, entries
):
    teachers = [teacher_of(SchoolClassFactory(school=school)) for _ in range(3)]
    pupils = [PupilFactory(school=school) for _ in range(3)]
    for number in range(entries):
        _entry(actor=teachers[number % 3], subject=pupils[number % 3], action="pupil.remove")
    client = staff_client(admin)

    response = num_queries(client, reverse("audit:school_log", args=[school.pk]), 11)

    assert len(_rows(response)) == entries


# --- Staff sign-in activity -----------------------------------------------------------------


def _event(kind, user, **fields) -> SecurityEvent:
    return security_event_record(kind=kind, user=user, **fields)


def test_the_activity_of_this_schools_staff_is_shown(staff_client, school, admin):
    teacher = teacher_of(SchoolClassFactory(school=school), first_name="Tom", last_name="Teach")
    SecurityEvent.objects.all().delete()
    signed_in = _event(Kind.SIGN_IN, teacher)
    failed = _event(Kind.SIGN_IN_FAILED, teacher, email_tried=teacher.email)
    second = _event(Kind.SECOND_FACTOR_FAILED, admin)
    client = staff_client(admin)
    SecurityEvent.objects.exclude(pk__in=[signed_in.pk, failed.pk, second.pk]).delete()

    response = _get(client, school, "audit:school_security")

    assert _rows(response) == [second, failed, signed_in]
    html = response.content.decode()
    assert "Tom Teach" in html and "Ada Head" in html
    assert "Sign-in failed" in html and "Second factor failed" in html


def test_parents_other_schools_staff_and_unknown_emails_are_never_shown(
    staff_client, school, admin
):
    parent = GuardianshipFactory(pupil__school=school, parent__first_name="Polly").parent
    elsewhere = admin_of(SchoolFactory(), first_name="Otto")
    _event(Kind.SIGN_IN, parent)
    _event(Kind.PASSWORD_CHANGED, parent)
    _event(Kind.SIGN_IN, elsewhere)
    _event(Kind.SIGN_IN_FAILED, None, email_tried="nobody@example.org")
    _event(Kind.PUPIL_RECORD_OPENED, admin, details={"pupil": 1})
    _event(Kind.ACCESS_REFUSED, admin)
    client = staff_client(admin)

    response = _get(client, school, "audit:school_security")

    users = {event.user_id for event in _rows(response)}
    kinds = {event.kind for event in _rows(response)}
    assert users == {admin.pk}
    assert not kinds & {Kind.PUPIL_RECORD_OPENED, Kind.ACCESS_REFUSED}
    html = response.content.decode()
    assert "Polly" not in html and "Otto" not in html


def test_the_activity_shows_where_from(staff_client, school, admin, rf):
    request = rf.get("/", REMOTE_ADDR="203.0.113.77", HTTP_USER_AGENT="Firefox/128.0")
    request.user = admin
    _event(Kind.PASSWORD_CHANGED, admin, request=request)

    html = _get(staff_client(admin), school, "audit:school_security").content.decode()

    assert "203.0.113.77" in html and "Firefox/128.0" in html
    assert "Password changed" in html


def test_the_activity_has_fifty_events_a_page(staff_client, school, admin):
    client = staff_client(admin)
    SecurityEvent.objects.all().delete()
    for _ in range(51):
        _event(Kind.SIGN_IN, admin)

    first = _get(client, school, "audit:school_security")
    second = _get(client, school, "audit:school_security", page=2)

    assert len(_rows(first)) == 50
    assert len(_rows(second)) == 1


@pytest.mark.parametrize("events", [1, 30])
def test_the_activity_takes_the_same_queries_however_many_events(
    staff_client, num_queries, school, admin, events
):
    teachers = [teacher_of(SchoolClassFactory(school=school)) for _ in range(3)]
    client = staff_client(admin)
    SecurityEvent.objects.all().delete()
    for number in range(events):
        _event(Kind.SIGN_IN, teachers[number % 3])

    response = num_queries(client, reverse("audit:school_security", args=[school.pk]), 9)

    assert len(_rows(response)) == events
