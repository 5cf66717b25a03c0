"""POST /v1/match: the policy check (政策体检) of DESIGN §6."""

from __future__ import annotations

from fastapi import APIRouter

from assistant.http.deps import ServicesDep
from assistant.http.edge import match_response
from assistant.matching.service import run_match
from assistant.schemas import MatchRequest, MatchResponse

router = APIRouter(tags=["match"])


@router.post("/v1/match", response_model=MatchResponse)
def match(body: MatchRequest, services: ServicesDep) -> MatchResponse:
    result = run_match(services, body.profile_text, body.profile, city=body.city, as_of=body.as_of)
    return match_response(result)
