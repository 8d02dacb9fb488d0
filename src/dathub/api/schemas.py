"""The base of the API's request bodies."""

from __future__ import annotations

from ninja import Schema
from pydantic import ConfigDict


class InputSchema(Schema):
    """A JSON object with only the fields the schema names: a misspelt field, or a body that
    is not an object at all (`[]`, `"text"`, `1`), is a 422 rather than silently ignored."""

    model_config = ConfigDict(extra="forbid")
