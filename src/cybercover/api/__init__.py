"""The JSON API under ``/api/v1`` (FastAPI); thin: parse, authorise via services, render."""
