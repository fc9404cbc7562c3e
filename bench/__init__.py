"""`embedrank bench`: throughput, latency and memory of our server against its baselines, on one machine."""
