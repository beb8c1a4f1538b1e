"""Demo tips: a year of handled tips (so the statistics page has numbers), two open ones in the queue, the
demo analyst on call, and one tip a newcomer can follow up as the tipster (code DEMO-TIP1, passphrase
demo-tips-demo-tips)."""

from __future__ import annotations

import datetime as dt
import random
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from schoolsafe.tips.credentials import hash_passphrase
from schoolsafe.tips.models import Category, OnCallShift, Outcome, Source, Status, Tip, TipMessage
from schoolsafe.tips.urgency import assess, rulebook

if TYPE_CHECKING:
    from schoolsafe.accounts.county import DemoCounty


DEMO_CODE = "DEMO-TIP1"
# Published with the demo (docs/tips.md), like the demo logins; demo data only.
DEMO_PASSPHRASE = "demo-tips-demo-tips"  # nosec B105

TEXTS = {
    Category.BULLYING: "A group keeps taking a sixth grader's lunch and filming it.",
    Category.DRUGS: "Someone sells vapes in the boys' bathroom after second period.",
    Category.SELF_HARM: "My friend posted that she doesn't want to be here anymore.",
    Category.WEAPON: "A student said he has a knife in his backpack.",
    Category.PLANNED_ATTACK: "There is a post about 'something big' at the game on Friday.",
    Category.ABUSE: "A classmate has bruises and says she is scared to go home.",
    Category.OTHER: "Someone keeps leaving the side door propped open.",
}
WEIGHTS = {Category.BULLYING: 30, Category.DRUGS: 18, Category.SELF_HARM: 14, Category.WEAPON: 8,
           Category.PLANNED_ATTACK: 4, Category.ABUSE: 6, Category.OTHER: 20}
OUTCOMES = [Outcome.COUNSELLING, Outcome.PARENT_CONTACT, Outcome.DISCIPLINE, Outcome.WELFARE_CHECK,
            Outcome.THREAT_ASSESSMENT, Outcome.UNFOUNDED, Outcome.INSUFFICIENT, Outcome.PRANK]


def load_tips_demo(schools: dict[str, Any], analyst: Any) -> bool:
    """Create the demo tips once. True when anything was created."""
    if Tip.objects.filter(code=DEMO_CODE).exists():
        return False
    rng = random.Random(2026)  # noqa: S311 - demo data, not security
    now = timezone.now()
    district = next(iter(schools.values())).district
    OnCallShift.objects.get_or_create(user=analyst, district=district, defaults={
        "starts_at": now - dt.timedelta(days=1), "ends_at": now + dt.timedelta(days=365)})
    school_list = list(schools.values())
    hashed = hash_passphrase("demo-never-used-demo")
    categories = list(WEIGHTS)
    book = rulebook()
    tips = []
    for n in range(700):
        category = rng.choices(categories, weights=[WEIGHTS[c] for c in categories])[0]
        received = now - dt.timedelta(days=rng.uniform(2, 360), minutes=rng.uniform(0, 600))
        verdict = assess(category, [TEXTS[category]])
        first = received + dt.timedelta(minutes=rng.uniform(2, 25 if verdict.urgent else 600))
        tips.append(Tip(
            code=f"DEMO-{n:04d}", passphrase_hash=hashed, category=category, school=rng.choice(school_list),
            district=district, what=TEXTS[category], language=rng.choice(["en", "en", "en", "es"]),
            source=rng.choice([Source.WEB] * 6 + [Source.API, Source.PHONE]), received_at=received,
            status=Status.CLOSED, urgent=verdict.urgent, urgency_score=verdict.score, urgency_reasons=verdict.reasons,
            deadline=received + (book.deadline_urgent if verdict.urgent else book.deadline_normal),
            claimed_by=analyst, claimed_at=first, first_action_at=first, possibly_malicious=rng.random() < 0.03,
            outcome=rng.choice(OUTCOMES), closed_at=first + dt.timedelta(hours=rng.uniform(1, 48)), closed_by=analyst,
        ))
    Tip.objects.bulk_create(tips)
    for code, category, what, minutes in (
        (DEMO_CODE, Category.BULLYING, "Two eighth graders keep pushing a new student into the lockers.", 90),
        ("DEMO-TIP2", Category.WEAPON, "Dice que mañana va a traer la pistola de su papá a la escuela.", 3),
    ):
        received = now - dt.timedelta(minutes=minutes)
        verdict = assess(category, [what])
        tip = Tip.objects.create(
            code=code, passphrase_hash=hash_passphrase(DEMO_PASSPHRASE) if code == DEMO_CODE else hashed,
            category=category, school=school_list[0], district=district, what=what,
            language="es" if "mañana" in what else "en", received_at=received, urgent=verdict.urgent,
            urgency_score=verdict.score, urgency_reasons=verdict.reasons,
            deadline=received + (book.deadline_urgent if verdict.urgent else book.deadline_normal))
        if code == DEMO_CODE:
            asked = received + dt.timedelta(minutes=20)
            Tip.objects.filter(pk=tip.pk).update(status=Status.IN_REVIEW, claimed_by=analyst, claimed_at=asked,
                                                 first_action_at=asked)
            TipMessage.objects.create(tip=tip, from_tipster=False, author=analyst, created_at=received + dt.timedelta(minutes=20),
                                      body="Thank you for telling us. Do you know when this usually happens?")
    # The worker sweeps at once, then when DEMO-TIP2 has waited 5 minutes unclaimed: it escalates to
    # the analyst on call while the newcomer watches.
    from schoolsafe.tips.tasks import ensure_sweep_by

    ensure_sweep_by(now)
    return True


def load_demo(county: DemoCounty) -> bool:
    """The registry's demo loader (schoolsafe.registry): the demo tips."""
    return load_tips_demo(county.schools, county.users["analyst"])
