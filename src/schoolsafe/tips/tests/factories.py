"""Factories for tips."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from schoolsafe.testing.factories import SchoolFactory
from schoolsafe.tips.credentials import hash_passphrase
from schoolsafe.tips.models import Category, Tip

PASSPHRASE = "abcd-efgh-jkmn-pqrs"


class TipFactory(factory.django.DjangoModelFactory[Tip]):
    class Meta:
        model = Tip

    code = factory.Sequence(lambda n: f"TEST-{n:04d}")
    passphrase_hash = factory.LazyFunction(lambda: hash_passphrase(PASSPHRASE))
    category = Category.BULLYING
    school = factory.SubFactory(SchoolFactory)
    district = factory.LazyAttribute(lambda o: o.school.district)
    what = "Someone is being picked on in the locker room."
    deadline = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(hours=72))
