"""The privacy notice is public: the current version in full, and the earlier ones."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from consent.models import PrivacyNotice
from tests.consent.notices import PrivacyNoticeFactory, published_notice

pytestmark = pytest.mark.django_db


def test_the_privacy_notice_lives_at_privacy_notice():
    assert reverse("consent:privacy_notice") == "/privacy/notice/"


def test_a_visitor_reads_the_current_notice_with_its_version_and_date(client):
    published_notice(version="1.0", text="The old text.")
    notice = published_notice(
        version="2.0",
        text="Who we are.\n\nWhat we keep about you.",
        summary_of_changes="We now send texts through a new provider.",
    )

    response = client.get(reverse("consent:privacy_notice"))

    html = response.content.decode()
    assert response.status_code == 200
    published = timezone.localtime(notice.published_at)
    assert f"Version 2.0, published {published.day} {published:%B %Y}" in html
    assert "<p>Who we are.</p>" in html
    assert "<p>What we keep about you.</p>" in html
    assert "We now send texts through a new provider." in html
    assert "The old text." not in html


def test_the_notice_text_is_shown_as_text_never_as_markup(client):
    published_notice(text='<script src="/evil.js"></script> & <b>bold</b>')

    html = client.get(reverse("consent:privacy_notice")).content.decode()

    assert '<script src="/evil.js">' not in html
    assert "&lt;script src=&quot;/evil.js&quot;&gt;&lt;/script&gt; &amp; &lt;b&gt;" in html


def test_earlier_versions_are_listed_and_readable(client):
    older = published_notice(version="1.0", text="The first text.")
    published_notice(version="2.0", text="The second text.")
    PrivacyNotice.objects.filter(pk=older.pk).update(
        published_at=older.published_at - timedelta(days=60)
    )

    current_page = client.get(reverse("consent:privacy_notice")).content.decode()
    earlier_page = client.get(
        reverse("consent:privacy_notice_version", args=["1.0"])
    ).content.decode()

    assert reverse("consent:privacy_notice_version", args=["1.0"]) in current_page
    assert "The first text." in earlier_page
    assert "This is an earlier version." in earlier_page
    assert "The second text." not in earlier_page


def test_the_current_version_by_number_redirects_to_the_notice_page(client):
    published_notice(version="3.0")

    response = client.get(reverse("consent:privacy_notice_version", args=["3.0"]))

    assert response.status_code == 302
    assert response.url == reverse("consent:privacy_notice")


def test_a_draft_or_unknown_version_is_not_found(client):
    published_notice(version="1.0")
    PrivacyNoticeFactory(version="9.9-draft", text="Not decided yet.")

    assert (
        client.get(reverse("consent:privacy_notice_version", args=["9.9-draft"])).status_code == 404
    )
    assert client.get(reverse("consent:privacy_notice_version", args=["7"])).status_code == 404
    assert "Not decided yet." not in client.get(reverse("consent:privacy_notice")).content.decode()


def test_before_any_notice_is_published_the_page_says_so(client):
    PrivacyNoticeFactory(text="A draft nobody has agreed to.")

    response = client.get(reverse("consent:privacy_notice"))

    assert response.status_code == 200
    assert "No privacy notice has been published yet." in response.content.decode()
