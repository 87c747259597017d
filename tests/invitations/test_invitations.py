import hashlib
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.access import children_of
from consent.models import ConsentRecord, Purpose
from invitations.models import Invitation
from invitations.selectors import invitation_for_token
from invitations.services import (
    ConsentRequiredError,
    InvitationNotUsableError,
    invitation_accept,
    invitation_resend,
    invitation_revoke,
    invitations_create,
    invitations_expire,
)
from notifications import sms
from notifications.models import Message
from schools.models import Guardianship
from tests.concurrency import at_once, meeting_point, needs_postgresql
from tests.factories import (
    GuardianshipFactory,
    PupilFactory,
    SchoolClassFactory,
    SchoolFactory,
    UserFactory,
    admin_of,
)

pytestmark = pytest.mark.django_db

PLATFORM = "I agree to the portal processing my data as the privacy notice describes."
TOKEN_IN_LINK = re.compile(r"/invitations/([A-Za-z0-9_-]+)/")


def imported_parent(**fields):
    """A parent as a roster import leaves them: inactive, no usable password."""
    fields.setdefault("mobile", "")
    parent = UserFactory(is_active=False, **fields)
    parent.set_unusable_password()
    parent.save()
    return parent


def link_unconfirmed(parent, pupil):
    return GuardianshipFactory(parent=parent, pupil=pupil, confirmed_at=None)


def token_from_outbox() -> str:
    bodies = [m.body for m in mail.outbox] + [s.body for s in sms.outbox]
    tokens = {match for body in bodies for match in TOKEN_IN_LINK.findall(body)}
    assert len(tokens) == 1, bodies
    return tokens.pop()


def invite_one(school, admin, *, channels="email", **parent_fields):
    parent = imported_parent(**parent_fields)
    pupil = PupilFactory(school=school, first_name="Amy")
    link_unconfirmed(parent, pupil)
    (invitation,) = invitations_create(
        school=school, pupils=[pupil], channels=channels, actor=admin
    )
    return invitation, parent, pupil


def test_raw_token_is_not_stored_only_its_hash(school, admin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation, _, _ = invite_one(school, admin)
    token = token_from_outbox()
    invitation.refresh_from_db()
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    stored = [str(value) for value in Invitation.objects.values().get(pk=invitation.pk).values()]
    assert token not in stored


def test_token_lookup_finds_the_invitation_by_hash_and_none_for_unknown(
    school, admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation, _, _ = invite_one(school, admin)
    assert invitation_for_token(token_from_outbox()) == invitation
    assert invitation_for_token("not-a-real-token") is None
    assert invitation_for_token("") is None


def test_invitation_expires_after_fourteen_days(school, admin):
    before = timezone.now()
    invitation, _, _ = invite_one(school, admin)
    assert before + timedelta(days=14) <= invitation.expires_at
    assert invitation.expires_at <= timezone.now() + timedelta(days=14)
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert invitations_expire() == 1
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.EXPIRED
    assert not invitation.is_usable


def test_expired_invitation_cannot_be_accepted(school, admin, notice):
    invitation, parent, _ = invite_one(school, admin)
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    with pytest.raises(InvitationNotUsableError):
        invitation_accept(
            invitation=invitation, user=parent, consents={Purpose.PLATFORM: PLATFORM}, actor=parent
        )
    assert not Guardianship.objects.filter(parent=parent, confirmed_at__isnull=False).exists()


def test_invitation_is_single_use(school, admin, notice):
    invitation, parent, _ = invite_one(school, admin)
    invitation_accept(
        invitation=invitation, user=parent, consents={Purpose.PLATFORM: PLATFORM}, actor=parent
    )
    other = UserFactory()
    with pytest.raises(InvitationNotUsableError):
        invitation_accept(
            invitation=invitation, user=other, consents={Purpose.PLATFORM: PLATFORM}, actor=other
        )
    assert not Guardianship.objects.filter(parent=other).exists()


def test_revoke_kills_the_link(school, admin, notice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation, parent, _ = invite_one(school, admin)
    token = token_from_outbox()
    invitation_revoke(invitation=invitation, actor=admin)
    found = invitation_for_token(token)
    assert found.status == Invitation.Status.REVOKED
    assert not found.is_usable
    with pytest.raises(InvitationNotUsableError):
        invitation_accept(
            invitation=found, user=parent, consents={Purpose.PLATFORM: PLATFORM}, actor=parent
        )


def test_resend_issues_a_new_token_and_the_old_one_is_dead(
    school, admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation, _, _ = invite_one(school, admin)
    old_token = token_from_outbox()
    mail.outbox.clear()
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() + timedelta(days=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        invitation_resend(invitation=invitation, actor=admin)
    new_token = token_from_outbox()
    assert new_token != old_token
    assert invitation_for_token(old_token) is None
    resent = invitation_for_token(new_token)
    assert resent.pk == invitation.pk
    assert resent.expires_at > timezone.now() + timedelta(days=13)
    assert resent.attempts == 2


def test_siblings_get_one_invitation_naming_every_child(
    school, admin, django_capture_on_commit_callbacks
):
    parent = imported_parent(first_name="Sam")
    amy = PupilFactory(school=school, first_name="Amy")
    ben = PupilFactory(school=school, first_name="Ben")
    link_unconfirmed(parent, amy)
    link_unconfirmed(parent, ben)
    with django_capture_on_commit_callbacks(execute=True):
        invitations = invitations_create(
            school=school, pupils=[amy, ben], channels="email", actor=admin
        )
    assert len(invitations) == 1
    assert set(invitations[0].pupils.all()) == {amy, ben}
    assert len(mail.outbox) == 1
    assert "Amy and Ben" in mail.outbox[0].body
    assert "Oakfield Primary" in mail.outbox[0].subject


def test_parent_with_a_live_invitation_is_not_invited_again(school, admin):
    _, _, pupil = invite_one(school, admin)
    assert invitations_create(school=school, pupils=[pupil], channels="email", actor=admin) == []
    assert Invitation.objects.count() == 1
    assert Message.objects.count() == 1


def test_messages_queued_for_email_and_sms_where_contact_details_exist(
    school, admin, django_capture_on_commit_callbacks
):
    both = imported_parent(email="both@example.org", mobile="+447700900001")
    email_only = imported_parent(email="email@example.org")
    sms_only = imported_parent(email=None, mobile="+447700900003")
    no_contact = imported_parent(email=None)
    pupils = []
    for parent in (both, email_only, sms_only, no_contact):
        pupil = PupilFactory(school=school)
        link_unconfirmed(parent, pupil)
        pupils.append(pupil)
    with django_capture_on_commit_callbacks(execute=True):
        invitations = invitations_create(school=school, pupils=pupils, channels="both", actor=admin)
    assert len(invitations) == 4
    sent = set(Message.objects.values_list("to_address", "channel", "kind", "status"))
    assert sent == {
        ("both@example.org", "email", "service", "sent"),
        ("+447700900001", "sms", "service", "sent"),
        ("email@example.org", "email", "service", "sent"),
        ("+447700900003", "sms", "service", "sent"),
    }
    assert sorted(m.to[0] for m in mail.outbox) == ["both@example.org", "email@example.org"]
    assert sorted(s.to for s in sms.outbox) == ["+447700900001", "+447700900003"]
    assert all(len(s.body) <= 306 for s in sms.outbox)
    assert Invitation.objects.get(parent=no_contact).status == Invitation.Status.FAILED


def test_sms_only_channel_sends_no_email(school, admin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invite_one(school, admin, channels="sms", mobile="+447700900009")
    assert mail.outbox == []
    assert [s.to for s in sms.outbox] == ["+447700900009"]
    assert "Amy" in sms.outbox[0].body


def test_nothing_is_written_or_sent_when_the_transaction_rolls_back(
    school, admin, django_capture_on_commit_callbacks
):
    parent = imported_parent(mobile="+447700900001")
    pupil = PupilFactory(school=school)
    link_unconfirmed(parent, pupil)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        invitations_create(school=school, pupils=[pupil], channels="both", actor=admin)
        raise RuntimeError("the admin's request failed later")
    assert callbacks == []
    assert not Invitation.objects.exists()
    assert not Message.objects.exists()
    assert mail.outbox == [] and sms.outbox == []


def test_accepting_confirms_guardianships_and_the_parent_sees_the_children(school, admin, notice):
    invitation, parent, amy = invite_one(school, admin)
    assert list(children_of(parent)) == []
    invitation_accept(
        invitation=invitation,
        user=parent,
        consents={Purpose.PLATFORM: PLATFORM, Purpose.MARKETING_EMAIL: "Send me news."},
        actor=parent,
    )
    parent.refresh_from_db()
    invitation.refresh_from_db()
    assert parent.is_active
    assert list(children_of(parent)) == [amy]
    assert invitation.status == Invitation.Status.ACCEPTED
    assert invitation.accepted_by == parent
    records = ConsentRecord.objects.filter(user=parent)
    assert set(records.values_list("purpose", "granted", "notice")) == {
        (Purpose.PLATFORM, True, notice.pk),
        (Purpose.MARKETING_EMAIL, True, notice.pk),
    }


def test_platform_consent_is_required(school, admin, notice):
    invitation, parent, _ = invite_one(school, admin)
    with pytest.raises(ConsentRequiredError):
        invitation_accept(
            invitation=invitation,
            user=parent,
            consents={Purpose.MARKETING_EMAIL: "Send me news."},
            actor=parent,
        )
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.PENDING
    assert not ConsentRecord.objects.filter(user=parent).exists()
    assert not Guardianship.objects.filter(parent=parent, confirmed_at__isnull=False).exists()


def test_existing_parent_accepting_at_another_school_has_one_account_and_both_children(
    school, admin, notice
):
    # The other school has the parent's mobile (the account's email differs).
    existing = UserFactory(email="parent@example.org", mobile="+447700900555")
    first_child = GuardianshipFactory(parent=existing).pupil
    invitation, placeholder, amy = invite_one(school, admin, mobile="07700 900555")
    invitation_accept(
        invitation=invitation,
        user=existing,
        consents={Purpose.PLATFORM: PLATFORM},
        actor=existing,
    )
    assert set(children_of(existing)) == {first_child, amy}
    assert {p.school for p in children_of(existing)} == {first_child.school, school}
    assert not Guardianship.objects.filter(parent=placeholder).exists()
    assert Guardianship.objects.filter(pupil=amy).count() == 1


def test_accepting_merges_onto_an_existing_guardianship_without_duplicates(school, admin, notice):
    existing = UserFactory(mobile="+447700900555")
    invitation, _, amy = invite_one(school, admin, mobile="+447700900555")
    GuardianshipFactory(parent=existing, pupil=amy, confirmed_at=None)
    invitation_accept(
        invitation=invitation, user=existing, consents={Purpose.PLATFORM: PLATFORM}, actor=existing
    )
    assert list(Guardianship.objects.filter(pupil=amy).values_list("parent", flat=True)) == [
        existing.pk
    ]
    assert list(children_of(existing)) == [amy]


def _whole_school(size: int):
    school = SchoolFactory()
    admin = admin_of(school)
    school_class = SchoolClassFactory(school=school)
    pupils = []
    for n in range(size):
        pupil = PupilFactory(school=school, school_class=school_class)
        mother = imported_parent(mobile=f"+4477009{n:05d}")
        link_unconfirmed(mother, pupil)
        if n % 2:
            link_unconfirmed(imported_parent(email=None, mobile=f"+4477008{n:05d}"), pupil)
        if n % 3 == 0 and pupils:  # a sibling of the previous pupil
            link_unconfirmed(mother, pupils[-1])
        pupils.append(pupil)
    return school, admin, pupils


def _queries_to_invite(size: int) -> tuple[int, int]:
    school, admin, pupils = _whole_school(size)
    with CaptureQueriesContext(connection) as queries:
        invitations = invitations_create(school=school, pupils=pupils, channels="both", actor=admin)
    return len(queries), len(invitations)


def test_inviting_a_whole_school_takes_the_same_number_of_queries_for_1_or_30_pupils():
    one, invited_one = _queries_to_invite(1)
    thirty, invited_thirty = _queries_to_invite(30)
    assert invited_one == 1
    assert invited_thirty == 45
    assert Message.objects.count() == 2 + 30 * 2 + 15
    # The same statements either way; SQLite may split one large INSERT into two
    # at its bound-variable limit, which PostgreSQL does not.
    assert one <= thirty <= one + 1
    # One of them locks the school's row, so an offboarding under way is waited for.
    assert thirty <= 11


# Messages: written through the outbox, linked to their invitation.


def test_invitations_hand_their_messages_to_the_outbox_rather_than_writing_rows(
    school, admin, monkeypatch
):
    from invitations.services import sending as invitations

    handed = []

    def record(*, messages, batch_size):
        handed.extend(messages)
        return []

    monkeypatch.setattr(invitations, "messages_queue", record)
    invitation, _, _ = invite_one(school, admin, channels="both", mobile="+447700900001")
    assert not Message.objects.exists()
    assert sorted(m.channel for m in handed) == ["email", "sms"]
    assert {m.reference for m in handed} == {f"invitation:{invitation.pk}"}
    assert {m.template for m in handed} == {"invitation"}


def test_each_message_names_the_invitation_that_caused_it(school, admin):
    first, _, _ = invite_one(school, admin, channels="both", mobile="+447700900001")
    second, _, _ = invite_one(school, admin, channels="email")
    assert sorted(Message.objects.values_list("reference", "channel")) == sorted(
        [
            (f"invitation:{first.pk}", "email"),
            (f"invitation:{first.pk}", "sms"),
            (f"invitation:{second.pk}", "email"),
        ]
    )


def test_an_invitation_is_sent_once_its_message_is_and_records_when(
    school, admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation, _, _ = invite_one(school, admin)
        assert Invitation.objects.get().status == Invitation.Status.PENDING
    invitation.refresh_from_db()
    message = Message.objects.get()
    assert invitation.status == Invitation.Status.SENT
    assert invitation.sent_at == message.sent_at


def _receipt(message, status):
    from notifications.services import message_receipt_record

    message_receipt_record(message_id=message.pk, status=status, provider_id=message.provider_id)


@pytest.mark.parametrize(
    ("email", "sms_receipt", "expected"),
    [
        ("sent", "delivered", "delivered"),
        ("sent", "bounced", "sent"),
        ("sent", "failed", "sent"),
        ("bounced", "bounced", "bounced"),
        ("bounced", "failed", "bounced"),
        ("failed", "failed", "failed"),
        ("pending", "bounced", "pending"),
    ],
)
def test_an_invitation_takes_the_best_status_of_its_messages(
    school, admin, email, sms_receipt, expected, django_capture_on_commit_callbacks
):
    """delivered > sent > pending > bounced > failed."""
    with django_capture_on_commit_callbacks(execute=True):
        invitation, _, _ = invite_one(school, admin, channels="both", mobile="+447700900001")
    email_message = Message.objects.get(channel="email")
    sms_message = Message.objects.get(channel="sms")
    if email == "pending":
        Message.objects.filter(pk=email_message.pk).update(status="pending")
    elif email != "sent":
        _receipt(email_message, email)
    _receipt(sms_message, sms_receipt)
    invitation.refresh_from_db()
    assert invitation.status == expected


def test_an_sms_only_invitation_that_bounces_is_bounced(
    school, admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation, _, _ = invite_one(school, admin, channels="sms", mobile="+447700900009")
    _receipt(Message.objects.get(), "bounced")
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.BOUNCED
    assert not invitation.is_usable


def test_a_refused_email_fails_the_invitation(school, admin, monkeypatch):
    import smtplib

    from notifications.services import message_deliver

    def refuse(self, fail_silently=False):
        raise smtplib.SMTPRecipientsRefused({"x@example.org": (550, b"no such user")})

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", refuse)
    invitation, _, _ = invite_one(school, admin)
    message_deliver(message_id=Message.objects.get().pk)
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.FAILED
    assert invitation.sent_at is None


@pytest.mark.parametrize("ending", ["accept", "revoke", "expire"])
def test_a_late_receipt_never_undoes_accepted_revoked_or_expired(
    school, admin, notice, ending, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation, parent, _ = invite_one(school, admin)
    if ending == "accept":
        invitation_accept(
            invitation=invitation, user=parent, consents={Purpose.PLATFORM: PLATFORM}, actor=parent
        )
    elif ending == "revoke":
        invitation_revoke(invitation=invitation, actor=admin)
    else:
        Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())
        invitations_expire()
    before = Invitation.objects.get(pk=invitation.pk).status
    _receipt(Message.objects.get(), "delivered")
    invitation.refresh_from_db()
    assert invitation.status == before
    assert before in {"accepted", "revoked", "expired"}


def test_messages_with_an_old_link_no_longer_count_after_a_resend(
    school, admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation, _, _ = invite_one(school, admin)
    old = Message.objects.get()
    invitation_resend(invitation=invitation, actor=admin)  # new message not sent yet
    _receipt(old, "delivered")
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.PENDING
    assert invitation.sent_at is None  # a resend starts a new round


def test_resend_cancels_messages_with_the_old_link_still_waiting(
    school, admin, django_capture_on_commit_callbacks
):
    invitation, _, _ = invite_one(school, admin)  # its message is never delivered
    with django_capture_on_commit_callbacks(execute=True):
        invitation_resend(invitation=invitation, actor=admin)
    assert Message.objects.filter(status="cancelled").count() == 1
    assert Message.objects.filter(status="sent").count() == 1
    assert len(mail.outbox) == 1  # only the new link went out
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.SENT


# The reminder, seven days on.


def _sent_days_ago(invitation, days, minutes=0):
    Invitation.objects.filter(pk=invitation.pk).update(
        sent_at=timezone.now() - timedelta(days=days, minutes=minutes)
    )


def _sent_invitation(school, admin, callbacks, **fields):
    with callbacks(execute=True):
        invitation, parent, pupil = invite_one(school, admin, **fields)
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.SENT
    return invitation, parent, pupil


def test_one_reminder_with_a_fresh_link_goes_seven_days_after_sending(
    school, admin, django_capture_on_commit_callbacks
):
    from invitations.services import invitations_remind_due

    invitation, _, _ = _sent_invitation(school, admin, django_capture_on_commit_callbacks)
    first_token = token_from_outbox()
    _sent_days_ago(invitation, 7, minutes=1)
    invitation.refresh_from_db()
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert invitations_remind_due() == 1
    reminder = mail.outbox[0]
    assert reminder.subject.startswith("Reminder: Oakfield Primary")
    assert "first message no longer works" in reminder.body
    new_token = token_from_outbox()
    assert new_token != first_token
    assert invitation_for_token(first_token) is None
    reminded = invitation_for_token(new_token)
    assert reminded.pk == invitation.pk
    assert reminded.expires_at == invitation.expires_at  # the original expiry stands
    assert reminded.sent_at == invitation.sent_at
    assert reminded.reminder_sent_at is not None
    assert reminded.status == Invitation.Status.SENT
    assert reminded.attempts == 2
    assert Message.objects.filter(template="invitation_reminder").get().reference == (
        f"invitation:{invitation.pk}"
    )

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert invitations_remind_due() == 0  # never a second reminder
    assert mail.outbox == []


def test_no_reminder_before_seven_days(school, admin, django_capture_on_commit_callbacks):
    from invitations.services import invitations_remind_due

    invitation, _, _ = _sent_invitation(school, admin, django_capture_on_commit_callbacks)
    _sent_days_ago(invitation, 6, minutes=23 * 60)
    assert invitations_remind_due() == 0
    assert Message.objects.count() == 1


@pytest.mark.parametrize("state", ["accepted", "revoked", "expired", "bounced", "never sent"])
def test_no_reminder_for_an_invitation_that_is_over_or_never_went(
    school, admin, notice, state, django_capture_on_commit_callbacks
):
    from invitations.services import invitations_remind_due

    invitation, parent, _ = _sent_invitation(school, admin, django_capture_on_commit_callbacks)
    _sent_days_ago(invitation, 8)
    if state == "accepted":
        invitation_accept(
            invitation=invitation, user=parent, consents={Purpose.PLATFORM: PLATFORM}, actor=parent
        )
    elif state == "revoked":
        invitation_revoke(invitation=invitation, actor=admin)
    elif state == "expired":
        Invitation.objects.filter(pk=invitation.pk).update(
            expires_at=timezone.now() - timedelta(seconds=1)
        )
    elif state == "bounced":
        _receipt(Message.objects.get(), "bounced")
    else:
        Invitation.objects.filter(pk=invitation.pk).update(sent_at=None)
    assert invitations_remind_due() == 0
    assert not Message.objects.filter(template="invitation_reminder").exists()


def test_a_parent_closed_since_gets_no_reminder_and_keeps_the_link(
    school, admin, django_capture_on_commit_callbacks
):
    from invitations.services import invitations_remind_due

    invitation, parent, _ = _sent_invitation(school, admin, django_capture_on_commit_callbacks)
    token = token_from_outbox()
    _sent_days_ago(invitation, 8)
    parent.closed_at = timezone.now()
    parent.save(update_fields=["closed_at"])
    assert invitations_remind_due() == 0
    assert not Message.objects.filter(template="invitation_reminder").exists()
    invitation.refresh_from_db()
    assert invitation.reminder_sent_at is not None  # not looked at again
    assert invitation_for_token(token) == invitation


def test_a_resend_after_the_reminder_starts_a_new_round(
    school, admin, django_capture_on_commit_callbacks
):
    from invitations.services import invitations_remind_due

    invitation, _, _ = _sent_invitation(school, admin, django_capture_on_commit_callbacks)
    _sent_days_ago(invitation, 8)
    with django_capture_on_commit_callbacks(execute=True):
        invitations_remind_due()
        invitation_resend(invitation=invitation, actor=admin)
    invitation.refresh_from_db()
    assert invitation.reminder_sent_at is None
    _sent_days_ago(invitation, 8)
    assert invitations_remind_due() == 1


def test_the_sms_reminder_fits_two_segments_with_long_names(
    admin, django_capture_on_commit_callbacks
):
    from invitations.services import invitations_remind_due
    from notifications.sms import sms_length

    school = SchoolFactory(name="Ysgol Gynradd Gymraeg Llanfairpwllgwyngyll " * 4)
    admin = admin_of(school)
    parent = imported_parent(mobile="+447700900123")
    pupils = [PupilFactory(school=school, first_name=f"Gwenllïan-Angharad{n}") for n in range(4)]
    for pupil in pupils:
        link_unconfirmed(parent, pupil)
    with django_capture_on_commit_callbacks(execute=True):
        (invitation,) = invitations_create(
            school=school, pupils=pupils, channels="sms", actor=admin
        )
    _sent_days_ago(invitation, 8)
    sms.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert invitations_remind_due() == 1
    (text,) = sms.outbox
    encoding, length = sms_length(text.body)
    assert length <= (306 if encoding == "gsm7" else 134)
    assert "/invitations/" in text.body


def _due_invitations(school, admin, count):
    pupils = PupilFactory.create_batch(count, school=school)
    for pupil in pupils:
        link_unconfirmed(imported_parent(), pupil)
    invitations = invitations_create(school=school, pupils=pupils, channels="email", actor=admin)
    Invitation.objects.filter(pk__in=[i.pk for i in invitations]).update(
        status=Invitation.Status.SENT, sent_at=timezone.now() - timedelta(days=8)
    )
    return invitations


def test_reminders_go_in_batches(school, admin):
    from invitations.services import invitations_remind_due

    _due_invitations(school, admin, 5)
    assert invitations_remind_due(batch_size=2) == 5
    assert Message.objects.filter(template="invitation_reminder").count() == 5
    assert not Invitation.objects.filter(reminder_sent_at__isnull=True).exists()


def _queries_to_remind(size: int) -> int:
    from invitations.services import invitations_remind_due

    school = SchoolFactory()
    _due_invitations(school, admin_of(school), size)
    with CaptureQueriesContext(connection) as queries:
        assert invitations_remind_due() == size
    return len(queries)


def test_reminding_1_or_30_invitations_takes_the_same_number_of_queries():
    one = _queries_to_remind(1)
    Invitation.objects.update(reminder_sent_at=timezone.now())
    thirty = _queries_to_remind(30)
    assert one == thirty
    assert thirty <= 15


def test_beat_runs_the_reminders_and_the_expiry_every_hour(settings):
    from celery.schedules import crontab

    from portal.celery import app

    app.loader.import_default_modules()
    for name, task in [
        ("invitations-remind-due", "invitations.tasks.invitations_remind_due_task"),
        ("invitations-expire", "invitations.tasks.invitations_expire_task"),
    ]:
        entry = settings.CELERY_BEAT_SCHEDULE[name]
        assert entry["task"] == task
        assert task in app.tasks
        assert isinstance(entry["schedule"], crontab)
        assert entry["schedule"].hour == set(range(24))


def test_the_tasks_remind_and_expire(school, admin, django_capture_on_commit_callbacks):
    from invitations.tasks import invitations_expire_task, invitations_remind_due_task

    invitation, _, _ = _sent_invitation(school, admin, django_capture_on_commit_callbacks)
    _sent_days_ago(invitation, 8)
    assert invitations_remind_due_task.delay().get() == 1
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())
    assert invitations_expire_task.delay().get() == 1
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.EXPIRED


@pytest.mark.django_db(transaction=True)
def test_receipts_for_email_and_sms_of_one_invitation_at_once_both_count(monkeypatch):
    """Both receipts reach the invitation before either commits: the second to
    count must still see the first (the invitation row is locked while counting)."""

    from invitations import receivers
    from notifications.services import message_deliver, message_receipt_record
    from notifications.signals import message_status_changed
    from notifications.tasks import message_deliver_task

    needs_postgresql()
    monkeypatch.setattr(message_deliver_task, "delay", lambda message_id: None)
    school = SchoolFactory()
    invitation, _, _ = invite_one(school, admin_of(school), channels="both", mobile="+447700900001")
    email, text = Message.objects.order_by("channel")
    for message in (email, text):
        message_deliver(message_id=message.pk)
    assert Invitation.objects.get(pk=invitation.pk).status == Invitation.Status.SENT

    both_changed = meeting_point(timeout=5)
    uid = "invitations.invitation_follows_its_messages"
    message_status_changed.disconnect(dispatch_uid=uid)
    message_status_changed.connect(
        lambda **kwargs: both_changed.wait(), weak=False, dispatch_uid="meet"
    )
    message_status_changed.connect(receivers.invitation_follows_its_messages, dispatch_uid=uid)

    def receipt(message, status):
        return lambda: message_receipt_record(message_id=message.pk, status=status)

    try:
        race = at_once(receipt(email, "bounced"), receipt(text, "failed"), together=False)
    finally:
        message_status_changed.disconnect(dispatch_uid="meet")
    assert race.errors == []
    invitation.refresh_from_db()
    # Each receipt alone leaves the other message sent; together they make it bounced.
    assert invitation.status == Invitation.Status.BOUNCED
