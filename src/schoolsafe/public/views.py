"""The public portal: no sign-in, no cookies, English and Spanish, light enough for a phone."""

from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone, translation
from icalendar import Calendar, Event

from schoolsafe.core.portal import LANGUAGES, public_page, render_portal
from schoolsafe.public.models import Campaign, PublicEvent
from schoolsafe.tips import reads as reports


def root(request: HttpRequest) -> HttpResponse:
    """/public/ → the portal in the visitor's browser language."""
    lang = translation.get_language_from_request(request)
    lang = lang if lang in LANGUAGES else LANGUAGES[0]
    response = HttpResponseRedirect(reverse("public:home", kwargs={"lang": lang}))
    response["Vary"] = "Accept-Language"
    return response


@public_page(max_age=300)
def home(request: HttpRequest, lang: str) -> HttpResponse:
    return render_portal(request, lang, "public/home.html", {
        "campaigns": list(Campaign.running()[:3]),
        "events": list(PublicEvent.upcoming()[:3]),
    })


@public_page(max_age=3600)
def safety(request: HttpRequest, lang: str) -> HttpResponse:
    return render_portal(request, lang, "public/safety.html")


@public_page(max_age=3600)
def resources(request: HttpRequest, lang: str) -> HttpResponse:
    return render_portal(request, lang, "public/resources.html")


@public_page(max_age=3600)
def privacy(request: HttpRequest, lang: str) -> HttpResponse:
    return render_portal(request, lang, "public/privacy.html")


@public_page(max_age=300)
def campaigns(request: HttpRequest, lang: str) -> HttpResponse:
    return render_portal(request, lang, "public/campaigns.html", {"campaigns": list(Campaign.running())})


@public_page(max_age=300)
def campaign(request: HttpRequest, lang: str, slug: str) -> HttpResponse:
    item = get_object_or_404(Campaign.objects.filter(published=True), slug=slug)
    return render_portal(request, lang, "public/campaign.html", {
        "campaign": item, "events": list(item.events.filter(published=True, ends_at__gte=timezone.now())),
    })


@public_page(max_age=300)
def events(request: HttpRequest, lang: str) -> HttpResponse:
    return render_portal(request, lang, "public/events.html", {
        "events": list(PublicEvent.upcoming().select_related("campaign")[:200]),
        "feed_url": request.build_absolute_uri(reverse("public:events-ics", kwargs={"lang": lang})),
    })


@public_page(max_age=300)
def events_ics(request: HttpRequest, lang: str) -> HttpResponse:
    """The events as an iCalendar feed (RFC 5545) that calendar apps subscribe to."""
    calendar = Calendar()
    calendar.add("prodid", "-//SchoolSafe//Public events//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", translation.gettext("School safety events"))
    since = timezone.now() - dt.timedelta(days=90)
    for item in PublicEvent.objects.filter(published=True, ends_at__gte=since)[:1000]:
        vevent = Event()
        vevent.add("uid", f"{item.uid}@schoolsafe")
        # UTC throughout: DTSTAMP must be, and every calendar app converts UTC times correctly.
        vevent.add("dtstamp", item.updated_at.astimezone(dt.UTC))
        vevent.add("dtstart", item.starts_at.astimezone(dt.UTC))
        vevent.add("dtend", item.ends_at.astimezone(dt.UTC))
        vevent.add("summary", item.text("title", lang))
        description = item.text("description", lang)
        if description:
            vevent.add("description", description)
        vevent.add("location", item.location)
        vevent.add("sequence", item.sequence)
        vevent.add("url", request.build_absolute_uri(reverse("public:events", kwargs={"lang": lang})))
        calendar.add_component(vevent)
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="schoolsafe-events.ics"'
    return response


@public_page(max_age=600)
def statistics(request: HttpRequest, lang: str) -> HttpResponse:
    years = reports.statistics_years()
    try:
        year = int(request.GET.get("year") or years[0])
    except ValueError:
        year = years[0]
    if year not in years:
        raise Http404
    districts = reports.districts_with_tips(year)
    chosen = request.GET.get("district")
    district_id = int(chosen) if chosen and chosen.isdigit() else (districts[0][0] if districts else None)
    if district_id is not None and district_id not in {d for d, _n in districts}:
        raise Http404
    table = reports.district_table(district_id, year) if district_id else None
    return render_portal(request, lang, "public/statistics.html", {
        "years": years, "year": year, "districts": districts, "district_id": district_id, "table": table,
        "threshold": reports.SUPPRESS_BELOW,
    })
