"""What the API tests share: a client per persona with its own bearer token, and readers of the
one error shape (`{"error": {"code", "message", "fields"}}`)."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from chibo.accounts.tokens import api_token_create

API = "/api/v1/"


class Api:
    """An API client per persona, each with its own bearer token; `language` sets Accept-Language
    (messages in English, the msgids, when a test reads them)."""

    def __init__(self, world: Any, language: str | None = None) -> None:
        self.world = world
        self.language = language
        self.tokens = {name: api_token_create(user, "test")[1] for name, user in world.users.items()}

    def __call__(self, persona: str, method: str, url: str, data: Any = None) -> Any:
        headers = {"HTTP_AUTHORIZATION": f"Bearer {self.tokens[persona]}"}
        if self.language:
            headers["HTTP_ACCEPT_LANGUAGE"] = self.language
        client = Client(enforce_csrf_checks=True)
        if method == "GET":
            return client.get(API + url, data, **headers)
        return client.generic(method, API + url, json.dumps(data if data is not None else {}),
                              content_type="application/json", **headers)


def error_of(response: Any, status: int, code: str = "invalid") -> dict[str, Any]:
    assert response.status_code == status, (response.status_code, response.content)
    body = response.json()
    assert set(body) == {"error"} and body["error"]["code"] == code and body["error"]["message"]
    assert ("fields" in body["error"]) == (code == "invalid")
    return body["error"]


def fields_of(response: Any) -> list[str]:
    return sorted(error_of(response, 400)["fields"])
