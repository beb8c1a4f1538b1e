"""The channel form: parses what an administrator typed; the action (validation.py) decides what is valid."""

from __future__ import annotations

from typing import Any

from django import forms

from schoolsafe.events.kinds import channel_kinds
from schoolsafe.notifications.models import ChannelKind, NotificationChannel
from schoolsafe.notifications.validation import BODY_FORMATS, NAME_MAX

# Keyed by ChannelKind; looked up with a channel's `kind` (its text, equal to the member).
KIND_FIELDS: dict[str, list[str]] = {
    ChannelKind.EMAIL: ["recipients"],
    ChannelKind.WEBHOOK: ["url"],
    ChannelKind.SMS: ["url", "username", "token", "body_format", "recipients"],
}


class ChannelForm(forms.Form):
    """One form for the three kinds; the fields a kind does not use are dropped in __init__."""

    organization = forms.ChoiceField(label="Organization", required=False)
    name = forms.CharField(label="Name", max_length=NAME_MAX, required=False,
                           help_text="What this channel is, e.g. “Dispatch CAD webhook” or “Principal's phone”.")
    enabled = forms.BooleanField(label="Enabled (send notifications through this channel)", required=False,
                                 initial=True)
    event_kinds = forms.MultipleChoiceField(label="Events it carries", choices=lambda: list(channel_kinds().items()),
                                            widget=forms.CheckboxSelectMultiple, required=False)
    url = forms.CharField(label="Address (URL)", max_length=500, required=False,
                          widget=forms.TextInput(attrs={"inputmode": "url", "spellcheck": "false"}))
    username = forms.CharField(label="Gateway user name (account id)", max_length=200, required=False,
                               widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))
    token = forms.CharField(label="Gateway token (password or API key)", max_length=200, required=False,
                            widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}, render_value=False))
    body_format = forms.ChoiceField(label="Request format", choices=[(f, f) for f in BODY_FORMATS], required=False,
                                    initial="json",
                                    help_text="json: {\"to\": ..., \"body\": ...}; form: to=...&body=... (form-encoded)")
    recipients = forms.CharField(label="Recipients", required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, kind: str, organizations: list[tuple[str, str]] | None = None,
                 channel: NotificationChannel | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        for name in ("url", "username", "token", "body_format", "recipients"):
            if name not in KIND_FIELDS[kind]:
                del self.fields[name]
        if organizations is None:
            del self.fields["organization"]
        else:
            organization = self.fields["organization"]
            assert isinstance(organization, forms.ChoiceField)  # declared so above
            organization.choices = [("", "Choose…"), *organizations]
        if "recipients" in self.fields:
            if kind == ChannelKind.EMAIL:
                self.fields["recipients"].label = "Email addresses"
                self.fields["recipients"].help_text = "One per line (or separated by commas)."
            else:
                self.fields["recipients"].label = "Phone numbers"
                self.fields["recipients"].help_text = ("One per line, with the country code, e.g. +1 352 555 0100 "
                                                       "(10-digit numbers are taken as North American).")
        if kind == ChannelKind.WEBHOOK:
            self.fields["url"].help_text = ("Where SchoolSafe POSTs signed JSON (https://). "
                                            "See the webhook documentation for how to verify the signature.")
        elif kind == ChannelKind.SMS:
            self.fields["url"].help_text = "The SMS gateway's send endpoint (https://); we POST to, body to it."
            if channel is not None and channel.secret:
                self.fields["token"].help_text = "A token is stored; leave this empty to keep it."

    @staticmethod
    def initial_for(channel: NotificationChannel) -> dict[str, Any]:
        config = channel.config
        return {
            "name": channel.name, "enabled": channel.enabled, "event_kinds": channel.event_kinds,
            "url": config.get("url", ""), "username": config.get("username", ""),
            "body_format": config.get("body_format", "json"), "recipients": "\n".join(config.get("recipients", [])),
        }

    def action_arguments(self) -> dict[str, Any]:
        """The cleaned fields as keyword arguments of do_create_channel / do_update_channel."""
        data = self.cleaned_data
        arguments = {"name": data.get("name", ""), "event_kinds": data.get("event_kinds", []),
                     "enabled": bool(data.get("enabled"))}
        for name in ("url", "username", "token", "recipients"):
            if name in self.fields:
                arguments[name] = data.get(name, "")
        if "body_format" in self.fields:
            arguments["body_format"] = data.get("body_format") or "json"
        return arguments

    def add_action_errors(self, errors: dict[str, str]) -> None:
        """Put an action's field errors beside their fields, and tie each field to its message."""
        for field, message in errors.items():
            self.add_error(field if field in self.fields else None, message)
        for name in self.errors:
            if name in self.fields:
                bound = self[name]
                described = [f"{bound.auto_id}_error"]
                if self.fields[name].help_text:
                    described.append(f"{bound.auto_id}_helptext")
                self.fields[name].widget.attrs["aria-describedby"] = " ".join(described)
