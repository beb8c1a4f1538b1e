"""What the public portal shows besides tips: awareness campaigns and community events, in two languages."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone

from schoolsafe.access.policy import RestrictedQuerySet

PUBLISHERS = frozenset({"community_liaison", "program_coordinator", "district_director", "agency_admin"})


class Bilingual(models.Model):
    """English and Spanish versions of the same text; Spanish falls back to English when missing."""

    class Meta:
        abstract = True

    def text(self, field: str, lang: str) -> str:
        if lang == "es":
            return getattr(self, f"{field}_es") or getattr(self, f"{field}_en")
        return getattr(self, f"{field}_en")


class Campaign(Bilingual):
    """A public-awareness campaign (e.g. "See something, say something") run by a district or an agency."""

    slug = models.SlugField(max_length=80, unique=True)
    title_en = models.CharField(max_length=200)
    title_es = models.CharField(max_length=200, blank=True)
    summary_en = models.CharField(max_length=400)
    summary_es = models.CharField(max_length=400, blank=True)
    body_en = models.TextField(blank=True)
    body_es = models.TextField(blank=True)
    district = models.ForeignKey("core.District", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    agency = models.ForeignKey("core.Agency", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    published = models.BooleanField(default=False)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "title_en"]

    def __str__(self) -> str:
        return self.title_en

    @classmethod
    def running(cls) -> models.QuerySet:
        today = timezone.localdate()
        return cls.objects.filter(published=True, starts_on__lte=today).filter(
            Q(ends_on__isnull=True) | Q(ends_on__gte=today))


class PublicEvent(Bilingual):
    """A community event open to the public: a safety night, a parent workshop, a drill information session."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title_en = models.CharField(max_length=200)
    title_es = models.CharField(max_length=200, blank=True)
    description_en = models.TextField(blank=True)
    description_es = models.TextField(blank=True)
    location = models.CharField(max_length=300)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    campaign = models.ForeignKey(Campaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="events")
    district = models.ForeignKey("core.District", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    agency = models.ForeignKey("core.Agency", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    published = models.BooleanField(default=False)
    # Bumped on every change so calendar apps replace their copy (iCalendar SEQUENCE).
    sequence = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(name="public_event_ends_after_start", condition=Q(ends_at__gte=models.F("starts_at"))),
        ]

    def __str__(self) -> str:
        return self.title_en

    @classmethod
    def upcoming(cls) -> models.QuerySet:
        return cls.objects.filter(published=True, ends_at__gte=timezone.now())
