"""Organizations: law-enforcement agencies, school districts and their schools."""

from __future__ import annotations

from django.db import models

from schoolsafe.access.policy import RestrictedQuerySet


class Agency(models.Model):
    """A law-enforcement agency: a sheriff's office or a police department."""

    hifld_id = models.CharField("HIFLD id", max_length=20, unique=True, null=True, blank=True)
    name = models.CharField(max_length=200)
    phone = models.CharField(max_length=40, blank=True)
    address = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    county = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=2, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "agencies"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class District(models.Model):
    """A school district (a local education agency)."""

    nces_id = models.CharField("NCES district id", max_length=12, unique=True, null=True, blank=True)
    name = models.CharField(max_length=200)
    state = models.CharField(max_length=2, blank=True)
    county = models.CharField(max_length=100, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class School(models.Model):
    """A school building and the school that runs in it."""

    class Level(models.TextChoices):
        PREKINDERGARTEN = "prekindergarten", "Prekindergarten"
        ELEMENTARY = "elementary", "Elementary"
        MIDDLE = "middle", "Middle"
        HIGH = "high", "High"
        SECONDARY = "secondary", "Secondary"
        OTHER = "other", "Other"
        NOT_REPORTED = "", "Not reported"

    nces_id = models.CharField("NCES id", max_length=12, unique=True, null=True, blank=True)
    name = models.CharField(max_length=200)
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="schools")
    agencies = models.ManyToManyField(
        Agency, related_name="schools", blank=True, help_text="The agencies that serve this school."
    )
    address = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=2, blank=True)
    zip_code = models.CharField(max_length=10, blank=True)
    county = models.CharField(max_length=100, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    low_grade = models.CharField(max_length=4, blank=True)
    high_grade = models.CharField(max_length=4, blank=True)
    enrollment = models.PositiveIntegerField(null=True, blank=True)
    level = models.CharField(max_length=20, choices=Level.choices, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    website = models.URLField(max_length=300, blank=True)
    time_zone = models.CharField(max_length=64, default="America/New_York")

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["district", "name"])]

    def __str__(self) -> str:
        return self.name

    @property
    def grades(self) -> str:
        if self.low_grade and self.high_grade:
            return f"{self.low_grade}–{self.high_grade}"
        return self.low_grade or self.high_grade


class InstanceSetting(models.Model):
    """A setting of this SchoolSafe installation (for instance, that it holds demo data)."""

    key = models.CharField(max_length=80, unique=True)
    value = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.key
