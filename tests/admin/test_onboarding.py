"""Platform staff onboard a school: the school and its first admin, who is emailed
a link to choose a password. All or nothing, with clear errors."""

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, User
from audit.models import AuditEntry
from notifications.models import Message
from schools.models import School
from tests.factories import SchoolFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/admin/schools/school/add/"


def onboarding(**changes):
    return {
        "name": "Riverside Primary",
        "urn": "100234",
        "kind": School.Kind.SCHOOL,
        "admin_first_name": "Priya",
        "admin_last_name": "Shah",
        "admin_email": "Priya.Shah@riverside.example.org",
        **changes,
    }


def test_the_onboarding_page_asks_for_the_school_and_its_first_admin(platform_staff_client):
    response = platform_staff_client.get(reverse("admin:schools_school_add"))

    assert response.status_code == 200
    content = response.content.decode()
    for label in ("School name", "URN", "Kind", "Its first school admin", "Email address"):
        assert label in content
    changelist = platform_staff_client.get(reverse("admin:schools_school_changelist"))
    assert "Onboard a school" in changelist.content.decode()


def test_onboarding_creates_the_school_and_its_admin_who_is_emailed_a_password_link(
    platform_staff_client, platform_staff
):
    response = platform_staff_client.post(URL, onboarding())

    school = School.objects.get(urn="100234")
    assert response.status_code == 302
    assert response.url == reverse("admin:schools_school_change", args=[school.pk])
    assert (school.name, school.kind, school.status) == ("Riverside Primary", "school", "active")
    admin = User.objects.get(email="priya.shah@riverside.example.org")
    assert (admin.first_name, admin.last_name) == ("Priya", "Shah")
    assert not admin.has_usable_password()
    assert not admin.is_staff
    membership = Membership.objects.get(user=admin)
    assert (membership.school, membership.role) == (school, Membership.Role.ADMIN)
    message = Message.objects.get(recipient=admin)
    assert message.template == "staff_added"
    assert message.channel == Message.Channel.EMAIL
    assert "/accounts/password/reset/key/" in message.body_text
    assert "Riverside Primary" in message.body_text
    entry = AuditEntry.objects.get(action="school.create")
    assert (entry.actor, entry.school) == (platform_staff, school)
    assert entry.changes == {"urn": "100234", "kind": "school"}
    assert AuditEntry.objects.filter(action="staff.add", school=school).count() == 1
    followed = platform_staff_client.get(response.url)
    assert "Riverside Primary is on the portal." in followed.content.decode()


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"urn": "123456"}, "A school with URN 123456 is already on the portal."),
        ({"urn": "12ab"}, "A URN is six to eight digits."),
        ({"admin_email": "priya.shah@"}, "Enter a valid email address."),
        ({"name": ""}, "This field is required."),
    ],
)
def test_a_wrong_field_is_shown_and_nothing_is_saved(platform_staff_client, changes, error):
    SchoolFactory(urn="123456", name="Oakfield Primary")

    response = platform_staff_client.post(URL, onboarding(**changes))

    assert response.status_code == 200
    content = response.content.decode()
    assert "Please correct the errors below." in content
    assert error in content
    assert School.objects.count() == 1
    assert not User.objects.filter(email__iexact="priya.shah@riverside.example.org").exists()
    assert not Message.objects.exists()
    assert not AuditEntry.objects.exists()


def test_an_admin_who_cannot_be_added_leaves_no_school_behind(platform_staff_client):
    UserFactory(email="closed@example.org", is_active=False, closed_at=timezone.now())

    response = platform_staff_client.post(URL, onboarding(admin_email="closed@example.org"))

    assert response.status_code == 200
    assert "The first admin cannot be added: That account has been closed" in (
        response.content.decode()
    )
    assert not School.objects.exists()
    assert not Membership.objects.exists()
    assert not Message.objects.exists()
    assert not AuditEntry.objects.exists()


def test_staff_without_the_permission_cannot_onboard(staff_client):
    client = staff_client(UserFactory(is_staff=True))

    assert client.get(URL).status_code == 403
    assert client.post(URL, onboarding()).status_code == 403
    assert not School.objects.exists()


def test_changing_a_schools_details_is_recorded(platform_staff_client, platform_staff):
    school = SchoolFactory(name="Oakfeld Primary", urn="123456")

    response = platform_staff_client.post(
        reverse("admin:schools_school_change", args=[school.pk]),
        {"name": "Oakfield Primary", "urn": "123456", "kind": "school"},
    )

    assert response.status_code == 302
    school.refresh_from_db()
    assert school.name == "Oakfield Primary"
    entry = AuditEntry.objects.get(action="school.update")
    assert (entry.actor, entry.school) == (platform_staff, school)
    assert entry.changes == {"name": ["Oakfeld Primary", "Oakfield Primary"]}
