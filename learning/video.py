"""Video links: only YouTube and Vimeo, always played through their privacy modes.

A teacher pastes any ordinary YouTube or Vimeo address; the portal keeps what
they pasted and derives the video's identity from it. It never links or embeds
the pasted address itself: it builds the privacy-enhanced embed address
(``www.youtube-nocookie.com/embed/ID``, ``player.vimeo.com/video/ID?dnt=1``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, urlsplit

from django.core.exceptions import ValidationError

YOUTUBE_HOSTS = {
    "youtube.com",
    "www.youtube.com",
    "m.youtube.com",
    "music.youtube.com",
    "youtu.be",
    "youtube-nocookie.com",
    "www.youtube-nocookie.com",
}
VIMEO_HOSTS = {"vimeo.com", "www.vimeo.com", "player.vimeo.com"}

# The hosts a played video's frame comes from (the CSP of the play page allows these only).
EMBED_ORIGINS = ("https://www.youtube-nocookie.com", "https://player.vimeo.com")

_YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
_VIMEO_ID = re.compile(r"^\d{1,12}$")
_VIMEO_HASH = re.compile(r"^[0-9a-f]{6,20}$")


@dataclass(frozen=True)
class VideoLink:
    provider: str  # "youtube" or "vimeo"
    video_id: str
    # Vimeo's unlisted videos carry a privacy hash that must travel with the id.
    vimeo_hash: str = ""

    @property
    def provider_name(self) -> str:
        return "YouTube" if self.provider == "youtube" else "Vimeo"

    @property
    def embed_url(self) -> str:
        if self.provider == "youtube":
            return f"https://www.youtube-nocookie.com/embed/{self.video_id}?rel=0"
        query = {"dnt": "1"}
        if self.vimeo_hash:
            query["h"] = self.vimeo_hash
        return f"https://player.vimeo.com/video/{self.video_id}?{urlencode(query)}"


def parse_video_url(url: str) -> VideoLink | None:
    """The YouTube or Vimeo video an address points at, or None."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme not in {"http", "https"} or parts.username or parts.password:
        return None
    host = (parts.hostname or "").lower()
    if parts.port not in {None, 80, 443}:
        return None
    segments = [segment for segment in parts.path.split("/") if segment]
    query = parse_qs(parts.query)
    if host in YOUTUBE_HOSTS:
        return _youtube(host, segments, query)
    if host in VIMEO_HOSTS:
        return _vimeo(host, segments, query)
    return None


def _youtube(host: str, segments: list[str], query: dict) -> VideoLink | None:
    candidate = ""
    if host == "youtu.be":
        candidate = segments[0] if segments else ""
    elif segments[:1] == ["watch"]:
        candidate = (query.get("v") or [""])[0]
    elif len(segments) >= 2 and segments[0] in {"embed", "shorts", "live", "v"}:
        candidate = segments[1]
    if _YOUTUBE_ID.match(candidate):
        return VideoLink("youtube", candidate)
    return None


def _vimeo(host: str, segments: list[str], query: dict) -> VideoLink | None:
    if host == "player.vimeo.com":
        if len(segments) != 2 or segments[0] != "video":
            return None
        video_id, vimeo_hash = segments[1], (query.get("h") or [""])[0]
    else:
        # vimeo.com/ID, vimeo.com/ID/HASH, vimeo.com/channels/NAME/ID,
        # vimeo.com/groups/NAME/videos/ID
        numeric = [index for index, segment in enumerate(segments) if _VIMEO_ID.match(segment)]
        if not numeric:
            return None
        index = numeric[0]
        video_id = segments[index]
        following = segments[index + 1 : index + 2]
        vimeo_hash = following[0] if following else (query.get("h") or [""])[0]
    if not _VIMEO_ID.match(video_id):
        return None
    if vimeo_hash and not _VIMEO_HASH.match(vimeo_hash):
        vimeo_hash = ""
    return VideoLink("vimeo", video_id, vimeo_hash)


def validate_video_url(value: str) -> None:
    if parse_video_url(value) is None:
        raise ValidationError(
            "Enter the address of a YouTube or Vimeo video, "
            "for example https://www.youtube.com/watch?v=… or https://vimeo.com/…",
            code="invalid_video_url",
        )


def validate_https_url(value: str) -> None:
    try:
        parts = urlsplit(value.strip())
    except ValueError:
        parts = None
    if parts is None or parts.scheme != "https" or not parts.hostname or parts.username:
        raise ValidationError("Enter a secure web address starting with https://", code="not_https")
