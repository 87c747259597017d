"""A parent does a topic with their child on a 360-pixel-wide phone; staff read and
moderate what families shared. No page scrolls sideways or has axe violations."""

import re

import pytest
from playwright.sync_api import expect

from learning.models import Activity, Completion, Feedback
from learning.services import completion_record, feedback_save
from tests.browser.helpers import assert_accessible, sign_in, sign_in_staff
from tests.factories import (
    ActivityFactory,
    GuardianshipFactory,
    PupilFactory,
    confirmed_totp_device,
)
from tests.learning.space_world import family_world, jpeg_bytes, prepared_photo

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("private_folder"),
]


def assert_fits_the_screen(page) -> None:
    """Nothing is wider than the viewport: the page never scrolls sideways."""
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} is {overflow}px wider than the screen"


def check(page) -> None:
    assert_fits_the_screen(page)
    assert_accessible(page)


def test_a_parent_does_a_topic_with_their_child_on_a_phone(phone_page):
    family = family_world(activities=1)
    family.activities[0].title = "Bug hunt in the garden"
    family.activities[0].instructions = "Lift a log **gently**.\n\n- woodlice\n- beetles"
    family.activities[0].save()
    ActivityFactory(
        topic=family.topic,
        title="Watch the minibeast film",
        kind=Activity.Kind.VIDEO,
        video_url="https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        instructions="",
    )
    ActivityFactory(
        topic=family.topic,
        title="Minibeast matching game",
        kind=Activity.Kind.GAME,
        game_url="https://games.example.org/minibeasts",
        instructions="",
    )
    family.assignment.message = "Have fun, and send us a photo of what you find!"
    family.assignment.save()
    sibling = PupilFactory(first_name="Ben", school=family.school)
    GuardianshipFactory(parent=family.parent, pupil=sibling)
    page = phone_page

    sign_in(page, family.parent.email)
    expect(page.get_by_role("heading", level=1, name="My children")).to_be_visible()
    check(page)

    page.get_by_role("link", name="Open Amara's space").click()
    expect(page.get_by_role("heading", level=1, name="Amara's space")).to_be_visible()
    expect(page.get_by_text("0 of 3 activities done")).to_be_visible()
    check(page)

    # One tap to the other child and back.
    switcher = page.get_by_role("navigation", name="Your children")
    switcher.get_by_role("link", name="Ben").click()
    expect(page.get_by_role("heading", level=1, name="Ben's space")).to_be_visible()
    check(page)
    page.get_by_role("navigation", name="Your children").get_by_role("link", name="Amara").click()

    page.get_by_role("link", name="Minibeasts").click()
    expect(page.get_by_role("heading", level=1, name="Minibeasts")).to_be_visible()
    expect(page.get_by_text("send us a photo of what you find")).to_be_visible()
    expect(page.locator(".instructions strong")).to_have_text("gently")
    expect(page.get_by_role("link", name=re.compile("^Play the video"))).to_be_visible()
    # Through the portal's game link, which records the game opened and redirects.
    expect(page.get_by_role("link", name=re.compile("^Open the game"))).to_have_attribute(
        "href", re.compile(r"^/engagement/games/\d+/\?pupil=\d+&assignment=\d+$")
    )
    expect(page.locator("iframe")).to_have_count(0)
    check(page)

    page.get_by_role("button", name=re.compile(r"^We did this\W+Bug hunt in the garden$")).click()
    expect(page.get_by_text("is marked as done")).to_be_visible()
    expect(page.get_by_text("1 of 3 activities done")).to_be_visible()
    check(page)

    card = page.locator(".activity", has_text="Bug hunt in the garden")
    card.get_by_label("5: loved it").check()
    card.get_by_label("Comment for the teacher").fill("We found twelve woodlice!")
    card.get_by_label("Add a photo").set_input_files(
        {"name": "IMG_0042.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes((1200, 900))}
    )
    card.get_by_role("button", name=re.compile("^Save feedback")).click()
    expect(page.get_by_text("your feedback is saved")).to_be_visible()
    card = page.locator(".activity", has_text="Bug hunt in the garden")
    expect(card.get_by_text("You rated it 5 out of 5.")).to_be_visible()
    photo = card.get_by_role("img", name="Your photo for Bug hunt in the garden")
    expect(photo).to_be_visible()
    assert photo.evaluate("img => img.complete && img.naturalWidth") == 1200
    check(page)

    # A file that is not a photo is refused on the form, and the photo above stays.
    card.get_by_label("Add a photo").set_input_files(
        {"name": "holiday.jpg", "mimeType": "image/jpeg", "buffer": b"not really a photo"}
    )
    card.get_by_role("button", name=re.compile("^Save feedback")).click()
    expect(page.locator("#error-summary")).to_contain_text("This file is not a photo we can read.")
    check(page)

    assert Completion.objects.filter(pupil=family.pupil).count() == 1
    feedback = Feedback.objects.get()
    assert (feedback.rating, feedback.comment) == (5, "We found twelve woodlice!")


def test_staff_read_and_moderate_what_families_shared(page):
    family = family_world(activities=1, moderate=True)
    activity = family.activities[0]
    completion_record(pupil=family.pupil, activity=activity, actor=family.parent)
    waiting = feedback_save(
        pupil=family.pupil,
        activity=activity,
        actor=family.parent,
        rating=4,
        comment="Our beetle collection",
        photo=prepared_photo(),
    )
    assert waiting.moderation_status == Feedback.Moderation.PENDING
    sign_in_staff(page, family.teacher, confirmed_totp_device(family.teacher))

    page.goto(f"/assignments/{family.assignment.pk}/feedback/")
    expect(page.get_by_role("heading", level=1, name="Feedback on Minibeasts")).to_be_visible()
    expect(page.get_by_text("Our beetle collection")).to_have_count(0)
    check(page)

    page.get_by_role("link", name="Feedback to approve").first.click()
    expect(page.get_by_role("heading", level=1, name="Feedback to approve")).to_be_visible()
    expect(page.get_by_text("Our beetle collection")).to_be_visible()
    check(page)

    page.get_by_role("button", name=re.compile("^Approve")).click()
    expect(page.get_by_text("Nothing waits for approval.")).to_be_visible()
    check(page)

    page.goto(f"/assignments/{family.assignment.pk}/feedback/")
    expect(page.get_by_text("Our beetle collection")).to_be_visible()
    photo = page.get_by_role("img", name=re.compile("^Photo from Amara's family"))
    expect(photo).to_be_visible()
    assert photo.evaluate("img => img.complete && img.naturalWidth") > 0
    check(page)


def test_the_staff_pages_fit_a_phone_too(new_context):
    family = family_world(activities=2, moderate=True)
    feedback_save(
        pupil=family.pupil,
        activity=family.activities[0],
        actor=family.parent,
        rating=3,
        comment="A" * 300,  # one long unbroken word must wrap, not widen the page
    )
    page = new_context(phone=True).new_page()
    sign_in_staff(page, family.admin, confirmed_totp_device(family.admin))

    page.goto("/moderation/")
    expect(page.get_by_role("heading", level=1, name="Feedback to approve")).to_be_visible()
    check(page)
    page.goto(f"/assignments/{family.assignment.pk}/feedback/")
    check(page)


def test_a_parent_undoes_we_did_this_and_confirms_before_removing_feedback(phone_page):
    family = family_world(activities=1)
    page = phone_page
    sign_in(page, family.parent.email)
    page.goto(f"/children/{family.pupil.pk}/assignments/{family.assignment.pk}/")

    # A tap by mistake is taken back the same day; the page says the rule.
    page.get_by_role("button", name=re.compile(r"^We did this")).click()
    expect(page.get_by_text("You can undo it today, until feedback is given.")).to_be_visible()
    check(page)
    page.get_by_role("button", name=re.compile("^Undo “We did this”")).click()
    expect(page.get_by_text("is no longer marked as done")).to_be_visible()
    expect(page.get_by_text("0 of 1 activity done")).to_be_visible()
    assert not Completion.objects.exists()

    page.get_by_role("button", name=re.compile(r"^We did this")).click()
    card = page.locator(".activity").first
    card.get_by_label("Comment for the teacher").fill("Twelve woodlice")
    card.get_by_role("button", name=re.compile("^Save feedback")).click()
    expect(page.get_by_text("your feedback is saved")).to_be_visible()
    heading = page.locator(".activity .feedback h3")
    expect(heading).to_have_text(re.compile("^Your feedback"))
    assert heading.evaluate("h => getComputedStyle(h, '::before').content") == "none"
    main_colour = page.get_by_role("button", name=re.compile("^Save feedback")).evaluate(
        "b => getComputedStyle(b).backgroundColor"
    )

    # Removing asks first, on a page of its own, and "Keep it" keeps it.
    page.get_by_role("link", name=re.compile("^Remove my feedback")).click()
    expect(
        page.get_by_role("heading", level=1, name=re.compile("^Remove your feedback on"))
    ).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text="your comment")).to_be_visible()
    remove = page.get_by_role("button", name="Remove my feedback")
    assert remove.evaluate("b => getComputedStyle(b).backgroundColor") != main_colour
    check(page)
    page.get_by_role("link", name="Keep it").click()
    expect(page.get_by_role("blockquote")).to_have_text("Twelve woodlice")
    assert Feedback.objects.get().removed_at is None

    page.get_by_role("link", name=re.compile("^Remove my feedback")).click()
    page.get_by_role("button", name="Remove my feedback").click()
    expect(page.get_by_text("Your feedback on “Bug hunt 1” is removed.")).to_be_visible()
    check(page)
    assert Feedback.objects.get().removed_at is not None


def test_a_video_goes_back_to_the_childs_topic_and_a_game_says_it_opens_a_new_tab(phone_page):
    family = family_world(activities=0)
    ActivityFactory(
        topic=family.topic,
        title="Watch the ants",
        kind=Activity.Kind.VIDEO,
        video_url="https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        instructions="",
    )
    ActivityFactory(
        topic=family.topic,
        title="Ant maze",
        kind=Activity.Kind.GAME,
        game_url="https://games.example.org/ants",
        instructions="",
    )
    page = phone_page
    page.route(re.compile(r"^https://(?!127\.0\.0\.1|localhost)"), lambda route: route.abort())
    sign_in(page, family.parent.email)
    topic_path = f"/children/{family.pupil.pk}/assignments/{family.assignment.pk}/"
    page.goto(topic_path)

    game = page.get_by_role("link", name=re.compile("^Open the game"))
    expect(game).to_have_text(re.compile(r"\(opens in a new tab\)$"))
    expect(game).to_have_attribute("target", "_blank")

    page.get_by_role("link", name=re.compile("^Play the video")).click()
    expect(page.get_by_role("heading", level=1, name="Watch the ants")).to_be_visible()
    check(page)
    page.get_by_role("link", name="Back to Minibeasts").click()
    expect(page.get_by_role("heading", level=1, name="Minibeasts")).to_be_visible()
    assert page.url.split("#")[0].endswith(topic_path)


def test_staff_confirm_before_rejecting_a_photo(page, private_folder):
    family = family_world(activities=1)
    activity = family.activities[0]
    completion_record(pupil=family.pupil, activity=activity, actor=family.parent)
    feedback_save(
        pupil=family.pupil,
        activity=activity,
        actor=family.parent,
        rating=4,
        comment="Our beetle collection",
        photo=prepared_photo(),
    )
    sign_in_staff(page, family.teacher, confirmed_totp_device(family.teacher))
    feedback_page = f"/assignments/{family.assignment.pk}/feedback/"
    page.goto(feedback_page)

    page.get_by_role("link", name=re.compile("^Reject")).click()
    expect(
        page.get_by_role("heading", level=1, name="Reject this feedback from Amara's family?")
    ).to_be_visible()
    expect(page.get_by_text("the photo is deleted for good")).to_be_visible()
    check(page)
    assert Feedback.objects.get().photo

    page.get_by_role("button", name="Reject and delete the photo").click()
    expect(page.get_by_text("its photo is deleted")).to_be_visible()
    assert page.url.endswith(feedback_page)
    assert Feedback.objects.get().moderation_status == Feedback.Moderation.REJECTED
    check(page)
