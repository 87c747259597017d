from dataclasses import dataclass
from datetime import datetime

from django.db.models import F, OuterRef, Subquery, Window
from django.db.models.functions import RowNumber
from django.http import HttpRequest

from accounts.access.roles import is_parent, requires_two_factor
from accounts.models import User
from consent.models import ConsentRecord, PrivacyNotice, Purpose


@dataclass(frozen=True)
class ConsentState:
    """The current state of one purpose for one user, and how it came about."""

    purpose: str
    label: str
    granted: bool
    changed_at: datetime | None = None
    method: str | None = None
    method_label: str | None = None
    notice_version: str | None = None


def consent_current(*, user: User, purpose: str) -> bool:
    """Whether ``user`` currently consents to ``purpose`` (no record: no consent)."""
    granted = (
        ConsentRecord.objects.filter(user=user, purpose=purpose)
        .order_by("-created_at", "-id")
        .values_list("granted", flat=True)
        .first()
    )
    return bool(granted)


# Consents that only concern parents and carers: never offered to staff who are
# not also a parent (a teacher's photos are not "what I share" of a family).
PARENT_ONLY_PURPOSES = frozenset({Purpose.MEDIA_PROMOTION})


def is_staff_account(*, user: User) -> bool:
    """Staff (teachers, school admins, platform staff) who are not also a parent."""
    return requires_two_factor(user) and not is_parent(user)


def purposes_offered_to(*, user: User, staff: bool | None = None) -> list[str]:
    """The purposes the user may give or withdraw on the privacy and consent page
    (``staff``: ``is_staff_account``, when the caller knows it already)."""
    if staff is None:
        staff = is_staff_account(user=user)
    return [
        purpose.value
        for purpose in Purpose
        if not (staff and purpose.value in PARENT_ONLY_PURPOSES)
    ]


def consents_for_user(*, user: User) -> list[ConsentState]:
    """Every purpose, in the order of ``Purpose``, with its current state (one query)."""
    newest = (
        ConsentRecord.objects.filter(user=user)
        .select_related("notice")
        .annotate(
            newest_rank=Window(
                RowNumber(),
                partition_by=[F("purpose")],
                order_by=[F("created_at").desc(), F("id").desc()],
            )
        )
        .filter(newest_rank=1)
    )
    by_purpose = {record.purpose: record for record in newest}
    states = []
    for purpose in Purpose:
        record = by_purpose.get(purpose.value)
        if record is None:
            states.append(ConsentState(purpose=purpose.value, label=purpose.label, granted=False))
            continue
        states.append(
            ConsentState(
                purpose=purpose.value,
                label=purpose.label,
                granted=record.granted,
                changed_at=record.created_at,
                method=record.method,
                method_label=record.get_method_display(),
                notice_version=record.notice.version if record.notice else None,
            )
        )
    return states


@dataclass(frozen=True)
class NoticeSummary:
    """What the new-notice banner shows."""

    pk: int
    version: str
    published_at: datetime
    summary_of_changes: str


@dataclass(frozen=True)
class PrivacyStatus:
    """Everything a request needs to know about one user's consents, read in one query.

    ``needs_reconsent``: a notice requiring re-consent was published after the
    notice of the user's newest platform grant. ``platform_withdrawn``: their newest
    platform record is a withdrawal. ``new_notice``: the current notice, when it is
    newer than the one they last agreed under (None when they must re-consent
    anyway, or never gave platform consent). The cookie fields are the newest
    record for each cookie purpose, None when they never chose.
    """

    has_platform_record: bool = False
    platform_withdrawn: bool = False
    needs_reconsent: bool = False
    new_notice: NoticeSummary | None = None
    current_notice_id: int | None = None
    cookies_performance: bool | None = None
    cookies_functional: bool | None = None

    @property
    def must_consent(self) -> bool:
        """Whether the user must give platform consent before any other page."""
        return self.platform_withdrawn or self.needs_reconsent


def _newest_record(purpose: str, field: str, *, granted: bool | None = None) -> Subquery:
    records = ConsentRecord.objects.filter(user=OuterRef("pk"), purpose=purpose)
    if granted is not None:
        records = records.filter(granted=granted)
    return Subquery(records.order_by("-created_at", "-id").values(field)[:1])


def _current_notice(field: str) -> Subquery:
    return Subquery(
        PrivacyNotice.objects.published().order_by("-published_at", "-id").values(field)[:1]
    )


def privacy_status(*, user: User) -> PrivacyStatus:
    """The user's platform consent against the published notices, and their cookie
    choices, in a single query (it runs on every signed-in request)."""
    newest_reconsent_notice = Subquery(
        PrivacyNotice.objects.published()
        .filter(requires_reconsent=True)
        .order_by("-published_at")
        .values("published_at")[:1]
    )
    row = (
        User.objects.filter(pk=user.pk)
        .annotate(
            platform_granted=_newest_record(Purpose.PLATFORM, "granted"),
            grant_id=_newest_record(Purpose.PLATFORM, "id", granted=True),
            grant_notice_published_at=_newest_record(
                Purpose.PLATFORM, "notice__published_at", granted=True
            ),
            newest_reconsent_published_at=newest_reconsent_notice,
            notice_id=_current_notice("id"),
            notice_version=_current_notice("version"),
            notice_published_at=_current_notice("published_at"),
            notice_summary=_current_notice("summary_of_changes"),
            performance=_newest_record(Purpose.COOKIES_PERFORMANCE, "granted"),
            functional=_newest_record(Purpose.COOKIES_FUNCTIONAL, "granted"),
        )
        .values(
            "platform_granted",
            "grant_id",
            "grant_notice_published_at",
            "newest_reconsent_published_at",
            "notice_id",
            "notice_version",
            "notice_published_at",
            "notice_summary",
            "performance",
            "functional",
        )
        .first()
    )
    if row is None:
        return PrivacyStatus()

    def published_after_grant(published_at: datetime | None) -> bool:
        if row["grant_id"] is None or published_at is None:
            return False
        agreed_at = row["grant_notice_published_at"]
        return agreed_at is None or published_at > agreed_at

    needs_reconsent = published_after_grant(row["newest_reconsent_published_at"])
    withdrawn = row["platform_granted"] is False
    new_notice = None
    if not (needs_reconsent or withdrawn) and published_after_grant(row["notice_published_at"]):
        new_notice = NoticeSummary(
            pk=row["notice_id"],
            version=row["notice_version"],
            published_at=row["notice_published_at"],
            summary_of_changes=row["notice_summary"],
        )
    return PrivacyStatus(
        has_platform_record=row["platform_granted"] is not None,
        platform_withdrawn=withdrawn,
        needs_reconsent=needs_reconsent,
        new_notice=new_notice,
        current_notice_id=row["notice_id"],
        cookies_performance=row["performance"],
        cookies_functional=row["functional"],
    )


def privacy_status_for_request(request: HttpRequest) -> PrivacyStatus:
    """``privacy_status`` for the signed-in user, read at most once per request."""
    status = getattr(request, "_privacy_status", None)
    if status is None:
        user = request.user
        status = privacy_status(user=user) if user.is_authenticated else PrivacyStatus()
        request._privacy_status = status
    return status


def user_needs_reconsent(*, user: User) -> bool:
    """True when a notice requiring re-consent has been published since the notice the
    user's newest platform consent was given under. A user who never gave platform
    consent (staff, for instance) has nothing to renew."""
    return privacy_status(user=user).needs_reconsent


def notices_published() -> list[PrivacyNotice]:
    """Every published notice, newest (the current one) first."""
    return list(PrivacyNotice.objects.published().order_by("-published_at", "-id"))


def notice_published(*, version: str) -> PrivacyNotice | None:
    return PrivacyNotice.objects.published().filter(version=version).first()


def notice_published_by_pk(*, pk: int) -> PrivacyNotice:
    """The published notice with this primary key (the one a banner showed)."""
    return PrivacyNotice.objects.published().get(pk=pk)
