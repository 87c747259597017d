"""A school admin adds teachers and admins by email and assigns teachers to classes."""

import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, User
from notifications.models import Message
from schools.services import ClassTeachersError, class_teachers_set
from tests.factories import (
    SchoolClassFactory,
    SchoolFactory,
    UserFactory,
    teacher_of,
)

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


def _add(client, school, captured, **fields):
    data = {
        "email": "new.teacher@example.org",
        "first_name": "Nia",
        "last_name": "Newton",
        "role": "teacher",
        **fields,
    }
    with captured(execute=True):
        return client.post(reverse("accounts:staff_add", args=[school.pk]), data)


def _link_path(body: str) -> str:
    match = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+/)", body)
    assert match, body
    return match.group(1)


def test_admin_adds_a_teacher_who_sets_a_password_then_must_enrol(
    school, admin, staff_client, client, django_capture_on_commit_callbacks
):
    school_admin_client = staff_client(admin)

    response = _add(school_admin_client, school, django_capture_on_commit_callbacks)

    assert response.status_code == 302
    assert response["Location"] == reverse("schools:school_overview", args=[school.pk])
    user = User.objects.get(email="new.teacher@example.org")
    assert (user.first_name, user.last_name) == ("Nia", "Newton")
    assert not user.has_usable_password()
    assert Membership.objects.filter(user=user, school=school, role="teacher").exists()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new.teacher@example.org"]
    assert "Oakfield Primary" in message.subject
    assert "Ada Head" in message.body

    school_admin_client.post("/accounts/logout/")
    form = client.get(_link_path(message.body))
    assert form.status_code == 302
    done = client.post(
        form["Location"], {"password1": "a-new-secret-77", "password2": "a-new-secret-77"}
    )
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password("a-new-secret-77")

    signed_in = client.post(
        "/accounts/login/", {"login": "new.teacher@example.org", "password": "a-new-secret-77"}
    )
    landing = client.get(signed_in["Location"], follow=True)
    assert landing.redirect_chain[-1][0].startswith("/two-factor/setup/")


def test_the_overview_confirms_the_addition_and_lists_the_new_teacher(
    school, admin, staff_client, django_capture_on_commit_callbacks
):
    school_admin_client = staff_client(admin)
    _add(school_admin_client, school, django_capture_on_commit_callbacks)

    html = school_admin_client.get(
        reverse("schools:school_overview", args=[school.pk])
    ).content.decode()

    assert "new.teacher@example.org added as teacher" in html
    assert "Nia Newton" in html


def test_admin_adds_another_admin(school, admin, staff_client, django_capture_on_commit_callbacks):
    _add(
        staff_client(admin),
        school,
        django_capture_on_commit_callbacks,
        email="deputy@example.org",
        role="admin",
    )

    assert Membership.objects.get(user__email="deputy@example.org").role == "admin"
    assert len(mail.outbox) == 1


def test_a_set_password_link_works_once(
    school, admin, staff_client, client, django_capture_on_commit_callbacks
):
    _add(staff_client(admin), school, django_capture_on_commit_callbacks)
    link = _link_path(mail.outbox[0].body)
    client.post("/accounts/logout/")
    form = client.get(link)
    client.post(form["Location"], {"password1": "a-new-secret-77", "password2": "a-new-secret-77"})
    client.post("/accounts/logout/")

    again = client.get(link)

    assert again.status_code == 200
    assert again.context["token_fail"] is True


def test_no_email_is_sent_when_the_addition_fails(
    school, admin, staff_client, django_capture_on_commit_callbacks
):
    teacher_of(SchoolClassFactory(school=school), email="already@example.org")

    _add(
        staff_client(admin), school, django_capture_on_commit_callbacks, email="already@example.org"
    )

    assert mail.outbox == []
    assert not Message.objects.exists()


def test_the_added_email_is_a_service_message_in_the_outbox(
    school, admin, staff_client, django_capture_on_commit_callbacks
):
    _add(staff_client(admin), school, django_capture_on_commit_callbacks)

    user = User.objects.get(email="new.teacher@example.org")
    message = Message.objects.get()
    assert (message.recipient, message.channel, message.kind, message.template) == (
        user,
        "email",
        "service",
        "staff_added",
    )
    assert message.status == Message.Status.SENT
    assert message.subject == "You have been added to Oakfield Primary on the Home Learning Portal"
    assert "Hello Nia," in message.body_text
    assert "as a teacher." in message.body_text
    assert mail.outbox[0].extra_headers["Message-ID"] == message.provider_id
    html, mimetype = mail.outbox[0].alternatives[0]
    assert mimetype == "text/html"
    assert 'href="http' in html and "/accounts/password/reset/key/" in html


def test_the_added_email_waits_for_the_commit(school, admin):
    from accounts.services import staff_add

    staff_add(
        school=school,
        email="later@example.org",
        first_name="La",
        last_name="Ter",
        role="admin",
        actor=admin,
    )  # the test's transaction never commits

    assert Message.objects.get().status == Message.Status.PENDING
    assert mail.outbox == []


def test_an_existing_user_added_at_another_school_keeps_their_password(
    school, admin, staff_client, django_capture_on_commit_callbacks
):
    elsewhere = teacher_of(SchoolClassFactory(), email="roamer@example.org")
    password_hash = elsewhere.password

    response = _add(
        staff_client(admin),
        school,
        django_capture_on_commit_callbacks,
        email="Roamer@Example.org",
    )

    assert response.status_code == 302
    elsewhere.refresh_from_db()
    assert elsewhere.password == password_hash
    assert elsewhere.check_password(PASSWORD)
    assert User.objects.filter(email__iexact="roamer@example.org").count() == 1
    assert Membership.objects.filter(user=elsewhere).count() == 2
    body = mail.outbox[0].body
    assert "/accounts/login/" in body
    assert "/accounts/password/reset/key/" not in body


@pytest.mark.parametrize("typed", ["twice@example.org", "TWICE@example.org"])
def test_adding_someone_twice_is_a_clear_form_error(
    school, admin, staff_client, django_capture_on_commit_callbacks, typed
):
    school_admin_client = staff_client(admin)
    _add(school_admin_client, school, django_capture_on_commit_callbacks, email="twice@example.org")
    mail.outbox.clear()

    response = _add(school_admin_client, school, django_capture_on_commit_callbacks, email=typed)

    assert response.status_code == 200
    assert "already on the staff of Oakfield Primary" in response.content.decode()
    assert Membership.objects.filter(user__email="twice@example.org").count() == 1
    assert mail.outbox == []


def test_adding_an_admin_of_this_school_again_as_admin_is_a_form_error(school, admin, staff_client):
    response = staff_client(admin).post(
        reverse("accounts:staff_add", args=[school.pk]),
        {"email": "head@example.org", "first_name": "A", "last_name": "H", "role": "admin"},
    )

    assert response.status_code == 200
    assert "already on the staff of Oakfield Primary as a school admin" in response.content.decode()
    assert list(Membership.objects.filter(user=admin).values_list("role", flat=True)) == ["admin"]


def test_a_school_admin_added_as_a_teacher_also_teaches_and_is_listed_once(
    school, admin, staff_client, django_capture_on_commit_callbacks
):
    school_admin_client = staff_client(admin)
    _add(school_admin_client, school, django_capture_on_commit_callbacks, email="HEAD@example.org")
    school_class = SchoolClassFactory(school=school, name="Hedgehogs")
    class_teachers_set(school_class=school_class, teachers=[admin], actor=admin)

    roles = set(Membership.objects.filter(user=admin).values_list("role", flat=True))
    assert roles == {"admin", "teacher"}
    assert (
        "Hedgehogs" in school_admin_client.get(reverse("schools:teacher_classes")).content.decode()
    )
    overview = school_admin_client.get(reverse("schools:school_overview", args=[school.pk]))
    assert [member.roles for member in overview.context["staff"]] == [["School admin", "Teacher"]]


def test_an_imported_parent_added_as_staff_is_activated_and_sets_a_password(
    school, admin, staff_client, django_capture_on_commit_callbacks
):
    parent = UserFactory(email="carer@example.org", is_active=False)
    parent.set_unusable_password()
    parent.save()

    _add(staff_client(admin), school, django_capture_on_commit_callbacks, email="carer@example.org")

    parent.refresh_from_db()
    assert parent.is_active
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


def test_a_closed_account_cannot_be_added(school, admin, staff_client):
    UserFactory(email="closed@example.org", is_active=False, closed_at=timezone.now())

    response = staff_client(admin).post(
        reverse("accounts:staff_add", args=[school.pk]),
        {"email": "closed@example.org", "first_name": "C", "last_name": "D", "role": "teacher"},
    )

    assert response.status_code == 200
    assert "closed" in response.content.decode()
    assert not Membership.objects.filter(user__email="closed@example.org").exists()


@pytest.mark.parametrize(
    "bad",
    [
        {"email": "not-an-email"},
        {"email": ""},
        {"role": "owner"},
        {"first_name": ""},
        {"first_name": "x" * 500},
    ],
)
def test_bad_staff_input_is_a_form_error(school, admin, staff_client, bad):
    data = {
        "email": "ok@example.org",
        "first_name": "Ok",
        "last_name": "Person",
        "role": "teacher",
        **bad,
    }

    response = staff_client(admin).post(reverse("accounts:staff_add", args=[school.pk]), data)

    assert response.status_code == 200
    assert not Membership.objects.filter(school=school).exclude(user=admin).exists()


def test_a_teacher_cannot_add_staff(school, staff_client):
    teacher = teacher_of(SchoolClassFactory(school=school))
    client = staff_client(teacher)

    page = client.get(reverse("accounts:staff_add", args=[school.pk]))
    posted = client.post(
        reverse("accounts:staff_add", args=[school.pk]),
        {"email": "sneaky@example.org", "first_name": "S", "last_name": "N", "role": "admin"},
    )

    assert page.status_code == 404
    assert posted.status_code == 404
    assert not User.objects.filter(email="sneaky@example.org").exists()


def test_an_admin_cannot_add_staff_to_another_school(school, admin, staff_client):
    other = SchoolFactory()

    response = staff_client(admin).post(
        reverse("accounts:staff_add", args=[other.pk]),
        {"email": "sneaky@example.org", "first_name": "S", "last_name": "N", "role": "admin"},
    )

    assert response.status_code == 404
    assert not Membership.objects.filter(school=other).exists()


# Assigning teachers to classes.


def _teacher_at(school, **fields):
    user = UserFactory(**fields)
    Membership.objects.create(user=user, school=school, role="teacher")
    return user


def test_admin_assigns_teachers_to_a_class(school, admin, staff_client):
    school_class = SchoolClassFactory(school=school, name="Oak")
    first = _teacher_at(school, first_name="Tom", last_name="Ash")
    second = _teacher_at(school, first_name="Tia", last_name="Birch")
    client = staff_client(admin)
    url = reverse("schools:class_teachers", args=[school.pk, school_class.pk])

    page = client.get(url)
    response = client.post(url, {"teachers": [first.pk, second.pk]})

    assert "Tom Ash" in page.content.decode()
    assert response.status_code == 302
    assert set(school_class.teachers.all()) == {first, second}

    client.post(url, {"teachers": [second.pk]})
    assert set(school_class.teachers.all()) == {second}

    client.post(url, {})
    assert not school_class.teachers.exists()


def test_the_assigned_teacher_then_sees_the_class(school, admin, staff_client, client):
    school_class = SchoolClassFactory(school=school, name="Oak")
    teacher = _teacher_at(school)
    staff_client(admin).post(
        reverse("schools:class_teachers", args=[school.pk, school_class.pk]),
        {"teachers": [teacher.pk]},
    )

    client.logout()
    html = staff_client(teacher).get(reverse("schools:teacher_classes")).content.decode()

    assert "Oak" in html


@pytest.mark.parametrize("who", ["teacher_elsewhere", "admin_here", "parent", "nobody"])
def test_assigning_someone_not_teaching_at_the_school_is_refused(school, admin, staff_client, who):
    school_class = SchoolClassFactory(school=school)
    candidates = {
        "teacher_elsewhere": lambda: teacher_of(SchoolClassFactory()),
        "admin_here": lambda: admin,
        "parent": UserFactory,
        "nobody": lambda: None,
    }
    outsider = candidates[who]()
    outsider_id = outsider.pk if outsider else 987654

    response = staff_client(admin).post(
        reverse("schools:class_teachers", args=[school.pk, school_class.pk]),
        {"teachers": [outsider_id]},
    )

    assert response.status_code == 200
    assert "teachers" in response.context["form"].errors
    assert not school_class.teachers.exists()


@pytest.mark.parametrize("value", ["abc", "", "1;DROP TABLE", "99999999999999999999999"])
def test_nonsense_teacher_ids_are_a_form_error(school, admin, staff_client, value):
    school_class = SchoolClassFactory(school=school)

    response = staff_client(admin).post(
        reverse("schools:class_teachers", args=[school.pk, school_class.pk]), {"teachers": [value]}
    )

    assert response.status_code in {200, 302}
    assert not school_class.teachers.exists()


def test_the_service_refuses_a_teacher_of_another_school(school, admin):
    school_class = SchoolClassFactory(school=school)
    outsider = teacher_of(SchoolClassFactory())

    with pytest.raises(ClassTeachersError):
        class_teachers_set(school_class=school_class, teachers=[outsider], actor=admin)

    assert not school_class.teachers.exists()


def test_a_teacher_cannot_assign_teachers(school, staff_client):
    school_class = SchoolClassFactory(school=school)
    teacher = teacher_of(school_class)
    other = _teacher_at(school)

    response = staff_client(teacher).post(
        reverse("schools:class_teachers", args=[school.pk, school_class.pk]),
        {"teachers": [other.pk]},
    )

    assert response.status_code == 404
    assert set(school_class.teachers.all()) == {teacher}
