"""Rate limiting (issue 18 item 5): the client address cannot be forged through X-Forwarded-For, and
per-family limits let a ~50-person office behind one NAT work while a flood is cut."""

from __future__ import annotations

import pytest

from assistant.ratelimit import DEFAULT_LIMITS, FamilyRateLimiter, RateLimiter, TrustedProxies, client_ip, family_of
from assistant.settings import Settings

PROXIES = TrustedProxies.parse("10.0.0.5, 192.168.0.0/16, ::1")


def test_forwarded_for_from_an_untrusted_peer_is_ignored():
    for claimed in ("1.1.1.1", "1.1.1.1, 2.2.2.2", "garbage"):
        assert client_ip("203.0.113.9", claimed, TrustedProxies()) == "203.0.113.9"
        assert client_ip("203.0.113.9", claimed, PROXIES) == "203.0.113.9"


def test_a_new_forwarded_for_per_request_does_not_make_a_new_client():
    limiter = FamilyRateLimiter({"ask": 3, "search": 0, "feedback": 0, "ui": 0})
    waits = [limiter.check("ask", client_ip("203.0.113.9", f"10.1.{i}.{i}", PROXIES), now=0) for i in range(5)]
    assert waits[:3] == [0, 0, 0] and all(w > 0 for w in waits[3:])


def test_behind_a_trusted_proxy_the_right_most_untrusted_entry_is_the_client():
    assert client_ip("10.0.0.5", "198.51.100.7", PROXIES) == "198.51.100.7"
    # the client forged the left part; our proxy appended the real address on the right
    assert client_ip("10.0.0.5", "1.2.3.4, 198.51.100.7", PROXIES) == "198.51.100.7"
    # two of our proxies in a row are skipped
    assert client_ip("10.0.0.5", "1.2.3.4, 198.51.100.7, 192.168.3.3", PROXIES) == "198.51.100.7"
    assert client_ip("10.0.0.5", ["1.2.3.4", "198.51.100.7:5555"], PROXIES) == "198.51.100.7"
    assert client_ip("::1", "[2001:db8::7]:443", PROXIES) == "2001:db8::7"
    assert client_ip("::ffff:10.0.0.5", "198.51.100.7", PROXIES) == "198.51.100.7"  # IPv4-mapped peer
    assert client_ip("10.0.0.5", "192.168.1.1", PROXIES) == "10.0.0.5"  # only our own hops
    assert client_ip("10.0.0.5", "1.2.3.4, not-an-ip", PROXIES) == "10.0.0.5"  # garbage never picks the key
    assert client_ip("10.0.0.5", None, PROXIES) == "10.0.0.5"


def test_trusted_proxies_parsing_names_a_bad_entry():
    assert "10.0.0.5" in PROXIES and "192.168.44.1" in PROXIES and "8.8.8.8" not in PROXIES
    with pytest.raises(ValueError, match="'10.0.0.300'"):
        TrustedProxies.parse("10.0.0.1, 10.0.0.300")
    with pytest.raises(ValueError):
        Settings(trusted_proxies="nonsense")
    assert Settings(trusted_proxies="127.0.0.1, 10.0.0.0/8").trusted_proxies


def test_settings_defaults():
    settings = Settings()
    assert settings.log_questions is False and settings.trusted_proxies == ""
    assert FamilyRateLimiter.from_settings(settings).limits == dict(DEFAULT_LIMITS)
    assert FamilyRateLimiter.from_settings(Settings(rate_limit_per_minute=0)).limits == {f: 0 for f in DEFAULT_LIMITS}
    capped = FamilyRateLimiter.from_settings(Settings(rate_limit_per_minute=100, rate_limit_feedback=10))
    assert capped.limits == {"ask": 100, "search": 100, "feedback": 10, "ui": 100}


def test_an_office_behind_one_nat_is_not_blocked():
    """50 people, each asking 3 questions and making 4 searches in the same minute, all from one address."""
    limiter = FamilyRateLimiter()
    office = "198.51.100.20"
    waits = []
    for person in range(50):
        t = person * 1.1  # spread over ~55 s
        waits += [limiter.check("ask", office, now=t + i * 0.01) for i in range(3)]
        waits += [limiter.check("search", office, now=t + i * 0.01) for i in range(4)]
        waits += [limiter.check("feedback", office, now=t)]
        waits += [limiter.check("ui", office, now=t + i * 0.01) for i in range(12)]
    assert max(waits) == 0


def test_a_flood_from_one_address_is_cut_per_family():
    limiter = FamilyRateLimiter()
    flood = [limiter.check("feedback", "203.0.113.66", now=i / 138) for i in range(138)]  # the 138 rows/s
    assert flood.count(0) == DEFAULT_LIMITS["feedback"] and flood[-1] > 50
    assert limiter.check("ask", "203.0.113.66", now=1.0) == 0  # other families are separate budgets
    assert limiter.check("feedback", "198.51.100.1", now=1.0) == 0  # and other clients too


def test_route_families():
    assert family_of("/v1/ask") == family_of("/v1/ask/stream") == family_of("/v1/chat/completions") == "ask"
    assert family_of("/v1/search") == "search" and family_of("/v1/feedback") == "feedback"
    assert family_of("/ui/gradio_api/queue/join") == "ui" and family_of("/ui/gradio_api/upload") == "ui"
    assert family_of("/healthz") is None and family_of("/ui/assets/index.js") is None
    with pytest.raises(ValueError, match="unknown rate-limit family"):
        FamilyRateLimiter().check("admin", "1.2.3.4")


def test_old_single_limiter_still_works_with_unset_settings():
    assert RateLimiter(Settings().rate_limit_per_minute).limit == DEFAULT_LIMITS["ask"]
