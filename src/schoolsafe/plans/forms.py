"""Forms of the plan pages: they parse and check input; the actions write."""

from __future__ import annotations

from django import forms

from schoolsafe.plans.models import ThreatHazard
from schoolsafe.plans.outline import SECTION_KINDS
from schoolsafe.plans.srp import ACTION_LABELS, ACTIONS


class SectionForm(forms.Form):
    title = forms.CharField(max_length=200)
    body = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 18}), max_length=100_000,
                           help_text="Markdown: **bold**, *italic*, lists with '-', tables with '|'.")


class NewSectionForm(forms.Form):
    kind = forms.ChoiceField(choices=SECTION_KINDS, initial="threat")
    title = forms.CharField(max_length=200)


class TeamMemberForm(forms.Form):
    name = forms.CharField(max_length=150)
    role = forms.CharField(max_length=150, help_text="For instance: team lead, facilities, school resource officer")
    organization = forms.CharField(max_length=200, required=False)
    phone = forms.CharField(max_length=40, required=False)
    email = forms.EmailField(required=False)


def _rating(label: str, choices: dict[int, str]) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(label=label, coerce=int, choices=[(k, f"{k}: {v}") for k, v in choices.items()])


class HazardForm(forms.Form):
    name = forms.CharField(max_length=150)
    category = forms.ChoiceField(choices=ThreatHazard.Category.choices)
    probability = _rating("Probability", ThreatHazard.PROBABILITY)
    magnitude = _rating("Magnitude", ThreatHazard.MAGNITUDE)
    warning_time = _rating("Warning time", ThreatHazard.WARNING_TIME)
    duration = _rating("Duration", ThreatHazard.DURATION)


class ResponseProtocolForm(forms.Form):
    shelter_strategies = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 5}),
        help_text="One hazard per line: 'hazard: safety strategy', e.g. 'tornado: Evacuate to shelter area'.")
    evacuation_locations = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                           help_text="One location per line, primary first.")
    reunification_locations = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                              help_text="One location per line, primary first.")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The five directives first, in the protocol's order.
        directive_fields = {a: forms.CharField(label=f"{ACTION_LABELS[a]} directive", max_length=300) for a in ACTIONS}
        # The Spanish wording every alert channel also carries; empty: the SRP's own Spanish.
        spanish_fields = {f"{a}_es": forms.CharField(label=f"{ACTION_LABELS[a]} directive in Spanish", max_length=300,
                                                     required=False, help_text="Empty: the SRP's Spanish wording.")
                          for a in ACTIONS}
        self.fields = {**directive_fields, **spanish_fields, **self.fields}

    def clean_shelter_strategies(self) -> dict[str, str]:
        strategies = {}
        for number, line in enumerate(self.cleaned_data["shelter_strategies"].splitlines(), start=1):
            if not line.strip():
                continue
            hazard, sep, strategy = line.partition(":")
            if not sep or not hazard.strip() or not strategy.strip():
                raise forms.ValidationError(f"line {number}: write 'hazard: safety strategy' (got {line.strip()!r})")
            strategies[hazard.strip().lower()] = strategy.strip()
        return strategies


class ContactForm(forms.Form):
    name = forms.CharField(max_length=150)
    role = forms.CharField(max_length=150)
    phone = forms.CharField(max_length=40)
    alternate_phone = forms.CharField(max_length=40, required=False)


class AccessForm(forms.Form):
    access_information = forms.CharField(
        required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Keys and who holds them, gate codes, Knox box, alarm panel, where responders enter.")


class SiteMapImportForm(forms.Form):
    file = forms.FileField(label="GeoJSON file", help_text="A .geojson FeatureCollection; replaces the map.")
