"""The project's form renderer: every `{{ form }}` and `{{ field.as_field_group }}` renders through one field
template (templates/schoolsafe/forms/field.html: label, "(optional)" on a field that may be left empty, help,
errors tied to the input with aria-describedby, Django's aria-invalid) and one form template with an error
summary at the top (templates/schoolsafe/forms/form.html), so that every page's form reads the same to a screen
reader and no app writes its own field markup. Set as FORM_RENDERER in settings.py."""

from __future__ import annotations

from django.forms.renderers import TemplatesSetting


class FormRenderer(TemplatesSetting):
    """Renders forms with the project's templates (found through TEMPLATES, hence "django.forms" in
    INSTALLED_APPS for Django's own widget templates)."""

    form_template_name = "schoolsafe/forms/form.html"
    field_template_name = "schoolsafe/forms/field.html"
