"""Routes of other APIs' dialects: each a thin handler onto the same use cases as the OpenAI routes."""

from entrypoints.http.dialects.cohere_routes import CohereEmbed

DIALECT_ROUTES = [CohereEmbed]

__all__ = ["DIALECT_ROUTES"]
