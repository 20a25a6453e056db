"""/visore.html and its assets as the lab's APIC port serves them: no credentials needed, each with its content
type and a policy that keeps the page to its own origin, HEAD as GET without the body, only the files of the
asset folder (anything else is the APIC's 404 envelope, never a file beside them), and package data a built
wheel carries.
"""

from __future__ import annotations

import http.client
import re
import shutil
import subprocess
import sys
import zipfile
from importlib.resources import files
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from simulator.apic import visore
from simulator.lab import Lab, LabOptions

REPO = Path(__file__).resolve().parents[2]
TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
         ".css": "text/css; charset=utf-8"}


@pytest.fixture(scope="module")
def url():
    lab = Lab(LabOptions(admin_password="secret"))
    server = lab.start(tls=False)
    yield server.url
    lab.stop()


def get(url: str, path: str, method: str = "GET") -> requests.Response:
    return requests.request(method, f"{url}{path}", timeout=30)


def raw_get(url: str, path: str) -> tuple[int, str, bytes]:
    """A GET of the path exactly as written (no client normalises `..` or percent escapes away)."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.putrequest("GET", path, skip_accept_encoding=True)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type", ""), response.read()
    finally:
        connection.close()


def referenced_assets(url: str) -> set[str]:
    """Every asset the page loads: its <script src> and <link href>, and what each script imports."""
    page = get(url, "/visore.html").text
    found = set(re.findall(r'(?:src|href)="(/visore/[^"]+)"', page))
    todo = sorted(found)
    while todo:
        path = todo.pop()
        if path.endswith(".js"):
            for name in re.findall(r'from "\./([^"]+)"', get(url, path).text):
                if f"/visore/{name}" not in found:
                    found.add(f"/visore/{name}")
                    todo.append(f"/visore/{name}")
    return found


def test_the_page_needs_no_credentials_and_keeps_to_its_own_origin(url):
    r = get(url, "/visore.html")
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"] == "text/html; charset=utf-8"
    assert '<script type="module" src="/visore/visore.js"></script>' in r.text
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    policy = r.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "connect-src 'self'" in policy and "default-src 'none'" in policy


def test_every_asset_the_page_loads_is_served_with_its_content_type(url):
    assets = referenced_assets(url)
    assert {"/visore/visore.js", "/visore/visore.css", "/visore/api.js", "/visore/dom.js", "/visore/mo.js",
            "/visore/rhv.js", "/visore/labstatus.js"} <= assets
    for path in sorted(assets):
        r = get(url, path)
        assert r.status_code == 200, (path, r.text)
        assert r.headers["Content-Type"] == TYPES[Path(path).suffix], path
        assert r.content == (files("simulator.apic") / "visore_assets" / Path(path).name).read_bytes()


def test_head_is_get_without_the_body(url):
    for path in ("/visore.html", "/visore/visore.js"):
        whole, head = get(url, path), get(url, path, "HEAD")
        assert head.status_code == 200 and head.content == b""
        assert head.headers["Content-Length"] == str(len(whole.content))
        assert head.headers["Content-Type"] == whole.headers["Content-Type"]


@pytest.mark.parametrize("path", [
    "/visore/nope.js", "/visore/", "/visore", "/visore/visore.js/x", "/visore/../rest.py", "/visore/%2e%2e/rest.py",
    "/visore/..%2frest.py", "/visore/%2e%2e%2fvisore.py", "/visore/__init__.py", "/visore/rest.py",
    "/visore/visore_assets/visore.js", "/visore//etc/passwd", "/visore/%2fetc%2fpasswd", "/visore/VISORE.JS",
])
def test_no_other_file_is_served_only_the_apic_404_envelope(url, path):
    status, content_type, body = raw_get(url, path)
    assert status == 404, (path, body[:200])
    assert content_type.startswith("application/json"), content_type
    assert body.startswith(b'{"totalCount":"1","imdata":[{"error":{"attributes":{"code":"404"'), body[:200]


def test_a_write_to_the_page_is_refused_in_the_envelope(url):
    r = get(url, "/visore.html", "POST")
    assert r.status_code == 405
    assert r.json()["imdata"][0]["error"]["attributes"]["code"] == "405"


def test_the_served_assets_are_the_files_of_the_asset_folder():
    folder = Path(visore.__file__).parent / "visore_assets"
    on_disk = {p.name for p in folder.iterdir() if p.is_file() and p.suffix in TYPES}
    assert set(visore.assets()) == on_disk and "visore.html" in on_disk


def test_a_built_wheel_carries_the_page_as_package_data(tmp_path):
    """The lab installed from a wheel (not editable) serves the same files: they are package data."""
    source = tmp_path / "source"  # the build writes build/ and *.egg-info beside its sources, not in the checkout
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, source / name)
    shutil.copytree(REPO / "simulator", source / "simulator", ignore=shutil.ignore_patterns("__pycache__"))
    out = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w",
                          str(tmp_path / "dist"), str(source)], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    [wheel] = (tmp_path / "dist").glob("acisim-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {f"simulator/apic/visore_assets/{name}" for name in visore.assets()}
    assert expected <= names, sorted(expected - names)
    assert "simulator/apic/visore.py" in names
