"""Platform staff hold exactly what their work needs, through one group."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.admin_site import PLATFORM_STAFF_GROUP
from consent.models import Purpose
from consent.services import consent_grant
from tests.admin.platform_staff import PLATFORM_STAFF_PERMISSIONS
from tests.factories import GuardianshipFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_migration_gives_the_group_exactly_the_permissions_platform_staff_need():
    # Read straight from the database the migrations built: no test helper in between.
    group = Group.objects.get(name=PLATFORM_STAFF_GROUP)
    held = {
        f"{app_label}.{codename}"
        for app_label, codename in group.permissions.values_list(
            "content_type__app_label", "codename"
        )
    }
    assert held == PLATFORM_STAFF_PERMISSIONS


def test_a_member_holds_the_groups_permissions_and_no_other(platform_staff):
    assert platform_staff.get_all_permissions() == PLATFORM_STAFF_PERMISSIONS
    for model in ("pupil", "guardianship", "schoolclass", "completion", "feedback"):
        assert not any(model in permission for permission in platform_staff.get_all_permissions())


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:learning_topic_changelist",
        "admin:learning_topic_add",
        "admin:consent_privacynotice_changelist",
        "admin:consent_privacynotice_add",
        "admin:schools_school_changelist",
        "admin:schools_school_add",
        "admin:notifications_message_changelist",
        "admin:audit_auditentry_changelist",
        "admin:audit_securityevent_changelist",
    ],
)
def test_platform_staff_open_the_pages_their_work_needs(platform_staff_client, url_name):
    assert platform_staff_client.get(reverse(url_name)).status_code == 200


def test_platform_staff_open_a_library_topic(platform_staff_client):
    topic = TopicFactory()
    url = reverse("admin:learning_topic_change", args=[topic.pk])
    assert platform_staff_client.get(url).status_code == 200


def test_platform_staff_cannot_open_parents_pupils_or_their_links(platform_staff_client):
    guardianship = GuardianshipFactory()
    record = consent_grant(
        user=guardianship.parent, purpose=Purpose.MARKETING_EMAIL, wording="x", method="settings"
    )
    refused = [
        reverse("admin:accounts_user_changelist"),
        reverse("admin:accounts_user_change", args=[guardianship.parent.pk]),
        reverse("admin:consent_consentrecord_changelist"),
        reverse("admin:consent_consentrecord_change", args=[record.pk]),
        reverse("admin:auth_group_changelist"),
    ]
    for url in refused:
        assert platform_staff_client.get(url).status_code == 403, url
    # Pupils and their parents' links are in no admin page at all.
    for path in (
        f"/admin/schools/pupil/{guardianship.pupil.pk}/change/",
        f"/admin/schools/guardianship/{guardianship.pk}/change/",
        "/admin/schools/pupil/",
        "/admin/schools/guardianship/",
    ):
        assert platform_staff_client.get(path).status_code == 404, path


def test_the_admin_index_offers_platform_staff_only_their_own_models(platform_staff_client):
    content = platform_staff_client.get(reverse("admin:index")).content.decode()

    for listed in ("Topics", "Privacy notices", "Schools", "Messages", "Security events"):
        assert listed in content
    for hidden in ("Users", "Consent records", "Groups", "Periodic tasks"):
        assert hidden not in content


def test_staff_outside_the_group_have_no_library_or_notices(staff_client):
    client = staff_client(UserFactory(is_staff=True))
    assert client.get(reverse("admin:learning_topic_changelist")).status_code == 403
    assert client.get(reverse("admin:consent_privacynotice_changelist")).status_code == 403
