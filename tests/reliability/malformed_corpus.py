"""Malformed and borderline requests with the status each must get, as data.

Every case runs against the fake engine with the default limits (MAX_ITEMS 2048, MAX_CHARS_PER_ITEM
200000, MAX_BODY_BYTES 8 MiB, MAX_JSON_DEPTH 32); fake models: fake-embed (384 dims, 512 tokens),
fake-rerank. A 2xx here is a request we accept on purpose (unknown fields are ignored, for instance).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

E, R, R2, M = "/v1/embeddings", "/v1/rerank", "/v2/rerank", "/v1/models"
JSON = "application/json"


@dataclass(frozen=True)
class Case:
    id: str
    path: str
    body: bytes | None
    status: int
    method: str = "POST"
    content_type: str | None = JSON
    param: str | None = None  # the `param` the error must name, when it names one
    headers: dict[str, str] = field(default_factory=dict)


def j(value: Any) -> bytes:
    return json.dumps(value).encode()


def emb(**fields: Any) -> bytes:
    return j({"model": "fake-embed", **fields})


def rr(**fields: Any) -> bytes:
    return j({"model": "fake-rerank", "query": "q", **fields})


def nested(depth: int, inner: bytes = b"1") -> bytes:
    return b"[" * depth + inner + b"]" * depth


def deep_body(depth: int) -> bytes:
    # `input` nested so that the whole body is `depth` levels deep (the object is one level).
    return b'{"model": "fake-embed", "input": ' + nested(depth - 1, b'"x"') + b"}"


CASES: list[Case] = [
    # --- bodies that are not a JSON object -------------------------------------------------------
    Case("empty-body", E, b"", 400),
    Case("whitespace-body", E, b"   \n", 400),
    Case("null-body", E, b"null", 400),
    Case("array-body", E, b"[]", 400),
    Case("string-body", E, b'"input"', 400),
    Case("number-body", E, b"42", 400),
    Case("true-body", E, b"true", 400),
    Case("truncated-json", E, b'{"model": "fake-embed", "input": "x"', 400),
    Case("trailing-comma", E, b'{"model": "fake-embed", "input": "x",}', 400),
    Case("single-quotes", E, b"{'model': 'fake-embed', 'input': 'x'}", 400),
    Case("js-comment", E, b'{"model": "fake-embed", /* c */ "input": "x"}', 400),
    Case("nan-literal", E, b'{"model": "fake-embed", "input": "x", "dimensions": NaN}', 400),
    Case("infinity-literal", E, b'{"model": "fake-embed", "input": "x", "dimensions": Infinity}', 400),
    Case("number-out-of-range", E, b'{"model": "fake-embed", "input": "x", "dimensions": 1e400}', 400),
    Case("two-documents", E, b'{"input": "x"} {"input": "y"}', 400),
    Case("utf8-bom", E, b'\xef\xbb\xbf{"model": "fake-embed", "input": "x"}', 400),
    Case("rerank-not-json", R, b"query=q&documents=d", 400),
    # --- invalid UTF-8 and escapes ---------------------------------------------------------------
    Case("invalid-utf8-byte", E, b'{"model": "fake-embed", "input": "\xff"}', 400),
    Case("invalid-utf8-continuation", E, b'{"model": "fake-embed", "input": "\x80abc"}', 400),
    Case("overlong-utf8", E, b'{"model": "fake-embed", "input": "\xc0\xaf"}', 400),
    Case("truncated-utf8", E, b'{"model": "fake-embed", "input": "\xe2\x82"}', 400),
    Case("utf16-body", E, '{"model": "fake-embed", "input": "x"}'.encode("utf-16"), 400),
    Case("lone-high-surrogate", E, b'{"model": "fake-embed", "input": "\\ud800"}', 400),
    Case("lone-low-surrogate", R, b'{"model": "fake-rerank", "query": "\\udfff", "documents": ["a"]}', 400),
    Case("bad-escape", E, b'{"model": "fake-embed", "input": "\\q"}', 400),
    Case("raw-control-char", E, b'{"model": "fake-embed", "input": "a\x01b"}', 400),
    Case("escaped-nul-is-text", E, emb(input="a\u0000b"), 200),
    Case("valid-multibyte", E, emb(input="naïve 東京 🙂"), 200),
    # --- JSON nesting depth ----------------------------------------------------------------------
    Case("depth-33", E, deep_body(33), 400),
    Case("depth-32-wrong-shape", E, deep_body(32), 400, param="input"),
    Case("depth-1000", E, deep_body(1000), 400),
    Case("depth-100000", E, deep_body(100_000), 400),
    Case("unclosed-100000", E, b'{"input": ' + b"[" * 100_000, 400),
    Case("deep-objects", E, emb(input="x")[:-1] + b', "extra_body": ' + b'{"a":' * 40 + b"1" + b"}" * 41, 400),
    Case("brackets-in-string-are-text", E, emb(input="[" * 100 + "{" * 100), 200),
    Case("deep-rerank", R, b'{"query": "q", "documents": ' + nested(50, b'"d"') + b"}", 400),
    # --- content types ---------------------------------------------------------------------------
    Case("text-plain", E, emb(input="x"), 415, content_type="text/plain"),
    Case("form-urlencoded", E, emb(input="x"), 415, content_type="application/x-www-form-urlencoded"),
    Case("multipart", E, emb(input="x"), 415, content_type="multipart/form-data; boundary=x"),
    Case("xml", R, rr(documents=["d"]), 415, content_type="application/xml"),
    Case("octet-stream", R2, rr(documents=["d"]), 415, content_type="application/octet-stream"),
    Case("json-with-charset", E, emb(input="x"), 200, content_type="application/json; charset=utf-8"),
    Case("json-uppercase", E, emb(input="x"), 200, content_type="Application/JSON"),
    Case("vendor-json", E, emb(input="x"), 200, content_type="application/vnd.api+json"),
    Case("no-content-type", E, emb(input="x"), 200, content_type=None),
    # --- embeddings: input -----------------------------------------------------------------------
    Case("input-missing", E, j({"model": "fake-embed"}), 400),
    Case("input-null", E, emb(input=None), 400, param="input"),
    Case("input-number", E, emb(input=42), 400, param="input"),
    Case("input-bool", E, emb(input=True), 400, param="input"),
    Case("input-object", E, emb(input={"text": "x"}), 400, param="input"),
    Case("input-empty-string", E, emb(input=""), 400, param="input"),
    Case("input-blank-string", E, emb(input="   \t\n"), 400, param="input"),
    Case("input-empty-list", E, emb(input=[]), 400, param="input"),
    Case("input-list-with-empty", E, emb(input=["ok", ""]), 400, param="input"),
    Case("input-list-with-null", E, emb(input=["ok", None]), 400, param="input"),
    Case("input-list-of-objects", E, emb(input=[{"text": "x"}]), 400, param="input"),
    Case("input-mixed-str-int", E, emb(input=["a", 1]), 400, param="input"),
    Case("input-mixed-int-list", E, emb(input=[1, [2]]), 400, param="input"),
    Case("input-float-token", E, emb(input=[1.5]), 400, param="input"),
    Case("input-negative-token", E, emb(input=[-1]), 400, param="input"),
    Case("input-token-over-vocab", E, emb(input=[101, 30_522, 102]), 400, param="input"),
    Case("input-token-not-cl100k", E, emb(input=[100_256]), 400, param="input"),
    Case("input-huge-token", E, emb(input=[2**70]), 400, param="input"),
    Case("input-empty-token-list", E, emb(input=[[1], []]), 400, param="input"),
    Case("input-too-many-items", E, emb(input=["x"] * 2049), 400, param="input"),
    Case("input-max-items-ok", E, emb(input=["x"] * 2048), 200),
    Case("input-too-many-token-lists", E, emb(input=[[1]] * 2049), 400, param="input"),
    Case("input-over-char-cap-no-truncate", E, emb(input="a" * 200_001, truncate=False), 400, param="input"),
    Case("input-over-char-cap-truncated", E, emb(input="a " * 100_001), 200),
    Case("input-too-many-tokens-no-truncate", E, emb(input="a " * 600, truncate=False), 400, param="input"),
    Case("input-token-ids-too-long-no-truncate", E, emb(input=[101, *[1] * 600, 102], truncate=False), 400,
         param="input"),  # fmt: skip
    Case("input-token-ids-too-long-truncated", E, emb(input=[101, *[1] * 600, 102]), 200),
    Case("body-over-limit", E, emb(input="a" * (8 * 1024 * 1024 + 10)), 413),
    # --- embeddings: other fields ----------------------------------------------------------------
    Case("model-number", E, j({"model": 7, "input": "x"}), 400, param="model"),
    Case("model-list", E, j({"model": ["fake-embed"], "input": "x"}), 400, param="model"),
    Case("model-unknown", E, j({"model": "gpt-4", "input": "x"}), 404, param="model"),
    Case("model-missing-several-served", E, j({"input": "x"}), 400, param="model"),
    Case("model-reranker", E, j({"model": "fake-rerank", "input": "x"}), 400, param="model"),
    Case("model-path-like", E, j({"model": "../../etc/passwd", "input": "x"}), 404, param="model"),
    Case("dimensions-zero", E, emb(input="x", dimensions=0), 400, param="dimensions"),
    Case("dimensions-negative", E, emb(input="x", dimensions=-1), 400, param="dimensions"),
    Case("dimensions-over-model", E, emb(input="x", dimensions=385), 400, param="dimensions"),
    Case("dimensions-huge", E, emb(input="x", dimensions=2**63), 400, param="dimensions"),
    Case("dimensions-string", E, emb(input="x", dimensions="64"), 400, param="dimensions"),
    Case("dimensions-float", E, emb(input="x", dimensions=64.0), 400, param="dimensions"),
    Case("dimensions-bool", E, emb(input="x", dimensions=True), 400, param="dimensions"),
    Case("dimensions-null-is-default", E, emb(input="x", dimensions=None), 200),
    Case("dimensions-max-ok", E, emb(input="x", dimensions=384), 200),
    Case("encoding-format-unknown", E, emb(input="x", encoding_format="int8"), 400, param="encoding_format"),
    Case("encoding-format-null", E, emb(input="x", encoding_format=None), 400, param="encoding_format"),
    Case("encoding-format-number", E, emb(input="x", encoding_format=1), 400, param="encoding_format"),
    Case("prompt-type-unknown", E, emb(input="x", prompt_type="passage"), 400, param="prompt_type"),
    Case("truncate-string", E, emb(input="x", truncate="yes"), 400, param="truncate"),
    Case("truncate-number", E, emb(input="x", truncate=1), 400, param="truncate"),
    Case("instruction-number", E, emb(input="x", instruction=5), 400, param="instruction"),
    Case("user-number", E, emb(input="x", user=5), 400, param="user"),
    Case("extra-body-string", E, emb(input="x", extra_body="{}"), 400, param="extra_body"),
    Case("extra-body-bad-prompt-type", E, emb(input="x", extra_body={"prompt_type": "x"}), 400, param="extra_body"),
    Case("unknown-fields-ignored", E, emb(input="x", temperature=0.5, stream=True, junk={"a": [1]}), 200),
    Case("duplicate-keys-last-wins", E, b'{"model": "nope", "model": "fake-embed", "input": "x"}', 200),
    # --- rerank ----------------------------------------------------------------------------------
    Case("rerank-query-missing", R, j({"model": "fake-rerank", "documents": ["d"]}), 400),
    Case("rerank-query-empty", R, rr(query="", documents=["d"]), 400, param="query"),
    Case("rerank-query-number", R, rr(query=5, documents=["d"]), 400, param="query"),
    Case("rerank-query-list", R, rr(query=["q"], documents=["d"]), 400, param="query"),
    Case("rerank-query-over-cap", R, rr(query="q" * 200_001, documents=["d"], truncate=False), 400, param="query"),
    Case("rerank-documents-missing", R, rr(), 400, param="documents"),
    Case("rerank-documents-null", R, rr(documents=None), 400, param="documents"),
    Case("rerank-documents-empty", R, rr(documents=[]), 400, param="documents"),
    Case("rerank-documents-string", R, rr(documents="d"), 400, param="documents"),
    Case("rerank-documents-numbers", R, rr(documents=[1, 2]), 400, param="documents"),
    Case("rerank-documents-nested-list", R, rr(documents=[["d"]]), 400, param="documents"),
    Case("rerank-documents-object-no-text", R, rr(documents=[{"title": "d"}]), 400, param="documents"),
    Case("rerank-documents-object-text-number", R, rr(documents=[{"text": 5}]), 400, param="documents"),
    Case("rerank-documents-blank", R, rr(documents=["ok", " "]), 400, param="documents"),
    Case("rerank-documents-too-many", R, rr(documents=["d"] * 2049), 400, param="documents"),
    Case("rerank-documents-objects-ok", R, rr(documents=[{"text": "d"}]), 200),
    Case("rerank-docs-seed-spelling", R, rr(docs=["d"], return_docs=True), 200),
    Case("rerank-top-n-zero", R, rr(documents=["d"], top_n=0), 400, param="top_n"),
    Case("rerank-top-n-negative", R, rr(documents=["d"], top_n=-3), 400, param="top_n"),
    Case("rerank-top-n-string", R, rr(documents=["d"], top_n="3"), 400, param="top_n"),
    Case("rerank-top-n-float", R, rr(documents=["d"], top_n=1.5), 400, param="top_n"),
    Case("rerank-top-n-bool", R, rr(documents=["d"], top_n=True), 400, param="top_n"),
    Case("rerank-top-n-over-count-ok", R, rr(documents=["d"], top_n=10**9), 200),
    Case("rerank-return-docs-string", R, rr(documents=["d"], return_documents="yes"), 400, param="return_documents"),
    Case("rerank-max-tokens-string", R, rr(documents=["d"], max_tokens_per_doc="5"), 400, param="max_tokens_per_doc"),
    Case("rerank-model-unknown", R, rr(documents=["d"], model="ghost"), 404, param="model"),
    Case("rerank-model-number", R, rr(documents=["d"], model=1), 400, param="model"),
    Case("rerank-with-embedding-model", R, rr(documents=["d"], model="fake-embed"), 200),
    Case("v2-rerank-ok", R2, rr(documents=["a", "b"], top_n=1), 200),
    Case("v2-rerank-top-n-zero", R2, rr(documents=["a"], top_n=0), 400, param="top_n"),
    # --- methods and paths -----------------------------------------------------------------------
    Case("get-embeddings", E, None, 405, method="GET", content_type=None),
    Case("put-embeddings", E, emb(input="x"), 405, method="PUT"),
    Case("delete-models", M, None, 405, method="DELETE", content_type=None),
    Case("post-models", M, emb(input="x"), 405),
    Case("unknown-path", "/v1/embeddingz", emb(input="x"), 404),
    Case("unknown-version", "/v3/rerank", rr(documents=["d"]), 404),
    Case("path-traversal", "/v1/../../etc/passwd", None, 404, method="GET", content_type=None),
    Case("models-with-junk-query", M + "?limit=abc&x[]=1", None, 200, method="GET", content_type=None),
    Case("openai-prefix-embeddings", "/openai/v1/embeddings", emb(input="x"), 200),
]
