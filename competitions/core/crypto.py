"""Personal data encrypted at rest: an ``Encrypted`` column type, and keyed hashes to find rows.

ID numbers and phones are kept encrypted with AES-256-GCM (``cryptography``'s authenticated
encryption): whoever reads the database file, a dump or a backup sees ciphertext, and a changed
ciphertext is refused rather than read wrong. ORM code reads and writes plain strings; the column
type does the rest. A ciphertext names the key it was made with (a short key id), so that:

- ``DATA_KEY`` is a list (comma-separated, newest first): new values are encrypted with the first
  key, and any key of the list decrypts. Rotating is putting a new key first, re-encrypting every
  row (``flask keys rotate-data``) and then dropping the old key.
- A row can be found by an exact value without decrypting every row: a keyed hash
  (HMAC-SHA256 under ``INDEX_KEY``, a key of its own) is kept beside the value
  (:func:`lookup_hash`). Without the key, the hashes of all possible ID numbers cannot be
  computed and compared.

Keys are text (any long random string); the cipher and hash keys are derived from them with HKDF.
"""

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from sqlalchemy import LargeBinary, String
from sqlalchemy.types import TypeDecorator

from competitions.core.identity_rules import normalise_id_number

#: Separates the key id from the ciphertext in a stored text value.
_SEP = "$"
#: The first bytes of an encrypted file (bytes columns), before the key id.
_BYTES_MAGIC = b"JSE1"
_NONCE = 12
_KID_BYTES = 4


class UnreadableValue(ValueError):
    """A stored value no key of ``DATA_KEY`` opens (a dropped key, or a changed value)."""


def _derive(secret: str, purpose: bytes) -> bytes:
    """A 32-byte key for ``purpose`` from a key's text."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(
        secret.encode()
    )


def split_keys(text: str | None) -> list[str]:
    """The keys of a ``DATA_KEY`` setting: comma-separated, newest first, blanks left out."""
    return [key.strip() for key in (text or "").split(",") if key.strip()]


@dataclass(frozen=True)
class _Key:
    kid: bytes
    cipher: AESGCM


class Keyring:
    """The data keys (the first encrypts, any decrypts) and the index key of one site."""

    def __init__(self, data_keys: list[str], index_key: str):
        if not data_keys or not index_key:
            raise ValueError("a keyring needs at least one data key and an index key")
        self._keys = []
        for text in data_keys:
            raw = _derive(text, b"jingsai data encryption v1")
            kid = hashlib.sha256(b"kid" + raw).digest()[:_KID_BYTES]
            self._keys.append(_Key(kid, AESGCM(raw)))
        self._by_kid = {key.kid: key for key in reversed(self._keys)}
        self._index = _derive(index_key, b"jingsai lookup index v1")

    @property
    def current_kid(self) -> str:
        """The id of the key new values are encrypted with, as stored (hex)."""
        return self._keys[0].kid.hex()

    def seal(self, data: bytes) -> tuple[bytes, bytes]:
        """(key id, nonce + ciphertext) of ``data`` under the first key."""
        key, nonce = self._keys[0], os.urandom(_NONCE)
        return key.kid, nonce + key.cipher.encrypt(nonce, data, key.kid)

    def open(self, kid: bytes, box: bytes) -> bytes:
        """The data sealed by :meth:`seal`; :class:`UnreadableValue` if no key opens it."""
        key = self._by_kid.get(kid)
        if key is None:
            raise UnreadableValue(f"no data key has the id {kid.hex()} (was it dropped?)")
        try:
            return key.cipher.decrypt(box[:_NONCE], box[_NONCE:], kid)
        except InvalidTag:
            raise UnreadableValue("a stored value does not match its key (changed?)") from None

    def encrypt_text(self, text: str) -> str:
        """``text`` encrypted, as stored: ``<key id>$<base64 of nonce and ciphertext>``."""
        kid, box = self.seal(text.encode())
        return kid.hex() + _SEP + base64.urlsafe_b64encode(box).decode("ascii")

    def decrypt_text(self, stored: str) -> str:
        """The text :meth:`encrypt_text` stored."""
        kid, sep, box = stored.partition(_SEP)
        try:
            kid_bytes, sealed = bytes.fromhex(kid), base64.urlsafe_b64decode(box)
        except ValueError:
            kid_bytes = b""
        if not sep or len(kid_bytes) != _KID_BYTES:  # never say the value: it may be plain
            raise UnreadableValue("a stored value is not one of ours (plain text?)")
        return self.open(kid_bytes, sealed).decode()

    def encrypt_bytes(self, data: bytes) -> bytes:
        """``data`` encrypted, as stored: a marker, the key id, the nonce and the ciphertext."""
        kid, box = self.seal(data)
        return _BYTES_MAGIC + kid + box

    def decrypt_bytes(self, stored: bytes) -> bytes:
        """The bytes :meth:`encrypt_bytes` stored."""
        if not stored.startswith(_BYTES_MAGIC):
            raise UnreadableValue("a stored file is not one of ours (plain bytes?)")
        head = len(_BYTES_MAGIC)
        return self.open(stored[head : head + _KID_BYTES], stored[head + _KID_BYTES :])

    def is_current(self, stored: str | bytes) -> bool:
        """Whether a stored value is encrypted with the first key already (rotation skips it)."""
        if isinstance(stored, bytes):
            head = len(_BYTES_MAGIC)
            return stored[head : head + _KID_BYTES] == self._keys[0].kid
        return stored.startswith(self.current_kid + _SEP)

    def lookup_hash(self, text: str) -> str:
        """The keyed hash of a (normalised) value, in hex, for exact look-ups."""
        return hmac.new(self._index, text.encode(), hashlib.sha256).hexdigest()


def keyring_of(config) -> Keyring:
    """The keyring of an app's settings (``DATA_KEY``, ``INDEX_KEY``)."""
    return Keyring(split_keys(config["DATA_KEY"]), config["INDEX_KEY"])


def keyring() -> Keyring:
    """The current app's keyring, made once per app."""
    app = current_app._get_current_object()
    ring = app.extensions.get("jingsai_keyring")
    if ring is None:
        ring = app.extensions["jingsai_keyring"] = keyring_of(app.config)
    return ring


def lookup_hash(text: str) -> str:
    """The keyed hash of a normalised value under the current app's index key."""
    return keyring().lookup_hash(text)


def id_number_hash(raw: str) -> str:
    """The keyed hash of an ID number as look-ups compare it: normalised first (no spaces, X
    upper-case: ``identity_rules.normalise_id_number``), so any way of typing it finds them."""
    return lookup_hash(normalise_id_number(raw))


class _NotComparable(String.Comparator):
    """Refuses SQL comparisons: an encrypted value never equals anything (every encryption of
    the same text differs), so ``==``, ``LIKE``, ``IN`` or ``ORDER BY`` on it would silently
    find nothing or sort noise. Compare the keyed hash kept beside it instead."""

    def operate(self, op, *other, **kwargs):
        raise TypeError(
            f"{self.expr} is kept encrypted and cannot be compared or sorted in SQL "
            "(compare its keyed hash, e.g. Person.id_number_hash)"
        )

    def reverse_operate(self, op, other, **kwargs):
        return self.operate(op, other, **kwargs)


class Encrypted(TypeDecorator):
    """A text column kept encrypted; the ORM and queries see plain text.

    ``mask`` (a function of the plain text) is what the audit log keeps of a value instead of
    the value. The column cannot be compared in SQL (every encryption differs): compare its hash.
    """

    impl = String
    cache_ok = True
    comparator_factory = _NotComparable

    def __init__(self, length: int = 255, mask=None):
        super().__init__(length)
        self.mask = mask

    def process_bind_param(self, value, dialect):
        return None if value is None else keyring().encrypt_text(value)

    def process_result_value(self, value, dialect):
        return None if value is None else keyring().decrypt_text(value)


class EncryptedBytes(TypeDecorator):
    """A binary column (an uploaded file, a report) kept encrypted; the ORM sees the bytes."""

    impl = LargeBinary
    cache_ok = True
    mask = None

    def process_bind_param(self, value, dialect):
        return None if value is None else keyring().encrypt_bytes(bytes(value))

    def process_result_value(self, value, dialect):
        return None if value is None else keyring().decrypt_bytes(bytes(value))


def is_encrypted(column) -> bool:
    """Whether a table column is kept encrypted."""
    return isinstance(column.type, Encrypted | EncryptedBytes)


def masked(column, value):
    """What the audit log keeps of a column's value: a sensitive one masked, a file never."""
    if value is None or column is None or not is_encrypted(column):
        return value
    mask = column.type.mask
    return mask(value) if mask else "***"
