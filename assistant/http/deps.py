"""Dependencies the routers take (`Annotated`), so tests can override any of them."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request

from assistant.chain import PolicyAssistant
from assistant.feedback import FeedbackStore
from assistant.services import Services
from assistant.settings import Settings


def get_settings_dep(request: Request) -> Settings:
    return request.app.state.settings


def get_services(request: Request) -> Services:
    services = getattr(request.app.state, "services", None)
    if services is None:
        raise HTTPException(503, "the index is loading; try again in a moment")
    return services


def get_assistant(services: Annotated[Services, Depends(get_services)]) -> PolicyAssistant:
    return services.assistant


def get_feedback(request: Request) -> FeedbackStore:
    store = getattr(request.app.state, "feedback", None)
    if store is None:
        raise HTTPException(503, "feedback storage is not available yet")
    return store


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
ServicesDep = Annotated[Services, Depends(get_services)]
AssistantDep = Annotated[PolicyAssistant, Depends(get_assistant)]
FeedbackDep = Annotated[FeedbackStore, Depends(get_feedback)]
