"""Policy check (政策体检): from an enterprise's profile to every programme it may claim, with amounts and clauses.

`profile.py` holds the vocabulary of enterprise facts (data: `assistant/data/profile_facts.yaml`) and validates a
structured profile; `parse.py` reads a profile from free text with the question parser's own tools; `match.py`
runs every programme of the rule book over a profile (eligible / needs_info / not_eligible, stacking, lifecycle).
"""

from assistant.matching.match import Match, MatchResult, Matcher
from assistant.matching.parse import parse_profile
from assistant.matching.profile import Held, Profile, load_vocabulary, profile_from_dict

__all__ = ["Held", "Match", "MatchResult", "Matcher", "Profile", "load_vocabulary", "parse_profile", "profile_from_dict"]
