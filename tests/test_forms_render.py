"""One project-wide form template (templates/django/forms/, through FORM_RENDERER):
every form renders its labels above its fields, then hints and errors the same way,
with no "---------" placeholders; a form with errors opens with an error summary
linking to each field, and the page title says so."""

import re

import pytest
from django.test.html import Element, parse_html
from django.urls import reverse

from invitations.services import invitations_create
from learning.models import Activity
from learning.services import completion_record
from tests.consent.notices import published_notice, registered_parent
from tests.factories import (
    ActivityFactory,
    PupilFactory,
    SchoolClassFactory,
    TopicFactory,
    confirmed_totp_device,
    teacher_of,
)
from tests.invitations.test_invitations import imported_parent, link_unconfirmed, token_from_outbox
from tests.learning.space_world import family_world, photo_upload

pytestmark = pytest.mark.django_db


# --- Reading a page ---------------------------------------------------------------------


def elements(node, tag=None, **attributes) -> list[Element]:
    """Every element under ``node`` in document order, by tag name and attribute values."""
    found = []
    for child in node.children if isinstance(node, Element) else []:
        if not isinstance(child, Element):
            continue
        attrs = dict(child.attributes)
        if (tag is None or child.name == tag) and all(
            attrs.get(key.rstrip("_")) == value for key, value in attributes.items()
        ):
            found.append(child)
        found.extend(elements(child, tag, **attributes))
    return found


def by_id(root, element_id) -> Element:
    (found,) = [
        element for element in elements(root) if dict(element.attributes).get("id") == element_id
    ]
    return found


def text(node) -> str:
    if not isinstance(node, Element):
        return str(node)
    return " ".join(" ".join(text(child) for child in node.children).split())


def attr(element, name) -> str:
    return dict(element.attributes).get(name) or ""


def page_of(response) -> Element:
    assert response.status_code in (200, 400), response.status_code
    return parse_html(response.content.decode())


def title_of(response) -> str:
    return re.search(r"<title>(.*?)</title>", response.content.decode(), re.S).group(1).strip()


def position(html: str, marker: str) -> int:
    index = html.find(marker)
    assert index >= 0, marker
    return index


@pytest.fixture
def teacher(school):
    return teacher_of(SchoolClassFactory(school=school))


@pytest.fixture
def teacher_client(staff_client, teacher):
    return staff_client(teacher)


# --- Labels, hints and placeholders -------------------------------------------------------


def test_the_topic_form_puts_each_label_above_its_field_then_its_hint(teacher_client):
    response = teacher_client.get(reverse("learning:topic_create"))
    html = response.content.decode()
    page = page_of(response)

    for name in ("title", "summary", "subject", "year_group_min", "year_group_max"):
        (label,) = elements(page, "label", for_=f"id_{name}")
        assert not text(label).endswith(":"), text(label)
        assert position(html, f'<label for="id_{name}">') < position(html, f'id="id_{name}"')
    hint = by_id(page, "id_summary_helptext")
    assert text(hint) == "One or two sentences families see first."
    assert "id_summary_helptext" in attr(by_id(page, "id_summary"), "aria-describedby")
    assert position(html, 'id="id_summary_helptext"') < position(html, 'id="id_summary"')
    # Each field is a group of its own, spaced like the invite and set-topic forms.
    assert len(elements(page, "div", class_="field")) == 6


def test_no_form_offers_a_dashed_placeholder(teacher_client, school, teacher):
    topic = TopicFactory(school=school)
    activity = ActivityFactory(topic=topic)
    for url in [
        reverse("learning:topic_create"),
        reverse("learning:topic_edit", args=[topic.pk]),
        reverse("learning:activity_create", args=[topic.pk]),
        reverse("learning:activity_edit", args=[topic.pk, activity.pk]),
    ]:
        assert "---------" not in teacher_client.get(url).content.decode(), url

    page = page_of(teacher_client.get(reverse("learning:topic_create")))
    first = elements(by_id(page, "id_subject"), "option")[0]
    assert (attr(first, "value"), text(first)) == ("", "Choose a subject")


def test_a_single_checkbox_sits_before_its_label_with_its_hint(teacher_client):
    html = teacher_client.get(reverse("learning:topic_create")).content.decode()
    page = parse_html(html)

    assert position(html, 'id="id_published"') < position(html, '<label for="id_published">')
    assert "id_published_helptext" in attr(by_id(page, "id_published"), "aria-describedby")


def test_the_activity_kind_is_a_group_of_radio_buttons_under_a_legend(teacher_client, school):
    topic = TopicFactory(school=school)
    page = page_of(teacher_client.get(reverse("learning:activity_create", args=[topic.pk])))

    (group,) = [
        fieldset
        for fieldset in elements(page, "fieldset")
        if elements(fieldset, "input", name="kind")
    ]
    assert text(elements(group, "legend")[0]) == "Kind"
    radios = elements(group, "input", type="radio")
    assert len(radios) == len(Activity.Kind.choices)
    labels = elements(group, "label")
    assert {text(label) for label in labels} == {label for _, label in Activity.Kind.choices}


# --- Errors -------------------------------------------------------------------------------


def test_a_form_with_errors_opens_with_a_summary_linking_to_each_field(teacher_client):
    response = teacher_client.post(
        reverse("learning:topic_create"),
        {"title": "", "subject": "", "year_group_min": 1, "year_group_max": 3},
    )
    html = response.content.decode()
    page = page_of(response)

    assert title_of(response).startswith("Error: ")
    summary = by_id(page, "error-summary")
    assert attr(summary, "tabindex") == "-1"
    assert text(elements(summary, "h2")[0]) == "There is a problem"
    links = {attr(link, "href"): text(link) for link in elements(summary, "a")}
    assert links == {"#id_title": "Give the topic a title.", "#id_subject": "Choose a subject."}
    # The summary comes before the fields; each field says what is wrong, next to it.
    assert position(html, 'id="error-summary"') < position(html, 'id="id_title"')
    title = by_id(page, "id_title")
    assert attr(title, "aria-invalid") == "true"
    assert "id_title_error" in attr(title, "aria-describedby")
    assert text(by_id(page, "id_title_error")) == "Give the topic a title."


def test_a_form_with_no_errors_has_no_summary_and_no_error_title(teacher_client):
    response = teacher_client.get(reverse("learning:topic_create"))

    assert 'id="error-summary"' not in response.content.decode()
    assert not title_of(response).startswith("Error")


def test_the_page_loads_the_script_that_lands_on_the_summary_from_the_site(client):
    html = client.get(reverse("account_login")).content.decode()

    assert re.search(r'<script src="/static/js/error_summary\.js" defer></script>', html)


def test_a_wrong_sign_in_shows_the_summary(client, school):
    response = client.post(
        reverse("account_login"), {"login": "nobody@example.org", "password": "wrong-password"}
    )
    page = page_of(response)

    summary = by_id(page, "error-summary")
    assert "There is a problem" in text(summary)
    assert title_of(response).startswith("Error: ")


def test_a_wrong_sign_in_code_shows_the_summary_linking_to_the_code(client, teacher):
    confirmed_totp_device(teacher)
    client.force_login(teacher)

    response = client.post(reverse("accounts:two_factor_verify"), {"token": "000000"})
    page = page_of(response)

    (label,) = elements(page, "label", for_="id_token")
    assert text(label) == "Code"
    summary = by_id(page, "error-summary")
    assert [attr(link, "href") for link in elements(summary, "a")] == ["#id_token"]
    assert "id_token_helptext" in attr(by_id(page, "id_token"), "aria-describedby")


# --- The child's space: the rating group and the refused photo -----------------------------


@pytest.fixture
def family():
    return family_world(activities=1)


@pytest.fixture
def parent_client(client, family):
    completion_record(pupil=family.pupil, activity=family.activities[0], actor=family.parent)
    client.force_login(family.parent)
    return client


def _assignment_url(family):
    return reverse("learning:child_assignment", args=[family.pupil.pk, family.assignment.pk])


def test_the_rating_is_a_group_of_labelled_radio_buttons_under_a_legend(parent_client, family):
    page = page_of(parent_client.get(_assignment_url(family)))
    prefix = f"activity-{family.activities[0].pk}"

    (group,) = [
        fieldset
        for fieldset in elements(page, "fieldset")
        if elements(fieldset, "input", name=f"{prefix}-rating")
    ]
    assert text(elements(group, "legend")[0]) == "How did it go?"
    radios = elements(group, "input", type="radio")
    assert len(radios) == 5
    for label in elements(group, "label"):
        assert elements(label, "input", type="radio"), "each radio button is inside its label"
        assert text(label)
    (form,) = elements(page, "form", class_="feedback-form")
    assert attr(form, "action").endswith("#error-summary")


def test_a_refused_photo_shows_the_summary_in_the_form_that_sent_it(parent_client, family):
    activity = family.activities[0]
    prefix = f"activity-{activity.pk}"
    url = reverse(
        "learning:child_activity_feedback",
        args=[family.pupil.pk, family.assignment.pk, activity.pk],
    )

    response = parent_client.post(url, {f"{prefix}-photo": photo_upload(b"not a photo", "x.jpg")})
    page = page_of(response)

    assert title_of(response).startswith("Error: ")
    (form,) = elements(page, "form", class_="feedback-form")
    (summary,) = elements(form, id="error-summary")
    # Under the activity's "Your feedback" (an h3), the summary's heading is an h4.
    assert text(elements(summary, "h4")[0]) == "There is a problem"
    assert [attr(link, "href") for link in elements(summary, "a")] == [f"#id_{prefix}-photo"]
    by_id(page, f"id_{prefix}-photo")


# Hand-laid forms use the same summary: school settings, joining, re-consent.


def test_school_settings_with_a_bad_phone_open_with_the_summary(school_admin_client, school):
    response = school_admin_client.post(
        reverse("schools:school_settings", args=[school.pk]),
        {"parent_facing_name": "", "contact_email": "", "contact_phone": "12345"},
    )
    page = page_of(response)

    assert title_of(response).startswith("Error: ")
    summary = by_id(page, "error-summary")
    assert [attr(link, "href") for link in elements(summary, "a")] == ["#id_contact_phone"]
    assert attr(by_id(page, "id_contact_phone"), "aria-invalid") == "true"


def test_joining_without_the_platform_consent_opens_with_the_summary(
    client, school, admin, django_capture_on_commit_callbacks
):
    parent = imported_parent(first_name="Dana", last_name="Ortiz")
    child = PupilFactory(school=school, first_name="Amy")
    link_unconfirmed(parent, child)
    with django_capture_on_commit_callbacks(execute=True):
        invitations_create(school=school, pupils=[child], channels="email", actor=admin)

    response = client.post(
        f"/invitations/{token_from_outbox()}/",
        {
            "first_name": "Dana",
            "last_name": "Ortiz",
            "password1": "a-long-new-password-42",
            "password2": "a-long-new-password-42",
        },
    )
    page = page_of(response)

    assert title_of(response).startswith("Error: ")
    summary = by_id(page, "error-summary")
    assert [attr(link, "href") for link in elements(summary, "a")] == ["#id_platform"]


def test_a_reconsent_left_unticked_opens_with_the_summary(client, notice):
    client.force_login(registered_parent(notice))
    published_notice(version="2.0", requires_reconsent=True, summary_of_changes="New provider.")

    response = client.post(reverse("consent:privacy_reconsent"), {})
    page = page_of(response)

    assert title_of(response).startswith("Error: ")
    summary = by_id(page, "error-summary")
    assert [attr(link, "href") for link in elements(summary, "a")] == ["#id_agree"]
