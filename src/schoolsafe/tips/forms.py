"""Forms for tips: the public submission and follow-up, and the analysts' triage forms.

The web pages and the JSON API share these, so a tip is checked the same way whichever way it comes.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from schoolsafe.core.models import School
from schoolsafe.tips.actions import TipInput
from schoolsafe.tips.models import Category, Destination, Outcome

MAX_TEXT = 5000


def school_cache_key(school_id: int) -> str:
    return f"tips:school:{school_id}"


class TipForm(forms.Form):
    """What a tipster tells us. Only `category`, `school` and `what` are required."""

    category = forms.ChoiceField(
        label=_("What is it about?"), choices=Category.choices, widget=forms.RadioSelect,
        error_messages={"required": _("Choose what the tip is about."),
                        "invalid_choice": _("Choose one of the listed kinds of tip.")},
    )
    school = forms.IntegerField(
        label=_("School"), min_value=1,
        error_messages={"required": _("Choose the school."), "invalid": _("Choose a school from the list."),
                        "min_value": _("Choose a school from the list.")},
    )
    what = forms.CharField(
        label=_("What is happening?"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Tell us what is happening."),
                        "max_length": _("Please keep it under %(limit_value)d characters.")},
    )
    when_text = forms.CharField(label=_("When?"), max_length=300, required=False,
                                error_messages={"max_length": _("Please keep it under %(limit_value)d characters.")})
    where_text = forms.CharField(label=_("Where?"), max_length=300, required=False,
                                 error_messages={"max_length": _("Please keep it under %(limit_value)d characters.")})
    who_text = forms.CharField(label=_("Who is involved?"), max_length=2000, required=False,
                               widget=forms.Textarea(attrs={"rows": 3}),
                               error_messages={"max_length": _("Please keep it under %(limit_value)d characters.")})

    def clean_school(self) -> School:
        school_id = self.cleaned_data["school"]
        # Every tip names its school: a minute's cache spares the query in a flood of tips. Removing or
        # moving a school clears its entry (apps.py); schools change a few times a year.
        key = school_cache_key(school_id)
        known = cache.get(key)
        if known is None:
            known = School.objects.filter(pk=school_id).values_list("name", "district_id").first() or False
            cache.set(key, known, 60)
        if not known:
            raise forms.ValidationError(_("We do not know this school. Choose one from the list."), code="unknown")
        name, district_id = known
        return School(pk=school_id, name=name, district_id=district_id)

    def tip_input(self, language: str) -> TipInput:
        data = self.cleaned_data
        return TipInput(category=data["category"], school=data["school"], what=data["what"].strip(),
                        when_text=data["when_text"].strip(), where_text=data["where_text"].strip(),
                        who_text=data["who_text"].strip(), language=language)


class LookupForm(forms.Form):
    """The tipster's code and passphrase."""

    code = forms.CharField(label=_("Tip code"), max_length=20,
                           error_messages={"required": _("Enter your tip code.")})
    passphrase = forms.CharField(label=_("Passphrase"), max_length=40,
                                 error_messages={"required": _("Enter your passphrase.")})


class TipsterMessageForm(forms.Form):
    """More information or an answer from the tipster."""

    body = forms.CharField(label=_("Your message"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 5}),
                           error_messages={"required": _("Write your message."),
                                           "max_length": _("Please keep it under %(limit_value)d characters.")})


class MessageForm(forms.Form):
    body = forms.CharField(label="Message to the tipster", max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 4}))


class NoteForm(forms.Form):
    body = forms.CharField(label="Internal note (never shown to the tipster)", max_length=MAX_TEXT,
                           widget=forms.Textarea(attrs={"rows": 3}))


class RouteForm(forms.Form):
    destination = forms.ChoiceField(label="Route to", choices=Destination.choices)
    note = forms.CharField(label="Note for them", max_length=2000, required=False)


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(label="Outcome", choices=[("", "Choose an outcome…"), *Outcome.choices],
                                error_messages={"required": "Choose the outcome: a tip closes only with one."})
    note = forms.CharField(label="What was done", max_length=MAX_TEXT, required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))


class AssignForm(forms.Form):
    assignee = forms.ChoiceField(label="Assign to")

    def __init__(self, *args: Any, analysts: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.analysts = {str(a.pk): a for a in analysts}
        assignee = self.fields["assignee"]
        assert isinstance(assignee, forms.ChoiceField)
        assignee.choices = [(str(a.pk), a.display_name) for a in analysts]

    def clean_assignee(self) -> Any:
        return self.analysts[self.cleaned_data["assignee"]]


class PhoneTipForm(TipForm):
    """A tip received by phone, typed in by staff (the school is chosen from the analyst's schools)."""

    language = forms.ChoiceField(label="Language of the caller", choices=[("en", "English"), ("es", "Spanish")],
                                 initial="en")
