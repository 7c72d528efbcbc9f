"""Secrets Salync has to read back (a live channel's API key), encrypted at rest.

Fernet (AES-128-CBC with an HMAC-SHA256, from the maintained ``cryptography`` package) with
the keys of ``settings.SALYNC_ENCRYPTION_KEYS``: the first encrypts, every one decrypts, so a
key is rotated by putting a new one first and keeping the old one until every secret has been
written again (``secret_reencrypt``). Secrets we only compare (API keys, passwords) are hashed
instead, never encrypted.
"""

import base64
import hashlib
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class SecretUnreadable(Exception):
    """The ciphertext was written with a key no longer configured, or was altered."""


def key_from_secret_key(secret_key: str) -> str:
    """A Fernet key derived from ``SECRET_KEY``: the development default only (production
    sets its own, so rotating SECRET_KEY cannot make stored secrets unreadable)."""
    digest = hashlib.sha256(b"salync encryption key\x00" + secret_key.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("SALYNC_ENCRYPTION_KEY is empty: set at least one Fernet key.")
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError:
        raise ImproperlyConfigured(
            "SALYNC_ENCRYPTION_KEY must hold Fernet keys (32 url-safe base64-encoded bytes; "
            "make one with `python3 -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())'`), comma-separated, newest first."
        ) from None


def check_keys() -> None:
    """Raise ``ImproperlyConfigured`` now if the configured keys are not Fernet keys."""
    _keys()


def _keys() -> MultiFernet:
    return _fernet(tuple(settings.SALYNC_ENCRYPTION_KEYS))


def secret_encrypt(plaintext: str) -> str:
    """The ciphertext of ``plaintext`` under the newest key (ASCII, safe in a text column)."""
    return _keys().encrypt(plaintext.encode()).decode("ascii")


def secret_decrypt(ciphertext: str) -> str:
    """The plaintext; :class:`SecretUnreadable` when no configured key opens it."""
    try:
        return _keys().decrypt(ciphertext.encode("ascii")).decode()
    except (InvalidToken, UnicodeError):
        raise SecretUnreadable(
            "The stored secret cannot be decrypted with the configured SALYNC_ENCRYPTION_KEY."
        ) from None


def secret_reencrypt(ciphertext: str) -> str:
    """The same secret under the newest key (key rotation)."""
    try:
        return _keys().rotate(ciphertext.encode("ascii")).decode("ascii")
    except (InvalidToken, UnicodeError):
        raise SecretUnreadable(
            "The stored secret cannot be decrypted with the configured SALYNC_ENCRYPTION_KEY."
        ) from None
