"""The OpenAPI document describes every route under /api/v1, and its page lists them."""

from __future__ import annotations

import re


def openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def test_the_document_is_openapi_3_1_and_describes_every_route_under_api_v1(app, client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"] == "3.1.0"
    routes = {
        (openapi_path(rule.rule), method.lower())
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    described = {
        (path, method)
        for path, operations in document["paths"].items()
        for method in operations
        if method != "parameters"
    }
    assert routes == described
    assert len(routes) >= 30


def test_every_operation_documents_problem_details_for_its_errors(client):
    document = client.get("/api/v1/openapi.json").get_json()
    default = document["components"]["responses"]["DEFAULT_ERROR"]
    assert list(default["content"]) == ["application/problem+json"]
    for path, operations in document["paths"].items():
        if path in ("/api/v1/openapi.json", "/api/v1/docs"):
            continue
        for method, operation in operations.items():
            if method != "parameters":
                assert "default" in operation["responses"], (method, path)


def test_the_documentation_page_lists_every_operation(client):
    document = client.get("/api/v1/openapi.json").get_json()
    page = client.get("/api/v1/docs")
    assert page.status_code == 200 and page.content_type.startswith("text/html")
    text = page.get_data(as_text=True)
    for path in document["paths"]:
        assert f"<code>{path}</code>" in text
    assert "<script" not in text  # the CSP allows no inline script, and none is needed
