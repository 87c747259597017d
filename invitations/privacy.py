"""The personal data invitations hold: who was invited, by which contact, for
which children, and the one-time codes of a claim."""

from django.db.models import Q

from invitations.models import ClaimCode, Invitation
from invitations.tokens import claim_code_reference, invitation_reference
from notifications.models import Message
from privacy.registry import PER_PARENT, USER, DataCategory, erase_grouped, iso, register

MESSAGE_REFERENCES = (invitation_reference, claim_code_reference)


def _addressed_to(user) -> Q:
    """The invitations sent to ``user``: linked to the account, accepted by it, or
    sent to its email or mobile before the account existed."""
    query = Q(parent=user) | Q(accepted_by=user)
    if user.email:
        query |= Q(email__iexact=user.email)
    if user.mobile:
        query |= Q(mobile=user.mobile)
    return query


def _delete(ids: list[int]) -> int:
    """Delete these invitations (their claim codes go with them) and the emails and
    texts they sent, which carry the contact's address and the children's names;
    the number of rows deleted."""
    if not ids:
        return 0
    references = [reference(pk) for pk in ids for reference in MESSAGE_REFERENCES]
    sent = Message.objects.filter(reference__in=references).delete()[0]
    return sent + Invitation.objects.filter(pk__in=ids).delete()[0]


@register
class InvitationCategory(DataCategory):
    """A parent's erasure deletes the invitations sent to them (their claim codes
    go with them) and the messages those invitations sent, whatever address they
    went to. A pupil's erasure takes the pupil off every invitation; an invitation
    left for no child is deleted the same way, one that still names another child
    stays for its contact's own erasure."""

    name = "invitations"
    description = "Invitations sent to a parent: name, email, mobile, channels, status, children."
    models = ("invitations.Invitation",)
    # A parent's copy has the invitations sent to them, not to the child's other parents.
    parent_copy = PER_PARENT

    def export_user(self, user):
        invitations = (
            Invitation.objects.filter(_addressed_to(user))
            .distinct()
            .select_related("school")
            .prefetch_related("pupils")
        )
        return [
            {
                "school": row.school.name,
                "contact_name": row.contact_name,
                "email": row.email,
                "mobile": row.mobile,
                "channels": row.channels,
                "status": row.status,
                "pupils": sorted(pupil.pk for pupil in row.pupils.all()),
                "created_at": iso(row.created_at),
                "accepted_at": iso(row.accepted_at),
            }
            for row in invitations.order_by("pk")
        ]

    def erase_user(self, user):
        ids = list(Invitation.objects.filter(_addressed_to(user)).values_list("pk", flat=True))
        return _delete(ids)

    def _export_pupil(self, rows):
        return [
            {"status": row.status, "created_at": iso(row.created_at)} for row in rows.order_by("pk")
        ]

    def export_pupil(self, pupil):
        return self._export_pupil(Invitation.objects.filter(pupils=pupil))

    def export_pupil_for_parent(self, pupil, parent):
        return self._export_pupil(
            Invitation.objects.filter(pupils=pupil).filter(_addressed_to(parent)).distinct()
        )

    def erase_pupil(self, pupil):
        ids = list(Invitation.objects.filter(pupils=pupil).values_list("pk", flat=True))
        touched = Invitation.pupils.through.objects.filter(pupil=pupil).delete()[0]
        # An invitation for this child alone now invites to nothing, and still names
        # the contact (another carer, perhaps one who never joined): it goes.
        orphaned = Invitation.objects.filter(pk__in=ids, pupils__isnull=True)
        return touched + _delete(list(orphaned.values_list("pk", flat=True)))


@register
class ClaimCodeCategory(DataCategory):
    name = "claim_codes"
    description = "One-time codes an account asked for to claim an invitation (hashes only)."
    models = ("invitations.ClaimCode",)
    subjects = (USER,)

    def export_user(self, user):
        return [
            {"created_at": iso(row.created_at), "used_at": iso(row.used_at)}
            for row in ClaimCode.objects.filter(user=user).order_by("pk")
        ]

    def erase_user(self, user):
        return ClaimCode.objects.filter(user=user).delete()[0]

    def erase_users(self, users):
        return erase_grouped(ClaimCode.objects.all(), "user", users, lambda rows: rows.delete())
