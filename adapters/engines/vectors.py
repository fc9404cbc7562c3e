"""Engine output to domain vectors in one conversion: each row a float32 `array`, no Python float churn.

A float32 `array` is a plain sequence of floats for the domain and a buffer for the wire, which
serialises it once (base64 from its bytes; JSON in the shortest form that round-trips as float32).
"""

from __future__ import annotations

from array import array
from typing import Any


def float32_rows(matrix: Any) -> list[array[float]]:
    """The rows of a 2-D array-like (numpy array, CPU tensor) as float32 arrays."""
    import numpy as np

    values = np.asarray(matrix, dtype=np.float32)
    return [array("f", row.tobytes()) for row in values]


def unit_rows(arrays: Any) -> list[array[float]]:
    """float32 rows, each L2-normalised (a model without a Normalize module returns raw vectors).

    NaN and infinity are kept as they are: the serving core refuses them and counts them.
    """
    import numpy as np

    matrix = np.asarray(arrays, dtype=np.float64)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    with np.errstate(invalid="ignore"):  # an infinite row becomes NaN, refused by the core either way
        # A zero (or NaN) norm divides by 1: the row is left as it is.
        return float32_rows(matrix / np.where(norms > 0, norms, 1))
