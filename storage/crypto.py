"""Encryption at rest (Fernet, keys from DATA_KEY) for reporter identity, drafts and packets.

DATA_KEY may hold several keys separated by commas: the first encrypts, all decrypt. That is
how a key is rotated: set `DATA_KEY=new,old`, run `python -m bot rotate-key`, then keep only
`new`. A check value stored in the database tells at start-up whether the key fits the data.
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

CHECK_TEXT = "lapor-netral data key check"


class DataCipher:
    """Encrypts with the deployment's current data key; decrypts with any key it was given."""

    def __init__(self, keys: str) -> None:
        self._fernets = [Fernet(key.strip().encode("ascii")) for key in keys.split(",")]
        self._multi = MultiFernet(self._fernets)

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
