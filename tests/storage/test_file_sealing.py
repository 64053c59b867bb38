"""Values and evidence files at rest: sealed with AES-GCM under a key derived from DATA_KEY;
those sealed as Fernet tokens by earlier versions still open and are resealed when keys
rotate."""

from __future__ import annotations

import os

import pytest
from cryptography.fernet import Fernet

from storage.crypto import FILE_MAGIC, VALUE_MAGIC, DataCipher

PHOTO = b"\xff\xd8\xff\xe0" + b"EXIFSECRET-CAMERA-SERIAL" + os.urandom(4000)


def test_a_sealed_file_opens_and_shows_nothing_of_its_bytes() -> None:
    cipher = DataCipher(Fernet.generate_key().decode())
    sealed = cipher.encrypt_bytes(PHOTO)
    assert sealed.startswith(FILE_MAGIC) and b"EXIFSECRET" not in sealed
    assert cipher.decrypt_bytes(sealed) == PHOTO
    assert cipher.encrypt_bytes(PHOTO) != sealed  # a fresh nonce for every file
    assert cipher.decrypt_bytes(cipher.encrypt_bytes(b"")) == b""


def test_a_changed_file_or_another_key_is_refused() -> None:
    cipher = DataCipher(Fernet.generate_key().decode())
    sealed = cipher.encrypt_bytes(PHOTO)
    flipped = bytearray(sealed)
    flipped[len(FILE_MAGIC) + 20] ^= 1
    for damaged in (bytes(flipped), sealed[:-1], sealed[: len(FILE_MAGIC) + 5], b"%PDF-1.7"):
        with pytest.raises(ValueError):
            cipher.decrypt_bytes(damaged)
    with pytest.raises(ValueError):
        DataCipher(Fernet.generate_key().decode()).decrypt_bytes(sealed)


def test_files_of_earlier_versions_open_and_rotate_to_the_new_key() -> None:
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    as_token = Fernet(old_key.encode()).encrypt(PHOTO)  # how files were sealed before
    sealed_old = DataCipher(old_key).encrypt_bytes(PHOTO)
    assert DataCipher(old_key).decrypt_bytes(as_token) == PHOTO
    rotating = DataCipher(f"{new_key},{old_key}")
    only_new = DataCipher(new_key)
    for before in (as_token, sealed_old):
        assert rotating.decrypt_bytes(before) == PHOTO
        after = rotating.rotate_bytes(before)
        assert after.startswith(FILE_MAGIC)
        assert only_new.decrypt_bytes(after) == PHOTO
        with pytest.raises(ValueError):
            DataCipher(old_key).decrypt_bytes(after)


def test_values_are_sealed_the_same_way_and_old_tokens_still_open() -> None:
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    cipher = DataCipher(old_key)
    sealed = cipher.encrypt("Budi Pelapor, 081234567890")
    assert sealed.startswith(VALUE_MAGIC) and b"Budi" not in sealed
    assert cipher.decrypt(sealed) == "Budi Pelapor, 081234567890"
    as_token = Fernet(old_key.encode()).encrypt(b"Kepala Dinas")  # earlier versions
    assert cipher.decrypt(as_token) == "Kepala Dinas"
    rotating = DataCipher(f"{new_key},{old_key}")
    for before, text in ((sealed, "Budi Pelapor, 081234567890"), (as_token, "Kepala Dinas")):
        after = rotating.rotate(before)
        assert after.startswith(VALUE_MAGIC) and DataCipher(new_key).decrypt(after) == text
    with pytest.raises(ValueError):
        cipher.decrypt(cipher.encrypt_bytes(b"a file"))  # a file is not a value, nor back
    with pytest.raises(ValueError):
        cipher.decrypt_bytes(sealed)
    token = cipher.encrypt_token('{"update_id": 1}')  # the inbox's text column
    assert token.isascii() and cipher.decrypt_token(token) == '{"update_id": 1}'
