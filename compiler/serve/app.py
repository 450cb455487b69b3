"""The CDS Hooks 2.0 HTTP service (FastAPI): discovery, the hooks, the flowcharts.

- ``GET /cds-services``: the discovery document, one service per guideline and hook.
- ``POST /cds-services/{id}``: a CDS Hooks request (``application/json``) -> ``{"cards": [...]}``.
  A request the service cannot answer gets 400 (413 too large, 415 not JSON,
  404 unknown service) with a FHIR OperationOutcome listing every problem, and
  no card. An internal error is 500 with an OperationOutcome that says so, no traceback.
- ``GET /flowcharts/{token}.svg``: the flowchart with the patient's path highlighted.
"""

from __future__ import annotations

import logging
import time
import traceback
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

import httpx
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from compiler.serve.body import MAX_BODY_BYTES, read_json
from compiler.serve.flowcharts import FlowchartStore
from compiler.serve.logs import configure, log
from compiler.serve.outcome import Issue, RequestProblems, operation_outcome
from compiler.serve.service import HOOKS, GuidelineService

JSON_TYPES = ("application/json", "application/fhir+json")


def _problem_response(status: int, issues: list[Issue]) -> JSONResponse:
    return JSONResponse(operation_outcome(issues), status_code=status, media_type="application/fhir+json")


def _internal_error() -> JSONResponse:
    return _problem_response(
        500, [Issue("exception", "", "internal error in the CDS service: no advice for this request")]
    )


async def _read_body(request: Request) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise RequestProblems(
            413, [Issue("too-long", "", f"the request is {declared} bytes, more than {MAX_BODY_BYTES}")]
        )
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise RequestProblems(
                413, [Issue("too-long", "", f"the request is more than {MAX_BODY_BYTES} bytes")]
            )
        chunks.append(chunk)
    return b"".join(chunks)


def create_app(graphs: Sequence[Mapping[str, Any]]) -> FastAPI:
    """The service for ``graphs`` (decision graphs, compiled): a patient-view service for each,
    and an order-select service for each that binds a medication history."""
    configure()
    services: dict[str, GuidelineService] = {}
    for graph in graphs:
        for hook in HOOKS:
            service = GuidelineService(graph, hook)
            if hook == "order-select" and service.medications is None:
                continue
            services[service.id] = service
    store = FlowchartStore()
    client = httpx.Client(follow_redirects=False)
    app = FastAPI(title="fibrolang CDS Hooks service", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.services = services

    @app.middleware("http")
    async def contain_errors(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        started = time.perf_counter()
        try:
            response = await call_next(request)
        except Exception as error:  # an internal error: logged without its message, answered without detail
            frames = [
                f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno}"
                for f in traceback.extract_tb(error.__traceback__)
            ]
            log(
                "internal_error",
                logging.ERROR,
                error=type(error).__name__,
                where=frames[-5:],
                path=request.url.path,
            )
            response = _internal_error()
        log(
            "request",
            method=request.method,
            path=request.url.path if not request.url.path.startswith("/flowcharts/") else "/flowcharts/…",
            status=response.status_code,
            duration_ms=round((time.perf_counter() - started) * 1000, 2),
        )
        return response

    @app.get("/cds-services")
    def discovery() -> dict[str, Any]:
        return {"services": [service.discovery() for service in services.values()]}

    @app.post("/cds-services/{service_id}")
    async def answer_hook(service_id: str, request: Request) -> Response:
        service = services.get(service_id)
        if service is None:
            return _problem_response(
                404, [Issue("not-found", "", f"no CDS service {service_id[:80]!r} here")]
            )
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media not in JSON_TYPES:
            return _problem_response(
                415, [Issue("not-supported", "", f"the request must be application/json, not {media[:60]!r}")]
            )
        try:
            body = await _read_body(request)
            document = read_json(body)
            base = str(request.base_url).rstrip("/")
            token = store.keep(service.id, None)
            answer = await run_in_threadpool(
                service.answer, document, client, f"{base}/flowcharts/{token}.svg"
            )
        except RequestProblems as problems:
            log("refused", service=service.id, status=problems.status, problems=len(problems.issues))
            return _problem_response(problems.status, problems.issues)
        store.replace(token, service.id, answer.trace)
        hook_instance = document.get("hookInstance") if isinstance(document, dict) else None
        log(
            "answered",
            service=service.id,
            result=answer.status,
            cards=len(answer.cards),
            hookInstance=hook_instance,
        )
        return JSONResponse({"cards": answer.cards})

    @app.get("/flowcharts/{token}.svg")
    async def flowchart(token: str) -> Response:
        path = store.find(token)
        if path is None or path.trace is None:
            return _problem_response(
                404, [Issue("not-found", "", "no such flowchart (links expire after an hour)")]
            )
        from compiler.backends.flowchart.files import flowchart_bytes

        graph = services[path.service].guideline.graph
        svg = await run_in_threadpool(flowchart_bytes, graph, "svg", highlight=path.trace)
        return Response(svg, media_type="image/svg+xml")

    return app
