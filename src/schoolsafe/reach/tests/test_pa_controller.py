"""The PA, strobes and signage path (docs/reaching-people.md): a CAP-speaking mass-notification controller,
configured as the example there (a service user of the school with an API token, polling the CAP feed with
If-None-Match, rules on CAP event / responseType / msgType), starts the lockdown outputs and stops them at the
all clear."""

from __future__ import annotations

import pytest
from lxml import etree

from schoolsafe.alerts.tests.conftest import ALERTS_URL, Api, lockdown
from schoolsafe.testing.personas import make_person

pytestmark = pytest.mark.django_db
NS = {"cap": "urn:oasis:names:tc:emergency:cap:1.2", "atom": "http://www.w3.org/2005/Atom"}
# The example configuration's rules, in order, first match wins: the ends first (an all clear is an Update that
# keeps the alert's event name), then the starts, on the first message (msgType Alert) only.
RULES = [({"responseType": "AllClear"}, "stop all, signage ALL CLEAR"),
         ({"msgType": "Cancel"}, "stop all"),
         ({"msgType": "Alert", "event": "School Lockdown"}, "play lockdown.wav, strobe blue, signage LOCKDOWN"),
         ({"msgType": "Alert", "event": "School Secure"}, "play secure.wav, strobe amber, signage SECURE"),
         ({"msgType": "Alert", "responseType": "Evacuate"}, "play evacuate.wav, strobe white, signage EVACUATE")]


class PAController:
    """What a CAP controller does with the feed: poll with its ETag, act on each CAP message it has not seen."""

    def __init__(self, api: Api) -> None:
        self.api = api
        self.etag: str | None = None
        self.seen: set[str] = set()
        self.outputs: list[str] = []

    def poll(self) -> int:
        headers: dict[str, str] = {"If-None-Match": self.etag} if self.etag else {}
        response = self.api.client.get("/api/v1/cap/feed", headers=headers)
        if response.status_code == 200:
            self.etag = response["ETag"]
            entries = etree.fromstring(response.content).findall("atom:entry/atom:content/cap:alert", NS)
            for cap in reversed(entries):  # oldest first
                identifier = cap.findtext("cap:identifier", namespaces=NS)
                if identifier in self.seen:
                    continue
                self.seen.add(identifier)
                fields = {"msgType": cap.findtext("cap:msgType", namespaces=NS),
                          "event": cap.findtext("cap:info/cap:event", namespaces=NS),
                          "responseType": cap.findtext("cap:info/cap:responseType", namespaces=NS)}
                for match, output in RULES:
                    if all(fields.get(field) == value for field, value in match.items()):
                        self.outputs.append(output)
                        break
        return response.status_code


def test_a_cap_pa_controller_sounds_the_lockdown_and_stops_at_the_all_clear(world, principal_a):
    service = make_person("pa_controller", "staff", world.school_a, "school")
    controller = PAController(Api(service))
    assert controller.poll() == 200 and controller.outputs == []

    alert = Api(principal_a).post(ALERTS_URL, lockdown(world.school_a)).json()
    assert controller.poll() == 200
    assert controller.outputs == ["play lockdown.wav, strobe blue, signage LOCKDOWN"]
    assert controller.poll() == 304  # nothing new: the controller keeps its outputs

    # SRP lockdown release: the principal gives the all clear with the officer who concurred.
    assert Api(principal_a).post(f"{ALERTS_URL}/{alert['id']}/all-clear",
                                 {"concurring_officer": "Officer Ruiz, badge 4411"}).status_code == 200
    controller.poll()
    assert controller.outputs[-1] == "stop all, signage ALL CLEAR"
