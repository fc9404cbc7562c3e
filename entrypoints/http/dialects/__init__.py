"""Routes of other APIs' dialects: each a thin handler onto the same use cases as the OpenAI routes."""

from litestar.types import ControllerRouterHandler

from entrypoints.http.dialects.cohere_routes import CohereEmbed
from entrypoints.http.dialects.infinity_routes import InfinityRoutes
from entrypoints.http.dialects.ollama_routes import OllamaRoutes
from entrypoints.http.dialects.root_rerank import root_rerank
from entrypoints.http.dialects.tei_routes import TeiRoutes

DIALECT_ROUTES: list[ControllerRouterHandler] = [CohereEmbed, InfinityRoutes, root_rerank, TeiRoutes, OllamaRoutes]

__all__ = ["DIALECT_ROUTES"]
