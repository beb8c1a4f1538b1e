"""Demo content for the public portal: one running campaign and a few upcoming events, in two languages."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from schoolsafe.public.models import Campaign, PublicEvent

if TYPE_CHECKING:
    from schoolsafe.accounts.county import DemoCounty


CAMPAIGN_SLUG = "say-something-week"


def load_public_demo(district: Any) -> bool:
    """Create the demo campaign and events once (found again by slug and title). True when anything was created."""
    if Campaign.objects.filter(slug=CAMPAIGN_SLUG).exists():
        return False
    today = timezone.localdate()
    campaign = Campaign.objects.create(
        slug=CAMPAIGN_SLUG, district=district, published=True,
        starts_on=today - dt.timedelta(days=3), ends_on=today + dt.timedelta(days=60),
        title_en="Say Something: you could save a life", title_es="Di algo: podrías salvar una vida",
        summary_en="Most people who plan violence tell someone first. If you see a warning sign, tell a trusted adult "
                   "or send an anonymous tip.",
        summary_es="La mayoría de quienes planean un acto violento se lo cuentan antes a alguien. Si ves una señal de "
                   "alerta, díselo a un adulto de confianza o envía un aviso anónimo.",
        body_en="Warning signs can be a post, a drawing, a joke that is not a joke, or a friend who says goodbye.\n\n"
                "You do not have to be sure. Trained people will look into it.",
        body_es="Las señales de alerta pueden ser una publicación, un dibujo, una broma que no es broma, o un amigo que "
                "se despide.\n\nNo tienes que estar seguro. Personas capacitadas lo revisarán.",
    )
    now = timezone.localtime().replace(minute=0, second=0, microsecond=0)
    events = [
        (9, 18, 2, "Family safety night", "Noche de seguridad familiar",
         "How our schools keep students safe, and how families are reunited after an emergency.",
         "Cómo nuestras escuelas protegen a los estudiantes y cómo se reúnen las familias después de una emergencia.",
         "Cedar Falls High School, auditorium"),
        (16, 17, 1, "Parent workshop: talking with your teen about online threats",
         "Taller para padres: cómo hablar con su adolescente sobre amenazas en internet",
         "With the school resource officer and the school psychologist.",
         "Con el oficial de recursos escolares y la psicóloga escolar.", "Pine Ridge Middle School, library"),
        (30, 10, 3, "Community safety fair", "Feria comunitaria de seguridad",
         "Meet the officers who serve our schools. Free bicycle helmets for children.",
         "Conozca a los oficiales que sirven a nuestras escuelas. Cascos de bicicleta gratis para niños.",
         "Cedar Falls City Park"),
    ]
    for days, hour, hours, title_en, title_es, text_en, text_es, place in events:
        start = (now + dt.timedelta(days=days)).replace(hour=hour)
        PublicEvent.objects.create(title_en=title_en, title_es=title_es, description_en=text_en, description_es=text_es,
                                   location=place, starts_at=start, ends_at=start + dt.timedelta(hours=hours),
                                   campaign=campaign, district=district, published=True)
    return True


def load_demo(county: DemoCounty) -> bool:
    """The registry's demo loader (schoolsafe.registry): the district's public campaigns and events."""
    return load_public_demo(county.district)
