"""Encryption at rest (Fernet, key from DATA_KEY) for reporter identity and draft answers."""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken


class DataCipher:
    """Encrypts and decrypts text with the deployment's data key."""

    def __init__(self, key: str) -> None:
        self._fernet = Fernet(key.encode("ascii"))

    def encrypt(self, text: str) -> bytes:
        """The text, encrypted and authenticated."""
        return self._fernet.encrypt(text.encode("utf-8"))

    def decrypt(self, token: bytes) -> str:
        """The text back; raises ValueError when the key is wrong or the data was changed."""
        try:
            return self._fernet.decrypt(token).decode("utf-8")
        except InvalidToken:
            raise ValueError("cannot decrypt: wrong DATA_KEY or damaged data") from None

    def encrypt_optional(self, text: str | None) -> bytes | None:
        """Encrypt when there is something to encrypt."""
        return None if text is None else self.encrypt(text)

    def decrypt_optional(self, token: bytes | None) -> str | None:
        """Decrypt when there is something to decrypt."""
        return None if token is None else self.decrypt(token)
