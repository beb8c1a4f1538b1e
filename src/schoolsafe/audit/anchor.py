"""The audit chain's head, kept outside the database: the newest row's id and hash and the number of rows
up to it, signed with HMAC-SHA256 under SECRET_KEY, in a file of the data folder.

The hash chain alone proves that no row was altered or removed *between* two rows; it cannot tell that the
newest rows were removed (the shortened chain is still a valid chain). The anchor can: `schoolsafe audit
verify` fails when the anchored row is gone, its hash changed, or fewer rows lead up to it. Every verify
that passes moves the anchor forward, and `schoolsafe audit anchor` does so on its own (run it on a
schedule: cron, a systemd timer), but only when the old anchor still holds, so a removal is never covered
up by a later anchor. (NIST SP 800-92 and CJIS Security Policy 5.4.5, protection of audit information.)
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from django.conf import settings


class AnchorError(Exception):
    """The anchor file cannot be trusted (its signature does not match, or it cannot be read)."""


@dataclass(frozen=True)
class Anchor:
    """The chain's head at one moment: `rows` rows up to and including row `last_id`, whose hash is `last_hash`."""

    rows: int
    last_id: int | None
    last_hash: str
    at: str


def anchor_path() -> Path:
    return Path(getattr(settings, "SCHOOLSAFE_AUDIT_ANCHOR", None) or Path(settings.DATA_DIR) / "audit-anchor.json")


def _signature(anchor: Anchor) -> str:
    payload = json.dumps(asdict(anchor), sort_keys=True, separators=(",", ":")).encode()
    key = hashlib.sha256(b"schoolsafe audit anchor|" + settings.SECRET_KEY.encode()).digest()
    return hmac.new(key, payload, hashlib.sha256).hexdigest()


def read_anchor() -> Anchor | None:
    """The anchor, or None when none was written yet; AnchorError when it was changed or is unreadable."""
    path = anchor_path()
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise AnchorError(f"cannot read the anchor file {path}: {exc}") from None
    try:
        anchor = Anchor(rows=int(document["rows"]), last_id=document["last_id"], last_hash=str(document["last_hash"]),
                        at=str(document["at"]))
        signature = str(document["signature"])
    except (KeyError, TypeError, ValueError):
        raise AnchorError(f"the anchor file {path} is not one SchoolSafe wrote") from None
    if not hmac.compare_digest(signature, _signature(anchor)):
        raise AnchorError(
            f"the anchor file {path} does not carry a valid signature: it was changed, or SECRET_KEY changed "
            "since it was written"
        )
    return anchor


def write_anchor(rows: int, last_id: int | None, last_hash: str) -> Anchor:
    """Replace the anchor with this head (atomically: a crash leaves the old file or the new one)."""
    anchor = Anchor(rows=rows, last_id=last_id, last_hash=last_hash,
                    at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))
    path = anchor_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump({**asdict(anchor), "signature": _signature(anchor)}, out, indent=2, sort_keys=True)
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, path)
    return anchor
