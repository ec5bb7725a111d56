"""/docs and /redoc work without internet: every script, style and icon they load comes from the app itself."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from fastapi.testclient import TestClient

from service.core.config import Settings
from tests.conftest import REPO

BASE = "http://testserver"


class _References(HTMLParser):
    """Every URL an HTML page loads or links to (src, href), and any URL inside its inline scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [value for name, value in attrs if name in ("src", "href") and value]
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.urls += re.findall(r"https?://[^'\"\s)]+", data)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    from service.main import create_app
    url = f"sqlite:///{tmp_path_factory.mktemp('docs') / 'unused.db'}"  # the docs never touch the database
    return TestClient(create_app(Settings(database_url=url, data_dir=REPO / "data", log_format="text")),
                      base_url=BASE)


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_pages_load_only_same_origin_assets_that_answer(client: TestClient, page: str) -> None:
    answer = client.get(page)
    assert answer.status_code == 200 and "text/html" in answer.headers["content-type"]
    parser = _References()
    parser.feed(answer.text)
    assert parser.urls, "the page loads its scripts from somewhere"
    for url in parser.urls:
        absolute = urljoin(BASE + page, url)
        assert urlsplit(absolute).netloc == "testserver", f"{page} loads {url} from another origin"
        asset = client.get(absolute)
        assert asset.status_code == 200, f"{page}: {url} answers {asset.status_code}"
        if absolute.endswith(".css"):  # a stylesheet's own url(...)s are inline data or relative
            for inner in re.findall(r"url\(\s*['\"]?([^'\")]+)", asset.text):
                assert inner.startswith("data:") or not urlsplit(inner).netloc, f"{url} loads {inner}"
    assert "fonts.googleapis.com" not in answer.text and "cdn.jsdelivr.net" not in answer.text


def test_the_docs_scripts_are_the_vendored_bundles(client: TestClient) -> None:
    swagger = client.get("/docs").text
    assert "/static/apidocs/swagger-ui-bundle.js" in swagger and "/static/apidocs/swagger-ui.css" in swagger
    assert "SwaggerUIBundle" in client.get("/static/apidocs/swagger-ui-bundle.js").text
    assert "/static/apidocs/redoc.standalone.js" in client.get("/redoc").text
    assert client.get("/openapi.json").status_code == 200


@pytest.mark.parametrize("bundle", ["swagger-ui-bundle.js", "redoc.standalone.js"])
def test_the_vendored_bundles_fetch_nothing_by_absolute_url(client: TestClient, bundle: str) -> None:
    """An image or script a bundle would load at run time from the internet (ReDoc's own logo did)."""
    code = client.get(f"/static/apidocs/{bundle}").text
    fetched = re.findall(r"""\b(?:src|href)\s*[:=]\s*["'](https?://[^"']+\.(?:svg|png|gif|jpe?g|js|css|woff2?))["']""",
                         code)
    assert fetched == []
