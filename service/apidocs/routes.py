"""/docs and /redoc with their scripts, styles and icon served by the app itself: no CDN, no web fonts, so the
pages work on a machine without internet."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

STATIC_DIR = Path(__file__).resolve().parent / "static"
STATIC_URL = "/static/apidocs"


def install_api_docs(app: FastAPI) -> None:
    """Serve Swagger UI at /docs and ReDoc at /redoc from the vendored files (see static/README.md)."""
    app.mount(STATIC_URL, StaticFiles(directory=STATIC_DIR), name="apidocs-static")
    openapi_url = app.openapi_url or "/openapi.json"
    favicon = f"{STATIC_URL}/favicon-32x32.png"

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url=openapi_url, title=f"{app.title} — API docs",
                                   swagger_js_url=f"{STATIC_URL}/swagger-ui-bundle.js",
                                   swagger_css_url=f"{STATIC_URL}/swagger-ui.css", swagger_favicon_url=favicon,
                                   # no badge that asks swagger.io to validate the document
                                   swagger_ui_parameters={"validatorUrl": None})

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return get_redoc_html(openapi_url=openapi_url, title=f"{app.title} — API reference",
                              redoc_js_url=f"{STATIC_URL}/redoc.standalone.js", redoc_favicon_url=favicon,
                              with_google_fonts=False)
