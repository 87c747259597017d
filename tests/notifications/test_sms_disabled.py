"""SMS_BACKEND=notifications.sms.DisabledSmsBackend makes SMS unavailable everywhere:
the outbox writes no SMS, invitations and claim codes go by email alone (a family
known only by mobile is unreachable, not left waiting), the forms offer no SMS,
and a text left pending from before fails with a clear reason: never printed,
never marked sent."""

import html as html_lib

import pytest
from django.core import mail
from django.urls import reverse

from invitations.models import Invitation
from invitations.selectors import UnreachableReason, unreachable_pupils
from invitations.services import claim_code_send, invitations_create
from invitations.services.claiming import ClaimCodeUnreachableError
from notifications import sms
from notifications.errors import DeliveryError
from notifications.models import Message, NotificationPreference
from notifications.services import OutgoingMessage, message_deliver, message_queue, messages_queue
from privacy.selectors import incident_family_notice_counts
from privacy.services import incident_notify_families, incident_scope_set
from tests.consent.notices import published_notice, registered_parent
from tests.factories import GuardianshipFactory, PupilFactory, SchoolClassFactory, UserFactory
from tests.invitations.test_invitations import imported_parent
from tests.privacy.incident_world import build_world, recorded

pytestmark = pytest.mark.django_db

DISABLED = "notifications.sms.DisabledSmsBackend"
CONTEXT = {"name": "Sam", "link": "https://portal.example/invite/abc"}
MOBILE = "+447700900123"


@pytest.fixture
def sms_disabled(settings):
    settings.SMS_BACKEND = DISABLED


def _outgoing(channel, key, address):
    return OutgoingMessage(
        channel=channel,
        template="outbox_test",
        context=CONTEXT,
        idempotency_key=key,
        to_address=address,
    )


def test_the_disabled_backend_refuses_to_send_rather_than_pretend():
    with pytest.raises(DeliveryError, match="SMS is disabled"):
        sms.DisabledSmsBackend().send(to=MOBILE, body="Hello", reference="message-1")
    assert sms.outbox == []


def test_sms_is_available_with_every_other_backend(settings):
    for backend in ("LocmemSmsBackend", "ConsoleSmsBackend", "NotifySmsBackend"):
        settings.SMS_BACKEND = f"notifications.sms.{backend}"
        assert sms.sms_available()
    settings.SMS_BACKEND = DISABLED
    assert not sms.sms_available()


def test_the_outbox_writes_no_sms_while_sms_is_disabled(sms_disabled):
    message = message_queue(
        recipient=None,
        channel=Message.Channel.SMS,
        template="outbox_test",
        context=CONTEXT,
        idempotency_key="sms-1",
        to_address=MOBILE,
    )

    assert message is None
    assert not Message.objects.exists()


def test_queueing_many_leaves_the_sms_out_and_writes_the_email(sms_disabled):
    written = messages_queue(
        messages=[
            _outgoing(Message.Channel.EMAIL, "email-1", "ann@example.org"),
            _outgoing(Message.Channel.SMS, "sms-1", MOBILE),
        ]
    )

    assert list(Message.objects.values_list("pk", "channel")) == [
        (written[0], Message.Channel.EMAIL)
    ]


def test_a_text_queued_before_sms_was_disabled_fails_with_the_reason_and_is_never_sent(settings):
    message = message_queue(
        recipient=None,
        channel=Message.Channel.SMS,
        template="outbox_test",
        context=CONTEXT,
        idempotency_key="sms-1",
        to_address=MOBILE,
    )
    assert message.status == Message.Status.PENDING  # its task runs only on commit

    settings.SMS_BACKEND = DISABLED
    message_deliver(message_id=message.pk)

    message.refresh_from_db()
    assert message.status == Message.Status.FAILED
    assert message.last_error == sms.SMS_DISABLED_REASON
    assert message.sent_at is None
    assert message.provider_id == ""
    assert sms.outbox == []


def _family(school, **parent_fields):
    parent = imported_parent(**parent_fields)
    pupil = PupilFactory(school=school, school_class=SchoolClassFactory(school=school))
    GuardianshipFactory(parent=parent, pupil=pupil, confirmed_at=None)
    return parent, pupil


def test_a_family_known_only_by_mobile_is_unreachable_and_gets_no_text(
    sms_disabled, school, admin, django_capture_on_commit_callbacks
):
    _, mobile_only = _family(school, email=None, mobile=MOBILE)
    _, both = _family(school, email="ann@example.org", mobile="+447700900124")

    with django_capture_on_commit_callbacks(execute=True):
        invitations = invitations_create(
            school=school, pupils=[mobile_only, both], channels="both", actor=admin
        )

    assert len(invitations) == 2
    statuses = dict(Invitation.objects.values_list("mobile", "status"))
    assert statuses[MOBILE] == Invitation.Status.FAILED
    assert statuses["+447700900124"] == Invitation.Status.SENT
    assert list(Message.objects.values_list("channel", "status")) == [
        (Message.Channel.EMAIL, Message.Status.SENT)
    ]
    assert [message.to for message in mail.outbox] == [["ann@example.org"]]
    assert sms.outbox == []
    # The school sees the family among those it cannot reach.
    (pupil,) = unreachable_pupils(school=school)
    assert (pupil.pk, pupil.reason) == (mobile_only.pk, UnreachableReason.INVITATIONS_FAILED)


def test_a_claim_code_goes_by_email_only_and_a_mobile_alone_cannot_get_one(settings, school, admin):
    _, both = _family(school, email="ann@example.org", mobile="+447700900124")
    _, mobile_only = _family(school, email=None, mobile=MOBILE)
    # Sent while texts were still on; then SMS is disabled.
    (first,) = invitations_create(school=school, pupils=[both], channels="both", actor=admin)
    (second,) = invitations_create(
        school=school, pupils=[mobile_only], channels="both", actor=admin
    )
    Message.objects.all().delete()
    settings.SMS_BACKEND = DISABLED

    claim_code_send(invitation=first, user=None, actor=None)
    assert list(Message.objects.values_list("channel", flat=True)) == [Message.Channel.EMAIL]

    with pytest.raises(ClaimCodeUnreachableError):
        claim_code_send(invitation=second, user=None, actor=None)


def test_the_invite_page_offers_email_only_and_refuses_sms(
    sms_disabled, school, school_admin_client
):
    school_class = SchoolClassFactory(school=school)
    url = reverse("invitations:create", args=[school.pk])

    page = html_lib.unescape(school_admin_client.get(url).content.decode())
    assert 'value="email"' in page
    assert 'value="sms"' not in page and 'value="both"' not in page
    assert "Texts are turned off on this portal" in page

    for channels in ("sms", "both"):
        response = school_admin_client.post(
            url, {"scope": "class", "school_class": school_class.pk, "channels": channels}
        )
        assert response.status_code == 200
        assert "Select a valid choice" in response.content.decode()
    assert not Invitation.objects.exists()


def test_the_invite_page_still_offers_sms_when_it_is_available(school, school_admin_client):
    page = school_admin_client.get(reverse("invitations:create", args=[school.pk])).content
    assert b'value="sms"' in page and b'value="both"' in page


@pytest.fixture
def parent():
    published_notice(version="1.0")
    parent = registered_parent()
    parent.mobile = MOBILE
    parent.save(update_fields=["mobile"])
    return parent


def test_notification_settings_offer_no_texts_and_keep_the_saved_sms_choice(
    sms_disabled, client, parent
):
    NotificationPreference.objects.create(user=parent, engagement_email=True, engagement_sms=True)
    client.force_login(parent)
    url = reverse("notifications:notification_preferences")

    page = html_lib.unescape(client.get(url).content.decode())
    assert 'name="engagement_sms"' not in page
    assert "Text messages are turned off on this portal" in page

    client.post(url, {"engagement_sms": "on"})

    preference = NotificationPreference.objects.get(user=parent)
    assert preference.engagement_email is False
    assert preference.engagement_sms is True  # unchanged: no text goes either way


def test_account_settings_offer_no_new_mobile_and_refuse_one(sms_disabled, client, parent):
    client.force_login(parent)

    page = client.get(reverse("accounts:settings")).content.decode()
    assert 'action="/account/mobile/"' not in page
    assert "Texts are turned off on this portal" in page

    response = client.post(reverse("accounts:settings_mobile"), {"mobile": "07700 900456"})
    assert response.status_code == 400
    assert "Texts are turned off on this portal" in response.content.decode()
    assert not Message.objects.exists()


def test_a_breach_notice_counts_a_parent_with_a_mobile_alone_as_unreachable(settings):
    world = build_world()  # Owls: "owl" has a mobile alone, "both" an email
    staff = UserFactory(is_staff=True)
    incident = recorded(actor=staff)
    incident_scope_set(incident=incident, actor=staff, kind="classes", classes=[world.owls])
    settings.SMS_BACKEND = DISABLED

    counts = incident_family_notice_counts(incident=incident)
    assert (counts.texts, counts.unreachable) == (0, 1)
    assert incident_notify_families(incident=incident, actor=staff) == 1
    assert list(Message.objects.values_list("channel", flat=True)) == [Message.Channel.EMAIL]
