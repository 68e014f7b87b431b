"""Genotypes encrypted at rest: AES-256-GCM under a data key per profile, wrapped by a master key.

The master key comes from `KINTRACE_GENETIC_KEY` (base64 of 32 random bytes) or from the file named
by `KINTRACE_GENETIC_KEY_FILE`; it never enters the database. A profile stores only its ciphertext and
its wrapped data key, both bound to the sample's id as associated data, so neither can be moved to
another sample and still open. Destroying the wrapped data key makes the ciphertext unreadable for
good (crypto-shredding); rotating the master key re-wraps the data keys and leaves the ciphertexts.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from kintrace.services.errors import ServiceError
from kintrace.settings import Settings, current

KEY_ENV = "KINTRACE_GENETIC_KEY"
KEY_FILE_ENV = "KINTRACE_GENETIC_KEY_FILE"
KEY_BYTES = 32
NONCE_BYTES = 12

Genotypes = dict[str, tuple[str | None, str | None]]


class GeneticKeyError(ServiceError):
    """No usable master key, or a key that does not open what it should."""


@dataclass(frozen=True, repr=False)
class MasterKey:
    key: bytes

    @property
    def key_id(self) -> str:
        """A fingerprint naming the key in the database without revealing it."""
        return hashlib.sha256(b"kintrace-genetic-key-id:" + self.key).hexdigest()[:16]

    def __repr__(self) -> str:  # never print the key itself
        return f"MasterKey({self.key_id})"


def new_key_text() -> str:
    return base64.b64encode(os.urandom(KEY_BYTES)).decode("ascii")


def parse_key(text: str, where: str) -> MasterKey:
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise GeneticKeyError(f"{where}: not base64 text") from None
    if len(raw) != KEY_BYTES:
        raise GeneticKeyError(f"{where}: must hold {KEY_BYTES} bytes (base64), holds {len(raw)}")
    return MasterKey(raw)


def read_key_file(path: str | Path) -> MasterKey:
    try:
        text = Path(path).read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as error:
        raise GeneticKeyError(f"genetic key file {path}: cannot read ({error})") from None
    return parse_key(text, f"genetic key file {path}")


def write_key_file(path: str | Path) -> MasterKey:
    """A new random key in a file only its owner may read."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = new_key_text()
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(text + "\n")
    return parse_key(text, str(path))


def master_key_from_env(config: Settings | None = None) -> MasterKey:
    """The configured master key; GeneticKeyError saying how to set one when there is none."""
    config = config or current()
    if config.genetic_key is not None:
        return parse_key(config.genetic_key.get_secret_value(), KEY_ENV)
    if config.genetic_key_file is not None:
        return read_key_file(config.genetic_key_file)
    raise GeneticKeyError(
        f"no genetic master key: set {KEY_ENV} to base64 of 32 random bytes "
        f"(e.g. `openssl rand -base64 32`) or {KEY_FILE_ENV} to a file holding it"
    )


def demo_key(path: str | Path) -> MasterKey:
    """The demo's own key file, made on first use."""
    path = Path(path)
    return read_key_file(path) if path.exists() else write_key_file(path)


DEMO_KEY_FILE = Path("var/genetic.key")


def configured_key(demo: bool, demo_path: Path = DEMO_KEY_FILE) -> MasterKey:
    """The server's master key: from the environment; the demo falls back to a key file of its own.

    Outside the demo a missing key stops the start (GeneticKeyError) rather than leave genotypes
    unreadable, or worse, sealed under a key nobody kept.
    """
    config = current()
    if demo and config.genetic_key is None and config.genetic_key_file is None:
        return demo_key(demo_path)
    return master_key_from_env(config)


def _aad(sample_id: int, what: str) -> bytes:
    return f"kintrace-dna:{what}:{sample_id}".encode()


def _encrypt(key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def _decrypt(key: bytes, sealed: bytes, aad: bytes) -> bytes:
    return AESGCM(key).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], aad)


def seal(
    master: MasterKey, sample_id: int, genotypes: Mapping[str, tuple[str | None, str | None]]
) -> tuple[bytes, bytes]:
    """(ciphertext, wrapped data key) of a sample's genotypes."""
    data_key = AESGCM.generate_key(bit_length=256)
    plaintext = json.dumps({m: list(g) for m, g in genotypes.items()}, sort_keys=True).encode()
    ciphertext = _encrypt(data_key, plaintext, _aad(sample_id, "profile"))
    return ciphertext, _encrypt(master.key, data_key, _aad(sample_id, "data-key"))


def unwrap(master: MasterKey, sample_id: int, wrapped: bytes) -> bytes:
    try:
        return _decrypt(master.key, wrapped, _aad(sample_id, "data-key"))
    except InvalidTag:
        raise GeneticKeyError(
            f"sample {sample_id}: the master key {master.key_id} does not open this profile's data key"
        ) from None


def open_profile(master: MasterKey, sample_id: int, ciphertext: bytes, wrapped: bytes) -> Genotypes:
    data_key = unwrap(master, sample_id, wrapped)
    try:
        raw = json.loads(_decrypt(data_key, ciphertext, _aad(sample_id, "profile")))
    except InvalidTag:
        raise GeneticKeyError(f"sample {sample_id}: the profile's ciphertext does not verify") from None
    return {marker: (pair[0], pair[1]) for marker, pair in raw.items()}


def rewrap(old: MasterKey, new: MasterKey, sample_id: int, wrapped: bytes) -> bytes:
    return _encrypt(new.key, unwrap(old, sample_id, wrapped), _aad(sample_id, "data-key"))
