"""The pages: Jinja2 templates and HTMX over the same services as the API (issue #7)."""

from cybercover.web.setup import install_pages

__all__ = ["install_pages"]
