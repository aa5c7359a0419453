"""Signed, expiring tokens: who a customer is, and that a browser signed in as the operator.

A token is a payload signed with the app's secret (itsdangerous, HMAC-SHA1 over the payload and
a timestamp, with a separate salt per kind of token so one kind can never pass for another). It
is what the session cookie holds and what API clients send as `Authorization: Bearer …`; the
server keeps no session table. A token older than `max_age_s`, signed with another secret, or
altered in any byte, reads as no token at all.

The secret comes from the `session_secret` setting; left empty, one is made on first start and
kept in the data folder (mode 0600), so sessions survive a restart. Replicas that share sessions
must share the setting.
"""

from __future__ import annotations

import hashlib
import secrets
from pathlib import Path

from itsdangerous import BadData, URLSafeTimedSerializer

from switchboard.app.settings import Settings

CUSTOMER_SALT = "switchboard.customer"
OPERATOR_SALT = "switchboard.operator"


def session_secret(configured: str, data_dir: Path) -> str:
    """The configured secret, else the one kept in `data_dir`, made there the first time."""
    if configured:
        return configured
    path = data_dir / "session_secret"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(32)
    path.touch(mode=0o600)
    path.write_text(secret)
    return secret


def make_signer(settings: Settings) -> Signer:
    return Signer(session_secret(settings.session_secret, settings.data_dir), round(settings.session_hours * 3600))


class Signer:
    def __init__(self, secret: str, max_age_s: int) -> None:
        self._customers = URLSafeTimedSerializer(secret, salt=CUSTOMER_SALT)
        self._operators = URLSafeTimedSerializer(secret, salt=OPERATOR_SALT)
        self.max_age_s = max_age_s

    def customer_token(self, customer_id: str) -> str:
        return str(self._customers.dumps({"customer": customer_id}))

    def customer_of(self, token: str) -> str | None:
        """The customer a genuine, unexpired token names; None for anything else."""
        payload = self._load(self._customers, token)
        customer = payload.get("customer") if isinstance(payload, dict) else None
        return customer if isinstance(customer, str) else None

    def operator_token(self, admin_token: str) -> str:
        """Proof of having signed in with `admin_token`, without carrying the token itself."""
        return str(self._operators.dumps({"admin": _fingerprint(admin_token)}))

    def is_operator(self, token: str, admin_token: str) -> bool:
        """Signed by us, unexpired, and made for the admin token in force now (a new token
        — say, a restart that made a fresh one — signs every earlier operator out)."""
        payload = self._load(self._operators, token)
        given = payload.get("admin") if isinstance(payload, dict) else None
        return isinstance(given, str) and secrets.compare_digest(given, _fingerprint(admin_token))

    def _load(self, serializer: URLSafeTimedSerializer, token: str) -> object:
        try:
            return serializer.loads(token, max_age=self.max_age_s)
        except (BadData, UnicodeError, ValueError):
            return None


def _fingerprint(admin_token: str) -> str:
    return hashlib.sha256(admin_token.encode()).hexdigest()[:32]
