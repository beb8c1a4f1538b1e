"""Factories for organizations and people (factory_boy), for the tests of every app."""

from __future__ import annotations

import factory

from schoolsafe.accounts.models import Membership, User
from schoolsafe.core.models import Agency, District, School


class DistrictFactory(factory.django.DjangoModelFactory[District]):
    class Meta:
        model = District

    name = factory.Sequence(lambda n: f"District {n}")
    state = "FL"


class AgencyFactory(factory.django.DjangoModelFactory[Agency]):
    class Meta:
        model = Agency

    name = factory.Sequence(lambda n: f"Agency {n} Police Department")
    state = "FL"
    latitude = 28.9
    longitude = -81.9


class SchoolFactory(factory.django.DjangoModelFactory[School]):
    class Meta:
        model = School

    name = factory.Sequence(lambda n: f"School {n}")
    district = factory.SubFactory(DistrictFactory)
    level = School.Level.HIGH
    latitude = factory.Sequence(lambda n: 28.8 + n * 0.001)
    longitude = factory.Sequence(lambda n: -81.9 - n * 0.001)
    state = "FL"


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.LazyAttribute(lambda o: o.username.replace("_", " ").title())
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.test")

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or "correct horse battery staple")
        if create:
            self.save(update_fields=["password"])


class MembershipFactory(factory.django.DjangoModelFactory[Membership]):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    role = "staff"
