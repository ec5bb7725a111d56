"""A bundle .zip cannot expand without bound: total size and compression ratio are capped, from the headers before
anything is extracted and by counting while it streams (headers can lie)."""

from __future__ import annotations

import io
import struct
import zipfile

from fastapi.testclient import TestClient

from service.core.config import Settings
from tests.service.imports.bundles import FILES
from tests.service.test_cli import jobmatch


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _upload(client: TestClient, headers: dict[str, str], archive: bytes):
    return client.post("/v1/imports", files={"file": ("b.zip", archive, "application/zip")}, headers=headers)


def _employers(client: TestClient, headers: dict[str, str]) -> int:
    return client.get("/v1/employers", headers=headers).json()["count"]


def test_a_bundle_expanding_past_the_cap_is_refused_with_413(settings, admin_headers):
    from service.main import create_app
    small = Settings(**{**settings.model_dump(), "max_unzipped_bytes": 100_000})
    archive = _zip({"employers.csv": FILES["employers.csv"].encode(), "readme.txt": b"\0" * 200_000})
    with TestClient(create_app(small)) as client:
        response = _upload(client, admin_headers, archive)
        assert response.status_code == 413 and response.headers["content-type"] == "application/problem+json"
        assert "at most 100000" in response.json()["detail"]
        assert _employers(client, admin_headers) == 0


def test_a_zip_bomb_is_refused_by_its_compression_ratio(client, admin_headers):
    archive = _zip({"employers.csv": FILES["employers.csv"].encode(), "readme.txt": b"\0" * 30_000_000})
    assert len(archive) < 100_000
    response = _upload(client, admin_headers, archive)
    assert response.status_code == 413 and "times its compressed size" in response.json()["detail"]
    assert _employers(client, admin_headers) == 0


def _lie_about_sizes(archive: bytes, name: str, declared: int) -> bytes:
    """Rewrite the member's uncompressed size in its local header and central directory entry."""
    data = bytearray(archive)
    info = zipfile.ZipFile(io.BytesIO(archive)).getinfo(name)
    struct.pack_into("<I", data, info.header_offset + 22, declared)  # local file header: uncompressed size
    central = data.index(b"PK\x01\x02")
    while data[central + 46:central + 46 + len(name)] != name.encode():
        central = data.index(b"PK\x01\x02", central + 4)
    struct.pack_into("<I", data, central + 24, declared)  # central directory: uncompressed size
    return bytes(data)


def test_a_zip_whose_headers_lie_is_refused_and_writes_nothing(client, admin_headers):
    rows = FILES["employers.csv"] + "".join(f"EM-{n},Synthetic Unit {n},apparel,Howrah,,,true,2026-05-01\n"
                                            for n in range(10, 3000))
    archive = _lie_about_sizes(_zip({"employers.csv": rows.encode()}), "employers.csv", 300)
    response = _upload(client, admin_headers, archive)
    assert response.status_code in (413, 422) and response.headers["content-type"] == "application/problem+json"
    assert _employers(client, admin_headers) == 0


def test_the_command_line_refuses_an_oversized_zip(db, database_url, tmp_path, monkeypatch):
    path = tmp_path / "big.zip"
    path.write_bytes(_zip({"employers.csv": FILES["employers.csv"].encode(), "readme.txt": b"\0" * 200_000}))
    monkeypatch.setenv("JOBMATCH_MAX_UNZIPPED_BYTES", "100000")
    result = jobmatch(database_url, "import", str(path))
    assert result.returncode == 1 and "at most 100000" in result.stderr
