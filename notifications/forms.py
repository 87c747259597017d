from django import forms

from notifications.models import Message
from notifications.policy import channel_available


class EngagementChannelsForm(forms.Form):
    """What news a parent wants (new work, reminders, awards) and the channels it
    comes on: email, SMS, both or none."""

    new_work = forms.BooleanField(required=False, label="New work from the teacher")
    reminders = forms.BooleanField(
        required=False, label="Reminders before work is due, and from the teacher"
    )
    awards = forms.BooleanField(required=False, label="Awards your child earns")
    engagement_email = forms.BooleanField(required=False, label="Email")
    engagement_sms = forms.BooleanField(required=False, label="Text message (SMS)")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not channel_available(Message.Channel.SMS):
            # SMS is disabled on this portal: there is nothing to choose.
            del self.fields["engagement_sms"]
