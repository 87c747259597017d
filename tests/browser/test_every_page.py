"""Every page of the portal, for every role that can reach it, meets WCAG 2.2 AA as
axe-core checks it (with its best practices) on a 360 px phone and a 1280 px laptop,
and never scrolls sideways at 320 px or with the browser's text size at 200%; every
table can scroll inside a named region a keyboard reaches. Each form is also sent
empty or invalid once, and its error state is checked the same way.

One world, built once per test, holds something for every page to show (long names
and addresses included); each role signs in once and its pages share one browser
context. The pages come from each app's urls.py; what is left out, and why, is in
NOT_PAGES below.
"""

import functools
import hashlib
import time
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from axe_playwright_python.sync_playwright import Axe
from django.core import mail
from django.urls import URLResolver, get_resolver, resolve, reverse
from django.utils import timezone
from playwright.sync_api import Error as PlaywrightError

from audit.models import SecurityEvent
from audit.services import audit_record
from consent.models import PrivacyNotice
from engagement.models import Event
from engagement.services.events import event_record
from invitations.services import invitations_create
from learning.models import Activity
from learning.services import completion_record, feedback_save
from notifications import sms
from notifications.stop_links import stop_token
from privacy.models import PrivacyRequest
from privacy.services import privacy_request_open
from privacy.services.incidents import incident_record
from schools.models import RosterImport
from tests.admin.platform_staff import platform_staff_member
from tests.browser.helpers import AXE_OPTIONS, sign_in, sign_in_staff
from tests.factories import (
    ActivityFactory,
    AssignmentFactory,
    GuardianshipFactory,
    PupilFactory,
    SchoolClassFactory,
    SchoolFactory,
    TopicFactory,
    UserFactory,
    admin_of,
    confirmed_totp_device,
    teacher_of,
)
from tests.invitations.test_invitations import imported_parent, link_unconfirmed, token_from_outbox

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("private_folder"),
]

LONG_EMAIL = "christopher.montgomery-fitzwilliam.parent-carer@learning-at-home.example.org"
LONG_WORD = "Supercalifragilisticexpialidocious-minibeast-investigations"

# GET addresses that are not pages, or that no one reaches by browsing, and why.
NOT_PAGES = {
    "accounts:healthz": "a health check for the load balancer, plain text",
    "accounts:two_factor_backup_codes_download": "a text file download",
    "privacy:download": "the person's data as a zip download",
    "privacy:pupil_export": "a pupil's data as a zip download",
    "learning:feedback_photo": "a photo (image/jpeg)",
    "learning:activity_video_file": "a video file",
    "engagement:game_open": "a redirect to the game's own site",
    "engagement:video_started": "a POST the video page's script sends (204)",
    "notifications:notify_delivery_receipt": "a webhook for the SMS provider",
    "schools:roster_status": "JSON the progress bar polls",
    "invitations:sign_out": "POST only: leaves an invitation",
    "consent:cookie_choice": "POST only: the cookie banner's buttons",
    "consent:privacy_notice_acknowledge": "POST only",
    "consent:privacy_consent_change": "POST only: the consents page's buttons",
    "accounts:two_factor_backup_codes": "POST only: account settings' button makes new codes",
    "accounts:two_factor_setup": "only until the second factor is set up (test_accessibility)",
    "accounts:two_factor_verify": "every staff sign-in here passes it; errors: test_accessibility",
    "accounts:settings_name": "POST only: a form of account settings",
    "accounts:settings_email": "POST only: a form of account settings",
    "accounts:settings_mobile": "POST only: a form of account settings",
    "accounts:mobile_confirm": "only while a text's code is awaited (tests/accounts)",
    "invitations:join": "only with an invitation's token in the session (test_invitation_*)",
    "invitations:resend": "POST only: a button of the invitation tracker",
    "invitations:retry": "POST only: a button of the invitation tracker",
    "privacy:school_request_start": "POST only: a button of the request's page",
    "privacy:school_request_restrict": "POST only: a button of the request's page",
    "privacy:school_request_erase": "shown for erasure requests only (test_erasure_journey)",
    "learning:feedback_moderate": "POST only: the moderation page's buttons",
    "notifications:outbox": "a development page, a 404 unless DEBUG is on",
    "notifications:outbox_html": "an email in the development outbox's frame (DEBUG only)",
    "notifications:stop_undo": "POST only: the stop page's button (test_stop_links)",
    "admin (Django's own pages)": "Django's admin, not the portal's styles: the portal's own "
    "admin pages (index, engagement, closed accounts, incidents, requests, offboarding) are here",
    "consent:privacy_reconsent": "shown only while a new notice waits (tests/consent)",
    "accounts:settings_email_cancel": "POST only",
    "accounts:settings_mobile_remove": "POST only",
    "accounts:settings_sessions_end": "POST only",
    "accounts:closed": "shown once, right after closing an account (test_erasure_journey)",
    "privacy:erased": "shown once, right after erasure (test_erasure_journey)",
    "learning:child_activity_done": "POST only",
    "learning:child_activity_undo": "POST only",
    "learning:child_activity_feedback": "POST only (the form is on the work's page)",
    "learning:child_activity_feedback_remove": "POST only",
    "learning:activity_move": "POST only",
    "schools:roster_apply": "POST only",
    "usersessions_list": "a redirect to account settings, which shows and ends other sessions",
    "account_confirm_login_code": "signing in by a code sent by email is off: a redirect",
    "500.html": "a server error cannot be caused from the browser; 404 and 403 are checked",
}


FORM = "main form[method=post]"  # the page's first form with fields to fill in


@dataclass
class Page:
    """One page to open and, with ``form``, the form to send empty once for its errors."""

    url: str
    form: str = ""  # a CSS selector: FORM, or one form of several on the page
    status: int = 200
    # Values typed before sending, where an empty form is valid or does nothing.
    fill: dict = field(default_factory=dict)
    errors_only: bool = False  # the page itself is checked by another entry
    sent_shows: str = "#error-summary, .errorlist"  # what the page shows once sent


def build_world():
    """A school with long names, two classes, pupils, parents with children and work
    set, a teacher, a school admin, platform staff, events, privacy requests, an
    invitation, an audit entry, a roster import, feedback to moderate, an incident."""
    PrivacyNotice.objects.get_or_create(
        version="1.0",
        defaults={"text": "Notice", "summary_of_changes": "-", "published_at": timezone.now()},
    )
    school = SchoolFactory(
        name="St Bartholomew's Church of England Voluntary Aided Primary", moderate_feedback=True
    )
    robins = SchoolClassFactory(school=school, name="Kingfishers and Woodpeckers")
    wrens = SchoolClassFactory(school=school, name="Wrens")
    teacher = teacher_of(robins, email="t." + LONG_EMAIL)
    admin = admin_of(school, email="a." + LONG_EMAIL)
    staff = platform_staff_member(first_name="Alex", last_name="Morgan")
    pupil = PupilFactory(school=school, school_class=robins, first_name="Anastasia")
    parent = UserFactory(email=LONG_EMAIL, first_name="Pat")
    guardianship = GuardianshipFactory(parent=parent, pupil=pupil)
    sibling = PupilFactory(school=school, school_class=robins, first_name="Finn")
    GuardianshipFactory(parent=parent, pupil=sibling)
    PupilFactory.create_batch(3, school=school, school_class=robins)

    mail.outbox.clear()
    sms.outbox.clear()
    invited = imported_parent(email=f"invited.{LONG_EMAIL}")
    invited_child = PupilFactory(school=school, school_class=robins, first_name="Isla")
    link_unconfirmed(invited, invited_child)
    (invitation,) = invitations_create(
        school=school, pupils=[invited_child], channels="email", actor=admin
    )
    invitation_link = f"/invitations/{token_from_outbox()}/"

    topic = TopicFactory(title=f"Minibeasts: {LONG_WORD}", school=school)
    activity = ActivityFactory(topic=topic, title=LONG_WORD, instructions=f"Look for {LONG_WORD}.")
    video = ActivityFactory(
        topic=topic,
        kind=Activity.Kind.VIDEO,
        title="Watch the snails",
        video_url="https://www.youtube.com/watch?v=dQw4w9WgXcQ",
    )
    today = timezone.localdate()
    assignment = AssignmentFactory(
        topic=topic,
        school_class=robins,
        starts_on=today - timedelta(days=1),
        due_on=today + timedelta(days=6),
        message=f"Send us a photo of your {LONG_WORD}!",
    )
    completion_record(pupil=pupil, activity=activity, actor=parent)
    completion_record(pupil=pupil, activity=video, actor=parent)
    feedback = feedback_save(
        pupil=pupil, activity=activity, actor=parent, rating=4, comment=f"We found {LONG_WORD}"
    )
    event_record(
        kind=Event.Kind.ASSIGNMENT_OPENED,
        actor=parent,
        school=school,
        pupil=pupil,
        subject=f"assignment:{assignment.pk}",
    )
    wrens.teachers.add(teacher)
    later = AssignmentFactory(
        topic=topic,
        school_class=wrens,
        starts_on=today + timedelta(days=7),
        due_on=today + timedelta(days=14),
    )
    audit_record(actor=admin, action="school.settings_changed", subject=school, school=school)
    SecurityEvent.objects.create(
        kind=SecurityEvent.Kind.SIGN_IN_FAILED,
        email_hash=hashlib.sha256(b"someone").hexdigest(),
        user_agent="Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36",
    )
    access = privacy_request_open(
        kind=PrivacyRequest.Kind.ACCESS,
        actor=admin,
        subject_pupil=pupil,
        school=school,
        details=f"Asked by letter: {LONG_WORD}",
        received_at=timezone.now() - timedelta(days=28),
    )
    privacy_request_open(
        kind=PrivacyRequest.Kind.ERASURE, actor=parent, requester=parent, subject_user=parent
    )
    incident = incident_record(
        title="A lost laptop",
        found_at=timezone.now() - timedelta(hours=3),
        description="-",
        actor=staff,
    )
    roster = RosterImport.objects.create(
        school=school,
        uploaded_by=admin,
        file_name="big.csv",
        content=b"",
        status=RosterImport.Status.CHECKING,
        row_count=3400,
    )
    return locals()


def pages_for(w) -> dict[str, list[Page]]:
    """Every GET page of the portal, by the role that reaches it."""
    school, pupil, topic = w["school"].pk, w["pupil"].pk, w["topic"].pk
    activity, assignment = w["activity"].pk, w["assignment"].pk
    request = w["access"].pk

    def url(name, *args):
        return reverse(name, args=args)

    def key_link(user):
        key = default_token_generator.make_token(user)
        return url("account_reset_password_from_key", user_pk_to_url_str(user), key)

    everyone_signed_in = [
        Page(url("accounts:settings"), form=f"form[action='{url('accounts:settings_name')}']"),
        Page(
            url("accounts:settings"),
            form=f"form[action='{url('accounts:settings_email')}']",
            errors_only=True,
        ),
        Page(
            url("accounts:settings"),
            form=f"form[action='{url('accounts:settings_mobile')}']",
            fill={"input[type=tel]": "not a phone"},
            errors_only=True,
        ),
        Page(url("accounts:settings_restriction")),
        Page(url("accounts:close")),
        Page(url("account_change_password"), form=FORM),
        Page(url("privacy:my_data")),
        Page(url("privacy:erase"), form=FORM),
        Page(url("consent:privacy_consents")),
        Page(url("consent:privacy_notice")),
        Page(url("consent:privacy_notice_version", "1.0")),
        Page(url("consent:cookie_settings")),
        Page(url("schools:help")),
    ]
    return {
        "anonymous": [
            Page(url("account_login"), form=FORM),
            Page(url("account_reset_password"), form=FORM),
            Page(url("account_reset_password_done")),
            Page(key_link(w["parent"]), form=FORM, fill={"input[type=password]": "short"}),
            Page(url("account_reset_password_from_key_done")),
            Page(w["invitation_link"], form=FORM),
            Page(url("consent:privacy_notice")),
            Page(url("consent:privacy_notice_version", "1.0")),
            Page(url("consent:cookie_settings")),
            Page(url("schools:help")),
            Page(url("account_signup")),  # closed: people join by invitation
            Page(url("account_inactive")),
            Page(url("account_email_verification_sent")),
            Page(url("account_confirm_email", "no-such-key")),
            Page("/no-such-page/", status=404),
            # A news email's stop link, followed signed out, and one that is broken.
            Page(url("notifications:stop", stop_token(user_id=w["parent"].pk, scope="awards"))),
            Page(url("notifications:stop", "not-a-token"), status=404),
            # A form sent with a stale token: the 403 page says the form has expired.
            Page(
                url("account_login"),
                form=FORM,
                fill={"input[name=csrfmiddlewaretoken]": "x" * 64},
                errors_only=True,
                sent_shows="h1:text('This form has expired')",
            ),
        ],
        "parent": [
            Page(url("accounts:home")),
            Page(url("schools:parent_home")),
            Page(url("learning:child_space", pupil)),
            Page(url("learning:child_space", w["sibling"].pk)),
            Page(url("learning:child_assignment", pupil, assignment)),
            Page(url("learning:child_assignment", w["sibling"].pk, assignment)),
            Page(
                url("learning:child_assignment", pupil, assignment),
                form=f"#activity-{w['video'].pk} .feedback-form",  # done, no feedback yet
                errors_only=True,
            ),
            Page(url("notifications:notification_preferences")),
            *everyone_signed_in,
            Page(url("accounts:close"), form=FORM),
            Page(url("account_email")),
            Page(url("account_reauthenticate"), form=FORM),
            Page(url("account_set_password")),
            Page(url("account_logout")),  # last: it may sign the parent out
        ],
        "teacher": [
            Page(url("accounts:home")),
            Page(url("schools:teacher_classes")),
            Page(url("schools:class_detail", w["robins"].pk)),
            Page(url("schools:pupil_detail", school, pupil)),
            Page(url("learning:topic_list")),
            Page(url("learning:topic_list") + "?subject=maths&page=1"),
            Page(url("learning:topic_create"), form=FORM),
            Page(url("learning:topic_detail", topic)),
            Page(url("learning:topic_edit", topic), form=FORM),
            Page(url("learning:topic_delete", topic)),
            Page(url("learning:activity_create", topic), form=FORM),
            Page(url("learning:activity_edit", topic, activity), form=FORM),
            Page(url("learning:activity_delete", topic, activity)),
            Page(url("learning:activity_video", topic, w["video"].pk)),
            Page(url("learning:assignment_create", topic), form=FORM),
            Page(url("learning:assignment_list")),
            Page(url("learning:assignment_detail", assignment)),
            Page(url("learning:assignment_detail", assignment) + "?status=completed"),
            Page(url("learning:assignment_edit", w["later"].pk), form=FORM),
            Page(url("learning:assignment_delete", assignment)),
            Page(url("learning:assignment_feedback", assignment)),
            Page(url("learning:feedback_moderation")),
            Page(url("learning:feedback_reject", w["feedback"].pk)),
            Page(url("engagement:teacher_dashboard")),
            Page(
                url("engagement:nudge")
                + f"?school_class={w['robins'].pk}&assignment={assignment}&pupils={pupil}"
            ),
            *everyone_signed_in,
        ],
        "admin": [
            Page(url("accounts:home")),
            Page(url("schools:school_overview", school)),
            Page(url("schools:school_settings", school)),
            Page(url("schools:school_pupils", school)),
            Page(url("schools:school_pupils", school) + "?q=Anastasia"),
            Page(url("schools:pupil_detail", school, pupil)),
            Page(url("schools:pupil_leave", school, pupil)),
            Page(url("schools:guardianship_remove", school, pupil, w["guardianship"].pk)),
            Page(url("schools:staff_remove", school, w["teacher"].pk)),
            Page(url("schools:class_teachers", school, w["robins"].pk)),
            Page(url("schools:class_detail", w["robins"].pk)),
            Page(url("schools:roster_upload", school), form=FORM),
            Page(url("schools:roster_preview", school, w["roster"].pk)),
            Page(url("accounts:staff_add", school), form=FORM),
            Page(url("invitations:list", school)),
            Page(url("invitations:list", school) + "?status=sent"),
            Page(url("invitations:create", school)),
            Page(url("invitations:unreachable", school)),
            Page(url("invitations:revoke", school, w["invitation"].pk)),
            Page(url("engagement:school_dashboard", school)),
            Page(url("engagement:pp_report", school)),
            Page(url("audit:school_log", school)),
            Page(url("audit:school_security", school)),
            Page(url("privacy:school_requests", school)),
            Page(url("privacy:school_requests", school) + "?state=overdue"),
            Page(url("privacy:school_request_new", school), form=FORM),
            Page(url("privacy:school_request", school, request)),
            Page(url("privacy:school_request_close", school, request), form=FORM),
            Page(url("privacy:school_request_refuse", school, request), form=FORM),
            Page(url("privacy:school_export", school)),
            Page(url("learning:topic_list")),
            Page(url("learning:assignment_list")),
            *everyone_signed_in,
        ],
        "staff": [
            Page(url("accounts:home")),
            Page(url("admin:index")),
            Page(url("admin:engagement_overview")),
            Page(url("admin:accounts_closedaccount_changelist")),
            Page(url("admin:privacy_incident_changelist")),
            Page(url("admin:privacy_incident_add"), form=FORM),
            Page(url("admin:privacy_incident_change", w["incident"].pk)),
            Page(url("admin:privacy_incident_edit", w["incident"].pk), form=FORM),
            Page(url("admin:privacy_incident_scope", w["incident"].pk)),
            Page(url("admin:privacy_incident_report", w["incident"].pk)),
            Page(url("admin:privacy_incident_close", w["incident"].pk)),
            Page(url("admin:privacy_privacyrequest_changelist")),
            Page(url("admin:privacy_privacyrequest_change", w["access"].pk)),
            Page(url("admin:schools_school_offboard", school)),
            *everyone_signed_in,
        ],
    }


SCROLL_WIDTH = "document.documentElement.scrollWidth - window.innerWidth"
STICKING_OUT = """() => [...document.querySelectorAll("body *")]
    .filter((element) => element.getBoundingClientRect().right > window.innerWidth + 1)
    .slice(0, 6)
    .map((element) => `${element.tagName.toLowerCase()}.${element.className}`)"""


# A table of the portal's own pages that is not in a named, focusable scrolling region.
TABLES_OUT_OF_A_REGION = """() => [...document.querySelectorAll("main table")]
    .filter((table) => {
        const wrap = table.closest(".table-wrap");
        const label = wrap && document.getElementById(wrap.getAttribute("aria-labelledby"));
        return !(wrap && wrap.getAttribute("role") === "region" && wrap.tabIndex === 0
                 && label && label.textContent.trim());
    })
    .map((table) => (table.caption ? table.caption.textContent : table.id).trim())"""


# A scrolling table's caption that runs past the edge of its box (cut off on a phone).
CAPTIONS_CUT_OFF = """() => [...document.querySelectorAll(".table-wrap > table > caption")]
    .filter((caption) => caption.getBoundingClientRect().right
                         > caption.closest(".table-wrap").getBoundingClientRect().right + 1)
    .map((caption) => caption.textContent.trim())"""


def text_size(page, pixels: int) -> None:
    """The browser's own text-size setting (Chromium's default font size), which scales
    rem and em, media queries included, as a person's setting would."""
    session = page.context.new_cdp_session(page)
    session.send("Page.setFontSizes", {"fontSizes": {"standard": pixels, "fixed": pixels - 3}})
    session.detach()


def problems_on(page, where: str) -> list[str]:
    """axe at 1280 and 360 px, and the sideways scroll at 320 px and 200% text."""
    found = []
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 800})
        results = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
        for violation in results["violations"]:
            targets = [", ".join(node["target"]) for node in violation["nodes"][:3]]
            found.append(
                f"{where} at {width}px: axe {violation['id']} ({violation['impact']}) {targets}"
            )
    in_admin = urlsplit(page.url).path.startswith("/admin/")  # Django's tables, not ours
    if not in_admin and (tables := page.evaluate(TABLES_OUT_OF_A_REGION)):
        found.append(f"{where}: tables outside a named, focusable region: {tables}")
    page.set_viewport_size({"width": 320, "height": 800})
    if (extra := page.evaluate(SCROLL_WIDTH)) > 0:
        found.append(f"{where} at 320px scrolls {extra}px sideways: {page.evaluate(STICKING_OUT)}")
    if cut_off := page.evaluate(CAPTIONS_CUT_OFF):
        found.append(f"{where} at 320px: table captions cut off: {cut_off}")
    page.set_viewport_size({"width": 1280, "height": 800})
    text_size(page, 32)
    if (extra := page.evaluate(SCROLL_WIDTH)) > 0:
        found.append(
            f"{where} at 200% text scrolls {extra}px sideways: {page.evaluate(STICKING_OUT)}"
        )
    text_size(page, 16)
    # Text zoomed by the page's own root size, as a reader's style sheet or extension
    # does it: the layout keeps its wide breakpoint while the text doubles.
    page.evaluate("document.documentElement.style.fontSize = '200%'")
    if (extra := page.evaluate(SCROLL_WIDTH)) > 0:
        found.append(
            f"{where} at 200% root text scrolls {extra}px sideways: {page.evaluate(STICKING_OUT)}"
        )
    page.evaluate("document.documentElement.style.fontSize = ''")
    return found


@functools.cache
def axe_source() -> str:
    return Axe().axe_script


def axe_inject(page) -> None:
    """Put axe-core in the page (through the DevTools protocol, under the page's CSP)."""
    page.evaluate(axe_source())


SEND_EMPTY = """([selector, fill]) => {
    const forms = [...document.querySelectorAll(selector)].filter((form) =>
        [...form.elements].some((e) => e.offsetParent !== null && e.matches(
            "input:not([type=hidden]):not([type=checkbox]):not([type=radio]), textarea, select")));
    if (!forms.length) return false;
    const form = forms[0];
    form.noValidate = true;
    form.dataset.sendEmpty = "yes";
    for (const element of form.elements) {
        if (element.matches("textarea, input[type=text], input[type=email],"
            + " input[type=password], input[type=tel], input[type=number], input[type=url],"
            + " input[type=date]")) element.value = "";
        if (element.matches("select")) element.selectedIndex = 0;
        if (element.matches("input[type=radio]")) element.checked = false;
    }
    for (const [selector, value] of Object.entries(fill)) {
        const element = form.querySelector(selector);
        if (element) element.value = value;
    }
    return true;
}"""


def check_pages(page, role: str, pages: list[Page]) -> list[str]:
    found = []
    for item in pages:
        try:
            response = page.goto(item.url)
        except PlaywrightError as error:  # a 405 (POST only) or 500 shows Chromium's own page
            found.append(f"{role} {item.url}: {error.message.splitlines()[0]}")
            page.goto("about:blank")
            continue
        if response.status != item.status:
            found.append(f"{role} {item.url} answered {response.status}")
            continue
        if not item.errors_only:
            axe_inject(page)
            found += problems_on(page, f"{role} {item.url}")
        if item.form:
            if not page.evaluate(SEND_EMPTY, [item.form, item.fill]):
                found.append(f"{role} {item.url}: no form {item.form} to send")
                continue
            send = page.locator("form[data-send-empty]").locator(
                "button[type=submit], button:not([type]), input[type=submit]"
            )
            if not send.count():
                found.append(f"{role} {item.url}: the form {item.form} has no button")
                continue
            with page.expect_navigation():
                send.last.click()
            if page.locator(item.sent_shows).count() == 0:
                found.append(f"{role} {item.url}: sent empty, the page shows no error")
                continue
            axe_inject(page)
            found += problems_on(page, f"{role} {item.url} (errors)")
    return found


def test_every_page_for_every_role_is_accessible_and_reflows(browser, live_server):
    started = time.monotonic()
    w = build_world()
    pages = pages_for(w)
    found = []
    people = {
        "anonymous": None,
        "parent": (w["parent"], None),
        "teacher": (w["teacher"], confirmed_totp_device(w["teacher"])),
        "admin": (w["admin"], confirmed_totp_device(w["admin"])),
        "staff": (w["staff"], confirmed_totp_device(w["staff"])),
    }
    for role, person in people.items():
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": 1280, "height": 800}
        )
        context.set_default_timeout(10_000)
        try:
            page = context.new_page()
            if person and person[1] is None:
                sign_in(page, person[0].email)
            elif person:
                sign_in_staff(page, person[0], person[1])
            found += check_pages(page, role, pages[role])
        finally:
            context.close()
    print(f"{sum(map(len, pages.values()))} pages in {time.monotonic() - started:.0f}s")
    assert not found, "\n".join(found)


def portal_url_names() -> set[str]:
    """Every named address of the portal's own apps and of allauth (not Django's admin,
    whose pages the portal checks where it styles them)."""
    names = set()

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace != "admin":
                    inner = pattern.namespace or namespace
                    walk(pattern.url_patterns, inner)
            elif pattern.name:
                names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)

    walk(get_resolver().url_patterns, "")
    return names


def test_the_list_of_pages_leaves_out_no_address_without_a_reason():
    w = build_world()
    checked = {
        resolve(urlsplit(item.url).path).view_name
        for items in pages_for(w).values()
        for item in items
        if item.status == 200
    }
    missing = portal_url_names() - checked - set(NOT_PAGES)
    assert not missing, f"add these to pages_for() or, with a reason, to NOT_PAGES: {missing}"
