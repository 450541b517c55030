"""The API's responses are checked against the OpenAPI document generated from the code (every
API test goes through tests.api_client.SchemaClient); these tests show the check can fail."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.http import JsonResponse

from tests.api_client import API, Api, SchemaClient, check_response, error_of, openapi


def _response(body: Any, status: int = 200) -> JsonResponse:
    return JsonResponse(body, status=status, safe=False)


def test_every_operation_describes_its_errors_in_the_one_shape(world: Any) -> None:
    for path, operations in openapi()["paths"].items():
        for method, op in operations.items():
            if path == "/openapi.json":
                assert op["security"] == []  # public
                continue
            for status in ("401", "500", "503"):
                assert op["responses"][status]["content"]["application/json"]["schema"]["$ref"].endswith("/Error")
            if "requestBody" in op:
                assert "400" in op["responses"], (method, path)


def test_a_real_response_passes_and_a_response_violating_the_schema_is_caught(world: Any) -> None:
    api = Api(world)
    response = api("province_staff", "GET", "organisations/")
    assert response.status_code == 200  # checked by SchemaClient on the way
    body = json.loads(response.content)
    check_response("GET", API + "organisations/", _response(body))

    wrong_type = {**body, "results": [{**body["results"][0], "depth": "deep"}]}
    with pytest.raises(AssertionError, match="depth"):
        check_response("GET", API + "organisations/", _response(wrong_type))
    missing = {k: v for k, v in body.items() if k != "count"}
    with pytest.raises(AssertionError, match="count"):
        check_response("GET", API + "organisations/", _response(missing))
    bad_enum = {**body, "results": [{**body["results"][0], "kind": "kingdom"}]}
    with pytest.raises(AssertionError, match="kingdom"):
        check_response("GET", API + "organisations/", _response(bad_enum))


def test_an_error_outside_the_shape_or_an_undescribed_status_is_caught(world: Any) -> None:
    url = API + "members/"
    check_response("POST", url, _response({"error": {"code": "invalid", "message": "m", "fields": {"sex": ["x"]}}},
                                          400))
    with pytest.raises(AssertionError, match="code"):
        check_response("POST", url, _response({"error": {"code": "oops", "message": "m"}}, 400))
    with pytest.raises(AssertionError, match="'error' is missing"):  # ninja's own shape
        check_response("POST", url, _response({"detail": "Not allowed"}, 403))
    with pytest.raises(AssertionError, match="'message' is missing"):
        check_response("POST", url, _response({"error": {"code": "forbidden"}}, 403))
    with pytest.raises(AssertionError, match="409"):  # creating a member never answers 409
        check_response("POST", url, _response({"error": {"code": "invalid", "message": "m", "fields": {}}}, 409))


def test_the_schema_client_checks_what_the_api_answers(world: Any) -> None:
    token = Api(world).tokens["secretary_a"]
    client = SchemaClient()
    response = client.get(API + "members/?status=nobody", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert error_of(response, 400)["fields"] == {"status": [response.json()["error"]["fields"]["status"][0]]}
    assert client.get(API + "members/").status_code == 401
    assert client.delete(API + "members/", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 405
    head = client.head(API + "organisations/", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert head.status_code == 200 and "no-store" in head["Cache-Control"]
    assert "no-store" in client.get(API + "organisations/")["Cache-Control"]  # errors too
