"""One entry point for the API, the CLI and the UI: text and/or facts → `MatchResult`."""

from __future__ import annotations

from datetime import date
from typing import Any

from assistant.errors import InputError
from assistant.matching.match import MatchResult
from assistant.matching.parse import merge, parse_profile
from assistant.matching.profile import Profile, profile_from_dict


def run_match(services: Any, profile_text: str | None = None, profile: dict[str, Any] | None = None,
              city: str | None = None, as_of: date | None = None) -> MatchResult:
    """Parse and validate the profile, then match it. At least one of text and facts must be given (may be empty)."""
    if profile_text is None and profile is None:
        raise InputError("give profile_text (a description) or profile ({fact: value}), or both / 请描述企业情况")
    parsed, outside = Profile(), ()
    if profile_text and profile_text.strip():
        parsed, outside = parse_profile(profile_text, services.assistant.parser)
    given = profile_from_dict(profile) if profile else Profile()
    if city is not None and city.strip() and city.strip() not in services.catalogue.cities:
        raise InputError(f"city: no policies for {city!r}; cities: {', '.join(services.catalogue.cities)}")
    merged = merge(parsed, given)
    return services.matcher.match(merged, city=(city or "").strip() or None, as_of=as_of, outside=outside)
