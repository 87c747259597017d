"""An invitation's token leaves the address on first use: the link's page keeps it
in the session and redirects to a page without it, as Django's password reset
confirmation does, so no later request, Referer or log line carries it."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.urls import reverse

from invitations.models import Invitation
from invitations.services import invitation_revoke
from invitations.tokens import token_digest
from invitations.views.accept import SESSION_LINK
from tests.factories import UserFactory
from tests.invitations.test_accept import invite, registration, url  # noqa: F401

pytestmark = pytest.mark.django_db

JOIN = "/invitations/join/"


def test_opening_a_link_redirects_to_a_page_without_the_token(client, invite):  # noqa: F811
    token, invitation, _ = invite()

    opened = client.get(url(token))
    page = client.get(opened["Location"])

    assert opened.status_code == 302 and opened["Location"] == JOIN
    assert page.status_code == 200
    html = page.content.decode()
    assert token not in html
    assert 'name="first_name"' in html and "Amy" in html
    # The session holds the link's digest (already in the database), never the token.
    assert client.session[SESSION_LINK] == token_digest(token) == invitation.token_hash
    assert token not in str(dict(client.session))


def test_a_new_parent_joins_on_the_page_without_the_token(client, invite):  # noqa: F811
    token, invitation, parent = invite()
    client.get(url(token))

    page = client.get(JOIN).content.decode()
    response = client.post(JOIN, {**registration(), "invitation": invitation.pk})

    assert f'<input type="hidden" name="invitation" value="{invitation.pk}">' in page
    assert response.status_code == 302 and response["Location"] == "/children/"
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.ACCEPTED
    assert int(client.session[SESSION_KEY]) == parent.pk
    assert SESSION_LINK not in client.session
    # Opened again, the used link takes the parent who joined to their children.
    assert client.get(url(token))["Location"] == "/children/"


def test_the_page_without_a_link_in_the_session_asks_to_open_the_link_again(client):
    response = client.get(JOIN)

    assert response.status_code == 404
    assert "open it again from the email or text message" in response.content.decode()


def test_a_link_withdrawn_after_it_was_opened_no_longer_works(client, invite, admin):  # noqa: F811
    token, invitation, _ = invite()
    client.get(url(token))
    invitation_revoke(invitation=invitation, actor=admin)

    response = client.get(JOIN)

    assert response.status_code == 410
    assert SESSION_LINK not in client.session


def test_a_post_to_the_link_itself_is_still_answered(client, invite):  # noqa: F811
    """A page opened before the token moved posts to the link: it still works."""
    token, invitation, _ = invite()

    response = client.post(url(token), registration())

    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.ACCEPTED


def test_signing_out_from_the_page_keeps_the_invitation_open(client, invite):  # noqa: F811
    """Someone else is signed in on the device: signing out from the invitation's
    page leaves it open for the invited parent, without the token in any address."""
    token, _, _ = invite()
    client.force_login(UserFactory(email="someone.else@example.org"))
    page = client.get(url(token), follow=True).content.decode()

    signed_out = client.post(reverse("invitations:sign_out"))
    reopened = client.get(signed_out["Location"])

    assert f'action="{reverse("invitations:sign_out")}"' in page
    assert signed_out.status_code == 302 and signed_out["Location"] == JOIN
    assert SESSION_KEY not in client.session
    assert reopened.status_code == 200 and 'name="first_name"' in reopened.content.decode()


def test_signing_out_without_an_invitation_open_asks_to_open_the_link(client):
    client.force_login(UserFactory())

    response = client.post(reverse("invitations:sign_out"), follow=True)

    assert SESSION_KEY not in client.session
    assert response.status_code == 404
    assert "open it again from the email or text message" in response.content.decode()


def test_a_page_left_open_while_another_invitation_was_opened_takes_no_answer(
    client,
    invite,  # noqa: F811
):
    """The session holds the newest link: answers given on the page of an older one
    are not applied to it, since the person read about other children."""
    first_token, first, _ = invite()
    client.get(url(first_token))
    mail.outbox.clear()
    second_token, second, _ = invite(email="sam@example.org", first_name="Sam")
    client.get(url(second_token))

    response = client.post(JOIN, {**registration(), "invitation": first.pk})

    assert response.status_code == 302 and response["Location"] == JOIN
    for invitation in (first, second):
        invitation.refresh_from_db()
        assert invitation.status != Invitation.Status.ACCEPTED
    assert "You have opened another invitation since" in client.get(JOIN).content.decode()
