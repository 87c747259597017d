"""The pages of exports: a person's "Your data" page and download, a pupil's
download for the school's admins, and the school's own export; who may use each."""

import io
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Membership
from accounts.services import processing_restriction_set
from audit.models import AuditEntry, SecurityEvent
from engagement.models import Event
from notifications.models import Message
from tests.consent.notices import published_notice, registered_parent
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


def zip_names(response) -> set[str]:
    content = b"".join(response.streaming_content)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return set(archive.namelist())


@pytest.fixture
def family():
    link = GuardianshipFactory(pupil__first_name="Robin", pupil__last_name="Child")
    return link.parent, link.pupil


# --- A person's own data ------------------------------------------------------------


def test_account_settings_link_to_your_data(client, family):
    parent, _ = family
    client.force_login(parent)
    page = client.get(reverse("accounts:settings")).content.decode()
    assert reverse("privacy:my_data") in page and ">Your data</h2>" in page


def test_the_your_data_page_says_what_is_held_and_offers_the_download(client, family):
    parent, _pupil = family
    client.force_login(parent)
    response = client.get(reverse("privacy:my_data"))
    assert response.status_code == 200
    page = response.content.decode()
    assert reverse("privacy:my_data") == "/account/data/"
    assert f'href="{reverse("privacy:download")}"' in page and "Download your data" in page
    assert reverse("accounts:settings_restriction") in page
    assert "Robin Child" in page
    assert "comments, photos and contact details are theirs" in page


def test_the_download_is_a_zip_attachment_never_cached(client, family):
    parent, _ = family
    client.force_login(parent)
    response = client.get(reverse("privacy:download"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="home-learning-data-')
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert zip_names(response) == {"data.json", "index.html"}
    assert AuditEntry.objects.filter(action="privacy.export", actor=parent).count() == 1


def test_a_restricted_parent_can_still_download_their_data(client, family):
    parent, _ = family
    processing_restriction_set(user=parent, restricted=True, actor=parent)
    client.force_login(parent)
    page = client.get(reverse("privacy:my_data")).content.decode()
    assert "you can still download it" in page and "Lift the restriction" in page
    events = Event.objects.count()
    response = client.get(reverse("privacy:download"))
    assert response.status_code == 200
    assert "data.json" in zip_names(response)
    assert Event.objects.count() == events


def test_a_parent_who_must_agree_to_a_new_notice_can_still_get_their_data(client):
    parent = registered_parent(published_notice(version="1.0"))
    published_notice(version="2.0", requires_reconsent=True)
    client.force_login(parent)
    assert client.get(reverse("privacy:my_data")).status_code == 200
    assert client.get(reverse("privacy:download")).status_code == 200


def test_the_download_needs_signing_in(client):
    response = client.get(reverse("privacy:download"))
    assert response.status_code == 302 and "/accounts/login/" in response.url


# --- One pupil, for the school's admins ---------------------------------------------


def _pupil_export_url(pupil) -> str:
    return reverse("privacy:pupil_export", args=[pupil.school_id, pupil.pk])


def test_a_school_admin_downloads_a_pupils_data_and_the_opening_is_recorded(staff_client, family):
    _, pupil = family
    admin = admin_of(pupil.school)
    client = staff_client(admin)
    page = client.get(reverse("schools:pupil_detail", args=[pupil.school_id, pupil.pk]))
    assert _pupil_export_url(pupil) in page.content.decode()

    response = client.get(_pupil_export_url(pupil))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith(f'attachment; filename="pupil-{pupil.pk}-')
    assert {"data.json", "index.html"} <= zip_names(response)
    opened = SecurityEvent.objects.filter(
        kind=SecurityEvent.Kind.PUPIL_RECORD_OPENED, user=admin, details={"pupil": pupil.pk}
    )
    assert opened.count() == 2  # the pupil's page, then the export
    assert AuditEntry.objects.filter(action="privacy.export", actor=admin).count() == 1


def test_a_pupil_who_left_can_still_be_exported_by_the_school(staff_client, family):
    _, pupil = family
    pupil.removed_by_school_at = pupil.created_at
    pupil.save()
    response = staff_client(admin_of(pupil.school)).get(_pupil_export_url(pupil))
    assert response.status_code == 200


def test_a_teacher_sees_no_export_button_and_is_refused(staff_client, family):
    _, pupil = family
    teacher = teacher_of(pupil.school_class)
    client = staff_client(teacher)
    page = client.get(reverse("schools:pupil_detail", args=[pupil.school_id, pupil.pk]))
    assert page.status_code == 200
    assert _pupil_export_url(pupil) not in page.content.decode()
    assert client.get(_pupil_export_url(pupil)).status_code == 403
    # Whichever pupil of the school: a 403 confirms nothing about the pupil.
    other = PupilFactory(school=pupil.school)
    assert client.get(_pupil_export_url(other)).status_code == 403
    assert (
        client.get(reverse("privacy:pupil_export", args=[pupil.school_id, 999999])).status_code
        == 403
    )
    assert not AuditEntry.objects.filter(action="privacy.export").exists()


@pytest.mark.parametrize("who", ["other_school_admin", "parent", "platform_staff"])
def test_anyone_else_gets_a_404_for_a_pupils_export(client, staff_client, family, who):
    parent, pupil = family
    if who == "parent":
        client.force_login(parent)
    elif who == "other_school_admin":
        client = staff_client(admin_of(SchoolFactory()))
    else:
        client = staff_client(UserFactory(is_staff=True))
    assert client.get(_pupil_export_url(pupil)).status_code == 404
    assert not AuditEntry.objects.filter(action="privacy.export").exists()


def test_an_admin_cannot_export_a_pupil_through_another_schools_address(staff_client, family):
    _, pupil = family
    other_school = SchoolFactory()
    admin = admin_of(pupil.school)
    Membership.objects.create(user=admin, school=other_school, role=Membership.Role.ADMIN)
    url = reverse("privacy:pupil_export", args=[other_school.pk, pupil.pk])
    assert staff_client(admin).get(url).status_code == 404


# --- The whole school -----------------------------------------------------------------


def test_the_school_overview_links_to_the_export_page(school_admin_client, school):
    page = school_admin_client.get(reverse("schools:school_overview", args=[school.pk]))
    assert reverse("privacy:school_export", args=[school.pk]) in page.content.decode()


def test_the_export_page_offers_csv_and_json(school_admin_client, school):
    url = reverse("privacy:school_export", args=[school.pk])
    page = school_admin_client.get(url).content.decode()
    assert f'href="{url}?format=csv"' in page and f'href="{url}?format=json"' in page

    csv_response = school_admin_client.get(url, {"format": "csv"})
    assert csv_response.status_code == 200
    assert csv_response["Content-Type"] == "application/zip"
    assert "no-store" in csv_response["Cache-Control"]
    assert "pupils.csv" in zip_names(csv_response)
    json_response = school_admin_client.get(url, {"format": "json"})
    assert zip_names(json_response) == {"README.txt", "school.json"}
    assert AuditEntry.objects.filter(action="school.export").count() == 2


def test_an_unknown_format_is_a_clear_error(school_admin_client, school):
    url = reverse("privacy:school_export", args=[school.pk])
    response = school_admin_client.get(url, {"format": "xlsx"})
    assert response.status_code == 400
    assert "Choose CSV or JSON." in response.content.decode()
    assert not AuditEntry.objects.filter(action="school.export").exists()


def test_a_teacher_is_refused_the_school_export(staff_client, school):
    teacher = teacher_of(SchoolClassFactory(school=school))
    url = reverse("privacy:school_export", args=[school.pk])
    assert staff_client(teacher).get(url).status_code == 403
    assert staff_client(teacher).get(url, {"format": "csv"}).status_code == 403


@pytest.mark.parametrize("who", ["other_school_admin", "parent", "platform_staff"])
def test_anyone_else_gets_a_404_for_the_school_export(client, staff_client, school, who):
    if who == "parent":
        parent = GuardianshipFactory(pupil__school=school).parent
        client.force_login(parent)
    elif who == "other_school_admin":
        client = staff_client(admin_of(SchoolFactory()))
    else:
        client = staff_client(UserFactory(is_staff=True))
    url = reverse("privacy:school_export", args=[school.pk])
    assert client.get(url).status_code == 404
    assert client.get(url, {"format": "csv"}).status_code == 404


def test_the_school_download_takes_the_same_queries_at_two_sizes(staff_client):
    counts = []
    for pupils in (1, 30):
        school = SchoolFactory()
        school_class = SchoolClassFactory(school=school)
        for _ in range(pupils):
            link = GuardianshipFactory(pupil__school=school, pupil__school_class=school_class)
            Event.objects.create(actor=link.parent, school=school, pupil=link.pupil, kind="rated")
        client = staff_client(admin_of(school))
        url = reverse("privacy:school_export", args=[school.pk])
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, {"format": "csv"})
            b"".join(response.streaming_content)
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_a_parents_download_takes_the_same_queries_however_much_they_did(client):
    counts = []
    for rows in (1, 20):
        link = GuardianshipFactory()
        parent, pupil = link.parent, link.pupil
        for _ in range(rows):
            Event.objects.create(actor=parent, school=pupil.school, pupil=pupil, kind="rated")
            Message.objects.create(
                recipient=parent,
                to_address=parent.email,
                channel="email",
                template="test",
                body_text="Hello",
                idempotency_key=f"test-{Message.objects.count()}",
            )
        client.force_login(parent)
        with CaptureQueriesContext(connection) as queries:
            b"".join(client.get(reverse("privacy:download")).streaming_content)
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
