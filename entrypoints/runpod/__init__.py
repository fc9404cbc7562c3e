"""The RunPod serverless worker: a translator from RunPod jobs to the use cases the HTTP server calls."""
