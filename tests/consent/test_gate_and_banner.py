"""A new privacy notice: a banner with its summary, and re-consent before anything else
when the notice asks for it."""

import html as html_lib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from consent.models import ConsentRecord, Method, Purpose
from consent.selectors import privacy_status, user_needs_reconsent
from consent.wording import acknowledge_statement, reconsent_statement
from tests.consent.notices import published_notice, registered_parent
from tests.factories import SchoolClassFactory, teacher_of

pytestmark = pytest.mark.django_db

BANNER = "We have updated our privacy notice"


@pytest.fixture
def parent():
    return registered_parent(published_notice(version="1.0"))


def agree_url(next_path: str) -> str:
    return f"{reverse('consent:privacy_reconsent')}?next={next_path.replace('/', '%2F')}"


# The banner.


def test_a_newer_notice_shows_a_banner_with_its_summary_on_every_page(client, parent):
    published_notice(version="1.1", summary_of_changes="We keep photos for 2 years, not 3.")
    client.force_login(parent)

    for url in [
        reverse("schools:parent_home"),
        reverse("consent:privacy_consents"),
        reverse("consent:cookie_settings"),
    ]:
        page = client.get(url).content.decode()
        assert BANNER in page, url
        assert "Version 1.1" in page
        assert "We keep photos for 2 years, not 3." in page


def test_the_banner_summary_is_escaped(client, parent):
    published_notice(version="1.1", summary_of_changes="<img src=x onerror=alert(1)>")
    client.force_login(parent)

    page = client.get(reverse("schools:parent_home")).content.decode()

    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_no_banner_under_the_current_notice_nor_for_visitors_or_staff(client, parent):
    client.force_login(parent)
    assert BANNER not in client.get(reverse("schools:parent_home")).content.decode()

    published_notice(version="1.1")
    client.logout()
    assert BANNER not in client.get(reverse("consent:privacy_notice")).content.decode()


def test_staff_who_never_gave_platform_consent_see_no_banner(staff_client):
    published_notice(version="1.0")
    teacher = teacher_of(SchoolClassFactory())

    page = staff_client(teacher).get(reverse("schools:teacher_classes")).content.decode()

    assert BANNER not in page


def test_continuing_records_the_banner_words_under_the_new_notice_and_ends_the_banner(
    client, parent
):
    newer = published_notice(version="1.1")
    client.force_login(parent)

    response = client.post(
        reverse("consent:privacy_notice_acknowledge"), {"notice": newer.pk, "next": "/children/"}
    )

    assert response.status_code == 302
    assert response.url == "/children/"
    record = ConsentRecord.objects.filter(user=parent).latest("id")
    assert (record.purpose, record.granted, record.method, record.notice) == (
        Purpose.PLATFORM,
        True,
        Method.RECONSENT,
        newer,
    )
    assert record.wording == acknowledge_statement("1.1")
    assert BANNER not in client.get(reverse("schools:parent_home")).content.decode()


def test_continuing_from_a_stale_banner_records_nothing(client, parent):
    older_banner = published_notice(version="1.1")
    published_notice(version="1.2")
    client.force_login(parent)

    client.post(reverse("consent:privacy_notice_acknowledge"), {"notice": older_banner.pk})

    assert ConsentRecord.objects.filter(user=parent).count() == 1
    assert "Version 1.2" in client.get(reverse("schools:parent_home")).content.decode()


def test_continuing_goes_back_only_to_this_site(client, parent):
    newer = published_notice(version="1.1")
    client.force_login(parent)

    response = client.post(
        reverse("consent:privacy_notice_acknowledge"),
        {"notice": newer.pk, "next": "https://elsewhere.example/"},
    )

    assert response.url == reverse("accounts:home")


# The gate.


def test_nothing_changes_while_no_notice_requires_reconsent(client, parent):
    published_notice(version="1.1", requires_reconsent=False)
    client.force_login(parent)

    assert client.get(reverse("schools:parent_home")).status_code == 200


def test_a_notice_requiring_reconsent_sends_the_user_to_agree_first(client, parent):
    published_notice(version="2.0", requires_reconsent=True)
    client.force_login(parent)

    response = client.get(reverse("schools:parent_home"))

    assert response.status_code == 302
    assert response.url == agree_url("/children/")


@pytest.mark.parametrize(
    "path",
    [
        "/privacy/agree/",
        "/privacy/notice/",
        "/cookies/",
        "/accounts/password/change/",
        "/two-factor/setup/",
        "/invitations/some-token/",
        "/static/css/portal.css",
        "/healthz",
    ],
)
def test_the_gate_leaves_open_what_agreeing_or_leaving_needs(client, parent, path):
    published_notice(version="2.0", requires_reconsent=True)
    client.force_login(parent)

    response = client.get(path)

    assert not (
        response.status_code == 302
        and response.url.startswith(reverse("consent:privacy_reconsent"))
    )


def test_signing_out_stays_possible(client, parent):
    published_notice(version="2.0", requires_reconsent=True)
    client.force_login(parent)

    client.post(reverse("account_logout"))

    assert "_auth_user_id" not in client.session


def test_the_gate_does_not_stop_staff(staff_client):
    published_notice(version="2.0", requires_reconsent=True)
    teacher = teacher_of(SchoolClassFactory())

    assert staff_client(teacher).get(reverse("schools:teacher_classes")).status_code == 200


def test_the_agree_page_shows_the_summary_and_an_unticked_box(client, parent):
    published_notice(
        version="2.0", requires_reconsent=True, summary_of_changes="We now share data with X."
    )
    client.force_login(parent)

    page = html_lib.unescape(client.get(agree_url("/children/")).content.decode())

    assert "We now share data with X." in page
    assert reconsent_statement("2.0") in page
    assert '<input type="checkbox" name="agree" id="id_agree">' in page
    assert reverse("consent:privacy_notice") in page
    assert BANNER not in page  # the page says it already


def test_without_the_tick_nothing_is_recorded_and_the_gate_stays(client, parent):
    published_notice(version="2.0", requires_reconsent=True)
    client.force_login(parent)

    response = client.post(reverse("consent:privacy_reconsent"), {"next": "/children/"})

    assert response.status_code == 200
    assert "Tick the box to agree, or sign out." in response.content.decode()
    assert ConsentRecord.objects.filter(user=parent).count() == 1
    assert client.get(reverse("schools:parent_home")).status_code == 302


def test_agreeing_records_the_words_shown_and_opens_the_portal_again(client, parent):
    notice = published_notice(version="2.0", requires_reconsent=True)
    client.force_login(parent)

    response = client.post(
        reverse("consent:privacy_reconsent"), {"agree": "on", "next": "/children/"}
    )

    assert response.status_code == 302
    assert response.url == "/children/"
    record = ConsentRecord.objects.filter(user=parent).latest("id")
    assert (record.purpose, record.granted, record.method, record.notice) == (
        Purpose.PLATFORM,
        True,
        Method.RECONSENT,
        notice,
    )
    assert record.wording == reconsent_statement("2.0")
    assert user_needs_reconsent(user=parent) is False
    assert client.get(reverse("schools:parent_home")).status_code == 200


def test_agreeing_goes_back_only_to_this_site(client, parent):
    published_notice(version="2.0", requires_reconsent=True)
    client.force_login(parent)

    response = client.post(
        reverse("consent:privacy_reconsent"), {"agree": "on", "next": "//elsewhere.example/"}
    )

    assert response.url == reverse("accounts:home")


def test_the_agree_page_sends_someone_with_nothing_to_agree_back(client, parent):
    client.force_login(parent)

    response = client.get(agree_url("/children/"))

    assert response.status_code == 302
    assert response.url == "/children/"


def test_after_withdrawing_agreeing_again_is_recorded_as_a_settings_choice(client, parent):
    client.force_login(parent)
    client.post(
        reverse("consent:privacy_consent_change"),
        {"purpose": Purpose.PLATFORM, "action": "withdraw", "confirmed": "on"},
    )

    client.post(reverse("consent:privacy_reconsent"), {"agree": "on"})

    record = ConsentRecord.objects.filter(user=parent).latest("id")
    assert (record.granted, record.method) == (True, Method.SETTINGS)
    assert client.get(reverse("schools:parent_home")).status_code == 200


# What it costs.


def test_privacy_status_is_one_query():
    parent = registered_parent(published_notice(version="1.0"))
    published_notice(version="1.1")

    with CaptureQueriesContext(connection) as queries:
        status = privacy_status(user=parent)

    assert len(queries) == 1
    assert status.new_notice is not None


def test_a_page_with_the_banner_reads_consent_once(client, parent):
    published_notice(version="1.1")
    client.force_login(parent)

    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("schools:parent_home")).content.decode()

    assert BANNER in page
    consent_queries = [q for q in queries if "consent_" in q["sql"]]
    assert len(consent_queries) == 1
