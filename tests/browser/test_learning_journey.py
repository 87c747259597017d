"""Home learning from end to end, as the people involved see it: a teacher sets a
topic, the parent follows the email's link on a 360 px phone, does an activity
with their child and shares how it went, the child earns an award, and the
teacher reads the family's rating, comment and photo."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from playwright.sync_api import expect

from learning.models import Assignment, Award, Completion, Feedback
from learning.services import school_today
from notifications.models import Message
from tests.browser.helpers import PASSWORD, assert_accessible, sign_in_staff
from tests.factories import (
    ActivityFactory,
    GuardianshipFactory,
    PupilFactory,
    SchoolClassFactory,
    SchoolFactory,
    TopicFactory,
    UserFactory,
    confirmed_totp_device,
    teacher_of,
)
from tests.learning.space_world import jpeg_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LINK_FOR_AMARA = re.compile(r"^Do it with Amara: (\S+)$", re.MULTILINE)


@pytest.fixture(autouse=True)
def _private_files_in_a_temporary_folder(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "learning.files.PrivateFileSystemStorage",
            "OPTIONS": {"location": tmp_path / "private"},
        },
    }


def assert_fits_and_is_accessible(page) -> None:
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} is {overflow}px wider than the screen"
    assert_accessible(page)


def test_a_topic_goes_from_the_teacher_to_a_family_on_a_phone_and_back(
    new_context, settings, live_server
):
    # Links in messages point at this server; the parent has email only, so no
    # text message waits for the end of quiet hours.
    settings.SITE_URL = live_server.url
    school = SchoolFactory(name="Alder Primary")
    robins = SchoolClassFactory(school=school, name="Robins")
    teacher = teacher_of(robins, first_name="Tessa", last_name="Reed")
    amara = PupilFactory(school=school, school_class=robins, first_name="Amara", last_name="Okoye")
    parent = UserFactory(first_name="Pat", email="pat.okoye@example.org", mobile="")
    GuardianshipFactory(parent=parent, pupil=amara)
    topic = TopicFactory(title="Minibeasts", summary="Small creatures in the garden and park.")
    ActivityFactory(
        topic=topic,
        title="Bug hunt in the garden",
        instructions="Lift a log **gently** and count what lives under it.",
    )
    mail.outbox.clear()

    # The teacher signs in with their authenticator and sets the topic from today.
    teacher_page = new_context().new_page()
    sign_in_staff(teacher_page, teacher, confirmed_totp_device(teacher))
    teacher_page.get_by_role("link", name="Topics", exact=True).click()
    teacher_page.get_by_role("link", name="Minibeasts").click()
    teacher_page.get_by_role("link", name="Set this topic").click()
    teacher_page.get_by_label("Robins (Year 3)").check()
    today = school_today()
    teacher_page.get_by_label("Start date").fill(today.isoformat())
    teacher_page.get_by_label("Due date").fill((today + timedelta(days=7)).isoformat())
    teacher_page.get_by_label("Message to families (optional)").fill("Send us what you find!")
    teacher_page.get_by_role("button", name="Set this topic").click()
    expect(teacher_page.get_by_role("heading", level=1)).to_have_text("Minibeasts for Robins")
    expect(teacher_page.get_by_role("row", name="Amara Okoye")).to_contain_text("Not opened")

    # The parent is told by email through the outbox, with a link to the work.
    assignment = Assignment.objects.get()
    told = Message.objects.get(reference=f"assignment:{assignment.pk}")
    assert (told.recipient, told.channel, told.kind, told.status) == (
        parent,
        Message.Channel.EMAIL,
        Message.Kind.ENGAGEMENT,
        Message.Status.SENT,
    )
    [email] = mail.outbox
    assert email.to == ["pat.okoye@example.org"]
    assert "Minibeasts" in email.body and "Send us what you find!" in email.body
    link = LINK_FOR_AMARA.search(email.body).group(1)
    assert link.startswith(f"{live_server.url}/children/{amara.pk}/assignments/{assignment.pk}/")

    # On their phone the link asks them to sign in, then opens the topic.
    phone = new_context(phone=True).new_page()
    phone.goto(link)
    phone.get_by_label("Email address", exact=True).fill(parent.email)
    phone.get_by_label("Password", exact=True).fill(PASSWORD)
    phone.get_by_role("button", name="Sign in", exact=True).click()
    expect(phone.get_by_role("heading", level=1, name="Minibeasts")).to_be_visible()
    expect(phone.get_by_text("Send us what you find!")).to_be_visible()
    expect(phone.get_by_text("0 of 1 activity done")).to_be_visible()
    assert_fits_and_is_accessible(phone)

    # We did this, then a rating, a comment and a photo.
    phone.get_by_role("button", name=re.compile(r"^We did this\W+Bug hunt in the garden$")).click()
    expect(phone.get_by_text("is marked as done")).to_be_visible()
    expect(phone.get_by_text("1 of 1 activity done")).to_be_visible()
    card = phone.locator(".activity", has_text="Bug hunt in the garden")
    card.get_by_label("5: loved it").check()
    card.get_by_label("Comment for the teacher").fill("Nine woodlice and a very shy beetle.")
    card.get_by_label("Add a photo").set_input_files(
        {"name": "IMG_2041.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes((800, 600))}
    )
    card.get_by_role("button", name=re.compile("^Save feedback")).click()
    expect(phone.get_by_text("your feedback is saved")).to_be_visible()
    card = phone.locator(".activity", has_text="Bug hunt in the garden")
    expect(card.get_by_text("You rated it 5 out of 5.")).to_be_visible()
    own_photo = card.get_by_role("img", name="Your photo for Bug hunt in the garden")
    expect(own_photo).to_be_visible()
    assert own_photo.evaluate("img => img.complete && img.naturalWidth") == 800
    assert_fits_and_is_accessible(phone)

    # The award, worked out once the completion committed, is in Amara's space.
    phone.get_by_role("link", name="Back to Amara's space").click()
    expect(phone.get_by_role("heading", level=1, name="Amara's space")).to_be_visible()
    awards = phone.locator(".award-list")
    expect(awards.get_by_text("First activity")).to_be_visible()
    expect(phone.get_by_text("All 1 activity done")).to_be_visible()
    assert_fits_and_is_accessible(phone)
    assert Award.objects.filter(pupil=amara, kind=Award.Kind.FIRST_ACTIVITY).exists()
    award_emails = [m for m in mail.outbox if "earned the “First activity” award" in m.subject]
    assert [m.to for m in award_emails] == [["pat.okoye@example.org"]]

    # The teacher sees the completion, then the rating, the comment and the photo.
    teacher_page.reload()
    family = teacher_page.get_by_role("row", name="Amara Okoye")
    expect(family).to_contain_text("Completed")
    expect(family).to_contain_text("1 of 1")
    teacher_page.get_by_role("link", name="Ratings, comments and photos").click()
    expect(
        teacher_page.get_by_role("heading", level=1, name="Feedback on Minibeasts")
    ).to_be_visible()
    expect(teacher_page.get_by_text("1 of 1 done")).to_be_visible()
    expect(teacher_page.get_by_text("Amara Okoye · rated 5 out of 5")).to_be_visible()
    expect(teacher_page.get_by_text("Nine woodlice and a very shy beetle.")).to_be_visible()
    photo = teacher_page.get_by_role(
        "img", name="Photo from Amara's family: Bug hunt in the garden"
    )
    expect(photo).to_be_visible()
    assert photo.evaluate("img => img.complete && img.naturalWidth") == 800
    served = teacher_page.request.get(photo.get_attribute("src"))
    assert (served.status, served.headers["content-type"]) == (200, "image/jpeg")
    assert_accessible(teacher_page)

    assert Completion.objects.filter(pupil=amara).count() == 1
    feedback = Feedback.objects.get()
    assert (feedback.parent, feedback.rating) == (parent, 5)
