"""The OpenAPI 3.1 document, assembled from the routes' declarations (``operation``) and the pydantic
models' own JSON Schema: nothing in it is written by hand, so it says what the code does."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel

from app.api.schemas import Error

F = TypeVar("F", bound=Callable[..., Any])
REF = "#/components/schemas/{model}"


@dataclass(frozen=True)
class Operation:
    path: str  # below /api/v1, in OpenAPI's {name} form
    method: str
    summary: str
    query: type[BaseModel] | None
    response: type[BaseModel]
    scope: str | None  # None: no token needed
    body: type[BaseModel] | None = None  # a JSON request body
    status: str = "200"  # the status of success


OPERATIONS: list[Operation] = []


def operation(path: str, *, summary: str, response: type[BaseModel], query: type[BaseModel] | None = None,
              scope: str | None = None, method: str = "get", body: type[BaseModel] | None = None,
              status: str = "200") -> Callable[[F], F]:
    """Declare a route for the document (the route itself is registered on the blueprint as usual)."""
    def declare(view: F) -> F:
        OPERATIONS.append(Operation(path, method, summary, query, response, scope, body, status))
        return view
    return declare


def _schema(model: type[BaseModel], components: dict[str, Any]) -> dict[str, Any]:
    schema = model.model_json_schema(ref_template=REF, mode="serialization")
    components.update(schema.pop("$defs", {}))
    components[model.__name__] = schema
    return {"$ref": REF.format(model=model.__name__)}


def _not_null(schema: dict[str, Any]) -> dict[str, Any]:
    """A query parameter is absent rather than null: drop the null branch pydantic adds to ``X | None``."""
    branches = [s for s in schema.get("anyOf", []) if s.get("type") != "null"]
    if len(branches) == 1:
        rest = {k: v for k, v in schema.items() if k != "anyOf"}
        return {**branches[0], **rest}
    return schema


def _parameters(query: type[BaseModel]) -> list[dict[str, Any]]:
    schema = query.model_json_schema(mode="validation")
    required = set(schema.get("required", []))
    parameters = []
    for name, prop in schema["properties"].items():
        prop = _not_null(prop)
        description = prop.pop("description", None)
        prop.pop("title", None)
        if prop.get("default") is None:
            prop.pop("default", None)
        parameter: dict[str, Any] = {"name": name, "in": "query", "required": name in required, "schema": prop}
        if description:
            parameter["description"] = description
        parameters.append(parameter)
    return parameters


def document(server: str) -> dict[str, Any]:
    """The OpenAPI 3.1 document of every declared operation, served from ``server``."""
    components: dict[str, Any] = {}
    error = _schema(Error, components)
    paths: dict[str, Any] = {}
    for op in OPERATIONS:
        responses: dict[str, Any] = {op.status: {"description": "OK" if op.status == "200" else "Created",
                                                 "content": {"application/json": {
                                                     "schema": _schema(op.response, components)}}}}
        failures = {"400": "Bad query parameters", "429": "Too many requests"}
        if op.scope:
            failures |= {"401": "No valid token", "403": f"The token lacks the scope {op.scope}"}
        if op.query is not None and "assignment_id" in op.query.model_fields:
            failures["404"] = "No such assignment in the token's organisation"
        if op.body is not None:
            failures["400"] = "Not JSON, or not what the schema asks"
            failures["422"] = "Refused: e.g. a deadline in the past, an unknown module, a team or member " \
                              "not of the organisation (the message says which field)"
        for status, description in failures.items():
            responses[status] = {"description": description, "content": {"application/json": {"schema": error}}}
        entry: dict[str, Any] = {"summary": op.summary, "operationId": op.path.strip("/").replace("/", "_") or "root",
                                 "responses": responses}
        if op.query is not None:
            entry["parameters"] = _parameters(op.query)
        if op.body is not None:
            entry["requestBody"] = {"required": True, "content": {"application/json": {
                "schema": _schema(op.body, components)}}}
        if op.scope:
            entry["security"] = [{"token": [op.scope]}]
            entry["description"] = f"Needs a token with the scope `{op.scope}`."
        else:
            entry["security"] = []
        paths.setdefault(op.path, {})[op.method] = entry
    return {
        "openapi": "3.1.0",
        "info": {"title": "Leerlijn API", "version": "1",
                 "description": "An organisation's members and their completions, for its own systems (HR). "
                                "Authenticate with an organisation API token: `Authorization: Bearer <token>`."},
        "servers": [{"url": server}],
        "paths": paths,
        "components": {"schemas": components,
                       "securitySchemes": {"token": {"type": "http", "scheme": "bearer"}}},
    }
