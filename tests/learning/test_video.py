"""Video links: only YouTube and Vimeo are accepted, and they play through the
providers' privacy-enhanced players."""

import pytest
from django.core.exceptions import ValidationError

from learning.video import parse_video_url, validate_https_url, validate_video_url


@pytest.mark.parametrize(
    "url",
    [
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        "https://www.youtube.com/watch?feature=share&v=dQw4w9WgXcQ&t=42",
        "https://m.youtube.com/watch?v=dQw4w9WgXcQ",
        "https://youtu.be/dQw4w9WgXcQ?si=abc",
        "https://www.youtube.com/embed/dQw4w9WgXcQ",
        "https://www.youtube.com/shorts/dQw4w9WgXcQ",
        "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
        "http://youtube.com/watch?v=dQw4w9WgXcQ",
    ],
)
def test_youtube_addresses_play_through_youtube_nocookie(url):
    link = parse_video_url(url)

    assert link is not None
    assert link.embed_url == "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?rel=0"


@pytest.mark.parametrize(
    ("url", "embed"),
    [
        ("https://vimeo.com/76979871", "https://player.vimeo.com/video/76979871?dnt=1"),
        (
            "https://vimeo.com/channels/staffpicks/76979871",
            "https://player.vimeo.com/video/76979871?dnt=1",
        ),
        (
            "https://player.vimeo.com/video/76979871",
            "https://player.vimeo.com/video/76979871?dnt=1",
        ),
        (
            "https://vimeo.com/76979871/abc123def0",
            "https://player.vimeo.com/video/76979871?dnt=1&h=abc123def0",
        ),
        (
            "https://player.vimeo.com/video/76979871?h=abc123def0",
            "https://player.vimeo.com/video/76979871?dnt=1&h=abc123def0",
        ),
    ],
)
def test_vimeo_addresses_play_with_do_not_track(url, embed):
    assert parse_video_url(url).embed_url == embed


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/watch?v=dQw4w9WgXcQ",
        "https://youtube.com.evil.example/watch?v=dQw4w9WgXcQ",
        "https://www.youtube.com/watch?v=short",
        'https://www.youtube.com/watch?v=dQw4w9WgXcQ"><script>',
        "https://www.youtube.com/channel/UCabc",
        "https://vimeo.com/about",
        "javascript:alert(1)//youtube.com/watch?v=dQw4w9WgXcQ",
        "https://user:pass@youtube.com/watch?v=dQw4w9WgXcQ",
        "ftp://youtube.com/watch?v=dQw4w9WgXcQ",
        "",
    ],
)
def test_other_addresses_are_not_videos(url):
    assert parse_video_url(url) is None
    with pytest.raises(ValidationError):
        validate_video_url(url)


def test_a_game_address_must_be_https():
    validate_https_url("https://example.org/game")
    for url in ("http://example.org/game", "javascript:alert(1)", "https://", "example.org"):
        with pytest.raises(ValidationError):
            validate_https_url(url)
