"""Signals accounts sends about second factors, so that other apps (the security
log in ``audit``) can follow them without accounts knowing who listens.

``second_factor_verified`` is sent with ``sender=Device`` (django-otp's base
class), ``request`` (the HttpRequest, or None outside one), ``user`` and
``device`` (the TOTPDevice or StaticDevice that accepted the code) when a
staff member passes the second factor, at sign-in or on enrolling an app.
A wrong code is announced with django-otp's own
``django_otp.forms.otp_verification_failed`` (``sender=Device``, ``user``).

``backup_codes_regenerated`` is sent with ``sender=StaticDevice`` and ``user``
when a fresh set of backup codes replaces the old one (or is issued at
enrolment).

Both are sent inside the service's transaction: a receiver's writes commit or
roll back with the change.
"""

from django.dispatch import Signal

second_factor_verified = Signal()
backup_codes_regenerated = Signal()
