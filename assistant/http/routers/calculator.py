"""GET /v1/programs and POST /v1/calculate."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from assistant.http.deps import ServicesDep
from assistant.http.edge import calculation_out
from assistant.schemas import CalculateRequest, CalculationOut

router = APIRouter(tags=["calculator"])


@router.get("/v1/programs")
def programs(services: ServicesDep) -> dict[str, Any]:
    return {"programs": services.rules.programs_schema()}


@router.post("/v1/calculate", response_model=CalculationOut)
def calculate(body: CalculateRequest, services: ServicesDep) -> CalculationOut:
    return calculation_out(services.rules.calculate(body.program, body.inputs, lang=body.lang))
