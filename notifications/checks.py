"""System checks for the outbox's settings."""

from datetime import timedelta

from django.conf import settings
from django.core.checks import Error, Warning, register

# A provider outage shorter than this loses no message.
OUTAGE_TO_OUTLAST = timedelta(hours=24)


@register()
def message_retries_outlast_an_outage(app_configs, **kwargs):
    """The retry schedule must keep a message pending through a day's outage."""
    from notifications.services import retry_budget

    delays = settings.MESSAGE_RETRY_DELAYS
    if not delays or any(delay <= timedelta(0) for delay in delays):
        return [
            Error(
                "MESSAGE_RETRY_MINUTES must list one or more delays, each above zero.",
                id="notifications.E001",
            )
        ]
    budget = retry_budget()
    if budget < OUTAGE_TO_OUTLAST:
        return [
            Warning(
                f"A message is tried for {budget} before it fails: a provider outage "
                "longer than that fails messages for good.",
                hint="Raise MESSAGE_MAX_ATTEMPTS or MESSAGE_RETRY_MINUTES so that the "
                "retries span 24 hours or more.",
                id="notifications.W001",
            )
        ]
    return []
