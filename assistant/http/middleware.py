"""Request guard: body limits (assistant/http/bodylimit.py), rate limits, last-resort error body and the access log."""

from __future__ import annotations

import json
import logging
import time

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from assistant.http.bodylimit import BodyLimitMiddleware
from assistant.ratelimit import FamilyRateLimiter, TrustedProxies, client_ip, family_of, retry_after_header
from assistant.settings import Settings

log = logging.getLogger("assistant.api")
access_log = logging.getLogger("assistant.access")



def install(app: FastAPI, settings: Settings) -> None:
    limiter = FamilyRateLimiter.from_settings(settings)
    trusted = TrustedProxies.parse(settings.trusted_proxies)
    # inside the guard (added first): body limits on bytes actually read, and a body deadline
    app.add_middleware(BodyLimitMiddleware, timeout_s=settings.body_timeout_s)

    @app.middleware("http")
    async def guard(request: Request, call_next):
        started = time.perf_counter()
        peer = request.client.host if request.client else None
        client = client_ip(peer, request.headers.getlist("x-forwarded-for"), trusted)
        family = family_of(request.url.path)
        if family is not None:
            wait = limiter.check(family, client)
            if wait:
                response = JSONResponse(
                    {"detail": "too many requests; please slow down / 请求过于频繁,请稍后再试"}, 429,
                    headers={"Retry-After": retry_after_header(wait)},
                )
                return _finish(request, response, started, client)
        try:
            response = await call_next(request)
        except Exception:  # last resort: never leak a stack trace
            log.exception("unhandled error on %s", request.url.path)
            response = JSONResponse({"detail": "internal error; the team has been notified"}, 500)
        return _finish(request, response, started, client)


def _finish(request: Request, response, started: float, client: str):
    access_log.info(json.dumps({
        "method": request.method, "path": request.url.path, "status": response.status_code,
        "latency_ms": round((time.perf_counter() - started) * 1000, 1), "client": client,
    }))
    return response
