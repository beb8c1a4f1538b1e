"""Every write to plans, site maps and responder information. Each is atomic and leaves an audit row."""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from schoolsafe.access.orgkey import OrgKey
from schoolsafe.access.policy import reached_schools
from schoolsafe.audit.log import record
from schoolsafe.core.errors import ActionError
from schoolsafe.notifications.mail import attempt_mail, queue_mail
from schoolsafe.plans import outline
from schoolsafe.plans.models import (
    REVIEW_INTERVAL,
    EmergencyContact,
    Plan,
    PlanningTeamMember,
    PlanReminder,
    PlanSection,
    PlanSignOff,
    PlanTemplate,
    PlanVersion,
    ResponderInfo,
    ResponseProtocol,
    SiteMap,
    ThreatHazard,
)
from schoolsafe.plans.policies import POLICE_LEADS, SIGNOFF_ROLES
from schoolsafe.plans.sitemap import check_site_map_with_warnings
from schoolsafe.plans.srp import ACTIONS, DEFAULT_DIRECTIVES, DEFAULT_SHELTER_STRATEGIES

Status = PlanVersion.Status
REMINDER_LEAD = dt.timedelta(days=30)


class PlanError(ActionError, ValueError):
    """A plan step that cannot be taken now; the message says why, in the user's words."""

    status = 409


def _org(school: Any) -> str:
    return str(OrgKey.of(school))


# --- templates ------------------------------------------------------------------------------------


def template_for(district: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(sections, hazards) a new plan in this district starts from: the district's template or the built-in one."""
    template = PlanTemplate.objects.filter(district=district).first()
    if template is not None and template.sections:
        return template.sections, template.hazards
    return builtin_template()


def builtin_template() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    sections = [{"key": s.key, "kind": s.kind, "title": s.title, "body": s.body} for s in outline.SECTIONS]
    hazards = [{"name": n, "category": c, "probability": p, "magnitude": m, "warning_time": w, "duration": d}
               for n, c, p, m, w, d in outline.HAZARDS]
    return sections, hazards


def _unique_key(title: str, taken: set[str]) -> str:
    base = slugify(title)[:50].replace("-", "_") or "section"
    key, n = base, 2
    while key in taken:
        key, n = f"{base}_{n}", n + 1
    return key


def do_save_template_section(actor: Any, district: Any, *, key: str | None, kind: str, title: str,
                             body: str) -> PlanTemplate:
    """Change one section of a district's plan template, or add one (key None)."""
    title = title.strip()
    if not title:
        raise PlanError("title: a section needs a title")
    if kind not in outline.KIND_ORDER:
        raise PlanError(f"kind: unknown section kind {kind!r}")
    with transaction.atomic():
        template, _ = PlanTemplate.objects.select_for_update().get_or_create(district=district)
        if not template.sections:
            template.sections, template.hazards = builtin_template()
        sections = list(template.sections)
        if key is None:
            key = _unique_key(title, {s["key"] for s in sections})
            sections.append({"key": key, "kind": kind, "title": title, "body": body})
            sections.sort(key=lambda s: outline.KIND_ORDER[s["kind"]])
        else:
            match = next((s for s in sections if s["key"] == key), None)
            if match is None:
                raise PlanError(f"the template has no section {key!r}")
            match.update(title=title, body=body)
        template.sections = sections
        template.updated_by = actor
        template.save()
        record(actor, "plans.save_template_section", template, organization=OrgKey.district(district.pk),
               summary={"section": key, "title": title})
    return template


# --- plans and their contents ---------------------------------------------------------------------


def do_create_plan(actor: Any, school: Any) -> Plan:
    """Start a school's plan: version 1, a draft copied from the district's template."""
    with transaction.atomic():
        if Plan.objects.filter(school=school).exists():
            raise PlanError(f"{school} already has a plan")
        plan = Plan.objects.create(school=school)
        version = PlanVersion.objects.create(plan=plan, number=1, created_by=actor)
        sections, hazards = template_for(school.district)
        PlanSection.objects.bulk_create(
            PlanSection(version=version, position=i, **{k: s[k] for k in ("key", "kind", "title", "body")})
            for i, s in enumerate(sections)
        )
        ThreatHazard.objects.bulk_create(ThreatHazard(version=version, **h) for h in hazards)
        if getattr(actor, "is_authenticated", False):
            PlanningTeamMember.objects.create(version=version, name=actor.display_name, role="Team lead",
                                              organization=school.name, phone=actor.phone, email=actor.email)
        record(actor, "plans.create_plan", plan, organization=_org(school),
               summary={"version": 1, "sections": len(sections), "hazards": len(hazards)})
    return plan


def _require_draft(version: PlanVersion) -> None:
    if version.status != Status.DRAFT:
        raise PlanError(f"version {version.number} is {version.get_status_display().lower()}; only a draft can be "
                        f"edited (start a new version to change an approved plan)")


def _school(version: PlanVersion) -> Any:
    return version.plan.school


def do_update_section(actor: Any, section: PlanSection, *, title: str, body: str) -> PlanSection:
    """Change the title and markdown text of one section of a draft."""
    title = title.strip()
    if not title:
        raise PlanError("title: a section needs a title")
    with transaction.atomic():
        section = PlanSection.objects.select_for_update().select_related("version__plan__school").get(pk=section.pk)
        _require_draft(section.version)
        changed = section.title != title or section.body != body
        section.title, section.body = title, body
        section.save(update_fields=["title", "body"])
        record(actor, "plans.update_section", section.version, organization=_org(_school(section.version)),
               summary={"section": section.key, "changed": changed})
    return section


def do_add_section(actor: Any, version: PlanVersion, *, kind: str, title: str, body: str = "") -> PlanSection:
    """Add an annex (say, a flood annex) to a draft."""
    title = title.strip()
    if not title:
        raise PlanError("title: a section needs a title")
    if kind not in outline.KIND_ORDER:
        raise PlanError(f"kind: unknown section kind {kind!r}")
    with transaction.atomic():
        _require_draft(version)
        taken = set(version.sections.values_list("key", flat=True))
        last = version.sections.order_by("-position").values_list("position", flat=True).first() or 0
        section = PlanSection.objects.create(version=version, key=_unique_key(title, taken), kind=kind, title=title,
                                             body=body, position=last + 1)
        record(actor, "plans.add_section", version, organization=_org(_school(version)),
               summary={"section": section.key, "title": title})
    return section


def do_remove_section(actor: Any, section: PlanSection) -> None:
    """Remove an added annex from a draft; the guide's sections stay."""
    with transaction.atomic():
        _require_draft(section.version)
        if section.key in outline.SECTION_BY_KEY:
            raise PlanError(f"{section.title} is part of every plan and cannot be removed")
        record(actor, "plans.remove_section", section.version, organization=_org(_school(section.version)),
               summary={"section": section.key, "title": section.title})
        section.delete()


def do_add_team_member(actor: Any, version: PlanVersion, **fields: Any) -> PlanningTeamMember:
    """Add a person to the planning team of a draft."""
    if not str(fields.get("name", "")).strip() or not str(fields.get("role", "")).strip():
        raise PlanError("name and role: a team member needs a name and a role")
    with transaction.atomic():
        _require_draft(version)
        member = PlanningTeamMember.objects.create(version=version, **fields)
        record(actor, "plans.add_team_member", version, organization=_org(_school(version)),
               summary={"name": member.name, "role": member.role})
    return member


def do_remove_team_member(actor: Any, member: PlanningTeamMember) -> None:
    """Take a person off the planning team of a draft."""
    with transaction.atomic():
        _require_draft(member.version)
        record(actor, "plans.remove_team_member", member.version, organization=_org(_school(member.version)),
               summary={"name": member.name})
        member.delete()


def do_save_hazard(actor: Any, version: PlanVersion, hazard: ThreatHazard | None = None, **fields: Any) -> ThreatHazard:
    """Add a threat or hazard to a draft's risk assessment, or change its ratings."""
    for rating in ("probability", "magnitude", "warning_time", "duration"):
        if fields.get(rating) not in (1, 2, 3, 4):
            raise PlanError(f"{rating}: must be a rating from 1 to 4")
    if not str(fields.get("name", "")).strip():
        raise PlanError("name: a threat or hazard needs a name")
    with transaction.atomic():
        _require_draft(version)
        if hazard is None:
            hazard = ThreatHazard.objects.create(version=version, **fields)
        else:
            for field, value in fields.items():
                setattr(hazard, field, value)
            hazard.save()
        record(actor, "plans.save_hazard", version, organization=_org(_school(version)),
               summary={"hazard": hazard.name, "score": hazard.risk_score})
    return hazard


def do_remove_hazard(actor: Any, hazard: ThreatHazard) -> None:
    """Remove a threat or hazard from a draft's risk assessment."""
    with transaction.atomic():
        _require_draft(hazard.version)
        record(actor, "plans.remove_hazard", hazard.version, organization=_org(_school(hazard.version)),
               summary={"hazard": hazard.name})
        hazard.delete()


# --- workflow -------------------------------------------------------------------------------------


def required_signoffs(version: PlanVersion) -> list[tuple[str, str]]:
    """(kind, label) of every sign-off the version needs before approval."""
    titles = dict(version.sections.values_list("key", "title"))
    needed = [(PlanSignOff.SCHOOL_ADMIN, "the school administrator"),
              (PlanSignOff.DISTRICT_DIRECTOR, "the district safety director")]
    for annex in outline.POLICE_SIGNOFF_ANNEXES:
        title = titles.get(annex) or outline.SECTION_BY_KEY[annex].title
        needed.append((f"police:{annex}", f"the serving police agency on the {title}"))
    return needed


def missing_signoffs(version: PlanVersion) -> list[tuple[str, str]]:
    done = set(version.signoffs.values_list("kind", flat=True))
    return [(kind, label) for kind, label in required_signoffs(version) if kind not in done]


def signoffs_open_to(user: Any, version: PlanVersion) -> list[tuple[str, str]]:
    """The missing sign-offs this user may give on this version (for the buttons on the plan page)."""
    if version.status != Status.IN_REVIEW:
        return []
    return [(kind, label) for kind, label in missing_signoffs(version) if _signing_membership(user, version, kind)]


def _signing_membership(user: Any, version: PlanVersion, kind: str) -> Any:
    """The membership through which `user` may give sign-off `kind` on the version's school, or None."""
    school = _school(version)
    roles = POLICE_LEADS if kind.startswith("police:") else SIGNOFF_ROLES.get(kind)
    if not roles or not reached_schools(user, roles).filter(pk=school.pk).exists():
        return None
    from schoolsafe.access.policy import memberships

    for m in memberships(user):
        if m.role not in roles:
            continue
        if (m.school_id == school.pk or m.district_id == school.district_id
                or (m.agency_id and school.agencies.filter(pk=m.agency_id).exists())):
            return m
    return None


def do_submit_plan(actor: Any, version: PlanVersion) -> PlanVersion:
    """Send a draft for review: its text is frozen while the sign-offs are collected."""
    with transaction.atomic():
        version = PlanVersion.objects.select_for_update().get(pk=version.pk)
        if version.status != Status.DRAFT:
            raise PlanError(f"only a draft can be sent for review; version {version.number} is "
                            f"{version.get_status_display().lower()}")
        version.status, version.submitted_at = Status.IN_REVIEW, timezone.now()
        version.save(update_fields=["status", "submitted_at"])
        record(actor, "plans.submit_plan", version, organization=_org(_school(version)),
               summary={"version": version.number})
    return version


def do_return_plan_to_draft(actor: Any, version: PlanVersion, *, reason: str = "") -> PlanVersion:
    """Send a version under review back for changes; the sign-offs it had are withdrawn."""
    with transaction.atomic():
        version = PlanVersion.objects.select_for_update().get(pk=version.pk)
        if version.status != Status.IN_REVIEW:
            raise PlanError("only a version in review can be returned to draft")
        withdrawn = list(version.signoffs.values_list("kind", flat=True))
        # A sign-off approves the text as it stood; once the text may change it no longer holds.
        version.signoffs.all().delete()
        version.status, version.submitted_at = Status.DRAFT, None
        version.save(update_fields=["status", "submitted_at"])
        record(actor, "plans.return_plan_to_draft", version, organization=_org(_school(version)),
               summary={"version": version.number, "reason": reason[:500], "withdrawn_signoffs": withdrawn})
    return version


def do_sign_off_plan(actor: Any, version: PlanVersion, kind: str) -> PlanSignOff:
    """Give one of the sign-offs a version in review needs, in the role it needs."""
    kinds = dict(required_signoffs(version))
    if kind not in kinds:
        raise PlanError(f"kind: unknown sign-off {kind!r}")
    with transaction.atomic():
        version = PlanVersion.objects.select_for_update().select_related("plan__school__district").get(pk=version.pk)
        if version.status != Status.IN_REVIEW:
            raise PlanError("sign-offs are given on a version in review; send the draft for review first")
        membership = _signing_membership(actor, version, kind)
        if membership is None:
            raise PlanError(f"only {kinds[kind]} can give this sign-off")
        existing = version.signoffs.filter(kind=kind).first()
        if existing is not None:
            raise PlanError(f"{kinds[kind][0].upper()}{kinds[kind][1:]} already signed off ({existing.signer_name})")
        signoff = PlanSignOff.objects.create(
            version=version, kind=kind, user=actor, signer_name=actor.display_name,
            organization=str(membership.organization), signed_at=timezone.now())
        record(actor, "plans.sign_off_plan", version, organization=_org(_school(version)),
               summary={"version": version.number, "kind": kind, "as": membership.role,
                        "organization": signoff.organization})
    return signoff


def do_approve_plan(actor: Any, version: PlanVersion) -> PlanVersion:
    """Approve a version in review once every required sign-off is in; the approved one before it is archived."""
    with transaction.atomic():
        version = PlanVersion.objects.select_for_update().select_related("plan__school").get(pk=version.pk)
        if version.status != Status.IN_REVIEW:
            raise PlanError(f"only a version in review can be approved; version {version.number} is "
                            f"{version.get_status_display().lower()}")
        missing = missing_signoffs(version)
        if missing:
            raise PlanError("cannot approve yet: waiting for the sign-off of " + "; ".join(label for _, label in missing))
        now = timezone.now()
        archived = list(version.plan.versions.filter(status=Status.APPROVED).values_list("number", flat=True))
        version.plan.versions.filter(status=Status.APPROVED).update(status=Status.ARCHIVED, archived_at=now)
        version.status, version.approved_at = Status.APPROVED, now
        version.save(update_fields=["status", "approved_at"])
        plan = version.plan
        review_due = plan.review_due = timezone.localdate(now) + REVIEW_INTERVAL
        plan.save(update_fields=["review_due"])
        record(actor, "plans.approve_plan", version, organization=_org(plan.school),
               summary={"version": version.number, "archived": archived, "review_due": review_due})
        transaction.on_commit(lambda: _schedule_reminders(review_due))
    return version


def do_start_plan_revision(actor: Any, plan: Plan) -> PlanVersion:
    """Start the next version as a draft copied from the approved one (or the latest)."""
    with transaction.atomic():
        plan = Plan.objects.select_for_update().get(pk=plan.pk)
        if plan.versions.filter(status__in=PlanVersion.OPEN).exists():
            raise PlanError("a version is already being written or reviewed; finish it first")
        source = plan.approved_version or plan.latest_version
        number = (plan.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
        version = PlanVersion.objects.create(plan=plan, number=number, based_on=source, created_by=actor)
        if source is not None:
            PlanSection.objects.bulk_create(
                PlanSection(version=version, key=s.key, kind=s.kind, title=s.title, body=s.body, position=s.position)
                for s in source.sections.all())
            PlanningTeamMember.objects.bulk_create(
                PlanningTeamMember(version=version, name=m.name, role=m.role, organization=m.organization,
                                   phone=m.phone, email=m.email) for m in source.team.all())
            ThreatHazard.objects.bulk_create(
                ThreatHazard(version=version, name=h.name, category=h.category, probability=h.probability,
                             magnitude=h.magnitude, warning_time=h.warning_time, duration=h.duration)
                for h in source.hazards.all())
        record(actor, "plans.start_plan_revision", version, organization=_org(plan.school),
               summary={"version": number, "based_on": source.number if source else None})
    return version


# --- reminders ------------------------------------------------------------------------------------


def _reminder_recipients(school: Any) -> list[str]:
    from django.db.models import Q

    from schoolsafe.accounts.models import Membership

    emails = Membership.objects.filter(
        Q(role="school_admin", school=school) | Q(role="district_director", district_id=school.district_id),
        user__is_active=True,
    ).values_list("user__email", flat=True)
    return sorted({e for e in emails if e})


def _schedule_reminders(review_due: dt.date) -> None:
    """Queue the sweeps that will remind of this review: 30 days before it and the day after."""
    from schoolsafe.plans.tasks import send_plan_review_reminders

    zone = timezone.get_current_timezone()
    for day in (review_due - REMINDER_LEAD, review_due + dt.timedelta(days=1)):
        # 07:00 local: a reminder read at the start of the school day.
        at = dt.datetime.combine(day, dt.time(7, 0), tzinfo=zone)
        send_plan_review_reminders.using(run_after=at).enqueue()


def do_send_plan_review_reminders(today: dt.date | None = None) -> int:
    """Remind the school administrators and district directors of plans due for review within 30 days
    or overdue; each plan gets one reminder of each kind per due date. Returns how many were sent."""
    today = today or timezone.localdate()
    sent = 0
    due = Plan.objects.filter(review_due__isnull=False, review_due__lte=today + REMINDER_LEAD).select_related(
        "school__district")
    for plan in due:
        review_due = plan.review_due
        assert review_due is not None  # filtered review_due__isnull=False
        kind = "overdue" if review_due < today else "due_soon"
        with transaction.atomic():
            # The unique row is the claim: a second worker running at once finds it and sends nothing.
            reminder, created = PlanReminder.objects.get_or_create(
                plan=plan, kind=kind, due_date=review_due, defaults={"sent_at": timezone.now()})
            if not created:
                continue
            recipients = _reminder_recipients(plan.school)
            reminder.recipients = len(recipients)
            reminder.save(update_fields=["recipients"])
            record("schoolsafe worker", "plans.send_review_reminder", plan, organization=_org(plan.school),
                   summary={"kind": kind, "due": plan.review_due, "recipients": len(recipients)})
            if recipients:
                subject = (f"Emergency operations plan of {plan.school} is overdue for review" if kind == "overdue"
                           else f"Emergency operations plan of {plan.school} is due for review on {plan.review_due}")
                body = (f"The yearly review of the emergency operations plan of {plan.school} is due on "
                        f"{plan.review_due:%B %d, %Y}.\n\nStart a new version in SchoolSafe (Emergency plans), have "
                        f"the planning team review it and collect the sign-offs.\n")
                # A mail row first: a mail server that is down delays it; the worker retries and logs it.
                mail = queue_mail("plans.send_review_reminder", subject, body, recipients)
                transaction.on_commit(functools.partial(attempt_mail, mail.pk))
        sent += 1
    return sent


# --- Standard Response Protocol, site map, responder information --------------------------------


def do_update_response_protocol(actor: Any, school: Any, *, directives: dict[str, str],
                                shelter_strategies: dict[str, str], evacuation_locations: str,
                                reunification_locations: str, spanish: dict[str, str] | None = None) -> ResponseProtocol:
    """Set the school's SRP directives (and, when given, their Spanish wording: an empty one means the SRP's
    own Spanish), shelter strategies and evacuation and reunification locations."""
    for action in ACTIONS:
        if not (directives.get(action) or "").strip():
            raise PlanError(f"{action}: the {action} directive cannot be empty")
    with transaction.atomic():
        protocol, _ = ResponseProtocol.objects.select_for_update().get_or_create(
            school=school, defaults={**DEFAULT_DIRECTIVES, "shelter_strategies": dict(DEFAULT_SHELTER_STRATEGIES)})
        for action in ACTIONS:
            setattr(protocol, action, directives[action].strip())
        if spanish is not None:
            protocol.spanish = {a: spanish[a].strip() for a in ACTIONS if (spanish.get(a) or "").strip()}
        protocol.shelter_strategies = {k.strip().lower(): v.strip() for k, v in shelter_strategies.items()
                                       if k.strip() and v.strip()}
        protocol.evacuation_locations = evacuation_locations.strip()
        protocol.reunification_locations = reunification_locations.strip()
        protocol.save()
        record(actor, "plans.update_response_protocol", protocol, organization=_org(school),
               summary={"directives": {a: getattr(protocol, a) for a in ACTIONS}, "spanish": protocol.spanish,
                        "shelter_strategies": protocol.shelter_strategies})
    return protocol


def do_save_site_map(actor: Any, school: Any, geojson: Any) -> SiteMap:
    """Replace the school's site map with a checked GeoJSON FeatureCollection (SiteMapError if it is not).
    The returned map's `warnings` say what was accepted but changed (features kept as "other")."""
    cleaned, warnings = check_site_map_with_warnings(geojson, school)
    with transaction.atomic():
        site_map, created = SiteMap.objects.select_for_update().get_or_create(school=school)
        before = len((site_map.geojson or {}).get("features", []))
        site_map.geojson = cleaned
        site_map.updated_by = actor if getattr(actor, "is_authenticated", False) else None
        site_map.save()
        record(actor, "plans.save_site_map", site_map, organization=_org(school),
               summary={"features_before": before, "features": len(cleaned["features"])})
    site_map.warnings = warnings  # type: ignore[attr-defined]
    return site_map


def do_update_responder_info(actor: Any, school: Any, *, access_information: str) -> ResponderInfo:
    """Set how responders get into the school (keys, gates, Knox box, alarm panel)."""
    with transaction.atomic():
        info, _ = ResponderInfo.objects.select_for_update().get_or_create(school=school)
        info.access_information = access_information.strip()
        info.save()
        record(actor, "plans.update_responder_info", info, organization=_org(school),
               summary={"length": len(info.access_information)})
    return info


def do_add_emergency_contact(actor: Any, school: Any, *, name: str, role: str, phone: str,
                             alternate_phone: str = "", person: Any = None) -> EmergencyContact:
    """Add a 24/7 contact for responders to the school's packet. `person`: the account this contact is;
    without it, the one person of the school (or of an agency serving it) whose name is the contact's."""
    from schoolsafe.plans.contacts import person_named

    if not name.strip() or not role.strip() or not phone.strip():
        raise PlanError("name, role and phone: a 24/7 contact needs all three")
    with transaction.atomic():
        last = EmergencyContact.objects.filter(school=school).order_by("-position").values_list(
            "position", flat=True).first() or 0
        contact = EmergencyContact.objects.create(school=school, name=name.strip(), role=role.strip(),
                                                  phone=phone.strip(), alternate_phone=alternate_phone.strip(),
                                                  position=last + 1, person=person or person_named(school, name))
        record(actor, "plans.add_emergency_contact", contact, organization=_org(school),
               summary={"name": contact.name, "role": contact.role})
    return contact


def do_remove_emergency_contact(actor: Any, contact: EmergencyContact) -> None:
    """Remove a 24/7 contact from the school's packet."""
    with transaction.atomic():
        record(actor, "plans.remove_emergency_contact", contact, organization=_org(contact.school),
               summary={"name": contact.name})
        contact.delete()
