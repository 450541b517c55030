"""Sign-in throttling that a stranger cannot turn against the account's owner.

- The client address is REMOTE_ADDR, unless REMOTE_ADDR is one of CHIBO_TRUSTED_PROXIES:
  then it is the right-most address of X-Forwarded-For that is not itself a trusted proxy
  (the one our own proxy saw). Whatever a client writes into the header is ignored otherwise.
- Per address, across usernames: after CHIBO_SIGNIN_IP_LIMIT failures within
  CHIBO_SIGNIN_IP_WINDOW_MINUTES that address waits (no spraying a few guesses at every
  account).
- Per username, a growing pause instead of a lock: CHIBO_SIGNIN_FREE_TRIES failures are free,
  then each further one makes the next try wait 30 s, 1, 2, 4 … minutes, at most
  CHIBO_SIGNIN_BACKOFF_MAX_MINUTES. Failures count from everywhere — except that from a
  place the person has signed in from before (their usual place, remembered
  SIGNIN_PLACE_DAYS), only that place's own failures count, and the per-address limit does
  not apply. Spraying the administrator's username from the internet therefore slows the
  sprayer down, never the administrator at their usual office.

Each attempt is written as a failure before the password is checked (and removed when it was
right), so attempts sent in parallel see each other. Everything is in the database: the
cache is per process and `chibo serve` runs several workers."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import ipaddress
import logging
import math
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone

from chibo.accounts.models import SignInFailure, SignInPlace

logger = logging.getLogger(__name__)

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@functools.cache
def _networks(spec: str) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(part.strip(), strict=False) for part in spec.split(",") if part.strip())


def trusted_proxies() -> tuple[IPNetwork, ...]:
    return _networks(settings.CHIBO_TRUSTED_PROXIES)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address, proxies: tuple[IPNetwork, ...]) -> bool:
    return any(address.version == net.version and address in net for net in proxies)


def client_ip(request: HttpRequest) -> str:
    """The client's address as this server can vouch for it (see the module's docstring)."""
    remote = _address(request.META.get("REMOTE_ADDR", "") or "")
    if remote is None:
        return "unknown"
    proxies = trusted_proxies()
    if not _trusted(remote, proxies):
        return str(remote)
    forwarded = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    client = remote
    for part in reversed(forwarded):
        hop = _address(part)
        if hop is None:  # our proxy would not write this: keep the last address we can vouch for
            break
        client = hop
        if not _trusted(hop, proxies):
            break
    return str(client)


def ip_key(ip: str) -> str:
    """What the limits count by: the address, or an IPv6 address's /64 (one subscriber's)."""
    address = _address(ip)
    if isinstance(address, ipaddress.IPv6Address):
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address) if address is not None else ip[:64]


def username_key(username: str) -> str:
    return username.strip().lower()[:150]


@dataclass(frozen=True)
class Verdict:
    wait: dt.timedelta = dt.timedelta(0)  # how long before the next try; 0: try now
    tries_left: int = 0  # failures left before a wait starts (meaningful when wait is 0)
    by_address: bool = False  # the wait comes from the per-address limit

    @property
    def wait_seconds(self) -> int:
        return max(0, math.ceil(self.wait.total_seconds()))


def backoff(failures: int) -> dt.timedelta:
    """The wait after `failures` failures: none while free, then doubling up to the cap."""
    free = settings.CHIBO_SIGNIN_FREE_TRIES
    if failures < free:
        return dt.timedelta(0)
    cap = dt.timedelta(minutes=settings.CHIBO_SIGNIN_BACKOFF_MAX_MINUTES)
    step = min(failures - free, 20)
    return min(dt.timedelta(seconds=settings.SIGNIN_BACKOFF_FIRST_SECONDS * 2 ** step), cap)


def _verdict(username: str, ip: str, now: dt.datetime) -> Verdict:
    usual = SignInPlace.objects.filter(
        username=username, ip=ip, last_success_at__gte=now - dt.timedelta(days=settings.SIGNIN_PLACE_DAYS)).exists()
    mine = SignInFailure.objects.filter(username=username, at__gte=now - settings.SIGNIN_MEMORY)
    if usual:
        mine = mine.filter(ip=ip)
    times = list(mine.order_by("-at").values_list("at", flat=True)[:200])
    wait = dt.timedelta(0)
    if times:
        wait = max(wait, times[0] + backoff(len(times)) - now)
    by_address = False
    if not usual:
        limit = settings.CHIBO_SIGNIN_IP_LIMIT
        window = dt.timedelta(minutes=settings.CHIBO_SIGNIN_IP_WINDOW_MINUTES)
        recent = list(SignInFailure.objects.filter(ip=ip, at__gte=now - window)
                      .order_by("-at").values_list("at", flat=True)[:limit])
        if limit > 0 and len(recent) >= limit:
            address_wait = recent[-1] + window - now
            if address_wait > wait:
                wait, by_address = address_wait, True
    free = settings.CHIBO_SIGNIN_FREE_TRIES
    return Verdict(wait=max(wait, dt.timedelta(0)), tries_left=max(free - len(times), 0), by_address=by_address)


def _lock_id(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=4).digest(), "big", signed=True)


def _serialise(username: str, address: str) -> None:
    """Attempts for the same username or from the same address take turns between the check
    and the write, so a burst sent in parallel cannot all pass the check before any is
    written. SQLite does this already (transactions begin IMMEDIATE: one writer at a time);
    on PostgreSQL, transaction-scoped advisory locks (usernames in class 1, addresses in
    class 2, always taken in that order, so they cannot deadlock)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(1, %s)", [_lock_id(username)])
            cursor.execute("SELECT pg_advisory_xact_lock(2, %s)", [_lock_id(address)])


@transaction.atomic
def attempt_start(username: str, ip: str) -> Verdict:
    """Before checking a password: may this username try from this address now? If so the
    attempt is written as a failure at once; `attempt_succeeded` removes it. A refused
    attempt is not written, so trying during a pause does not lengthen it."""
    user, address = username_key(username), ip_key(ip)
    _serialise(user, address)
    now = timezone.now()
    verdict = _verdict(user, address, now)
    if verdict.wait > dt.timedelta(0):
        logger.info("sign-in refused for %r from %s: wait %ss", user, address, verdict.wait_seconds)
        return verdict
    SignInFailure.objects.filter(at__lt=now - max(settings.SIGNIN_MEMORY, dt.timedelta(
        minutes=settings.CHIBO_SIGNIN_IP_WINDOW_MINUTES))).delete()
    SignInFailure.objects.create(username=user, ip=address, at=now)
    return verdict


def attempt_failed(username: str, ip: str) -> Verdict:
    """After a wrong password: what the person must now be told (tries left or the wait)."""
    logger.warning("wrong password for %r from %s", username_key(username), ip_key(ip))
    return _verdict(username_key(username), ip_key(ip), timezone.now())


@transaction.atomic
def attempt_succeeded(username: str, ip: str) -> None:
    """The password was right: forget this place's failures for the username and remember
    the place as usual."""
    now = timezone.now()
    user, address = username_key(username), ip_key(ip)
    SignInFailure.objects.filter(username=user, ip=address).delete()
    SignInPlace.objects.update_or_create(username=user, ip=address, defaults={"last_success_at": now})
    SignInPlace.objects.filter(last_success_at__lt=now - dt.timedelta(days=settings.SIGNIN_PLACE_DAYS)).delete()
