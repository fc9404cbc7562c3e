"""The serving core every engine goes through: admission, the token budget, metrics, finiteness."""
