from domain.use_cases.create_embeddings import CreateEmbeddings
from domain.use_cases.list_models import ListModels
from domain.use_cases.rerank import Rerank

__all__ = ["CreateEmbeddings", "ListModels", "Rerank"]
