from domain.use_cases.create_embeddings import CreateEmbeddings
from domain.use_cases.list_models import ListModels
from domain.use_cases.rerank import Rerank
from domain.use_cases.tokenize import Decode, Tokenize

__all__ = ["CreateEmbeddings", "Decode", "ListModels", "Rerank", "Tokenize"]
