"""How the control API answers: JSON documents, and one-line errors in {"error": ...}."""

from __future__ import annotations

import json

from flask import Response, current_app, request


def reply(data, status: int = 200) -> Response:
    return Response(json.dumps(data), status=status, mimetype="application/json")


def error(message: str, status: int = 400) -> Response:
    return reply({"error": message}, status)


def lab():
    return current_app.config["LAB"]


def body() -> dict:
    """The request's JSON object; anything else (no body, a list, bad JSON) reads as {}."""
    data = request.get_json(force=True, silent=True)
    return data if isinstance(data, dict) else {}
