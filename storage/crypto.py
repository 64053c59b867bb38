"""Encryption at rest (Fernet, keys from DATA_KEY) for reporter identity, drafts and packets.

DATA_KEY may hold several keys separated by commas: the first encrypts, all decrypt. That is
how a key is rotated: set `DATA_KEY=new,old`, run `python -m bot rotate-key`, then keep only
`new`. A check value stored in the database tells at start-up whether the key fits the data.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

CHECK_TEXT = "lapor-netral data key check"


class DataCipher:
    """Encrypts with the deployment's current data key; decrypts with any key it was given."""

    def __init__(self, keys: str) -> None:
        raw_keys = [key.strip().encode("ascii") for key in keys.split(",")]
        self._fernets = [Fernet(key) for key in raw_keys]
        self._multi = MultiFernet(self._fernets)
        # keyed hashes of chat ids (to find a reporter's cases without storing the id in clear)
        self._hash_keys = [
            hashlib.sha256(b"lapor-netral chat hash\n" + base64.urlsafe_b64decode(key)).digest()
            for key in raw_keys
        ]

    def chat_hash(self, chat_id: int) -> str:
        """The keyed hash stored to find a chat's cases (with the current key)."""
        return self.chat_hashes(chat_id)[0]

    def chat_hashes(self, chat_id: int) -> list[str]:
        """The chat's keyed hash under every key given (while rotating, rows may have either)."""
        message = str(chat_id).encode("ascii")
        return [hmac.new(key, message, hashlib.sha256).hexdigest() for key in self._hash_keys]

    def encrypt_bytes(self, data: bytes) -> bytes:
        """A file's bytes, encrypted and authenticated."""
        return self._multi.encrypt(data)

    def decrypt_bytes(self, token: bytes) -> bytes:
        """A file's bytes back (ValueError when no key fits)."""
        try:
            return self._multi.decrypt(token)
        except InvalidToken:
            raise ValueError("cannot decrypt: wrong DATA_KEY or damaged data") from None

    @property
    def key_count(self) -> int:
        """How many keys were given (more than one while rotating)."""
        return len(self._fernets)

    def encrypt(self, text: str) -> bytes:
        """The text, encrypted and authenticated with the current (first) key."""
        return self._multi.encrypt(text.encode("utf-8"))

    def decrypt(self, token: bytes) -> str:
        """The text back; raises ValueError when no key fits or the data was changed."""
        try:
            return self._multi.decrypt(token).decode("utf-8")
        except InvalidToken:
            raise ValueError("cannot decrypt: wrong DATA_KEY or damaged data") from None

    def rotate(self, token: bytes) -> bytes:
        """The same text encrypted with the current key (ValueError when no key fits)."""
        try:
            return self._multi.rotate(token)
        except InvalidToken:
            raise ValueError("cannot decrypt: wrong DATA_KEY or damaged data") from None

    def encrypt_optional(self, text: str | None) -> bytes | None:
        """Encrypt when there is something to encrypt."""
        return None if text is None else self.encrypt(text)

    def decrypt_optional(self, token: bytes | None) -> str | None:
        """Decrypt when there is something to decrypt."""
        return None if token is None else self.decrypt(token)
