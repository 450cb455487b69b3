"""Fetching what the EHR did not prefetch, from the hook's ``fhirServer``.

A prefetch key the request left out (or sent as null) is *not prefetched*: when
the request names a ``fhirServer`` (and a bearer token in ``fhirAuthorization``),
the service runs the key's query there, following ``next`` links up to
``MAX_PAGES``. Anything that goes wrong (refused, timed out, not a Bundle) is a
reason, never a guess: the input stays unknown and the card names it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

TIMEOUT_SECONDS = 5.0
MAX_PAGES = 10
MAX_ANSWER_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Fetched:
    value: Any | None  # a Patient, or a Bundle whose entries are every page's
    failure: str | None


def query_url(server: str, template: str, patient_id: str) -> str:
    return server.rstrip("/") + "/" + template.replace("{{context.patientId}}", patient_id)


def fetch(client: httpx.Client, server: str, url: str, token: str | None) -> Fetched:
    """The answer to ``url``; a ``next`` link off ``server`` is not followed (the token stays there)."""
    base = server.rstrip("/") + "/"
    headers = {"Accept": "application/fhir+json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    entries: list[Any] = []
    first: Any = None
    for _ in range(MAX_PAGES):
        try:
            answer = client.get(url, headers=headers, timeout=TIMEOUT_SECONDS)
        except httpx.HTTPError as error:
            return Fetched(None, f"the FHIR server could not be reached ({type(error).__name__})")
        if answer.status_code != 200:
            return Fetched(None, f"the FHIR server answered HTTP {answer.status_code}")
        if len(answer.content) > MAX_ANSWER_BYTES:
            return Fetched(None, "the FHIR server's answer is too large")
        try:
            page = answer.json()
        except ValueError:
            return Fetched(None, "the FHIR server's answer is not JSON")
        if not isinstance(page, dict):
            return Fetched(None, "the FHIR server's answer is not a resource")
        if page.get("resourceType") != "Bundle":
            return Fetched(page, None)
        if first is None:
            first = page
        page_entries = page.get("entry", [])
        if not isinstance(page_entries, list):
            return Fetched(None, "the FHIR server's Bundle.entry is not a list")
        entries.extend(page_entries)
        links = page.get("link", [])
        following = (
            [link.get("url") for link in links if isinstance(link, dict) and link.get("relation") == "next"]
            if isinstance(links, list)
            else []
        )
        if not following or not isinstance(following[0], str):
            return Fetched({**first, "entry": entries}, None)
        if not following[0].startswith(base):
            return Fetched(None, "the FHIR server's next page is on another server")
        url = following[0]
    return Fetched(None, f"the FHIR server's answer has more than {MAX_PAGES} pages")
