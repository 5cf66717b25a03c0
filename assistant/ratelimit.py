"""Per-client, per-route-family sliding-window rate limiting (in memory, bounded), and the client address.

Route families and default limits (requests per minute per client address) — sized for the case the first
limit got wrong: a hotline office of ~50 people behind ONE NAT address, all counted as one client.

=========  =========  ==========================================================================
family     per min    reasoning
=========  =========  ==========================================================================
ask        300        50 people × ~3 questions a minute at a busy moment = 150, doubled for bursts.
                      One answer costs ~40–100 ms of CPU, so 300/min (5/s) stays inside 2 cores.
search     600        clause look-ups are cheaper (no composition) and come in runs while reading.
feedback   60         a rating per answer at most; 50 people rarely rate more than once a minute
                      each, and a flood (the issue saw 138 rows/s) is cut to 1/s.
ui         1200       Gradio event calls under /ui: one question in the web UI is ~3–4 calls
                      (queue join, data stream, status), so 300 questions ≈ 1200 calls. The call
                      that runs a question should ALSO be checked against `ask` (same budget as the API).
=========  =========  ==========================================================================

`POLICY_RATE_LIMIT_PER_MINUTE` = 0 turns every limit off; a positive value caps every family at that
value (min(family default, value)); unset uses the table. `POLICY_RATE_LIMIT_<FAMILY>` overrides one
family (0 = that family unlimited).

Client address: the socket peer, unless the peer is a trusted proxy listed in `POLICY_TRUSTED_PROXIES`
(comma-separated IPs or CIDRs); then the right-most X-Forwarded-For entry that is not itself a trusted
proxy (the one our own proxy appended, which a client cannot forge). An X-Forwarded-For header from an
untrusted peer is ignored, so a client cannot claim a new address per request.

Wiring (the HTTP layer): ``limiter = FamilyRateLimiter.from_settings(settings)``;
``trusted = TrustedProxies.parse(settings.trusted_proxies)``; per request
``wait = limiter.check(family_of(path), client_ip(peer, xff_header, trusted))`` → 429 with
``Retry-After: retry_after_header(wait)`` when ``wait > 0``.
"""

from __future__ import annotations

import ipaddress
import math
import threading
import time
from collections import OrderedDict, deque
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

FAMILIES = ("ask", "search", "feedback", "ui")
DEFAULT_LIMITS: Mapping[str, int] = {"ask": 300, "search": 600, "feedback": 60, "ui": 1200}
WINDOW_SECONDS = 60.0
MAX_CLIENTS = 10_000  # remembered clients per family; the least recently seen are forgotten first


class RateLimiter:
    """At most `limit` requests per `window` seconds per key; remembers at most `max_keys` clients."""

    def __init__(self, limit: int | None, window: float = WINDOW_SECONDS, max_keys: int = MAX_CLIENTS) -> None:
        self.limit = DEFAULT_LIMITS["ask"] if limit is None else limit  # None: settings left unset
        self.window = window
        self.max_keys = max_keys
        self._hits: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def check(self, key: str, now: float | None = None) -> float:
        """0 if the request may proceed, else the seconds to wait (for Retry-After)."""
        if self.limit <= 0:
            return 0.0
        now = time.monotonic() if now is None else now
        with self._lock:
            hits = self._hits.pop(key, None) or deque()
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            self._hits[key] = hits
            while len(self._hits) > self.max_keys:
                self._hits.popitem(last=False)
            if len(hits) >= self.limit:
                return max(hits[0] + self.window - now, 0.001)
            hits.append(now)
            return 0.0


class FamilyRateLimiter:
    """One sliding window per route family; `check(family, client) -> wait_seconds` (0 = go ahead)."""

    def __init__(self, limits: Mapping[str, int] | None = None, window: float = WINDOW_SECONDS, max_keys: int = MAX_CLIENTS) -> None:
        limits = dict(DEFAULT_LIMITS if limits is None else limits)
        unknown = set(limits) - set(FAMILIES)
        if unknown:
            raise ValueError(f"unknown rate-limit families {sorted(unknown)}; use {', '.join(FAMILIES)}")
        self.limits = {f: int(limits.get(f, 0)) for f in FAMILIES}
        self._windows = {f: RateLimiter(self.limits[f], window, max_keys) for f in FAMILIES}

    @classmethod
    def from_settings(cls, settings: Any) -> "FamilyRateLimiter":
        """Limits from `Settings` (see the module docstring for how the fields combine)."""
        overall = getattr(settings, "rate_limit_per_minute", None)
        limits = {}
        for family in FAMILIES:
            value = getattr(settings, f"rate_limit_{family}", None)
            value = DEFAULT_LIMITS[family] if value is None else value
            if overall == 0:
                value = 0
            elif overall is not None and overall > 0:
                value = min(value, overall) if value > 0 else overall
            limits[family] = value
        return cls(limits)

    def check(self, family: str, client: str, now: float | None = None) -> float:
        """Seconds to wait before `client` may make another `family` request; 0 when it may go ahead now."""
        try:
            window = self._windows[family]
        except KeyError:
            raise ValueError(f"unknown rate-limit family {family!r}; use {', '.join(FAMILIES)}") from None
        return window.check(client, now)


def family_of(path: str) -> str | None:
    """The family a request path belongs to, or None for unlimited routes (health, docs, static files).

    /v1/ask, /v1/ask/stream, /v1/chat/completions, /v1/match → ask; /v1/search, /v1/clauses… → search;
    /v1/feedback → feedback; Gradio event calls under /ui (queue, run, upload, api) → ui.
    """
    if path.startswith(("/v1/ask", "/v1/chat/completions", "/v1/match", "/v1/calculate")):
        return "ask"
    if path.startswith(("/v1/search", "/v1/clauses", "/v1/documents", "/v1/programs")):
        return "search"
    if path.startswith("/v1/feedback"):
        return "feedback"
    if path.startswith("/ui") and any(part in path for part in ("/queue", "/run", "/call", "/upload", "/api", "/gradio_api")):
        return "ui"
    return None


# -------------------------------------------------------------------------------- client address

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class TrustedProxies:
    """The proxies whose X-Forwarded-For we believe (POLICY_TRUSTED_PROXIES)."""

    networks: tuple[Network, ...] = ()

    @classmethod
    def parse(cls, spec: str | Iterable[str] | None) -> "TrustedProxies":
        """``"10.0.0.1, 192.168.0.0/16, ::1"`` → networks; a bad entry raises ValueError naming it."""
        if not spec:
            return cls()
        items = spec.split(",") if isinstance(spec, str) else list(spec)
        networks = []
        for item in (i.strip() for i in items):
            if not item:
                continue
            try:
                networks.append(ipaddress.ip_network(item, strict=False))
            except ValueError:
                raise ValueError(f"POLICY_TRUSTED_PROXIES: {item!r} is not an IP address or CIDR network") from None
        return cls(tuple(networks))

    def __contains__(self, address: str | None) -> bool:
        ip = _ip(address)
        return ip is not None and any(ip.version == n.version and ip in n for n in self.networks)


def _ip(text: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """An address from a peer or X-Forwarded-For entry: ports and brackets dropped, IPv4-mapped IPv6 unwrapped."""
    if not text:
        return None
    text = text.strip().strip('"')
    if text.startswith("["):  # [2001:db8::1]:443
        text = text[1:].split("]", 1)[0]
    elif text.count(":") == 1:  # 1.2.3.4:5678
        text = text.split(":", 1)[0]
    try:
        ip = ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def client_ip(peer: str | None, forwarded_for: str | Iterable[str] | None = None, trusted: TrustedProxies = TrustedProxies()) -> str:
    """The address to rate-limit by: the socket peer, or — only when the peer is a trusted proxy — the
    right-most X-Forwarded-For entry that is not a trusted proxy. Several X-Forwarded-For headers may be
    given as a list (they are read in order, as one comma-separated list)."""
    peer_ip = _ip(peer)
    own = str(peer_ip) if peer_ip is not None else (peer or "unknown")
    if not forwarded_for or peer_ip is None or peer not in trusted:
        return own
    header = forwarded_for if isinstance(forwarded_for, str) else ",".join(forwarded_for)
    for entry in reversed([e for e in header.split(",") if e.strip()]):
        ip = _ip(entry)
        if ip is None:  # garbage our own proxy would not write: do not let it pick the key
            return own
        if str(ip) not in trusted:
            return str(ip)
    return own  # every hop is one of ours


def retry_after_header(wait: float) -> str:
    return str(max(1, math.ceil(wait)))
