"""Signal receivers for invitations, connected in InvitationsConfig.ready."""

from django.dispatch import receiver

from invitations.services import invitation_status_follow
from invitations.tokens import invitation_id_from_reference
from notifications.signals import message_status_changed


@receiver(message_status_changed, dispatch_uid="invitations.invitation_follows_its_messages")
def invitation_follows_its_messages(sender, message, **kwargs) -> None:
    """An invitation's status (sent, delivered, bounced...) follows its messages'."""
    invitation_id = invitation_id_from_reference(message.reference)
    if invitation_id is not None:
        invitation_status_follow(invitation_id=invitation_id)
