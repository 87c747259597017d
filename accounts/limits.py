"""How long someone refused by a sign-in limit must wait, in words they can act on.

allauth keeps each limit as a list of attempt times in the cache
(``allauth.core.internal.ratelimit``); a refused attempt may be tried again when
enough of those times have aged out of the limit's window.
"""

from __future__ import annotations

import math
import time

from allauth.core.internal import ratelimit
from django.core.cache import cache
from django.http import HttpRequest

APP = "allauth.account"


def retry_after_seconds(
    request: HttpRequest,
    *,
    action: str,
    key: str | None = None,
    user=None,
    app: str = APP,
    config: dict[str, str] | None = None,
) -> int:
    """Seconds until every limit on ``action`` (for this address, ``key`` and
    ``user``) lets one more attempt through; 0 when none is reached."""
    now = time.time()
    wait = 0.0
    for rate in ratelimit.get_rates(app=app, action=action, config=config):
        if (rate.per == "key" and key is None) or (rate.per == "user" and user is None):
            continue
        cache_key = ratelimit.get_cache_key(
            request, app=app, action=action, rate=rate, key=key, user=user
        )
        live = sorted(
            (stamp for stamp in cache.get(cache_key, []) if stamp > now - rate.duration),
            reverse=True,
        )
        if len(live) >= rate.amount:
            wait = max(wait, live[rate.amount - 1] + rate.duration - now)
    return math.ceil(wait)


def wait_phrase(seconds: int) -> str:
    """'5 minutes', '1 minute', '30 seconds': rounded up, so waiting that long works."""
    if seconds >= 60:
        minutes = math.ceil(seconds / 60)
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    seconds = max(seconds, 1)
    return f"{seconds} second{'s' if seconds != 1 else ''}"
