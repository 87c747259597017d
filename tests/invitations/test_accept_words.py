"""The words of the invitation page's consent box read as sentences."""

import re

import pytest
from django.urls import reverse

from tests.invitations.test_accept import invite, url  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


def test_the_privacy_notice_hint_is_one_sentence_and_a_link(client, invite, notice):  # noqa: F811
    token, _, _ = invite()

    html = client.get(url(token), follow=True).content.decode()

    hint = re.search(r'<p class="hint" id="privacy-notice-link">(.*?)</p>', html).group(1)
    text = re.sub(r"<[^>]+>", "", hint)
    assert text == (
        f"The privacy notice (version {notice.version}) says what we keep, why, for how long, "
        "and your rights. Read the privacy notice."
    )
    assert "Read the privacy notice (version" not in text
    assert f'<a href="{reverse("consent:privacy_notice")}">Read the privacy notice</a>' in hint
