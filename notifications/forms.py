from django import forms

from notifications.models import Message
from notifications.policy import channel_available


class EngagementChannelsForm(forms.Form):
    """The channels a parent wants engagement messages on: email, SMS, both or none."""

    engagement_email = forms.BooleanField(required=False, label="Email")
    engagement_sms = forms.BooleanField(required=False, label="Text message (SMS)")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not channel_available(Message.Channel.SMS):
            # SMS is disabled on this portal: there is nothing to choose.
            del self.fields["engagement_sms"]
