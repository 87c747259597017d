"""The development outbox page: only with DEBUG on, no sign-in, links clickable."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from notifications.models import Message
from notifications.selectors import links_in
from notifications.services import message_queue

pytestmark = pytest.mark.django_db

LINK = "https://portal.example/invitations/abc_DEF-123/"


def queue(key, *, channel="email", link=LINK, name="Sam", **fields):
    return message_queue(
        recipient=None,
        to_address="parent@example.org" if channel == "email" else "+447700900123",
        channel=channel,
        template="outbox_test",
        context={"name": name, "link": link},
        idempotency_key=key,
        **fields,
    )


def test_outbox_page_is_a_404_when_debug_is_off(client, settings):
    settings.DEBUG = False
    queue("k")
    response = client.get("/outbox/")
    assert response.status_code == 404
    assert LINK not in response.content.decode()


def test_outbox_page_lists_messages_with_clickable_links_without_sign_in(client, settings):
    settings.DEBUG = True
    queue("email")
    queue("sms", channel="sms", link="https://portal.example/invitations/sms-token/")
    response = client.get(reverse("notifications:outbox"))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<a class="secret" href="{LINK}">{LINK}</a>' in html
    assert 'href="https://portal.example/invitations/sms-token/"' in html
    assert "Hello Sam &amp; welcome" in html
    assert "parent@example.org" in html and "+447700900123" in html
    assert "Pending" in html
    assert "Text message" in html  # an SMS has no subject
    # Newest first.
    assert html.index("sms-token") < html.index(LINK)


def test_outbox_page_shows_each_status(client, settings, django_capture_on_commit_callbacks):
    settings.DEBUG = True
    with django_capture_on_commit_callbacks(execute=True):
        queue("sent")
    Message.objects.create(
        to_address="x@example.org",
        channel="email",
        template="outbox_test",
        body_text="-",
        idempotency_key="bounced",
        status=Message.Status.BOUNCED,
    )
    html = client.get(reverse("notifications:outbox")).content.decode()
    assert ">Sent<" in html and ">Bounced<" in html


def test_outbox_page_escapes_what_it_shows(client, settings):
    settings.DEBUG = True
    queue("k", name="<script>alert(1)</script>", link='https://portal.example/"onmouseover=x')
    html = client.get(reverse("notifications:outbox")).content.decode()
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;" in html
    assert 'href="https://portal.example/"' in html  # the link stops at the quote


def test_outbox_page_is_paginated_newest_first(client, settings):
    settings.DEBUG = True
    now = timezone.now()
    for n in range(30):
        message = queue(f"k{n}", name=f"Person{n:02d}")
        Message.objects.filter(pk=message.pk).update(created_at=now - timedelta(minutes=n))
    first = client.get(reverse("notifications:outbox")).content.decode()
    second = client.get(reverse("notifications:outbox"), {"page": 2}).content.decode()
    assert "Hello Person00 " in first and "Person24 " in first
    assert "Person25 " not in first
    assert "Hello Person25 " in second and "Person29 " in second
    assert "Page 1 of 2" in first
    assert 'href="?page=2"' in first


def _queries_for_outbox_page(client, count: int) -> int:
    for n in range(count):
        queue(f"size{count}-{n}")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("notifications:outbox"))
    assert response.content.decode().count(f'href="{LINK}"') == min(count, 25)  # a page
    return len(queries)


def test_outbox_page_takes_the_same_queries_for_1_or_30_messages(client, settings):
    settings.DEBUG = True
    one = _queries_for_outbox_page(client, 1)
    Message.objects.all().delete()
    thirty = _queries_for_outbox_page(client, 30)
    assert one == thirty


def test_links_are_found_once_each_without_trailing_punctuation():
    text = (
        "Open https://portal.example/a/b?x=1&y=2. Or http://localhost:8000/invitations/t0k/, "
        "then (https://portal.example/c). Again: https://portal.example/a/b?x=1&y=2 "
        "but not ftp://files.example or portal.example/d"
    )
    assert links_in(text) == [
        "https://portal.example/a/b?x=1&y=2",
        "http://localhost:8000/invitations/t0k/",
        "https://portal.example/c",
    ]


def test_outbox_page_shows_each_email_in_a_sandboxed_frame(client, settings):
    settings.DEBUG = True
    email = queue("email")
    queue("sms", channel="sms")
    response = client.get(reverse("notifications:outbox"))
    html = response.content.decode()
    frame_src = reverse("notifications:outbox_html", args=[email.pk])
    frames = re.findall(r"<iframe[^>]*>", html)
    assert len(frames) == 1  # the email's, not the text message's
    assert f'src="{frame_src}"' in frames[0]
    assert re.search(r"\ssandbox[\s>]", frames[0])  # sandboxed, with nothing allowed
    assert "allow-" not in frames[0]
    assert 'title="The email' in frames[0]
    policy = response.headers["Content-Security-Policy"]
    assert "frame-src 'self'" in policy
    assert "'unsafe-inline'" not in policy  # the page itself stays strict


def test_an_emails_html_part_is_served_with_its_own_policy(client, settings):
    settings.DEBUG = True
    email = queue("email", name="Zoé")
    response = client.get(reverse("notifications:outbox_html", args=[email.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert response.content.decode() == email.body_html
    assert "Hello Zoé" in response.content.decode()
    policy = {
        directive.split()[0]: directive.split()[1:]
        for directive in response.headers["Content-Security-Policy"].split(";")
        if directive.strip()
    }
    assert policy["default-src"] == ["'none'"]
    assert policy["style-src"] == ["'unsafe-inline'"]
    assert policy["frame-ancestors"] == ["'self'"]
    assert "script-src" not in policy  # default-src 'none': no script at all
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"


def test_an_emails_html_part_is_a_404_when_debug_is_off_or_for_a_text(client, settings):
    settings.DEBUG = True
    email = queue("email")
    text = queue("sms", channel="sms")
    assert client.get(reverse("notifications:outbox_html", args=[text.pk])).status_code == 404
    assert client.get(reverse("notifications:outbox_html", args=[email.pk + 99])).status_code == 404
    settings.DEBUG = False
    response = client.get(reverse("notifications:outbox_html", args=[email.pk]))
    assert response.status_code == 404
    assert "your link" not in response.content.decode()
