"""tiktoken's cl100k_base file built from the table the server ships, so clients need no network.

tiktoken looks in TIKTOKEN_CACHE_DIR for a file named by the SHA-1 of the table's download URL and
checks its SHA-256; the shipped table is that very file, gzipped.
"""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

from adapters.openai_tokens import cl100k_table_path

CL100K_URL = "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken"
CL100K_SHA256 = "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7"


def write_tiktoken_cache(directory: Path) -> Path:
    data = gzip.decompress(cl100k_table_path().read_bytes())
    assert hashlib.sha256(data).hexdigest() == CL100K_SHA256
    directory.mkdir(parents=True, exist_ok=True)
    (directory / hashlib.sha1(CL100K_URL.encode()).hexdigest()).write_bytes(data)
    return directory
