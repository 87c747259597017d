import pytest
from django.urls import reverse

from consent.models import ConsentRecord, PrivacyNotice, Purpose
from consent.services import consent_grant
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def platform_staff_client(staff_client):
    return staff_client(UserFactory(is_staff=True, is_superuser=True))


def test_platform_staff_publish_a_draft_notice_with_the_admin_action(platform_staff_client):
    draft = PrivacyNotice.objects.create(
        version="2.0", text="Full text", summary_of_changes="We now use a new SMS provider."
    )
    response = platform_staff_client.post(
        reverse("admin:consent_privacynotice_changelist"),
        {"action": "publish", "_selected_action": [draft.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert "Published 1 notice(s)." in response.content.decode()
    draft.refresh_from_db()
    assert draft.published_at is not None
    assert PrivacyNotice.current() == draft


def test_a_published_notice_cannot_be_edited_in_the_admin(platform_staff_client):
    notice = PrivacyNotice.objects.create(version="1.0", text="Original", summary_of_changes="-")
    platform_staff_client.post(
        reverse("admin:consent_privacynotice_changelist"),
        {"action": "publish", "_selected_action": [notice.pk]},
    )
    platform_staff_client.post(
        reverse("admin:consent_privacynotice_change", args=[notice.pk]),
        {"version": "1.0", "text": "Rewritten", "summary_of_changes": "-"},
    )
    notice.refresh_from_db()
    assert notice.text == "Original"


def test_consent_records_are_read_only_in_the_admin(platform_staff_client):
    record = consent_grant(
        user=UserFactory(), purpose=Purpose.MARKETING_EMAIL, wording="x", method="settings"
    )
    assert (
        platform_staff_client.get(reverse("admin:consent_consentrecord_changelist")).status_code
        == 200
    )
    assert platform_staff_client.get(reverse("admin:consent_consentrecord_add")).status_code == 403
    response = platform_staff_client.post(
        reverse("admin:consent_consentrecord_delete", args=[record.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    response = platform_staff_client.post(
        reverse("admin:consent_consentrecord_change", args=[record.pk]),
        {"purpose": Purpose.PLATFORM, "granted": "on"},
    )
    stored = ConsentRecord.objects.get(pk=record.pk)
    assert stored.purpose == Purpose.MARKETING_EMAIL
