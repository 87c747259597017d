from django import forms


class EngagementChannelsForm(forms.Form):
    """The channels a parent wants engagement messages on: email, SMS, both or none."""

    engagement_email = forms.BooleanField(required=False, label="Email")
    engagement_sms = forms.BooleanField(required=False, label="Text message (SMS)")
