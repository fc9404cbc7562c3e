"""Routes of other APIs' dialects: each a thin handler onto the same use cases as the OpenAI routes."""

from entrypoints.http.dialects.cohere_routes import CohereEmbed
from entrypoints.http.dialects.ollama_routes import OllamaRoutes
from entrypoints.http.dialects.root_routes import RootRoutes

DIALECT_ROUTES = [CohereEmbed, RootRoutes, OllamaRoutes]

__all__ = ["DIALECT_ROUTES"]
