"""The audit trail and security log in the Django admin: read-only, ids not names."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from audit.models import AuditEntry, SecurityEvent
from audit.services import audit_record, security_event_record
from tests.factories import GuardianshipFactory, UserFactory

pytestmark = pytest.mark.django_db

MODELS = ["auditentry", "securityevent"]


@pytest.fixture
def records():
    """An entry and an event about a parent and their child, whose names must not show."""
    guardianship = GuardianshipFactory(
        parent__first_name="Philippa",
        parent__last_name="Parentname",
        parent__email="philippa.parent@example.org",
        pupil__first_name="Percival",
        pupil__last_name="Pupilname",
    )
    parent, pupil = guardianship.parent, guardianship.pupil
    entry = audit_record(
        actor=parent, action="guardianship.confirm", subject=guardianship, changes={"pupil": pupil}
    )
    event = security_event_record(
        kind=SecurityEvent.Kind.PUPIL_RECORD_OPENED, user=parent, details={"pupil": pupil.pk}
    )
    return {"entry": entry, "event": event, "parent": parent}


NAMES = ["Philippa", "Parentname", "philippa.parent@example.org", "Percival", "Pupilname"]


@pytest.fixture
def superuser_client(staff_client):
    return staff_client(UserFactory(is_staff=True, is_superuser=True))


def _urls(records):
    return {
        "auditentry": (
            reverse("admin:audit_auditentry_changelist"),
            reverse("admin:audit_auditentry_change", args=[records["entry"].pk]),
        ),
        "securityevent": (
            reverse("admin:audit_securityevent_changelist"),
            reverse("admin:audit_securityevent_change", args=[records["event"].pk]),
        ),
    }


@pytest.mark.parametrize("model", MODELS)
def test_platform_staff_see_the_list_and_each_record_by_user_id_without_names(
    superuser_client, records, model
):
    changelist, detail = _urls(records)[model]

    for url in (changelist, detail):
        response = superuser_client.get(url)
        html = response.content.decode()
        assert response.status_code == 200, url
        assert str(records["parent"].pk) in html, url
        for name in NAMES:
            assert name not in html, (url, name)


def test_the_audit_list_leaves_out_what_changed(superuser_client, records):
    response = superuser_client.get(reverse("admin:audit_auditentry_changelist"))

    assert "guardianship.confirm" in response.content.decode()
    assert "changes" not in [str(name) for name in response.context["cl"].list_display]


@pytest.mark.parametrize("model", MODELS)
def test_nothing_can_be_added_changed_or_deleted(superuser_client, records, model):
    record = records["entry"] if model == "auditentry" else records["event"]
    add = reverse(f"admin:audit_{model}_add")
    change = reverse(f"admin:audit_{model}_change", args=[record.pk])
    delete = reverse(f"admin:audit_{model}_delete", args=[record.pk])
    changelist = reverse(f"admin:audit_{model}_changelist")
    before = type(record).objects.values().get(pk=record.pk)
    count = type(record).objects.count()

    assert superuser_client.get(add).status_code == 403
    assert superuser_client.post(add, {"action": "x.y", "kind": "sign_in"}).status_code == 403
    edited = superuser_client.post(change, {"action": "pupil.delete", "kind": "sign_out"})
    assert edited.status_code == 403
    assert 'name="_save"' not in superuser_client.get(change).content.decode()
    assert superuser_client.post(delete, {"post": "yes"}).status_code == 403
    superuser_client.post(
        changelist, {"action": "delete_selected", "_selected_action": [record.pk], "post": "yes"}
    )

    assert type(record).objects.values().get(pk=record.pk) == before
    assert type(record).objects.count() == count


@pytest.mark.parametrize("model", MODELS)
def test_staff_without_the_view_permission_are_refused(staff_client, records, model):
    client = staff_client(UserFactory(is_staff=True))

    response = client.get(reverse(f"admin:audit_{model}_changelist"))

    assert response.status_code == 403


@pytest.mark.parametrize("model", MODELS)
def test_staff_given_the_view_permission_may_look(staff_client, records, model):
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(
        Permission.objects.get(content_type__app_label="audit", codename=f"view_{model}")
    )
    client = staff_client(viewer)

    assert client.get(reverse(f"admin:audit_{model}_changelist")).status_code == 200


@pytest.mark.parametrize("model", MODELS)
def test_a_change_permission_does_not_open_the_log(staff_client, records, model):
    editor = UserFactory(is_staff=True)
    editor.user_permissions.add(
        Permission.objects.get(content_type__app_label="audit", codename=f"change_{model}")
    )
    client = staff_client(editor)

    assert client.get(reverse(f"admin:audit_{model}_changelist")).status_code == 403


def test_the_lists_filter_by_kind_action_and_date(superuser_client, records):
    entries = superuser_client.get(
        reverse("admin:audit_auditentry_changelist"), {"action": "guardianship.confirm"}
    )
    events = superuser_client.get(
        reverse("admin:audit_securityevent_changelist"), {"kind__exact": "sign_out"}
    )
    by_date = superuser_client.get(
        reverse("admin:audit_securityevent_changelist"),
        {"at__year": records["event"].at.year},
    )

    assert entries.status_code == 200
    assert list(entries.context["cl"].result_list) == [records["entry"]]
    assert list(events.context["cl"].result_list) == []
    assert records["event"] in list(by_date.context["cl"].result_list)
    assert AuditEntry.objects.count() == 1
