"""Other APIs' wire formats (Cohere, Voyage, Infinity, TEI, Ollama) translated onto our use cases.

Each module maps its request fields onto the domain's requests (or refuses them, naming the field)
and shapes the domain's results the way that API's clients parse them. No validation or batching
lives here: that is the use cases' and engines' work, the same for every dialect.
"""
