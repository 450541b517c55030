"""Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP) with the standard library,
and the sealing of the shared secrets kept in the database.

Authenticator apps (Google Authenticator, Microsoft Authenticator, FreeOTP, Aegis …) expect
SHA-1, 6 digits and a 30-second step; those are the defaults. The secret is 20 random bytes
(160 bits, RFC 4226 §4), shown as unpadded base32.

Sealing: a secret is stored encrypted with a key derived from SECRET_KEY, so a copy of the
database (a backup, a dump) without the key does not give anyone the second factor. The
cipher is HMAC-SHA256 used as a pseudo-random function in counter mode over a fresh 16-byte
nonce (a stream cipher), with an HMAC-SHA256 tag over version, nonce and ciphertext
(encrypt-then-MAC); encryption and tag keys are separate HMACs of SECRET_KEY. Every piece is
the standard library's; docs/decisions.md says why no cipher library. A secret sealed under a
key now in SECRET_KEY_FALLBACKS still opens, so the key can be rotated."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
import time
from urllib.parse import quote, urlencode

from django.conf import settings

STEP_SECONDS = 30
DIGITS = 6
DRIFT_STEPS = 1  # a phone's clock may be this many steps early or late
SECRET_BYTES = 20
_SEAL_VERSION = b"1"
_NONCE_BYTES = 16
_TAG_BYTES = 32


def now() -> float:
    """The clock the codes are checked against (tests replace it)."""
    return time.time()


def hotp(key: bytes, counter: int, *, digits: int = DIGITS, digest: str = "sha1") -> str:
    """RFC 4226: HMAC of the 8-byte big-endian counter, dynamically truncated to `digits`."""
    mac = hmac.new(key, struct.pack(">Q", counter), digest).digest()
    offset = mac[-1] & 0x0F
    (number,) = struct.unpack(">I", mac[offset:offset + 4])
    return str((number & 0x7FFFFFFF) % 10 ** digits).zfill(digits)


def time_step(at: float, *, step: int = STEP_SECONDS) -> int:
    return int(at // step)


def totp(key: bytes, at: float, *, step: int = STEP_SECONDS, digits: int = DIGITS, digest: str = "sha1") -> str:
    """RFC 6238: the HOTP of the number of whole steps since the Unix epoch."""
    return hotp(key, time_step(at, step=step), digits=digits, digest=digest)


def matching_steps(key: bytes, code: str, at: float, *, drift: int = DRIFT_STEPS) -> list[int]:
    """The time steps within ±`drift` of `at` whose code `code` is (usually one or none).
    Every candidate is compared, in constant time."""
    code = "".join(code.split())
    if len(code) != DIGITS or not code.isascii() or not code.isdigit():
        return []
    current = time_step(at)
    return [candidate for candidate in range(max(current - drift, 0), current + drift + 1)
            if hmac.compare_digest(hotp(key, candidate), code)]


def match_step(key: bytes, code: str, at: float, *, after: int = -1, drift: int = DRIFT_STEPS) -> int | None:
    """The latest time step within ±`drift` of `at`, later than `after`, whose code `code` is."""
    later = [s for s in matching_steps(key, code, at, drift=drift) if s > after]
    return max(later) if later else None


def new_secret() -> bytes:
    return secrets.token_bytes(SECRET_BYTES)


def b32(secret: bytes) -> str:
    """The secret as authenticator apps take it: base32 without padding."""
    return base64.b32encode(secret).decode("ascii").rstrip("=")


def grouped(text: str, size: int = 4) -> str:
    """"JBSW Y3DP EHPK 3PXP": easier to read and type from the screen."""
    return " ".join(text[i:i + size] for i in range(0, len(text), size))


def otpauth_uri(secret: bytes, *, account: str, issuer: str = "chibo") -> str:
    """The otpauth:// address the QR code carries (Google Authenticator's key URI format)."""
    label = quote(f"{issuer}:{account}", safe=":@")
    query = urlencode({"secret": b32(secret), "issuer": issuer, "algorithm": "SHA1", "digits": DIGITS,
                       "period": STEP_SECONDS})
    return f"otpauth://totp/{label}?{query}"


# --- Secrets at rest ----------------------------------------------------------------------------

def _keys(secret_key: str) -> tuple[bytes, bytes]:
    base = secret_key.encode()
    return (hmac.new(base, b"chibo.twostep.encrypt", hashlib.sha256).digest(),
            hmac.new(base, b"chibo.twostep.authenticate", hashlib.sha256).digest())


def _keystream(key: bytes, nonce: bytes, length: int) -> bytes:
    out = b""
    counter = 0
    while len(out) < length:
        out += hmac.new(key, nonce + struct.pack(">I", counter), hashlib.sha256).digest()
        counter += 1
    return out[:length]


def seal(secret: bytes) -> str:
    """Encrypt and authenticate a secret for the database (under SECRET_KEY)."""
    encrypt, authenticate = _keys(settings.SECRET_KEY)
    nonce = secrets.token_bytes(_NONCE_BYTES)
    body = bytes(a ^ b for a, b in zip(secret, _keystream(encrypt, nonce, len(secret)), strict=True))
    tag = hmac.new(authenticate, _SEAL_VERSION + nonce + body, hashlib.sha256).digest()
    return _SEAL_VERSION.decode() + "$" + base64.urlsafe_b64encode(nonce + body + tag).decode("ascii")


class SealBroken(Exception):
    """The stored secret does not open with SECRET_KEY (or its fallbacks): changed key or data."""


def unseal(text: str) -> bytes:
    version, _sep, payload = text.partition("$")
    try:
        raw = base64.urlsafe_b64decode(payload.encode("ascii"))
    except ValueError as exc:
        raise SealBroken("not a sealed secret") from exc
    if version.encode() != _SEAL_VERSION or len(raw) < _NONCE_BYTES + _TAG_BYTES:
        raise SealBroken("not a sealed secret")
    nonce, body, tag = raw[:_NONCE_BYTES], raw[_NONCE_BYTES:-_TAG_BYTES], raw[-_TAG_BYTES:]
    for secret_key in [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]:
        encrypt, authenticate = _keys(secret_key)
        expected = hmac.new(authenticate, _SEAL_VERSION + nonce + body, hashlib.sha256).digest()
        if hmac.compare_digest(expected, tag):
            return bytes(a ^ b for a, b in zip(body, _keystream(encrypt, nonce, len(body)), strict=True))
    raise SealBroken("the secret does not open with SECRET_KEY")
