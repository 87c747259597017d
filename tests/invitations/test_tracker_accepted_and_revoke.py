"""The tracker names the account that accepted each invitation, and flags one that
is not the invited contact; revoking an invitation is confirmed first."""

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from invitations.models import Invitation
from tests.factories import SchoolClassFactory, UserFactory
from tests.invitations.test_pages import MOBILE, family, invite, list_url, messages_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def oak(school):
    return SchoolClassFactory(school=school, name="Oak")


def _invitation(school, admin, oak, **parent_fields):
    _, pupils = family(oak, **parent_fields)
    (invitation,) = invite(school, admin, pupils)
    return invitation


def _accept_as(invitation, user):
    Invitation.objects.filter(pk=invitation.pk).update(
        status=Invitation.Status.ACCEPTED, accepted_at=timezone.now(), accepted_by=user
    )


def _row(html: str, name: str) -> str:
    start = html.index(f'<td data-label="Family">{name}</td>')
    return html[start : html.index("</tr>", start)]


# Who accepted


def test_tracker_shows_the_account_that_accepted_and_flags_another_contact(
    school_admin_client, school, oak, admin
):
    own = _invitation(school, admin, oak, first_name="Dana", last_name="Ortiz", mobile=MOBILE)
    taken = _invitation(
        school, admin, oak, first_name="Lee", last_name="Ling", email="lee@example.org"
    )
    _accept_as(own, UserFactory(first_name="Dana", last_name="Ortiz", mobile=MOBILE))
    _accept_as(
        taken, UserFactory(first_name="Sam", last_name="Other", email="sam.other@example.org")
    )

    html = school_admin_client.get(list_url(school)).content.decode()

    dana, lee = _row(html, "Dana Ortiz"), _row(html, "Lee Ling")
    assert "by Dana Ortiz" in dana
    assert "Not the invited contact" not in dana
    assert "by Sam Other, sam.other@example.org" in lee
    assert "Not the invited contact" in lee


def test_the_invited_account_accepting_is_not_flagged(school_admin_client, school, oak, admin):
    invitation = _invitation(school, admin, oak, first_name="Dana", last_name="Ortiz")
    _accept_as(invitation, invitation.parent)

    html = school_admin_client.get(list_url(school)).content.decode()

    assert "by Dana Ortiz" in _row(html, "Dana Ortiz")
    assert "Not the invited contact" not in html


# Revoking is confirmed first


def revoke_url(school, invitation):
    return reverse("invitations:revoke", args=[school.pk, invitation.pk])


def test_tracker_revoke_opens_a_confirmation_page_and_changes_nothing(
    school_admin_client, school, oak, admin
):
    invitation = _invitation(school, admin, oak, first_name="Lee", last_name="Live")

    tracker = school_admin_client.get(list_url(school)).content.decode()
    page = school_admin_client.get(revoke_url(school, invitation), {"next": list_url(school)})

    assert f'href="{revoke_url(school, invitation)}?next=' in tracker
    html = page.content.decode()
    assert page.status_code == 200
    assert "Revoke the invitation to Lee Live?" in html
    assert "stops working" in html and "the family is not told" in html
    assert 'class="button-danger">Revoke the invitation</button>' in html
    assert 'name="confirm" value="yes"' in html
    assert f'href="{list_url(school)}">Keep it and go back</a>' in html
    assert Invitation.objects.get(pk=invitation.pk).status == Invitation.Status.PENDING
    assert not AuditEntry.objects.filter(action="invitation.revoke").exists()


def test_a_post_without_the_confirmation_does_not_revoke(school_admin_client, school, oak, admin):
    invitation = _invitation(school, admin, oak, first_name="Lee", last_name="Live")

    response = school_admin_client.post(revoke_url(school, invitation))

    assert response.status_code == 200
    assert "Revoke the invitation to Lee Live?" in response.content.decode()
    assert Invitation.objects.get(pk=invitation.pk).status == Invitation.Status.PENDING


def test_confirming_revokes_and_returns_to_the_tracker(school_admin_client, school, oak, admin):
    invitation = _invitation(school, admin, oak, first_name="Lee", last_name="Live")

    response = school_admin_client.post(
        revoke_url(school, invitation), {"confirm": "yes", "next": list_url(school)}, follow=True
    )

    assert response.redirect_chain[-1][0] == list_url(school)
    assert messages_of(response) == ["Invitation to Lee Live revoked. Its link no longer works."]
    assert Invitation.objects.get(pk=invitation.pk).status == Invitation.Status.REVOKED


def test_the_confirmation_page_of_an_accepted_invitation_says_it_cannot_be_revoked(
    school_admin_client, school, oak, admin
):
    invitation = _invitation(school, admin, oak, first_name="Ann", last_name="Accepted")
    _accept_as(invitation, invitation.parent)

    response = school_admin_client.get(revoke_url(school, invitation), follow=True)

    assert messages_of(response) == [
        "Ann Accepted has already accepted, so the invitation cannot be revoked."
    ]
    assert Invitation.objects.get(pk=invitation.pk).status == Invitation.Status.ACCEPTED
