"""Every email's Message-ID is made on the domain of SITE_URL."""

import pytest
from django.core import mail

from notifications.models import Message
from notifications.services import message_queue
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_an_emails_message_id_is_on_the_domain_of_site_url(
    settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://portal.example.org:8443/"
    with django_capture_on_commit_callbacks(execute=True):
        message = message_queue(
            recipient=UserFactory(email="parent@example.org"),
            channel=Message.Channel.EMAIL,
            template="outbox_test",
            context={"name": "Sam", "link": "https://portal.example.org/x"},
            idempotency_key="message-id-1",
        )

    message.refresh_from_db()
    header = mail.outbox[0].extra_headers["Message-ID"]
    assert header == message.provider_id
    assert header.startswith("<") and header.endswith("@portal.example.org>")
