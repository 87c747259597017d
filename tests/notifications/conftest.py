from pathlib import Path

import pytest

from notifications import sms

TEST_TEMPLATES = Path(__file__).parent / "templates"


@pytest.fixture(autouse=True)
def _outbox_settings(settings):
    """Test-only message templates, and SMS kept in memory."""
    settings.SMS_BACKEND = "notifications.sms.LocmemSmsBackend"
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], TEST_TEMPLATES]}
    ]
    sms.outbox.clear()
    yield
    sms.outbox.clear()
