"""Which address the tip line's rate limits count by, on a real server (uvicorn, as
`schoolsafe serve` runs it). X-Forwarded-For is believed only from SCHOOLSAFE_TRUSTED_PROXIES."""

from __future__ import annotations

import httpx
import pytest
from django.core.cache import cache

from schoolsafe.testing.servers import ThreadServer
from schoolsafe.tips.models import Tip

FORGED = [f"198.51.100.{n}" for n in range(1, 12)]


def send_tips(world, forwarded_for: list[str]) -> list[int]:
    data = {"category": "drugs", "school": world.school_a.pk, "what": "Pills sold behind the gym."}
    with ThreadServer() as server, httpx.Client(base_url=server.url, timeout=20) as http:
        return [http.post("/api/v1/tips", json=data, headers={"X-Forwarded-For": address}).status_code
                for address in forwarded_for]


def cached_keys() -> str:
    return " ".join(str(key) for key in cache._cache)  # type: ignore[attr-defined]  # LocMemCache's private dict


@pytest.mark.django_db(transaction=True)
def test_25_16_direct_a_client_cannot_pick_its_address_with_x_forwarded_for(world, settings):
    """No trusted proxy (the default): eleven tips from one machine, each claiming another address, are one
    client; the eleventh is refused."""
    settings.SCHOOLSAFE_TRUSTED_PROXIES = []
    assert send_tips(world, FORGED) == [201] * 10 + [429]


@pytest.mark.django_db(transaction=True)
def test_25_16_behind_a_trusted_proxy_each_forwarded_client_counts_on_its_own(world, settings):
    """Behind a proxy on 127.0.0.1 named in the setting, the address it forwards is the client: eleven
    clients are not limited, one client sending eleven is; the cache keys hold no address, and no table does."""
    settings.SCHOOLSAFE_TRUSTED_PROXIES = ["127.0.0.1"]
    assert send_tips(world, FORGED) == [201] * 11
    assert send_tips(world, ["203.0.113.5"] * 11) == [201] * 10 + [429]
    keys = cached_keys()
    assert "tips:rl:submit:" in keys
    assert not any(address in keys for address in [*FORGED, "203.0.113.5", "127.0.0.1"])
    assert Tip.objects.count() == 21
