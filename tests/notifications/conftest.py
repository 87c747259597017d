from pathlib import Path

import pytest

from notifications import policy, sms
from notifications.models import Topic

TEST_TEMPLATES = Path(__file__).parent / "templates"


@pytest.fixture(autouse=True)
def _outbox_settings(settings, monkeypatch):
    """Test-only message templates (engagement ones are news about new work), and
    SMS kept in memory."""
    monkeypatch.setitem(policy.ENGAGEMENT_TOPICS, "outbox_test", Topic.NEW_WORK)
    monkeypatch.setitem(policy.ENGAGEMENT_TOPICS, "outbox_long", Topic.NEW_WORK)
    settings.SMS_BACKEND = "notifications.sms.LocmemSmsBackend"
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], TEST_TEMPLATES]}
    ]
    sms.outbox.clear()
    yield
    sms.outbox.clear()
