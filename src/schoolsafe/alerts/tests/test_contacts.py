"""One source of contact numbers: the 24/7 numbers of the responder packet are the ones the
dispatcher reads for the principal and the SRO during an incident."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from schoolsafe.alerts.tests.incident import raise_alert
from schoolsafe.plans import actions
from schoolsafe.plans.pdf import responder_packet_pdf
from schoolsafe.testing.personas import client_for, make_person

pytestmark = pytest.mark.django_db


def test_26_8_the_dispatcher_sees_the_packets_24_7_numbers_for_the_principal_and_the_sro(
        api, world, principal_a, teacher_a, dispatcher):
    # Neither the principal nor the SRO has a phone on their account; both are on the 24/7 list.
    principal_a.full_name, principal_a.phone = "Janet Moore", ""
    principal_a.save()
    sro = make_person("sro_contacts", "officer", world.school_a, "school")
    sro.full_name, sro.phone = "Marcus Reyes", ""
    sro.save()
    for name, role, phone, alt in [("Janet Moore", "Principal", "(352) 555-0181", "(352) 555-1000"),
                                   ("Officer Marcus Reyes", "School resource officer", "(352) 555-0162", ""),
                                   ("Ray Dunn", "Head custodian", "(352) 555-0177", "")]:
        actions.do_add_emergency_contact(principal_a, world.school_a, name=name, role=role, phone=phone,
                                         alternate_phone=alt)
    alert = raise_alert(api, teacher_a, world.school_a)

    contacts = client_for(dispatcher).get(f"/alerts/{alert.pk}/state.json").json()["contacts"]

    (principal,) = [p for p in contacts["admins"] if p["name"] == "Janet Moore"]
    assert (principal["phone"], principal["alternate_phone"]) == ("(352) 555-0181", "(352) 555-1000")
    assert [(s["name"], s["phone"]) for s in contacts["sros"]] == [("Marcus Reyes", "(352) 555-0162")]
    # The rest of the packet's list is there too, and nobody twice.
    assert [(o["name"], o["phone"]) for o in contacts["others"]] == [("Ray Dunn", "(352) 555-0177")]
    # The packet prints the same numbers.
    packet = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(responder_packet_pdf(world.school_a))).pages)
    for number in ("(352) 555-0181", "(352) 555-0162", "(352) 555-0177"):
        assert number in packet


def test_26_8_a_contact_is_linked_to_one_person_only(world, principal_a, teacher_a):
    teacher_a.full_name = "Alex Kim"
    teacher_a.save()
    other = make_person("second_alex", "staff", world.school_a, "school")
    other.full_name = "Alex Kim"
    other.save()
    # Two people of that name: the contact is not linked to either.
    contact = actions.do_add_emergency_contact(principal_a, world.school_a, name="Alex Kim", role="Teacher",
                                               phone="555-0101")
    assert contact.person is None
    principal_a.full_name = "Janet Moore"
    principal_a.save()
    contact = actions.do_add_emergency_contact(principal_a, world.school_a, name="janet  moore", role="Principal",
                                               phone="555-0102")
    assert contact.person == principal_a
