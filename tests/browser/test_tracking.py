"""Starting a video tells the portal, through the portal's own small script and
nothing from another host: a parent plays an uploaded video on their child's
topic and on its own page, and opens a YouTube video's player page."""

import io
import re
import time
import wave
from urllib.parse import urlsplit

import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import expect

from engagement.models import Event
from learning.models import Activity
from learning.video import EMBED_ORIGINS
from tests.browser.helpers import sign_in
from tests.factories import ActivityFactory
from tests.learning.space_world import family_world

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("private_folder"),
]


def _videos_started() -> list[tuple]:
    return list(
        Event.objects.filter(kind=Event.Kind.VIDEO_STARTED).values_list("actor", "pupil", "subject")
    )


def _wait_for_videos_started(count: int) -> list[tuple]:
    deadline = time.monotonic() + 5
    while len(_videos_started()) < count and time.monotonic() < deadline:
        time.sleep(0.1)
    return _videos_started()


def _short_sound() -> bytes:
    """Half a second of silence, a file Chromium plays (no video encoder needed)."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as sound:
        sound.setnchannels(1)
        sound.setsampwidth(2)
        sound.setframerate(8000)
        sound.writeframes(b"\x00\x00" * 4000)
    return buffer.getvalue()


def _uploaded_video(family) -> Activity:
    video = ActivityFactory.build(
        topic=family.topic, title="Our ant farm", kind=Activity.Kind.VIDEO, instructions=""
    )
    video.position = family.topic.activities.count() + 1
    video.video_file.save("ants.mp4", ContentFile(_short_sound()), save=False)
    video.save()
    return video


def _hosts_requested(page, live_server) -> list:
    """Every request the page makes that is not to the portal, with its type."""
    portal = urlsplit(live_server.url).netloc
    others = []
    page.on(
        "request",
        lambda request: (
            urlsplit(request.url).netloc != portal
            and urlsplit(request.url).scheme in ("http", "https")
            and others.append((request.url, request.resource_type))
        ),
    )
    return others


def test_playing_an_uploaded_video_sends_the_portals_beacon_once(phone_page, live_server):
    family = family_world(activities=0)
    video = _uploaded_video(family)
    page = phone_page
    elsewhere = _hosts_requested(page, live_server)
    sign_in(page, family.parent.email)
    page.goto(f"/children/{family.pupil.pk}/assignments/{family.assignment.pk}/")
    expect(page.get_by_role("heading", level=1, name="Minibeasts")).to_be_visible()
    assert _videos_started() == []  # loading the page is not playing

    with page.expect_request(re.compile(r"/engagement/videos/\d+/started/$")) as beacon:
        page.locator("video").evaluate("video => { video.play().catch(() => {}); }")
    assert beacon.value.method == "POST"
    assert _wait_for_videos_started(1) == [
        (family.parent.pk, family.pupil.pk, f"activity:{video.pk}")
    ]

    # Played again on its own page a moment later: still one start this minute.
    page.goto(
        f"/topics/{family.topic.pk}/activities/{video.pk}/video/"
        f"?pupil={family.pupil.pk}&assignment={family.assignment.pk}"
    )
    with page.expect_request(re.compile(r"/engagement/videos/\d+/started/$")):
        page.locator("video").evaluate("video => { video.play().catch(() => {}); }")
    page.wait_for_timeout(300)
    assert len(_videos_started()) == 1
    assert elsewhere == []


def test_a_youtube_videos_player_page_sends_the_beacon_and_loads_no_other_script(
    phone_page, live_server
):
    family = family_world(activities=0)
    video = ActivityFactory(
        topic=family.topic,
        title="Watch the ants",
        kind=Activity.Kind.VIDEO,
        video_url="https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        instructions="",
    )
    page = phone_page
    # The provider's player itself is not fetched in tests.
    page.route(re.compile(r"^https://(?!127\.0\.0\.1|localhost)"), lambda route: route.abort())
    elsewhere = _hosts_requested(page, live_server)
    sign_in(page, family.parent.email)
    page.goto(f"/children/{family.pupil.pk}/assignments/{family.assignment.pk}/")

    page.get_by_role("link", name=re.compile("^Play the video")).click()
    expect(page.get_by_role("heading", level=1, name="Watch the ants")).to_be_visible()

    assert _wait_for_videos_started(1) == [
        (family.parent.pk, family.pupil.pk, f"activity:{video.pk}")
    ]
    # The only thing from another host is the player's frame the parent chose to open.
    assert {kind for _, kind in elsewhere} <= {"document"}
    assert all(url.startswith(EMBED_ORIGINS) for url, _ in elsewhere)
