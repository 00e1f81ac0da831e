"""Encryption of personal data at rest (Fernet, with key rotation).

The first key encrypts; every key decrypts, so a new key can be put in
front and old records re-encrypted at leisure. Keys live in the instance
folder (file ``data_keys``, one per line, newest first) or in
SCREENING_DATA_KEYS.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class DecryptionError(Exception):
    """A stored value cannot be decrypted with any configured key."""


def new_key() -> str:
    return Fernet.generate_key().decode("ascii")


class DataCipher:
    """Encrypts JSON values to text tokens and back."""

    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise ValueError("at least one key is needed")
        self._fernet = MultiFernet([Fernet(key) for key in keys])

    def encrypt(self, value: Any) -> str:
        """Encrypt any JSON value; the result is ASCII text."""
        data = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        return self._fernet.encrypt(data.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> Any:
        try:
            data = self._fernet.decrypt(token.encode("ascii"))
        except InvalidToken:
            raise DecryptionError("no configured key decrypts this value") from None
        return json.loads(data)

    def encrypt_bytes(self, data: bytes) -> str:
        """Encrypt raw bytes (a signed PDF, say); the result is ASCII text."""
        return self._fernet.encrypt(data).decode("ascii")

    def decrypt_bytes(self, token: str) -> bytes:
        try:
            return self._fernet.decrypt(token.encode("ascii"))
        except InvalidToken:
            raise DecryptionError("no configured key decrypts this value") from None

    def rotate(self, token: str) -> str:
        """Re-encrypt a token under the newest key."""
        return self._fernet.rotate(token.encode("ascii")).decode("ascii")
