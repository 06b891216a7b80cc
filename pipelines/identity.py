"""case_key: the only identifier of a person that passes ingest (outputs.md)."""

from __future__ import annotations

import hashlib
import hmac


def case_key(crn: str, secret: bytes) -> str:
    """HMAC-SHA256 of the crn under the configured secret, as 64 hex characters."""
    return hmac.new(secret, crn.encode("utf-8"), hashlib.sha256).hexdigest()
