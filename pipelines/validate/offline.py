"""Data Docs that make no request to another host: CDN references rewritten to vendored files.

GX's page templates load Bootstrap, jQuery, Font Awesome and the rest from CDNs
and its logo from a remote bucket (with the context id in the URL). The built
site's pages are rewritten here: each known URL becomes the relative path of the
same file shipped under `static/vendor/` (pipelines/validate/static/vendor, its
README names each package, version and licence), the bucket's images become
GX's own `static/images`, paths into the site's static folder are made relative to the page (GX's
favicon link is one level short on validation pages), `integrity` /
`crossorigin` attributes go (a
crossorigin script from a file: URL is blocked), and the Vega chart scripts go
(no expectation of these suites draws a chart). Rewriting the built HTML is a
table of strings; overriding GX's templates would copy five of them. Any
http(s) resource left after the rewrite is an error, so a GX upgrade that adds
one fails the night's Data Docs build (and its test) instead of leaking a request.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from pipelines import storage

VENDOR = Path(__file__).resolve().parent / "static" / "vendor"
SITE_VENDOR = "static/vendor"

TABLE = "https://unpkg.com/bootstrap-table@"
FILTER = "dist/extensions/filter-control/bootstrap-table-filter-control"
LOCAL_FILTER = "bootstrap-table/bootstrap-table-filter-control"
CDNJS = "https://cdnjs.cloudflare.com/ajax/libs/"
CDN = {
    f"{TABLE}1.19.1/dist/bootstrap-table.min.css": "bootstrap-table/bootstrap-table.min.css",
    f"{TABLE}1.19.1/dist/bootstrap-table.min.js": "bootstrap-table/bootstrap-table.min.js",
    f"{TABLE}1.19.0/{FILTER}.min.css": f"{LOCAL_FILTER}.min.css",
    f"{TABLE}1.19.0/{FILTER}.css": f"{LOCAL_FILTER}.min.css",
    f"{TABLE}1.19.1/{FILTER}.min.js": f"{LOCAL_FILTER}.min.js",
    "https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css": (
        "bootstrap/bootstrap.min.css"
    ),
    "https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js": (
        "bootstrap/bootstrap.min.js"
    ),
    f"{CDNJS}bootstrap-datepicker/1.9.0/css/bootstrap-datepicker.min.css": (
        "bootstrap-datepicker/bootstrap-datepicker.min.css"
    ),
    f"{CDNJS}bootstrap-datepicker/1.9.0/js/bootstrap-datepicker.min.js": (
        "bootstrap-datepicker/bootstrap-datepicker.min.js"
    ),
    "https://cdn.jsdelivr.net/npm/@forevolve/bootstrap-dark@1.1.0/dist/css/"
    "bootstrap-prefers-dark.css": "bootstrap-dark/bootstrap-prefers-dark.css",
    f"{CDNJS}font-awesome/6.6.0/css/all.min.css": "fontawesome/css/all.min.css",
    "https://code.jquery.com/jquery-3.7.1.min.js": "jquery/jquery.min.js",
    f"{CDNJS}popper.js/1.12.9/umd/popper.min.js": "popper/popper.min.js",
}
CHARTS = re.compile(r'<script src="https://cdn\.jsdelivr\.net/npm/vega[a-z-]*@[0-9]+"></script>\s*')
INTEGRITY = re.compile(r' (?:integrity|crossorigin)="[^"]*"')
ASSETS = "https://great-expectations-web-assets.s3.us-east-2.amazonaws.com/"
# the query GX adds names the data context: dropped with the host
ASSET = re.compile(re.escape(ASSETS) + r"([A-Za-z0-9_.-]+)(\?[^\"')\s]*)?")
# GX ships no dark logo; the light one stands in (only a dark colour scheme shows it)
ASSET_FILES = {"full_logo_dark.png": "logo-long.png"}
# a path into the site's static folder, however deep GX thought the page was (its
# favicon link on a validation page is one level short)
STATIC = re.compile(r"""(["'(])(?:\./|(?:\.\./)+)static/""")
# a resource the page would fetch: src=, url() in inline CSS, the href of a <link>
REMOTE = re.compile(r"""(?:src=["']?|url\(["']?)(?:https?:)?//""")
LINK = re.compile(r"<link\b[^>]*>", re.IGNORECASE)
REMOTE_HREF = re.compile(r"""href=["']?(?:https?:)?//""", re.IGNORECASE)


class RemoteResource(RuntimeError):
    """A built page still references a resource on another host."""


def vendor(site: Path) -> None:
    """Copy the vendored files into the site and rewrite every page (module doc)."""
    site = Path(site)
    storage.copy_folder(VENDOR, site / SITE_VENDOR)
    images: set[str] = set()
    for page in sorted(site.rglob("*.html")):
        html = rewrite(page.read_text(encoding="utf-8"), page, site, images)
        page.write_text(html, encoding="utf-8")
    for name in sorted(images):  # GX ships them, but copies only some into a site
        target = site / "static" / "images" / name
        if not target.is_file():
            shutil.copyfile(_gx_images() / name, target)


def _gx_images() -> Path:
    import great_expectations

    return Path(great_expectations.__file__).parent / "render" / "view" / "static" / "images"


def rewrite(html: str, page: Path, site: Path, images: set[str]) -> str:
    """The page with its remote resources replaced by the site's files; adds to `images`
    the GX images it now names."""
    root = os.path.relpath(site, page.parent).replace(os.sep, "/") + "/"
    html = STATIC.sub(lambda m: f"{m.group(1)}{root}static/", html)
    html = CHARTS.sub("", html)
    html = INTEGRITY.sub("", html)
    for url, local in CDN.items():
        html = html.replace(url, f"{root}{SITE_VENDOR}/{local}")

    def local_image(match: re.Match[str]) -> str:
        name = ASSET_FILES.get(match.group(1), match.group(1))
        images.add(name)
        return f"{root}static/images/{name}"

    html = ASSET.sub(local_image, html)
    left = REMOTE.search(html) or next(
        (m for m in LINK.finditer(html) if REMOTE_HREF.search(m.group())), None
    )
    if left:
        start = max(left.start() - 40, 0)
        context = html[start : left.end() + 60]
        raise RemoteResource(f"{page.relative_to(site)} still loads from another host: {context!r}")
    return html
