"""POST /v1/ask and POST /v1/search."""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import date

from fastapi import APIRouter

from assistant.http.deps import AssistantDep, SettingsDep
from assistant.http.edge import ask_response, citation
from assistant.schemas import AskRequest, AskResponse, SearchHit, SearchRequest, SearchResponse

log = logging.getLogger("assistant.api")
router = APIRouter(tags=["ask"])


@router.post("/v1/ask", response_model=AskResponse)
def ask(body: AskRequest, bot: AssistantDep, settings: SettingsDep) -> AskResponse:
    answer = bot.ask(body.question, [t.model_dump() for t in body.history], city=body.city, top_k=body.top_k, as_of=body.as_of)
    response = ask_response(answer)
    question = body.question if settings.log_questions else hashlib.sha256(body.question.encode()).hexdigest()[:12]
    log.info(json.dumps({"event": "ask", "question": question, "refused": response.refused, "kind": answer.trace.kind,
                         "citations": [c.id for c in response.citations], "latency_ms": response.latency_ms}, ensure_ascii=False))
    return response


@router.post("/v1/search", response_model=SearchResponse)
def search(body: SearchRequest, bot: AssistantDep) -> SearchResponse:
    today = date.today()
    found = bot.search(body.query, k=body.k, city=body.city)
    hits = []
    for hit, matched in zip(found, bot.contains_keywords(found, body.query)):
        cited = citation(hit, bot.catalogue.status(hit.document, today))
        hits.append(SearchHit(**cited.model_dump(), matched=matched))
    return SearchResponse(hits=hits)
