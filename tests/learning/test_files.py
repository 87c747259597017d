"""Private files reach a browser only through private_file_response, and can be
streamed in byte ranges (phones' video players need them)."""

import pytest
from django.core.files.base import ContentFile
from django.test import RequestFactory

from learning.models import Activity
from tests.factories import ActivityFactory

pytestmark = pytest.mark.django_db

CONTENT = bytes(range(256)) * 4  # 1024 bytes


@pytest.fixture
def video():
    activity = ActivityFactory(kind=Activity.Kind.VIDEO, video_url="https://youtu.be/dQw4w9WgXcQ")
    activity.video_url = ""
    activity.video_file.save("clip.mp4", ContentFile(CONTENT), save=True)
    return activity.video_file


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_a_whole_file_is_streamed_inline_uncached_and_inert(video):
    from learning.files import private_file_response

    response = private_file_response(video, request=RequestFactory().get("/"))

    assert response.status_code == 200
    assert _body(response) == CONTENT
    assert response["Content-Type"] == "video/mp4"
    assert response["Content-Length"] == "1024"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["Accept-Ranges"] == "bytes"


@pytest.mark.parametrize(
    ("header", "start", "end"),
    [
        ("bytes=0-99", 0, 99),
        ("bytes=1000-", 1000, 1023),
        ("bytes=-24", 1000, 1023),
        ("bytes=1000-5000", 1000, 1023),
    ],
)
def test_a_byte_range_is_answered_with_206_and_just_those_bytes(video, header, start, end):
    from learning.files import private_file_response

    request = RequestFactory().get("/", HTTP_RANGE=header)
    response = private_file_response(video, request=request)

    assert response.status_code == 206
    assert _body(response) == CONTENT[start : end + 1]
    assert response["Content-Range"] == f"bytes {start}-{end}/1024"
    assert response["Content-Length"] == str(end - start + 1)


def test_a_range_past_the_end_is_refused_with_416(video):
    from learning.files import private_file_response

    request = RequestFactory().get("/", HTTP_RANGE="bytes=5000-")
    response = private_file_response(video, request=request)

    assert response.status_code == 416
    assert response["Content-Range"] == "bytes */1024"


def test_a_malformed_range_gets_the_whole_file(video):
    from learning.files import private_file_response

    request = RequestFactory().get("/", HTTP_RANGE="bytes=0-10,20-30")
    response = private_file_response(video, request=request)

    assert response.status_code == 200
    assert _body(response) == CONTENT
