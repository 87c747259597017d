"""Every main page fits a 360-pixel-wide phone: signed out, as a parent, a teacher and
a school admin, with long names, emails and titles where people type them. No page
scrolls sideways, and the cookie banner leaves the sign-in form in view."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from invitations.services import invitations_create
from learning.models import Activity
from learning.services import completion_record
from tests.browser.helpers import sign_in, sign_in_staff
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
from tests.invitations.test_invitations import imported_parent

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("private_folder"),
]

PHONE_WIDTH = 360
COOKIE_BANNER = "Cookies on the Home Learning Portal"
# What people type is sometimes one long word: an email address, a title.
LONG_EMAIL = "christopher.montgomery-fitzwilliam.parent-carer@learning-at-home.example.org"
LONG_WORD = "Supercalifragilisticexpialidocious-minibeast-investigations"


def wider_than_the_screen(page) -> list[str]:
    """The page's own width beyond the viewport, with the elements that stick out."""
    return page.evaluate(
        """(width) => {
            if (document.documentElement.scrollWidth <= width) return [];
            return [...document.querySelectorAll("body *")]
                .filter((element) => element.getBoundingClientRect().right > width + 1)
                .slice(0, 8)
                .map((element) => `${element.tagName.toLowerCase()}.${element.className}`);
        }""",
        PHONE_WIDTH,
    )


def assert_every_page_fits(page, urls: list[str]) -> None:
    too_wide = {}
    for url in urls:
        response = page.goto(url)
        assert response.status == 200, f"{url} answered {response.status}"
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE_WIDTH:
            too_wide[url] = (width, wider_than_the_screen(page))
    assert not too_wide, f"pages wider than {PHONE_WIDTH}px: {too_wide}"


@pytest.fixture
def world():
    """A school with long names in it, a class, a family doing a topic, a teacher and an
    admin, a school's own topic and an invitation still pending."""
    school = SchoolFactory(name="St Bartholomew's Church of England Voluntary Aided Primary")
    school_class = SchoolClassFactory(school=school, name="Kingfishers and Woodpeckers")
    pupil = PupilFactory(school=school, school_class=school_class, first_name="Anastasia")
    parent = UserFactory(email=LONG_EMAIL)
    GuardianshipFactory(parent=parent, pupil=pupil)
    teacher = teacher_of(school_class, email="t." + LONG_EMAIL)
    admin = admin_of(school, email="a." + LONG_EMAIL)
    for number in range(3):
        invited = imported_parent(email=f"invited{number}.{LONG_EMAIL}")
        other = PupilFactory(school=school, school_class=school_class)
        GuardianshipFactory(parent=invited, pupil=other, confirmed_at=None)
        invitations_create(school=school, pupils=[other], channels="both", actor=admin)
    topic = TopicFactory(title=f"Minibeasts: {LONG_WORD}", school=school)
    activity = ActivityFactory(topic=topic, title=LONG_WORD, instructions=f"Look for {LONG_WORD}.")
    ActivityFactory(
        topic=topic,
        kind=Activity.Kind.GAME,
        title="Matching game",
        game_url=f"https://games.example.org/{LONG_WORD}/{LONG_WORD}",
    )
    today = timezone.localdate()
    assignment = AssignmentFactory(
        topic=topic,
        school_class=school_class,
        starts_on=today - timedelta(days=1),
        due_on=today + timedelta(days=6),
        message=f"Send us a photo of your {LONG_WORD}!",
    )
    completion_record(pupil=pupil, activity=activity, actor=parent)
    return {
        "school": school,
        "school_class": school_class,
        "pupil": pupil,
        "parent": parent,
        "teacher": teacher,
        "admin": admin,
        "topic": topic,
        "activity": activity,
        "assignment": assignment,
    }


def test_signed_out_pages_fit_a_phone_and_the_cookie_banner_leaves_the_sign_in_form_in_view(
    phone_page,
):
    page = phone_page
    page.goto(reverse("account_login"))
    banner = page.get_by_role("region", name=COOKIE_BANNER)
    expect(banner).to_be_visible()
    viewport = page.viewport_size
    assert banner.bounding_box()["height"] <= viewport["height"] / 3
    email = page.get_by_label("Email address", exact=True)
    box = email.bounding_box()
    assert box["y"] + box["height"] <= viewport["height"], "the sign-in form is below the fold"
    assert_every_page_fits(
        page,
        [
            reverse("account_login"),
            reverse("account_reset_password"),
            reverse("consent:privacy_notice"),
            reverse("consent:cookie_settings"),
        ],
    )


def test_a_parents_pages_fit_a_phone(phone_page, world):
    page = phone_page
    sign_in(page, world["parent"].email)
    pupil, assignment = world["pupil"], world["assignment"]
    assert_every_page_fits(
        page,
        [
            reverse("accounts:home"),
            reverse("schools:parent_home"),
            reverse("learning:child_space", args=[pupil.pk]),
            reverse("learning:child_assignment", args=[pupil.pk, assignment.pk]),
            reverse("consent:privacy_consents"),
            reverse("consent:privacy_notice"),
            reverse("consent:cookie_settings"),
            reverse("notifications:notification_preferences"),
        ],
    )


def test_a_teachers_pages_fit_a_phone(phone_page, world):
    page = phone_page
    teacher = world["teacher"]
    sign_in_staff(page, teacher, confirmed_totp_device(teacher))
    topic, activity, assignment = world["topic"], world["activity"], world["assignment"]
    assert_every_page_fits(
        page,
        [
            reverse("accounts:home"),
            reverse("schools:teacher_classes"),
            reverse("schools:class_detail", args=[world["school_class"].pk]),
            reverse("learning:topic_list"),
            reverse("learning:topic_detail", args=[topic.pk]),
            reverse("learning:topic_create"),
            reverse("learning:topic_edit", args=[topic.pk]),
            reverse("learning:activity_create", args=[topic.pk]),
            reverse("learning:activity_edit", args=[topic.pk, activity.pk]),
            reverse("learning:assignment_create", args=[topic.pk]),
            reverse("learning:assignment_list"),
            reverse("learning:assignment_detail", args=[assignment.pk]),
            reverse("learning:assignment_feedback", args=[assignment.pk]),
            reverse("consent:privacy_consents"),
        ],
    )


def test_a_school_admins_pages_fit_a_phone(phone_page, world):
    page = phone_page
    admin, school = world["admin"], world["school"]
    sign_in_staff(page, admin, confirmed_totp_device(admin))
    assert_every_page_fits(
        page,
        [
            reverse("accounts:home"),
            reverse("schools:school_overview", args=[school.pk]),
            reverse("schools:school_pupils", args=[school.pk]),
            reverse("schools:class_detail", args=[world["school_class"].pk]),
            reverse("schools:class_teachers", args=[school.pk, world["school_class"].pk]),
            reverse("schools:roster_upload", args=[school.pk]),
            reverse("invitations:list", args=[school.pk]),
            reverse("invitations:create", args=[school.pk]),
            reverse("invitations:unreachable", args=[school.pk]),
            reverse("accounts:staff_add", args=[school.pk]),
            reverse("audit:school_log", args=[school.pk]),
            reverse("audit:school_security", args=[school.pk]),
            reverse("learning:topic_list"),
            reverse("learning:assignment_list"),
        ],
    )


def filled_buttons(card) -> list[str]:
    """The buttons and button-like links of an activity drawn filled, as a main action."""
    return card.evaluate(
        """(card) => [...card.querySelectorAll("button, a.button")]
            .filter((element) => element.offsetParent !== null)
            .filter((element) => {
                const style = getComputedStyle(element);
                return style.backgroundColor !== "rgb(255, 255, 255)"
                    && style.backgroundColor !== "rgba(0, 0, 0, 0)";
            })
            .map((element) => element.textContent.trim())"""
    )


def test_each_activity_on_a_phone_has_one_main_action(phone_page, world):
    world["activity"].kind = Activity.Kind.VIDEO
    world["activity"].video_url = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
    world["activity"].save()
    page = phone_page
    sign_in(page, world["parent"].email)
    page.goto(
        reverse("learning:child_assignment", args=[world["pupil"].pk, world["assignment"].pk])
    )

    done = page.locator(f"#activity-{world['activity'].pk}")
    expect(done.get_by_role("link", name=re.compile("^Play the video"))).to_be_visible()
    assert [text.split(" on ")[0] for text in filled_buttons(done)] == ["Save feedback"]
    game = page.locator(".activity", has_text="Matching game")
    expect(game.get_by_role("link", name=re.compile("^Open the game"))).to_be_visible()
    assert [text.split(":")[0] for text in filled_buttons(game)] == ["We did this"]
