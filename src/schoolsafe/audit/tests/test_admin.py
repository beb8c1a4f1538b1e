"""What is done in the Django admin is in the audit chain, and so is what a superuser
opens there (schoolsafe.audit.admin_site)."""

from __future__ import annotations

import pytest

from schoolsafe.accounts.models import Membership
from schoolsafe.alerts.actions import do_raise_alert, load_school
from schoolsafe.alerts.models import EscalationPolicy
from schoolsafe.audit.models import AuditEntry
from schoolsafe.testing.factories import UserFactory
from schoolsafe.testing.personas import PASSWORD, client_for


@pytest.fixture
def superuser(db):
    return UserFactory(username="platform_admin", password=PASSWORD, is_staff=True, is_superuser=True)


def rows(action: str, object_type: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action, object_type=object_type).order_by("id"))


def test_25_3_granting_a_role_in_the_admin_is_audited(superuser, teacher_a, world):
    admin = client_for(superuser)
    response = admin.post("/admin/accounts/membership/add/", {
        "user": teacher_a.pk, "role": "tip_analyst", "district": world.district_a.pk, "agency": "", "school": "",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    membership = Membership.objects.get(user=teacher_a, role="tip_analyst")
    [entry] = rows("admin.added", "accounts.membership")
    assert entry.actor_id == superuser.pk and entry.object_id == str(membership.pk)
    assert entry.organization == f"district:{world.district_a.pk}", "the district's administrators see it"
    assert entry.summary["via"] == "admin" and "Tip analyst" in entry.object_repr

    response = admin.post(f"/admin/accounts/membership/{membership.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302 and not Membership.objects.filter(pk=membership.pk).exists()
    [removed] = rows("admin.deleted", "accounts.membership")
    assert removed.object_id == str(membership.pk) and removed.organization == entry.organization


def test_25_3_editing_an_escalation_policy_in_the_admin_is_audited(superuser, world):
    policy = EscalationPolicy.objects.create(agency=world.agency_a, ack_timeout_seconds=60)
    admin = client_for(superuser)
    response = admin.post(f"/admin/alerts/escalationpolicy/{policy.pk}/change/", {
        "agency": world.agency_a.pk, "school": "", "enabled": "on", "ack_timeout_seconds": 15,
        "escalate_to_role": policy.escalate_to_role, "repeats": policy.repeats,
        "repeat_every_seconds": policy.repeat_every_seconds,
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    policy.refresh_from_db()
    assert policy.ack_timeout_seconds == 15
    [entry] = rows("admin.changed", "alerts.escalationpolicy")
    assert entry.actor_id == superuser.pk and entry.object_id == str(policy.pk)
    assert entry.organization == f"agency:{world.agency_a.pk}"
    changed = [c["changed"]["fields"] for c in entry.summary["changes"] if "changed" in c]
    assert changed and any("timeout" in field.lower() for field in changed[0])


def test_25_3_a_superuser_opening_an_incident_in_the_admin_is_audited(superuser, teacher_a, world):
    alert, _ = do_raise_alert(teacher_a, load_school(world.school_a.pk), action="lockdown")
    admin = client_for(superuser)
    assert admin.get("/admin/alerts/alert/").status_code == 200
    [listed] = rows("admin.listed", "alerts.alert")
    assert listed.actor_id == superuser.pk
    assert admin.get(f"/admin/alerts/alert/{alert.pk}/change/").status_code == 200
    [viewed] = rows("admin.viewed", "alerts.alert")
    assert viewed.actor_id == superuser.pk and viewed.object_id == str(alert.pk)
    assert viewed.organization == f"school:{world.school_a.pk}", "the school's administrators see who looked"


def test_25_3_threat_cases_are_not_in_the_admin_at_all(superuser):
    admin = client_for(superuser)
    assert admin.get("/admin/threats/").status_code == 404
    assert "threats" not in admin.get("/admin/").content.decode().lower()


def test_25_3_every_registered_admin_is_audited():
    from django.contrib import admin

    from schoolsafe.audit.admin_site import AuditedModelAdminMixin

    assert admin.site._registry
    for model, model_admin in admin.site._registry.items():
        assert isinstance(model_admin, AuditedModelAdminMixin), model


def form_data(page) -> dict:
    """The values an admin change form would post back unchanged (main form and inline management forms)."""
    from django.forms import MultiWidget

    data: dict = {}
    form = page.context["adminform"].form
    for name, field in form.fields.items():
        if field.disabled:
            continue
        value = form[name].value()
        if isinstance(field.widget, MultiWidget):
            parts = field.widget.decompress(value)
            assert parts is not None  # a MultiWidget subclass gives one value per subwidget (the base raises)
            for i, part in enumerate(parts):
                data[f"{name}_{i}"] = "" if part is None else part
        elif isinstance(value, list):
            data[name] = [str(v) for v in value]
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = value
    for formset in page.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
    return data


def test_25_3_granting_a_role_on_a_persons_admin_page_is_audited(superuser, teacher_a, world):
    admin = client_for(superuser)
    url = f"/admin/accounts/user/{teacher_a.pk}/change/"
    data = form_data(admin.get(url))
    prefix = "memberships"
    total = int(data[f"{prefix}-TOTAL_FORMS"])
    existing = teacher_a.memberships.order_by("pk")
    for i, membership in enumerate(existing):
        data.update({f"{prefix}-{i}-id": membership.pk, f"{prefix}-{i}-user": teacher_a.pk,
                     f"{prefix}-{i}-role": membership.role, f"{prefix}-{i}-school": membership.school_id or "",
                     f"{prefix}-{i}-district": membership.district_id or "", f"{prefix}-{i}-agency": membership.agency_id or ""})
    data.update({f"{prefix}-TOTAL_FORMS": total + 1, f"{prefix}-{total}-user": teacher_a.pk,
                 f"{prefix}-{total}-role": "tip_analyst", f"{prefix}-{total}-district": world.district_a.pk,
                 f"{prefix}-{total}-school": "", f"{prefix}-{total}-agency": ""})
    response = admin.post(url, data)
    assert response.status_code == 302, response.context["errors"] if response.context else response
    assert Membership.objects.filter(user=teacher_a, role="tip_analyst").exists()
    [entry] = rows("admin.changed", "accounts.user")
    assert entry.object_id == str(teacher_a.pk) and entry.organization == f"school:{world.school_a.pk}"
    added = [c["added"] for c in entry.summary["changes"] if "added" in c]
    assert added and "Tip analyst" in added[0]["object"]
