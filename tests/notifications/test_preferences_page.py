"""A parent's notification settings page: email, SMS, both or none for engagement."""

import html as html_lib

import pytest
from django.urls import reverse

from notifications.models import NotificationPreference
from tests.consent.notices import published_notice, registered_parent

pytestmark = pytest.mark.django_db

URL = "/notifications/preferences/"


@pytest.fixture
def parent():
    published_notice(version="1.0")
    parent = registered_parent()
    parent.mobile = "+447700900123"
    parent.save(update_fields=["mobile"])
    return parent


def page_of(response) -> str:
    return html_lib.unescape(response.content.decode())


def checked(page: str, name: str) -> bool:
    tag = page.split(f'name="{name}"', 1)[1].split(">", 1)[0]
    return " checked" in tag


def test_the_page_needs_a_signed_in_user(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_every_signed_in_page_links_to_the_settings(client, parent):
    client.force_login(parent)
    page = page_of(client.get(reverse("consent:privacy_consents")))
    assert f'<a href="{URL}">Notification settings</a>' in page


def test_until_they_choose_a_parent_has_both_channels_they_have_an_address_for(client, parent):
    client.force_login(parent)
    page = page_of(client.get(URL))

    assert "<h1>Notification settings</h1>" in page
    assert checked(page, "engagement_email") and checked(page, "engagement_sms")
    assert f"To {parent.email}." in page
    assert "To +447700900123." in page
    assert "between 20:00 and 08:00" in page


def test_a_parent_without_a_mobile_starts_with_sms_off_and_is_told_why(client, parent):
    parent.mobile = ""
    parent.save(update_fields=["mobile"])
    client.force_login(parent)
    page = page_of(client.get(URL))

    assert checked(page, "engagement_email") and not checked(page, "engagement_sms")
    assert "We have no mobile number for you, so no texts are sent." in page


@pytest.mark.parametrize(
    ("ticked", "email_on", "sms_on"),
    [
        ({"engagement_email": "on", "engagement_sms": "on"}, True, True),
        ({"engagement_email": "on"}, True, False),
        ({"engagement_sms": "on"}, False, True),
        ({}, False, False),
    ],
    ids=["both", "email", "sms", "none"],
)
def test_saving_records_the_choice_and_shows_it_again(client, parent, ticked, email_on, sms_on):
    client.force_login(parent)

    response = client.post(URL, ticked)

    assert response.status_code == 302 and response.url == URL
    preference = NotificationPreference.objects.get(user=parent)
    assert (preference.engagement_email, preference.engagement_sms) == (email_on, sms_on)
    page = page_of(client.get(URL))
    assert "Your notification settings are saved." in page
    assert checked(page, "engagement_email") is email_on
    assert checked(page, "engagement_sms") is sms_on


def test_one_parents_choice_is_theirs_alone(client, parent):
    other = registered_parent()
    client.force_login(parent)
    client.post(URL, {})

    client.force_login(other)
    page = page_of(client.get(URL))

    assert list(NotificationPreference.objects.values_list("user", flat=True)) == [parent.pk]
    assert checked(page, "engagement_email")


def test_the_page_refuses_other_methods(client, parent):
    client.force_login(parent)
    assert client.put(URL).status_code == 405


def test_until_they_choose_every_kind_of_news_is_ticked(client, parent):
    client.force_login(parent)
    page = page_of(client.get(URL))

    for name in ("new_work", "reminders", "awards"):
        assert checked(page, name)
    assert "Send me news about" in page


def test_saving_the_kinds_of_news_records_each_and_shows_it_again(client, parent):
    client.force_login(parent)

    client.post(URL, {"engagement_email": "on", "new_work": "on", "awards": "on"})

    preference = NotificationPreference.objects.get(user=parent)
    assert (preference.new_work, preference.reminders, preference.awards) == (True, False, True)
    page = page_of(client.get(URL))
    assert checked(page, "new_work") and checked(page, "awards")
    assert not checked(page, "reminders")


def test_a_kind_stopped_from_a_link_shows_unticked_here(client, parent):
    from notifications.services import notifications_stop

    notifications_stop(user=parent, scope="reminders", via="link")
    client.force_login(parent)
    page = page_of(client.get(URL))

    assert not checked(page, "reminders")
    assert checked(page, "new_work") and checked(page, "engagement_email")


def test_a_link_stopping_one_kind_keeps_the_channels_the_page_showed(client):
    """A parent without a mobile saw texts off; stopping awards from an email keeps
    them off rather than ticking a channel they never had."""
    from notifications.services import notifications_stop

    published_notice(version="1.0")
    parent = registered_parent()
    notifications_stop(user=parent, scope="awards", via="link")
    client.force_login(parent)
    page = page_of(client.get(URL))

    assert checked(page, "engagement_email") and not checked(page, "engagement_sms")
