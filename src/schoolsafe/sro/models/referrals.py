"""Referrals, citations and arrests of students by school officers, and enrolment by group.

The kinds and the demographic categories are the Civil Rights Data Collection's (CRDC, U.S. Department of
Education, Office for Civil Rights), so that what a district records here is what it already reports
(docs/sro-equity.md). A row names no student: no name, no student id, no date of birth. The equity
dashboard needs only the group a student belongs to, and a row that cannot be joined to a student record
is one that cannot leak one (data minimisation: FERPA, 34 CFR Part 99, and the Fair Information Practice
Principles).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from schoolsafe.access.policy import RestrictedQuerySet

__all__ = [
    "DIMENSIONS", "GRADES", "Disability", "EnrollmentCount", "Offence", "Race", "ReferralKind", "Sex",
    "StudentReferral", "dimension_groups",
]


class ReferralKind(models.TextChoices):
    # CRDC: a referral to law enforcement is a student reported to any law enforcement agency or official,
    # including a school police unit, for an incident on school grounds, at a school-related event or on
    # school transportation, whether or not official action is taken; citations, tickets, court referrals and
    # school-related arrests are referrals too. So every row here counts as a referral.
    REFERRAL = "referral", "Referral to law enforcement"
    CITATION = "citation", "Citation or ticket"
    # CRDC: an arrest of a student for any activity on school grounds, during off-campus school activities
    # (including school transportation), or due to a referral by any school official.
    ARREST = "arrest", "School-related arrest"


class Offence(models.TextChoices):
    ASSAULT = "assault", "Assault or fight"
    THREAT = "threat", "Threat"
    WEAPONS = "weapons", "Weapons"
    DRUGS_ALCOHOL = "drugs_alcohol", "Drugs or alcohol"
    THEFT = "theft", "Theft"
    VANDALISM = "vandalism", "Vandalism"
    DISORDERLY = "disorderly", "Disorderly conduct"
    TRESPASS = "trespass", "Trespass"
    OTHER = "other", "Other"


class Race(models.TextChoices):
    """The seven categories of the 1997 OMB standard as the CRDC collects them."""

    HISPANIC = "hispanic", "Hispanic or Latino of any race"
    AMERICAN_INDIAN = "american_indian", "American Indian or Alaska Native"
    ASIAN = "asian", "Asian"
    BLACK = "black", "Black or African American"
    PACIFIC_ISLANDER = "pacific_islander", "Native Hawaiian or Other Pacific Islander"
    WHITE = "white", "White"
    TWO_OR_MORE = "two_or_more", "Two or more races"


class Sex(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    # The CRDC's nonbinary category, reported where the state collects it.
    NONBINARY = "nonbinary", "Nonbinary"


class Disability(models.TextChoices):
    IDEA = "idea", "Students with disabilities (IDEA)"
    SECTION_504 = "section_504", "Section 504 only"
    NONE = "none", "No disability"


class EnglishLearner(models.TextChoices):
    YES = "yes", "English learner"
    NO = "no", "Not an English learner"


GRADES = ("PK", "KG", "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12")
GRADE_CHOICES = [(g, {"PK": "Prekindergarten", "KG": "Kindergarten"}.get(g, f"Grade {int(g) if g.isdigit() else g}"))
                 for g in GRADES]

# dimension code -> (label, the choices of its groups). The order is the dashboard's.
DIMENSIONS: dict[str, tuple[str, type[models.TextChoices]]] = {
    "race": ("Race and ethnicity", Race),
    "sex": ("Sex", Sex),
    "disability": ("Disability", Disability),
    "english_learner": ("English learners", EnglishLearner),
}


def dimension_groups(dimension: str) -> list[tuple[str, str]]:
    """The (code, label) groups of a dimension."""
    return list(DIMENSIONS[dimension][1].choices)


class StudentReferral(models.Model):
    """One referral, citation or arrest of one student by a school officer, with the student's CRDC groups
    and never the student's identity."""

    school = models.ForeignKey("core.School", on_delete=models.CASCADE, related_name="sro_referrals")
    kind = models.CharField(max_length=10, choices=ReferralKind.choices)
    offence = models.CharField(max_length=20, choices=Offence.choices)
    date = models.DateField(help_text="the day of the referral, citation or arrest")
    # Derived from date (sro.terms), stored so the dashboard filters in SQL.
    school_year = models.PositiveSmallIntegerField(help_text="the year the school year starts (1 July)")
    term = models.CharField(max_length=6)
    grade = models.CharField(max_length=2, choices=GRADE_CHOICES)
    race = models.CharField(max_length=20, choices=Race.choices)
    sex = models.CharField(max_length=10, choices=Sex.choices)
    disability = models.CharField(max_length=12, choices=Disability.choices)
    english_learner = models.CharField(max_length=3, choices=EnglishLearner.choices)
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="sro_referrals",
                                help_text="the officer who made the referral, citation or arrest")
    # An alerts incident (alerts.Alert) by id: the alerts app offers no loader of its models to other apps
    # beyond its reads, so the link is checked through alerts.reads when it is set (sro.actions.referrals).
    incident_id = models.PositiveIntegerField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    corrected_at = models.DateTimeField(null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["school", "school_year"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} at {self.school_id} on {self.date}"


class EnrollmentCount(models.Model):
    """How many students of one group a school enrolled in a school year: the denominator of the rates."""

    school = models.ForeignKey("core.School", on_delete=models.CASCADE, related_name="sro_enrollment")
    school_year = models.PositiveSmallIntegerField()
    dimension = models.CharField(max_length=20)
    group = models.CharField(max_length=20)
    count = models.PositiveIntegerField()
    updated_at = models.DateTimeField(auto_now=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["school", "school_year", "dimension", "group"]
        constraints = [models.UniqueConstraint(fields=["school", "school_year", "dimension", "group"],
                                               name="sro_enrollment_one_per_group")]

    def __str__(self) -> str:
        return f"{self.school_id} {self.school_year} {self.dimension}={self.group}: {self.count}"
