"""Factories for organizations and people (factory_boy), for the tests of every app."""

from __future__ import annotations

from functools import cache

import factory
from django.contrib.auth.hashers import make_password

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


def password_hash(password: str) -> str:
    """The password's hash with the configured hashers (Argon2), made once per password, hasher setting and
    process: a hash takes about 0.16 s on this machine, and the suite creates thousands of people with the same
    password. The hash is a real one (a person signs in with the password through the login page as in
    production); only its salt is shared. Keyed by the hasher setting too, since a test may change it (the
    permission matrix uses MD5) and a hash it made must not outlive the setting."""
    from django.conf import settings

    return _hash_with(password, tuple(settings.PASSWORD_HASHERS))


@cache
def _hash_with(password: str, hashers: tuple[str, ...]) -> str:
    return make_password(password)


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
        self.password = password_hash(extracted or "correct horse battery staple")
        if create:
            self.save(update_fields=["password"])


class MembershipFactory(factory.django.DjangoModelFactory[Membership]):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    role = "staff"
