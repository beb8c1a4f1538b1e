"""The CAP feed as a system that follows it sees it: read with third-party parsers
(feedparser for the Atom feed; cap-tools, CAP 1.2 data bindings, for each message, and its AlertState,
which keeps what a receiver holds after Updates and Cancels), validated against the OASIS schema."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import feedparser
import pytest
import time_machine
from cap_tools import Alert as CapAlert
from cap_tools import AlertState, MsgType, ResponseType
from lxml import etree
from xsdata.formats.dataclass.parsers import XmlParser

from schoolsafe.alerts.tests.conftest import ALERTS_URL
from schoolsafe.alerts.tests.incident import raise_alert

pytestmark = pytest.mark.django_db

REPO = Path(__file__).resolve().parents[4]
XSD = REPO.parent / "shared" / "standards" / "cap" / "CAP-v1.2.xsd"
FEED = "/api/v1/cap/feed"
NS = {"cap": "urn:oasis:names:tc:emergency:cap:1.2", "atom": "http://www.w3.org/2005/Atom"}
T0 = dt.datetime(2031, 3, 4, 14, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def schema():
    if not XSD.exists():
        pytest.skip(f"the OASIS CAP 1.2 schema is not at {XSD} (the shared standards folder beside the repository)")
    return etree.XMLSchema(etree.parse(str(XSD)))


def read_feed(client, schema, **headers):
    """The feed as feedparser reads it, and its CAP messages as cap-tools reads them (oldest first)."""
    response = client.client.get(FEED, headers=headers)
    assert response.status_code == 200, response.content
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.bozo_exception
    messages = []
    for content in reversed(etree.fromstring(response.content).findall("atom:entry/atom:content", NS)):
        (inline,) = list(content)
        assert schema.validate(inline), schema.error_log
        messages.append(XmlParser().from_bytes(etree.tostring(inline), CapAlert))
    return response, parsed, messages


def held(messages):
    """What a receiver holds after taking in the messages in order (Updates and Cancels replace the
    messages they refer to)."""
    state = AlertState()
    for message in messages:
        state.ingest(message)
    return state.alerts


def expires(message) -> dt.datetime:
    return message.infos[0].expires.to_datetime()


def test_26_4_the_feed_publishes_every_message_until_it_expires(api, world, teacher_a, dispatcher, schema):
    with time_machine.travel(T0, tick=False):
        police, teacher = api(dispatcher), api(teacher_a)
        alert = raise_alert(api, teacher_a, world.school_a)
        first, parsed, messages = read_feed(police, schema)
        assert [m.msg_type for m in messages] == [MsgType.ALERT]
        # Each message says until when it holds: a lockdown one hour after its latest message.
        assert expires(messages[0]) == T0 + dt.timedelta(hours=1)
        # The feed's id names its audience: the same dispatcher twice, another for a teacher of the school.
        assert parsed.feed.id.startswith("urn:schoolsafe:localhost:cap:feed:")
        assert read_feed(api(dispatcher), schema)[1].feed.id == parsed.feed.id
        assert read_feed(teacher, schema)[1].feed.id != parsed.feed.id
        # A follower that polls with the ETag or the date gets a 304 while nothing changed.
        assert first["ETag"] and first["Last-Modified"]
        assert police.client.get(FEED, headers={"If-None-Match": first["ETag"]}).status_code == 304
        assert police.client.get(FEED, headers={"If-Modified-Since": first["Last-Modified"]}).status_code == 304

    # Still in force 90 minutes later without news: the lockdown is not over, so its expiry moves on.
    with time_machine.travel(T0 + dt.timedelta(minutes=90), tick=False):
        later, _, messages = read_feed(police, schema)
        assert expires(messages[0]) == T0 + dt.timedelta(hours=2)
        assert later["ETag"] != first["ETag"]

    end = T0 + dt.timedelta(minutes=100)
    with time_machine.travel(end, tick=False):
        ended = police.post(f"{ALERTS_URL}/{alert.pk}/all-clear", {"on_behalf_of": "Sgt. Lee, incident commander"})
        assert ended.status_code == 200
        # The all clear is in the feed: the old ETag no longer matches, and a receiver now holds the all
        # clear alone (AllClear, referring to the alert), expiring an hour after the end.
        assert police.client.get(FEED, headers={"If-None-Match": first["ETag"]}).status_code == 200
        ended, parsed, messages = read_feed(police, schema)
        assert [(m.msg_type, m.infos[0].response_types) for m in messages] == \
            [(MsgType.ALERT, [ResponseType.SHELTER]), (MsgType.UPDATE, [ResponseType.ALL_CLEAR])]
        (now_held,) = held(messages)
        assert now_held.infos[0].response_types == [ResponseType.ALL_CLEAR]
        assert {expires(m) for m in messages} == {end + dt.timedelta(hours=1)}
        assert parsed.feed.updated_parsed >= feedparser.parse(later.content).feed.updated_parsed

    # Once expired, the alert leaves the feed, and the feed's `updated` does not go back.
    with time_machine.travel(end + dt.timedelta(hours=1, seconds=1), tick=False):
        gone, parsed, messages = read_feed(police, schema)
        assert messages == []
        assert parsed.feed.updated_parsed >= feedparser.parse(ended.content).feed.updated_parsed
        assert dt.datetime.fromisoformat(parsed.feed.updated) == end + dt.timedelta(hours=1)
        assert police.client.get(FEED, headers={"If-None-Match": gone["ETag"]}).status_code == 304


def test_26_4_a_cancel_is_published_and_clears_the_alert_for_a_receiver(api, world, teacher_a, dispatcher, schema):
    with time_machine.travel(T0, tick=False):
        police = api(dispatcher)
        alert = raise_alert(api, teacher_a, world.school_a, action="shelter", hazard="tornado")
    with time_machine.travel(T0 + dt.timedelta(minutes=3), tick=False):
        assert police.post(f"{ALERTS_URL}/{alert.pk}/cancel").status_code == 200
        _, _, messages = read_feed(police, schema)
        assert [m.msg_type for m in messages] == [MsgType.ALERT, MsgType.CANCEL]
        (now_held,) = held(messages)
        assert now_held.msg_type == MsgType.CANCEL
        assert expires(now_held) == T0 + dt.timedelta(minutes=63)


def test_26_18_user_text_in_cap_is_plain_text_without_tags(api, world, teacher_a, dispatcher, schema):
    alert = raise_alert(api, teacher_a, world.school_a, reason="man with <b>knife</b> near <gym>")
    response = api(dispatcher).get(f"{ALERTS_URL}/{alert.pk}/cap.xml")
    doc = etree.fromstring(response.content)
    assert schema.validate(doc), schema.error_log
    description = doc.find("cap:info/cap:description", NS).text
    assert "<" not in description and ">" not in description
    assert "man with ‹b›knife‹/b› near ‹gym›" in description


def test_26_18_an_assist_call_headline_is_no_hold(api, world, teacher_a, principal_a, schema):
    alert = raise_alert(api, teacher_a, world.school_a, action="hold", tier="assist")
    doc = etree.fromstring(api(principal_a).get(f"{ALERTS_URL}/{alert.pk}/cap.xml").content)
    headline = doc.find("cap:info/cap:headline", NS).text
    assert "HOLD" not in headline
    assert headline == "STAFF HELP NEEDED at School A High"


def test_26_18_the_packet_pdf_and_the_feed_have_their_media_types_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    packet = paths["/api/v1/schools/{school_id}/responder-packet.pdf"]["get"]["responses"]["200"]
    assert list(packet["content"]) == ["application/pdf"]
    assert packet["content"]["application/pdf"]["schema"] == {"type": "string", "format": "binary"}
    feed = paths["/api/v1/cap/feed"]["get"]["responses"]
    assert list(feed["200"]["content"]) == ["application/atom+xml"]
    assert "304" in feed
