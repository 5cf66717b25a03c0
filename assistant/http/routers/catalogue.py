"""GET /v1/documents, /v1/documents/{id}/clauses, /v1/clauses/{id}."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from assistant.http.deps import ServicesDep
from assistant.http.edge import clause_record

router = APIRouter(tags=["catalogue"])


@router.get("/v1/documents")
def documents(services: ServicesDep) -> dict[str, Any]:
    catalogue = services.catalogue
    counts = catalogue.clause_counts()
    return {"documents": [dict(d.to_dict(), clauses=counts.get(d.doc_id, 0)) for d in catalogue.documents.values()]}


@router.get("/v1/documents/{doc_id}/clauses")
def document_clauses(doc_id: str, services: ServicesDep) -> dict[str, Any]:
    return {"clauses": [clause_record(v) for v in services.catalogue.document_clauses(doc_id)]}


@router.get("/v1/clauses/{clause_id:path}")
def clause(clause_id: str, services: ServicesDep) -> dict[str, Any]:
    return clause_record(services.catalogue.clause(clause_id))
