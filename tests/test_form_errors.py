"""Errors that reach the person (WCAG 3.3.1, 4.1.3), on every form a person can send
back with errors: the page title starts with "Error: ", the form opens with one error
summary (which error_summary.js focuses), the summary links to every field in error,
and every aria-describedby on the page names an element that is there.

Each case below sets up what its page needs and sends the form with a mistake in it,
as a person would make it. A new form needs a case here."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.core import mail
from django.template import Context, Template
from django.test.html import parse_html
from django.urls import reverse
from django.utils import timezone

from accounts.forms import NameForm
from accounts.models import User
from accounts.services import mobile_change_start
from invitations.services import invitations_create
from learning.services import completion_record
from privacy.services import privacy_request_open
from tests.consent.notices import published_notice, registered_parent
from tests.factories import (
    AssignmentFactory,
    PupilFactory,
    SchoolClassFactory,
    TopicFactory,
    UserFactory,
    confirmed_totp_device,
    sign_in_verified,
    teacher_of,
)
from tests.invitations.test_invitations import imported_parent, link_unconfirmed, token_from_outbox
from tests.learning.space_world import family_world
from tests.test_forms_render import attr, elements, text, title_of

pytestmark = pytest.mark.django_db


@dataclass
class Sent:
    """A form sent with mistakes: the response, and the fields that must be linked."""

    response: object
    fields: list[str]


# --- The cases: each returns the response to a form sent with a mistake ----------------


def sign_in_wrong_password(client, world):
    UserFactory(email="pat@example.org")
    data = {"login": "pat@example.org", "password": "not-the-password"}
    return Sent(client.post(reverse("account_login"), data), [])


def sign_in_empty(client, world):
    data = {"login": "", "password": ""}
    return Sent(client.post(reverse("account_login"), data), ["id_login", "id_password"])


def second_factor_wrong_code(client, world):
    teacher = teacher_of(SchoolClassFactory(school=world["school"]))
    confirmed_totp_device(teacher)
    client.force_login(teacher)
    response = client.post(reverse("accounts:two_factor_verify"), {"token": "000000"})
    return Sent(response, ["id_token"])


def second_factor_setup_wrong_code(client, world):
    teacher = teacher_of(SchoolClassFactory(school=world["school"]))
    client.force_login(teacher)
    client.get(reverse("accounts:two_factor_setup"))
    response = client.post(reverse("accounts:two_factor_setup"), {"token": "000000"})
    return Sent(response, ["id_token"])


def password_reset_bad_email(client, world):
    response = client.post(reverse("account_reset_password"), {"email": "not-an-email"})
    return Sent(response, ["id_email"])


def password_reset_from_key_mismatch(client, world):
    user = UserFactory()
    with world["on_commit"](execute=True):
        client.post(reverse("account_reset_password"), {"email": user.email})
    link = re.search(r"https?://\S+(/accounts/password/reset/key/\S+/)", mail.outbox[-1].body)
    form_url = client.get(link.group(1), follow=True).redirect_chain[-1][0]
    data = {"password1": "a-long-new-password-42", "password2": "another-password-42"}
    return Sent(client.post(form_url, data), ["id_password2"])


def password_change_wrong_current(client, world):
    client.force_login(world["parent"])
    data = {
        "oldpassword": "wrong",
        "password1": "a-long-new-pw-42",
        "password2": "a-long-new-pw-42",
    }
    return Sent(client.post(reverse("account_change_password"), data), ["id_oldpassword"])


def password_set_mismatch(client, world):
    parent = world["parent"]
    parent.set_unusable_password()
    parent.save()
    client.force_login(parent)
    data = {"password1": "a-long-new-password-42", "password2": "another-password-42"}
    return Sent(client.post(reverse("account_set_password"), data), ["id_password2"])


def settings_name_empty(client, world):
    client.force_login(world["parent"])
    data = {"first_name": "", "last_name": "Ortiz"}
    response = client.post(reverse("accounts:settings_name"), data)
    # Under the section's heading (an h2), the summary's heading is an h3.
    assert '<h3 class="error-summary-title"' in response.content.decode()
    return Sent(response, ["id_first_name"])


def settings_email_bad(client, world):
    client.force_login(world["parent"])
    response = client.post(reverse("accounts:settings_email"), {"email": "not-an-email"})
    return Sent(response, ["id_email"])


def settings_mobile_bad(client, world):
    client.force_login(world["parent"])
    response = client.post(reverse("accounts:settings_mobile"), {"mobile": "12345"})
    return Sent(response, ["id_mobile"])


def mobile_code_wrong(client, world):
    mobile_change_start(user=world["parent"], mobile="+447700900123")
    client.force_login(world["parent"])
    response = client.post(reverse("accounts:mobile_confirm"), {"code": "000000"})
    return Sent(response, ["id_code"])


def close_account_wrong_password(client, world):
    client.force_login(world["parent"])
    return Sent(client.post(reverse("accounts:close"), {"password": "wrong"}), ["id_password"])


def erase_wrong_password(client, world):
    client.force_login(world["parent"])
    data = {"confirmation": "", "password": "wrong"}
    return Sent(client.post(reverse("privacy:erase"), data), ["id_password"])


def staff_add_empty(client, world):
    sign_in_verified(client, world["admin"])
    url = reverse("accounts:staff_add", args=[world["school"].pk])
    return Sent(client.post(url, {"role": "teacher"}), ["id_email", "id_first_name"])


def join_without_consent(client, world):
    school, admin = world["school"], world["admin"]
    parent = imported_parent(first_name="Dana", last_name="Ortiz")
    link_unconfirmed(parent, PupilFactory(school=school, first_name="Amy"))
    with world["on_commit"](execute=True):
        invitations_create(
            school=school, pupils=[parent.guardianships.get().pupil], channels="email", actor=admin
        )
    data = {
        "first_name": "",
        "last_name": "Ortiz",
        "password1": "a-long-new-password-42",
        "password2": "a-long-new-password-42",
    }
    response = client.post(f"/invitations/{token_from_outbox()}/", data)
    return Sent(response, ["id_first_name", "id_platform"])


def reconsent_unticked(client, world):
    client.force_login(registered_parent(world["notice"]))
    published_notice(version="2.0", requires_reconsent=True, summary_of_changes="New provider.")
    return Sent(client.post(reverse("consent:privacy_reconsent"), {}), ["id_agree"])


def school_settings_bad_phone(client, world):
    sign_in_verified(client, world["admin"])
    url = reverse("schools:school_settings", args=[world["school"].pk])
    data = {"parent_facing_name": "", "contact_email": "", "contact_phone": "12345"}
    return Sent(client.post(url, data), ["id_contact_phone"])


def topic_without_title(client, world):
    sign_in_verified(client, world["teacher"])
    data = {"title": "", "subject": "", "year_group_min": 1, "year_group_max": 3}
    return Sent(client.post(reverse("learning:topic_create"), data), ["id_title", "id_subject"])


def activity_without_title(client, world):
    sign_in_verified(client, world["teacher"])
    topic = TopicFactory(school=world["school"])
    url = reverse("learning:activity_create", args=[topic.pk])
    return Sent(client.post(url, {"title": "", "kind": "activity"}), ["id_title"])


def set_work_without_a_class(client, world):
    sign_in_verified(client, world["teacher"])
    topic = TopicFactory(school=world["school"])
    url = reverse("learning:assignment_create", args=[topic.pk])
    data = {"starts_on": "2026-01-10", "due_on": "2026-01-01"}
    return Sent(client.post(url, data), ["id_school_classes"])


def work_dates_backwards(client, world):
    sign_in_verified(client, world["teacher"])
    today = timezone.localdate()
    assignment = AssignmentFactory(
        topic=TopicFactory(school=world["school"]),
        school_class=world["school_class"],
        starts_on=today + timedelta(days=5),
        due_on=today + timedelta(days=12),
    )
    url = reverse("learning:assignment_edit", args=[assignment.pk])
    data = {"starts_on": "", "due_on": "", "message": ""}
    return Sent(client.post(url, data), ["id_starts_on", "id_due_on"])


def feedback_with_nothing(client, world):
    family = world["family"]
    activity = family.activities[0]
    completion_record(pupil=family.pupil, activity=activity, actor=family.parent)
    client.force_login(family.parent)
    url = reverse(
        "learning:child_activity_feedback",
        args=[family.pupil.pk, family.assignment.pk, activity.pk],
    )
    return Sent(client.post(url, {}), [f"id_activity-{activity.pk}-rating"])


def privacy_request_without_details(client, world):
    sign_in_verified(client, world["admin"])
    url = reverse("privacy:school_request_new", args=[world["school"].pk])
    data = {"kind": "", "person": "", "received_on": "", "details": ""}
    return Sent(client.post(url, data), ["id_kind", "id_person", "id_received_on"])


def _privacy_request_sent_empty(client, world, *, step: str, field: str) -> Sent:
    """A school admin sends one step's form of an open request with ``field`` empty."""
    sign_in_verified(client, world["admin"])
    school = world["school"]
    opened = privacy_request_open(
        kind="access",
        actor=world["admin"],
        school=school,
        subject_pupil=PupilFactory(school=school),
    )
    url = reverse(f"privacy:school_request_{step}", args=[school.pk, opened.pk])
    return Sent(client.post(url, {field: ""}), [f"id_{field}"])


def privacy_request_close_empty(client, world):
    return _privacy_request_sent_empty(client, world, step="close", field="outcome")


def privacy_request_refuse_empty(client, world):
    return _privacy_request_sent_empty(client, world, step="refuse", field="reason")


def invite_nobody(client, world):
    sign_in_verified(client, world["admin"])
    PupilFactory(school=world["school"], school_class=world["school_class"])
    url = reverse("invitations:create", args=[world["school"].pk])
    data = {"scope": "pupils", "channels": ""}
    return Sent(client.post(url, data), ["pupils-heading", "id_channels"])


def invite_without_scope(client, world):
    """Whom to invite is the button pressed: a post without one (a page kept open across
    a change) says so without a link to a field that is not there."""
    sign_in_verified(client, world["admin"])
    url = reverse("invitations:create", args=[world["school"].pk])
    return Sent(client.post(url, {"scope": "", "channels": "email"}), [])


def roster_without_a_file(client, world):
    sign_in_verified(client, world["admin"])
    url = reverse("schools:roster_upload", args=[world["school"].pk])
    return Sent(client.post(url, {"file": ""}), ["id_file"])


def class_teachers_unknown(client, world):
    sign_in_verified(client, world["admin"])
    url = reverse("schools:class_teachers", args=[world["school"].pk, world["school_class"].pk])
    return Sent(client.post(url, {"teachers": ["999999"]}), ["id_teachers"])


def accepting_without_consent(client, world):
    school, admin = world["school"], world["admin"]
    parent = world["parent"]
    link_unconfirmed(parent, PupilFactory(school=school, first_name="Amy"))
    with world["on_commit"](execute=True):
        invitations_create(
            school=school,
            pupils=[parent.guardianships.get(confirmed_at=None).pupil],
            channels="email",
            actor=admin,
        )
    client.force_login(parent)
    token = token_from_outbox()
    client.get(f"/invitations/{token}/")
    response = client.post(reverse("invitations:join"), {"invitation": _invitation_id(client)})
    return Sent(response, ["id_platform"])


def _invitation_id(client) -> str:
    page = parse_html(client.get(reverse("invitations:join")).content.decode())
    return attr(elements(page, "input", name="invitation")[0], "value")


def nudge_with_nobody_ticked(client, world):
    sign_in_verified(client, world["teacher"])
    today = timezone.localdate()
    assignment = AssignmentFactory(
        topic=TopicFactory(school=world["school"]),
        school_class=world["school_class"],
        starts_on=today - timedelta(days=1),
        due_on=today + timedelta(days=6),
    )
    data = {"school_class": world["school_class"].pk, "assignment": assignment.pk}
    response = client.get(reverse("engagement:nudge"), data, follow=True)
    return Sent(response, ["nudge-form"])


def cookie_choice_without_a_button(client, world):
    """The choice is the button pressed; a post without one (a script's, or a page kept
    open across a change) comes back to the settings page with a summary."""
    data = {"source": "settings", "next": reverse("consent:cookie_settings")}
    return Sent(client.post(reverse("consent:cookie_choice"), data), [])


# Filters sent with a value the page cannot use (a link edited by hand): the page says so.


def topic_filter_unusable(client, world):
    sign_in_verified(client, world["teacher"])
    response = client.get(reverse("learning:topic_list"), {"year_group": "99"})
    return Sent(response, ["id_year_group"])


def pupil_search_too_long(client, world):
    sign_in_verified(client, world["admin"])
    url = reverse("schools:school_pupils", args=[world["school"].pk])
    return Sent(client.get(url, {"q": "x" * 101}), ["id_q"])


def invitation_filter_unusable(client, world):
    sign_in_verified(client, world["admin"])
    url = reverse("invitations:list", args=[world["school"].pk])
    return Sent(client.get(url, {"status": "lost"}), ["id_status"])


def engagement_filter_unusable(client, world):
    sign_in_verified(client, world["teacher"])
    response = client.get(reverse("engagement:teacher_dashboard"), {"show": "never-ever"})
    return Sent(response, ["id_show"])


def report_dates_unusable(client, world):
    sign_in_verified(client, world["admin"])
    url = reverse("engagement:pp_report", args=[world["school"].pk])
    return Sent(client.get(url, {"period": "custom", "from": "soon"}), ["id_from"])


def audit_filter_unusable(client, world):
    sign_in_verified(client, world["admin"])
    url = reverse("audit:school_log", args=[world["school"].pk])
    return Sent(client.get(url, {"date_from": "soon"}), ["id_date_from"])


CASES: dict[str, Callable] = {
    "sign-in, wrong password": sign_in_wrong_password,
    "sign-in, empty": sign_in_empty,
    "second factor": second_factor_wrong_code,
    "second factor set-up": second_factor_setup_wrong_code,
    "password reset": password_reset_bad_email,
    "password reset from the link": password_reset_from_key_mismatch,
    "password change": password_change_wrong_current,
    "password set": password_set_mismatch,
    "account settings: name": settings_name_empty,
    "account settings: email": settings_email_bad,
    "account settings: mobile": settings_mobile_bad,
    "mobile code": mobile_code_wrong,
    "closing an account": close_account_wrong_password,
    "erasing your data": erase_wrong_password,
    "adding staff": staff_add_empty,
    "joining through an invitation": join_without_consent,
    "agreeing to a new notice": reconsent_unticked,
    "school settings": school_settings_bad_phone,
    "a topic": topic_without_title,
    "an activity": activity_without_title,
    "setting work": set_work_without_a_class,
    "changing set work": work_dates_backwards,
    "a parent's feedback": feedback_with_nothing,
    "a privacy request": privacy_request_without_details,
    "closing a privacy request": privacy_request_close_empty,
    "refusing a privacy request": privacy_request_refuse_empty,
    "inviting parents": invite_nobody,
    "inviting parents without the button": invite_without_scope,
    "uploading a roster": roster_without_a_file,
    "a class's teachers": class_teachers_unknown,
    "accepting an invitation, signed in": accepting_without_consent,
    "a nudge": nudge_with_nobody_ticked,
    "cookie settings": cookie_choice_without_a_button,
    "the topic filter": topic_filter_unusable,
    "the pupil search": pupil_search_too_long,
    "the invitation filter": invitation_filter_unusable,
    "the engagement filter": engagement_filter_unusable,
    "the Pupil Premium report's dates": report_dates_unusable,
    "the audit log's filter": audit_filter_unusable,
}


@pytest.fixture
def world(school, admin, notice, django_capture_on_commit_callbacks):
    school_class = SchoolClassFactory(school=school, name="Robins")
    family = family_world(activities=1)
    return {
        "school": school,
        "admin": admin,
        "notice": notice,
        "school_class": school_class,
        "teacher": teacher_of(school_class),
        "parent": registered_parent(notice),
        "family": family,
        "on_commit": django_capture_on_commit_callbacks,
    }


def missing_descriptions(page) -> list[str]:
    ids = {attr(element, "id") for element in elements(page)}
    return [
        f"{element.name} names #{name}"
        for element in elements(page)
        for name in attr(element, "aria-describedby").split()
        if name not in ids
    ]


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_a_form_sent_with_mistakes_opens_with_a_summary_and_says_error(client, world, case):
    sent = case(client, world)
    response = sent.response
    assert response.status_code in (200, 400, 429), response.status_code
    page = parse_html(response.content.decode())

    assert title_of(response).startswith("Error: "), title_of(response)
    (summary,) = elements(page, id="error-summary")  # one summary, not one per include
    assert attr(summary, "tabindex") == "-1"
    assert "data-error-summary" in dict(summary.attributes)
    assert text(summary)
    ids = {attr(element, "id") for element in elements(page)}
    links = [attr(link, "href") for link in elements(summary, "a")]
    for href in links:
        assert href.startswith("#") and href[1:] in ids, f"{href} leads nowhere"
    for field in sent.fields:
        assert f"#{field}" in links, f"no link to {field}: {links}"
    # Every field marked invalid is reached by a link (a group's link reaches its inputs).
    for invalid in elements(page, **{"aria-invalid": "true"}):
        field_id = attr(invalid, "id")
        assert any(field_id == h[1:] or field_id.startswith(h[1:] + "_") for h in links), field_id
    assert missing_descriptions(page) == []


def test_every_aria_describedby_on_the_sign_in_page_names_an_element(client):
    page = parse_html(client.get(reverse("account_login")).content.decode())
    assert elements(page, "input", name="password")
    assert missing_descriptions(page) == []


def test_a_page_without_errors_has_no_error_title(client, world):
    client.force_login(world["parent"])
    response = client.get(reverse("accounts:settings"))
    assert not title_of(response).startswith("Error")


def test_the_title_finds_forms_by_any_name_and_in_lists_and_runs_no_queryset(
    django_assert_num_queries,
):
    title = Template("{% load page_errors %}{% error_title_prefix %}Page")
    sent = NameForm({"first_name": "", "last_name": "Ortiz"})
    fine = NameForm({"first_name": "Dana", "last_name": "Ortiz"})
    unbound = NameForm()
    with django_assert_num_queries(0):
        assert title.render(Context({"name_form": sent})) == "Error: Page"
        assert title.render(Context({"forms": [fine, sent]})) == "Error: Page"
        assert title.render(Context({"form": fine, "other": unbound})) == "Page"
        assert title.render(Context({"users": User.objects.all()})) == "Page"
