"""Every write the privacy app makes, one module per noun."""

from privacy.services.requests import privacy_request_open

__all__ = ["privacy_request_open"]
