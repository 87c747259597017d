"""The school admin's invitation pages: invite in one action, track and act on
each family's invitation, and find the families the school cannot reach."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from consent.models import PrivacyNotice, Purpose
from invitations.models import Invitation
from invitations.services import invitation_accept, invitations_create
from schools.models import Guardianship
from tests.factories import (
    GuardianshipFactory,
    PupilFactory,
    SchoolClassFactory,
    SchoolFactory,
    UserFactory,
    admin_of,
    sign_in_verified,
    teacher_of,
)
from tests.invitations.test_invitations import imported_parent
from tests.schools.test_pages import unlabelled_controls

pytestmark = pytest.mark.django_db

MOBILE = "+447700900123"


def family(school_class, *, children=1, **parent_fields):
    """An imported parent of ``children`` new pupils in ``school_class``."""
    parent = imported_parent(**parent_fields)
    pupils = [
        PupilFactory(school=school_class.school, school_class=school_class) for _ in range(children)
    ]
    for pupil in pupils:
        GuardianshipFactory(parent=parent, pupil=pupil, confirmed_at=None)
    return parent, pupils


def messages_of(response) -> list[str]:
    """The messages a response carries; after a followed redirect, those the page showed."""
    if response.context is not None and "messages" in response.context:
        return [str(message) for message in response.context["messages"]]
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def oak(school):
    return SchoolClassFactory(school=school, name="Oak")


@pytest.fixture
def ash(school):
    return SchoolClassFactory(school=school, name="Ash")


def create_url(school):
    return reverse("invitations:create", args=[school.pk])


def list_url(school):
    return reverse("invitations:list", args=[school.pk])


def unreachable_url(school):
    return reverse("invitations:unreachable", args=[school.pk])


def invite(school, admin, pupils, channels="both"):
    return invitations_create(school=school, pupils=pupils, channels=channels, actor=admin)


# --- Inviting -------------------------------------------------------------------------


def test_the_invite_urls_keep_the_agreed_paths(school):
    assert create_url(school) == f"/schools/{school.pk}/invitations/new/"
    assert list_url(school) == f"/schools/{school.pk}/invitations/"


def test_admin_invites_a_class_in_one_action_and_is_told_how_many(
    school_admin_client, school, oak, ash
):
    invited = [family(oak)[0], family(oak)[0]]
    family(ash)

    response = school_admin_client.post(
        create_url(school), {"scope": "class", "school_class": oak.pk, "channels": "email"}
    )

    assert response.status_code == 302
    assert response["Location"] == list_url(school)
    assert set(Invitation.objects.values_list("parent_id", flat=True)) == {p.pk for p in invited}
    assert messages_of(response) == ["Invited 2 families."]


def test_whole_school_invite_reaches_every_family_on_roll_but_not_removed_pupils(
    school_admin_client, school, oak, ash
):
    on_roll = [family(oak)[0], family(ash)[0]]
    _, (removed,) = family(ash)
    removed.removed_by_school_at = timezone.now()
    removed.save()

    response = school_admin_client.post(create_url(school), {"scope": "school", "channels": "both"})

    assert response.status_code == 302
    assert set(Invitation.objects.values_list("parent_id", flat=True)) == {p.pk for p in on_roll}


def test_ticked_pupils_are_invited_and_siblings_share_one_invitation(
    school_admin_client, school, oak, ash
):
    parent, (amy, ben) = family(oak, children=2)
    amy.first_name, ben.first_name = "Amy", "Ben"
    amy.save()
    ben.save()
    family(ash)  # not ticked

    response = school_admin_client.post(
        create_url(school), {"scope": "pupils", "pupils": [amy.pk, ben.pk], "channels": "email"}
    )

    assert response.status_code == 302
    (invitation,) = Invitation.objects.all()
    assert invitation.parent == parent
    assert set(invitation.pupils.values_list("first_name", flat=True)) == {"Amy", "Ben"}
    assert messages_of(response) == ["Invited 1 family."]


def test_success_message_counts_families_unreachable_and_already_invited(
    school_admin_client, school, oak, admin
):
    by_mobile, _ = family(oak, mobile=MOBILE)
    email_only, _ = family(oak)
    _, (already_pupil,) = family(oak, mobile=MOBILE)
    invite(school, admin, [already_pupil], channels="sms")

    response = school_admin_client.post(
        create_url(school), {"scope": "class", "school_class": oak.pk, "channels": "sms"}
    )

    assert messages_of(response) == [
        "Invited 1 family. 1 family could not be reached: no email or mobile for the way "
        "you chose to send. 1 family already had a live invitation and was not invited again."
    ]
    assert Invitation.objects.get(parent=by_mobile).status == Invitation.Status.PENDING
    assert Invitation.objects.get(parent=email_only).status == Invitation.Status.FAILED
    assert Invitation.objects.count() == 3


def test_inviting_only_joined_families_says_there_was_no_one_to_invite(
    school_admin_client, school, oak
):
    GuardianshipFactory(pupil=PupilFactory(school=school, school_class=oak))  # confirmed

    response = school_admin_client.post(
        create_url(school), {"scope": "class", "school_class": oak.pk, "channels": "both"}
    )

    assert response.status_code == 302
    assert Invitation.objects.count() == 0
    assert "No one to invite" in messages_of(response)[0]


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"scope": "class", "channels": "email"}, "Choose the class to invite."),
        ({"scope": "pupils", "channels": "email"}, "Tick at least one pupil to invite."),
        ({"channels": "email"}, "Choose whom to invite."),
        ({"scope": "school"}, "Choose how to send the invitations."),
        ({"scope": "school", "channels": "pigeon"}, "Select a valid choice."),
        ({"scope": "everyone", "channels": "email"}, "Select a valid choice."),
        ({"scope": "class", "school_class": "abc", "channels": "email"}, "Choose one of this"),
        (
            {"scope": "class", "school_class": "99999999999999999999999", "channels": "email"},
            "Choose one of this",
        ),
        (
            {"scope": "pupils", "pupils": ["99999999999999999999999"], "channels": "email"},
            "not on roll at this school",
        ),
    ],
)
def test_an_incomplete_or_wrong_invite_shows_an_error_and_writes_nothing(
    school_admin_client, school, oak, data, error
):
    family(oak)

    response = school_admin_client.post(create_url(school), data)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Nothing was sent" in html
    assert error in html
    assert Invitation.objects.count() == 0


def test_pupils_of_another_school_are_an_error_and_nothing_is_written(
    school_admin_client, school, oak
):
    _, (own,) = family(oak)
    _, (foreign,) = family(SchoolClassFactory(school=SchoolFactory()))

    response = school_admin_client.post(
        create_url(school), {"scope": "pupils", "pupils": [own.pk, foreign.pk], "channels": "both"}
    )

    assert response.status_code == 200
    assert "not on roll at this school" in response.content.decode()
    assert Invitation.objects.count() == 0


def test_a_class_of_another_school_is_an_error(school_admin_client, school, oak):
    family(oak)
    elsewhere = SchoolClassFactory(school=SchoolFactory())
    family(elsewhere)

    response = school_admin_client.post(
        create_url(school), {"scope": "class", "school_class": elsewhere.pk, "channels": "both"}
    )

    assert response.status_code == 200
    assert "Choose one of this school" in response.content.decode()
    assert Invitation.objects.count() == 0


def test_a_removed_pupil_cannot_be_ticked(school_admin_client, school, oak):
    _, (pupil,) = family(oak)
    pupil.removed_by_school_at = timezone.now()
    pupil.save()

    response = school_admin_client.post(
        create_url(school), {"scope": "pupils", "pupils": [pupil.pk], "channels": "both"}
    )

    assert response.status_code == 200
    assert Invitation.objects.count() == 0


def test_ticked_pupils_stay_ticked_when_the_form_has_an_error(school_admin_client, school, oak):
    _, (pupil,) = family(oak)

    response = school_admin_client.post(
        create_url(school), {"scope": "pupils", "pupils": [pupil.pk]}
    )

    html = response.content.decode()
    assert f'value="{pupil.pk}" id="pupil-{pupil.pk}" checked' in html
    assert '<details class="invite-class" open>' in html


def test_invite_page_lists_pupils_by_class_with_labelled_checkboxes(
    school_admin_client, school, oak, ash
):
    joined = PupilFactory(school=school, school_class=oak, first_name="Jo", last_name="Joined")
    GuardianshipFactory(pupil=joined)
    PupilFactory(school=school, school_class=ash, first_name="Nia", last_name="Nobody")
    removed = PupilFactory(
        school=school, school_class=ash, first_name="Rex", removed_by_school_at=timezone.now()
    )

    response = school_admin_client.get(create_url(school))

    assert response.status_code == 200
    html = response.content.decode()
    assert unlabelled_controls(html) == []
    assert html.count("<h1") == 1
    assert 'Jo Joined <span class="tag">Joined</span>' in html
    assert 'Nia Nobody <span class="tag">No contact on record</span>' in html
    assert f'value="{removed.pk}"' not in html
    assert html.index("<summary>Ash") < html.index("Nia Nobody")
    assert "Oak (1 pupil)" in html  # the class picker


# --- The tracker ------------------------------------------------------------------------


def test_tracker_shows_one_row_per_family_with_children_channels_status_and_dates(
    school_admin_client, school, oak, admin
):
    _, (amy, ben) = family(oak, children=2, first_name="Paula", last_name="Price")
    amy.first_name, ben.first_name = "Amy", "Ben"
    amy.save()
    ben.save()
    (invitation,) = invite(school, admin, [amy, ben], channels="both")
    sent_at = timezone.now().replace(year=2030, month=3, day=4)
    Invitation.objects.filter(pk=invitation.pk).update(
        status=Invitation.Status.DELIVERED, sent_at=sent_at
    )

    response = school_admin_client.get(list_url(school))

    html = response.content.decode()
    assert "Paula Price" in html
    assert "Amy, Ben" in html
    assert "Email and SMS" in html
    assert "No mobile on record" in html
    assert '<span class="tag status-delivered">Delivered</span>' in html
    assert "4 Mar 2030" in html
    assert invitation.expires_at.strftime("%-d %b %Y") in html
    assert '<td data-label="Attempts">1</td>' in html
    assert unlabelled_controls(html) == []


def test_tracker_counts_each_status_and_treats_a_live_invitation_past_expiry_as_expired(
    school_admin_client, school, oak, admin
):
    pupils = [family(oak)[1][0] for _ in range(4)]
    invitations = invite(school, admin, pupils, channels="email")
    Invitation.objects.filter(pk=invitations[0].pk).update(status=Invitation.Status.BOUNCED)
    Invitation.objects.filter(pk=invitations[1].pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )

    response = school_admin_client.get(list_url(school))

    counts = {count.status: count.count for count in response.context["counts"]}
    assert counts == {
        "pending": 2,
        "sent": 0,
        "delivered": 0,
        "failed": 0,
        "bounced": 1,
        "accepted": 0,
        "expired": 1,
        "revoked": 0,
    }
    expired = school_admin_client.get(list_url(school) + "?status=expired")
    assert [i.pk for i in expired.context["page"]] == [invitations[1].pk]
    pending = school_admin_client.get(list_url(school) + "?status=pending")
    assert {i.pk for i in pending.context["page"]} == {invitations[2].pk, invitations[3].pk}


def test_tracker_counts_only_this_schools_invitations(school_admin_client, school, oak, admin):
    invite(school, admin, [family(oak)[1][0]])
    other = SchoolFactory()
    invite(other, admin_of(other), [family(SchoolClassFactory(school=other))[1][0]])

    response = school_admin_client.get(list_url(school))

    assert sum(count.count for count in response.context["counts"]) == 1
    assert response.context["page"].paginator.count == 1


def test_an_unknown_status_filter_shows_every_invitation(school_admin_client, school, oak, admin):
    invite(school, admin, [family(oak)[1][0]])

    response = school_admin_client.get(list_url(school) + "?status=nonsense")

    assert response.status_code == 200
    assert response.context["page"].paginator.count == 1


def test_tracker_is_paginated_and_keeps_the_status_filter_across_pages(
    school_admin_client, school, oak, admin
):
    invite(school, admin, [family(oak)[1][0] for _ in range(51)], channels="email")

    first = school_admin_client.get(list_url(school) + "?status=pending")
    second = school_admin_client.get(list_url(school) + "?status=pending&page=2")

    assert len(first.context["page"].object_list) == 50
    assert 'href="?status=pending&amp;page=2"' in first.content.decode()
    assert len(second.context["page"].object_list) == 1


def _invitation(school, admin, oak, **parent_fields):
    _, pupils = family(oak, **parent_fields)
    (invitation,) = invite(school, admin, pupils, channels="email")
    return invitation


def test_resend_gives_a_new_link_and_says_so(school_admin_client, school, oak, admin):
    invitation = _invitation(school, admin, oak, first_name="Paula", last_name="Price")
    Invitation.objects.filter(pk=invitation.pk).update(status=Invitation.Status.BOUNCED)
    old_hash = invitation.token_hash

    response = school_admin_client.post(
        reverse("invitations:resend", args=[school.pk, invitation.pk]),
        {"next": list_url(school) + "?status=bounced"},
    )

    assert response.status_code == 302
    assert response["Location"] == list_url(school) + "?status=bounced"
    invitation.refresh_from_db()
    assert invitation.token_hash != old_hash
    assert invitation.status == Invitation.Status.PENDING
    assert invitation.attempts == 2
    assert messages_of(response) == [
        "Invitation to Paula Price sent again. The earlier link no longer works."
    ]


def test_resend_to_a_family_without_the_contact_detail_warns(
    school_admin_client, school, oak, admin
):
    _, pupils = family(oak, first_name="Paula", last_name="Price")
    (invitation,) = invite(school, admin, pupils, channels="sms")

    response = school_admin_client.post(
        reverse("invitations:resend", args=[school.pk, invitation.pk])
    )

    assert "could not be sent" in messages_of(response)[0]
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.FAILED


def test_resending_an_accepted_or_revoked_invitation_is_refused_with_a_reason(
    school_admin_client, school, oak, admin
):
    PrivacyNotice.objects.create(
        version="1.0", text="Notice", summary_of_changes="-", published_at=timezone.now()
    )
    accepted = _invitation(school, admin, oak, first_name="Ann", last_name="Accepted")
    invitation_accept(
        invitation=accepted,
        user=accepted.parent,
        consents={Purpose.PLATFORM: "I agree."},
        actor=accepted.parent,
    )
    revoked = _invitation(school, admin, oak, first_name="Rob", last_name="Revoked")
    Invitation.objects.filter(pk=revoked.pk).update(status=Invitation.Status.REVOKED)

    first = school_admin_client.post(
        reverse("invitations:resend", args=[school.pk, accepted.pk]), follow=True
    )
    second = school_admin_client.post(
        reverse("invitations:resend", args=[school.pk, revoked.pk]), follow=True
    )

    assert messages_of(first) == [
        "Ann Accepted has already accepted, so there is nothing to resend."
    ]
    assert messages_of(second) == [
        "The invitation to Rob Revoked was revoked, so it cannot be resent. "
        "Invite the family again to send a new one."
    ]
    assert Invitation.objects.get(pk=accepted.pk).status == Invitation.Status.ACCEPTED
    assert Invitation.objects.get(pk=revoked.pk).status == Invitation.Status.REVOKED


def test_revoke_stops_the_link_and_an_accepted_invitation_cannot_be_revoked(
    school_admin_client, school, oak, admin
):
    live = _invitation(school, admin, oak, first_name="Lee", last_name="Live")
    accepted = _invitation(school, admin, oak, first_name="Ann", last_name="Accepted")
    Invitation.objects.filter(pk=accepted.pk).update(status=Invitation.Status.ACCEPTED)

    revoke_live = reverse("invitations:revoke", args=[school.pk, live.pk])
    first = school_admin_client.post(revoke_live, {"confirm": "yes"}, follow=True)
    again = school_admin_client.post(revoke_live, {"confirm": "yes"}, follow=True)
    refused = school_admin_client.post(
        reverse("invitations:revoke", args=[school.pk, accepted.pk]),
        {"confirm": "yes"},
        follow=True,
    )

    assert messages_of(first) == ["Invitation to Lee Live revoked. Its link no longer works."]
    assert messages_of(again) == ["The invitation to Lee Live was already revoked."]
    assert messages_of(refused) == [
        "Ann Accepted has already accepted, so the invitation cannot be revoked."
    ]
    assert Invitation.objects.get(pk=live.pk).status == Invitation.Status.REVOKED
    assert Invitation.objects.get(pk=accepted.pk).status == Invitation.Status.ACCEPTED


def test_tracker_offers_resend_and_revoke_only_where_they_are_allowed(
    school_admin_client, school, oak, admin
):
    live = _invitation(school, admin, oak)
    accepted = _invitation(school, admin, oak)
    Invitation.objects.filter(pk=accepted.pk).update(
        status=Invitation.Status.ACCEPTED, accepted_at=timezone.now()
    )

    html = school_admin_client.get(list_url(school)).content.decode()

    assert reverse("invitations:resend", args=[school.pk, live.pk]) in html
    assert reverse("invitations:revoke", args=[school.pk, live.pk]) in html
    assert reverse("invitations:resend", args=[school.pk, accepted.pk]) not in html
    assert reverse("invitations:revoke", args=[school.pk, accepted.pk]) not in html
    assert 'name="csrfmiddlewaretoken"' in html


def test_resend_and_revoke_ignore_a_next_address_off_the_invitation_pages(
    school_admin_client, school, oak, admin
):
    invitation = _invitation(school, admin, oak)

    response = school_admin_client.post(
        reverse("invitations:revoke", args=[school.pk, invitation.pk]),
        {"next": "https://evil.example/", "confirm": "yes"},
    )
    page = school_admin_client.get(
        reverse("invitations:revoke", args=[school.pk, invitation.pk]),
        {"next": "https://evil.example/"},
    )

    assert response["Location"] == list_url(school)
    assert "evil.example" not in page.content.decode()


def test_resend_and_revoke_need_a_post_with_a_csrf_token(school, oak, admin):
    invitation = _invitation(school, admin, oak)
    client = Client(enforce_csrf_checks=True)
    sign_in_verified(client, admin)

    resend = reverse("invitations:resend", args=[school.pk, invitation.pk])
    revoke = reverse("invitations:revoke", args=[school.pk, invitation.pk])
    assert client.get(resend).status_code == 405
    assert client.get(revoke).status_code == 200  # the confirmation page
    for url in [resend, revoke]:
        assert client.post(url, {"confirm": "yes"}).status_code == 403
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.PENDING
    assert invitation.attempts == 1


def test_another_schools_invitation_is_404_even_under_the_admins_own_school(
    school_admin_client, school, oak, admin
):
    other = SchoolFactory()
    foreign = _invitation(other, admin_of(other), SchoolClassFactory(school=other))

    for name in ["invitations:resend", "invitations:revoke"]:
        assert (
            school_admin_client.post(reverse(name, args=[school.pk, foreign.pk])).status_code == 404
        )
        assert (
            school_admin_client.post(reverse(name, args=[other.pk, foreign.pk])).status_code == 404
        )
    assert Invitation.objects.get(pk=foreign.pk).status == Invitation.Status.PENDING


# --- Families the school cannot reach -------------------------------------------------------


def test_unreachable_page_lists_pupils_no_invitation_can_reach_with_the_reason(
    school_admin_client, school, oak, admin
):
    PupilFactory(school=school, school_class=oak, first_name="Nora", last_name="Noparent")
    _, (no_contact,) = family(oak, email=None)
    no_contact.first_name, no_contact.last_name = "Cara", "Nocontact"
    no_contact.save()
    _, (bounced,) = family(oak, first_name="Bea", last_name="Bounce")
    bounced.first_name, bounced.last_name = "Bill", "Bounced"
    bounced.save()
    (bounced_invitation,) = invite(school, admin, [bounced], channels="email")
    Invitation.objects.filter(pk=bounced_invitation.pk).update(status=Invitation.Status.BOUNCED)

    response = school_admin_client.get(unreachable_url(school))

    html = response.content.decode()
    rows = {pupil.last_name: pupil.reason for pupil in response.context["page"]}
    assert rows == {
        "Noparent": "no_parent",
        "Nocontact": "no_contact",
        "Bounced": "invitations_failed",
    }
    assert "No parent or carer on record" in html
    assert "No email or mobile for any parent or carer" in html
    assert "Every invitation failed or bounced" in html
    assert "Bea Bounce (bounced)" in html
    assert reverse("invitations:resend", args=[school.pk, bounced_invitation.pk]) in html
    assert unlabelled_controls(html) == []


def test_unreachable_page_leaves_out_families_that_joined_or_can_still_be_reached(
    school_admin_client, school, oak, admin
):
    joined = PupilFactory(school=school, school_class=oak, last_name="Joined")
    GuardianshipFactory(pupil=joined)  # confirmed, even without contact details
    joined.guardianships.update(parent=imported_parent(email=None))
    GuardianshipFactory(pupil=joined, parent=imported_parent(email=None), confirmed_at=None)
    family(oak, last_name="Uninvited")  # has an email: can be invited
    _, (two_parents,) = family(oak)
    second = imported_parent()
    GuardianshipFactory(pupil=two_parents, parent=second, confirmed_at=None)
    first_invitation, second_invitation = invite(school, admin, [two_parents], channels="email")
    Invitation.objects.filter(pk=first_invitation.pk).update(status=Invitation.Status.FAILED)
    Invitation.objects.filter(pk=second_invitation.pk).update(status=Invitation.Status.DELIVERED)
    removed = PupilFactory(school=school, school_class=oak, removed_by_school_at=timezone.now())
    ended = PupilFactory(school=school, school_class=oak, last_name="Ended")
    GuardianshipFactory(pupil=ended, ended_at=timezone.now())

    response = school_admin_client.get(unreachable_url(school))

    names = [pupil.pk for pupil in response.context["page"]]
    assert joined.pk not in names
    assert two_parents.pk not in names
    assert removed.pk not in names
    assert names == [ended.pk]  # an ended guardianship is no parent at all


def test_a_pupil_whose_only_parent_is_restricted_or_closed_is_unreachable(
    school_admin_client, school, oak
):
    _, (restricted,) = family(oak, processing_restricted=True)
    _, (closed,) = family(oak, closed_at=timezone.now())

    response = school_admin_client.get(unreachable_url(school))

    assert {pupil.pk: pupil.reason for pupil in response.context["page"]} == {
        restricted.pk: "no_contact",
        closed.pk: "no_contact",
    }


def test_failed_and_revoked_invitations_still_leave_a_pupil_unreachable(
    school_admin_client, school, oak, admin
):
    _, (pupil,) = family(oak)
    (revoked,) = invite(school, admin, [pupil], channels="email")
    Invitation.objects.filter(pk=revoked.pk).update(status=Invitation.Status.REVOKED)
    (failed,) = invite(school, admin, [pupil], channels="sms")  # no mobile: fails at once

    response = school_admin_client.get(unreachable_url(school))

    (row,) = response.context["page"]
    assert row.reason == "invitations_failed"
    assert [i.pk for i in row.failed_invitations] == [failed.pk]


def test_a_family_without_contact_details_is_not_offered_a_pointless_resend(
    school_admin_client, school, oak, admin
):
    _, (pupil,) = family(oak, email=None)
    (invitation,) = invite(school, admin, [pupil], channels="both")  # fails: nothing to send to

    html = school_admin_client.get(unreachable_url(school)).content.decode()

    assert "No email or mobile for any parent or carer" in html
    assert reverse("invitations:resend", args=[school.pk, invitation.pk]) not in html
    assert "Add a contact in your MIS" in html


def test_resend_from_the_unreachable_page_comes_back_to_it(school_admin_client, school, oak, admin):
    invitation = _invitation(school, admin, oak)
    Invitation.objects.filter(pk=invitation.pk).update(status=Invitation.Status.FAILED)

    response = school_admin_client.post(
        reverse("invitations:resend", args=[school.pk, invitation.pk]),
        {"next": unreachable_url(school)},
    )

    assert response["Location"] == unreachable_url(school)
    assert school_admin_client.get(unreachable_url(school)).context["page"].paginator.count == 0


# --- Who may see these pages ----------------------------------------------------------------


def _all_urls(school, invitation):
    return [
        ("get", create_url(school)),
        ("post", create_url(school)),
        ("get", list_url(school)),
        ("get", unreachable_url(school)),
        ("post", reverse("invitations:resend", args=[school.pk, invitation.pk])),
        ("get", reverse("invitations:revoke", args=[school.pk, invitation.pk])),
        ("post", reverse("invitations:revoke", args=[school.pk, invitation.pk])),
    ]


@pytest.mark.parametrize("role", ["teacher", "parent", "other_admin", "platform_staff"])
def test_invitation_pages_are_404_for_everyone_but_the_schools_admins(
    client, staff_client, school, oak, admin, role
):
    invitation = _invitation(school, admin, oak)
    if role == "teacher":
        signed_in = staff_client(teacher_of(oak))
    elif role == "other_admin":
        signed_in = staff_client(admin_of(SchoolFactory()))
    elif role == "platform_staff":
        signed_in = staff_client(UserFactory(is_staff=True))
    else:
        parent = UserFactory()
        GuardianshipFactory(parent=parent, pupil=invitation.pupils.get())
        client.force_login(parent)
        signed_in = client

    for method, url in _all_urls(school, invitation):
        data = (
            {"scope": "school", "channels": "both", "confirm": "yes"} if method == "post" else None
        )
        assert getattr(signed_in, method)(url, data).status_code == 404, url
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.PENDING
    assert Invitation.objects.count() == 1


def test_anonymous_visitors_are_sent_to_sign_in(client, school, oak, admin):
    invitation = _invitation(school, admin, oak)

    for method, url in _all_urls(school, invitation):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("account_login")), url


def test_an_admin_without_the_second_factor_is_sent_to_verify(client, school, admin):
    client.force_login(admin)

    response = client.get(list_url(school))

    assert response.status_code == 302
    assert "/two-factor/" in response["Location"]


def test_school_overview_and_navigation_link_to_the_invitation_pages(school_admin_client, school):
    html = school_admin_client.get(
        reverse("schools:school_overview", args=[school.pk])
    ).content.decode()

    assert f'href="{create_url(school)}">Invite parents</a>' in html
    assert f'href="{list_url(school)}">Track invitations</a>' in html
    assert f'<li><a href="{list_url(school)}">Invitations</a></li>' in html


def test_an_admin_of_one_school_still_lands_on_its_overview(school_admin_client, school):
    response = school_admin_client.get(reverse("accounts:home"))

    assert response.status_code == 302
    assert response["Location"] == reverse("schools:school_overview", args=[school.pk])


def test_an_admin_of_two_schools_gets_an_invitations_link_for_each(staff_client, school, admin):
    second = SchoolFactory(name="Zebra Academy")
    admin.memberships.create(school=second, role="admin")

    html = staff_client(admin).get(reverse("accounts:home")).content.decode()

    assert f'href="{list_url(school)}">Invitations · Oakfield Primary</a>' in html
    assert f'href="{list_url(second)}">Invitations · Zebra Academy</a>' in html


# --- Query counts ---------------------------------------------------------------------------

SIZES = [1, 30]

# Session, user and OTP device (3); the page's own queries; the header's navigation
# (is the user a parent? their memberships, 2); the consent status for the banners (1).
# + school, page count, status counts, page of invitations, their children, and the
# failed messages of its failed invitations (which a Retry can send: only when the
# page holds a failed invitation, as both sizes here do).
TRACKER = 12
UNREACHABLE = 10  # + school, page count, page of pupils with classes, their failed invitations
INVITE_PAGE = 9  # + school, pupils with their state, the class picker


def _school_of_families(school, admin, size: int):
    """``size`` families spread over classes, in every state the pages show."""
    classes = [SchoolClassFactory(school=school) for _ in range(1 if size == 1 else 3)]
    pupils = []
    for n in range(size):
        _, children = family(classes[n % len(classes)], children=1 + n % 2, mobile=MOBILE)
        pupils.extend(children)
        if n % 5 == 4:
            PupilFactory(school=school, school_class=classes[n % len(classes)])  # no parent
    invitations = invite(school, admin, pupils)
    statuses = list(Invitation.Status.values)
    for n, invitation in enumerate(invitations[1:]):
        Invitation.objects.filter(pk=invitation.pk).update(status=statuses[n % len(statuses)])
    Invitation.objects.filter(pk=invitations[0].pk).update(status=Invitation.Status.FAILED)
    for invitation in Invitation.objects.filter(status=Invitation.Status.ACCEPTED):
        invitation.accepted_by = UserFactory()  # the tracker names each accepting account
        invitation.save(update_fields=["accepted_by"])
    return invitations


@pytest.mark.parametrize("size", SIZES)
def test_tracker_query_count(school_admin_client, num_queries, school, admin, size):
    _school_of_families(school, admin, size)

    response = num_queries(school_admin_client, list_url(school), TRACKER)

    assert len(response.context["page"].object_list) == size


@pytest.mark.parametrize("size", SIZES)
def test_unreachable_query_count(school_admin_client, num_queries, school, admin, size):
    _school_of_families(school, admin, size)

    response = num_queries(school_admin_client, unreachable_url(school), UNREACHABLE)

    assert len(response.context["page"].object_list) >= 1
    if size == 30:
        assert len(response.context["page"].object_list) >= 10


@pytest.mark.parametrize("size", SIZES)
def test_invite_page_query_count(school_admin_client, num_queries, school, admin, size):
    _school_of_families(school, admin, size)

    response = num_queries(school_admin_client, create_url(school), INVITE_PAGE)

    assert (
        response.context["pupil_count"]
        == Guardianship.objects.values("pupil").distinct().count() + size // 5
    )
