"""Which families' comments and photos may be used to promote the programme.

Nothing about it is stored on the feedback: it follows the author's *current*
``media_promotion`` consent, their newest record in the consent ledger for that
purpose, read in the same query as the feedback. Withdrawing consent takes their
comments and photos out of the very next selection; giving it again puts them back.
"""

from __future__ import annotations

from django.db.models import OuterRef, Q, QuerySet, Subquery

from consent.models import ConsentRecord, Purpose
from learning.models import Feedback
from schools.models import School


def _promotion_consent_now() -> Subquery:
    """Whether the feedback's author currently consents to media promotion (NULL:
    they never chose, which is no)."""
    return Subquery(
        ConsentRecord.objects.filter(user=OuterRef("parent"), purpose=Purpose.MEDIA_PROMOTION)
        .order_by("-created_at", "-id")
        .values("granted")[:1]
    )


def feedback_for_promotion(*, school: School | None = None) -> QuerySet[Feedback]:
    """Comments and photos usable for promotion now, newest first, in one query.

    Only feedback that staff may see (approved, or not rejected at a school that
    does not moderate), not removed, with a comment or a photo, by a parent whose
    account is open and unrestricted and whose newest ``media_promotion`` record
    is a grant. ``school``: only that school's pupils.
    """
    visible = Q(moderation_status=Feedback.Moderation.APPROVED) | Q(
        pupil__school__moderate_feedback=False,
        moderation_status=Feedback.Moderation.PENDING,
    )
    feedback = (
        Feedback.objects.filter(
            visible,
            removed_at__isnull=True,
            parent__closed_at__isnull=True,
            parent__processing_restricted=False,
        )
        .exclude(comment="", photo="")
        .annotate(promotion_consent=_promotion_consent_now())
        .filter(promotion_consent=True)
        .select_related("activity", "pupil__school")
        .order_by("-created_at", "-pk")
    )
    if school is not None:
        feedback = feedback.filter(pupil__school=school)
    return feedback
