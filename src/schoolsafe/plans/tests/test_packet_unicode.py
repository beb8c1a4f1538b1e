"""Names in any script print in the responder packet."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from schoolsafe.plans import actions
from schoolsafe.plans.pdf import responder_packet_pdf

pytestmark = pytest.mark.django_db


def test_26_16_names_in_any_script_print_in_the_responder_packet(world, principal_a):
    for name, role in (("Nguyễn Thị Ánh", "Principal"), ("李明", "School resource officer"),
                       ("Łukasz Wróbel", "Head custodian")):
        actions.do_add_emergency_contact(principal_a, world.school_a, name=name, role=role, phone="555-0100")
    world.school_a.name = "Trường Łódź 学校"
    world.school_a.save()

    reader = PdfReader(io.BytesIO(responder_packet_pdf(world.school_a)))

    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    for name in ("Nguyễn Thị Ánh", "李明", "Łukasz Wróbel", "Trường Łódź 学校"):
        assert name in text, name
    fonts = {str(font["/BaseFont"]) for page in reader.pages for font in page["/Resources"]["/Font"].values()}
    assert {"/AAAAAA+NotoSans-Regular", "/AAAAAA+WenQuanYiMicroHei-0"} <= fonts, fonts
