"""Playwright fixtures: Debian's Chromium, headless, one fresh context per test.

Playwright's own browser download is never used: Chromium comes from
CHROMIUM_PATH or the PATH. Without it these tests skip on a plain local run and
fail under REQUIRE_SERVICES=1 (tests/conftest.py stops the session first).
"""

import os
from collections.abc import Callable, Iterator

import pytest

from tests.conftest import REQUIRE_SERVICES, chromium_path

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-quic",
    "--disable-sync",
]

PHONE = {
    "viewport": {"width": 360, "height": 740},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}


@pytest.fixture(scope="package")
def browser() -> Iterator:
    """Chromium for the tests in this folder, closed once they have all run."""
    executable = chromium_path()
    if executable is None:
        message = "Chromium not found (set CHROMIUM_PATH or install Debian's chromium)"
        if REQUIRE_SERVICES:
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # While Playwright's sync API is running, this thread has a running event loop
    # and Django refuses database access from test code unless this is set. It is
    # set only for as long as Playwright runs, so that it cannot leak into other
    # tests or into the subprocesses they start (check --deploy reports it).
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        # launch() gives Chromium a fresh temporary profile of its own.
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=executable, headless=True, args=CHROMIUM_ARGS
            )
            try:
                yield browser
            finally:
                browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def new_context(browser, live_server) -> Iterator[Callable]:
    """Open fresh browser contexts (no cookies shared); ``phone=True`` for 360x740."""
    contexts = []

    def open_context(*, phone: bool = False, **options):
        settings = {**(PHONE if phone else {}), **options}
        context = browser.new_context(base_url=live_server.url, **settings)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield open_context
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context):
    """A desktop-sized page in its own fresh context."""
    return new_context().new_page()


@pytest.fixture
def phone_page(new_context):
    """A 360 px wide phone page in its own fresh context, as parents use the portal."""
    return new_context(phone=True).new_page()
