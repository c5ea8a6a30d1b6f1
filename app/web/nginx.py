"""What nginx needs to send an export's files as the app sends them, written into each build.

``deploy/nginx.conf`` includes these files from ``DIR/current``, so the headers nginx sends are
the ones the export recorded from the app's own responses, never a second copy to keep in step:

``nginx-types.conf``
    the Content-Type of each file extension, and which of them carry ``charset=utf-8``;
``nginx-<kind>-headers.conf``
    the headers the app sends with every file of that kind (security headers, Cache-Control,
    Vary), and the ETag the app gives the file's bytes in the encoding nginx chose;
``nginx-etags.conf``
    those ETags, by file and encoding, for the ``$export_etag`` map;
``nginx-root.conf``
    the build's own folder as nginx's ``root``;
``nginx-maps.conf``
    ``$export_hsts``, the app's Strict-Transport-Security value for HTTPS requests.

So nginx serves one build from one (re)load to the next, with that build's headers and tags,
whatever ``current`` points at in between; reloading it after an export switches over.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from app.config import PROJECT_ROOT
from app.web import security

#: Headers nginx makes itself from the file (or the map): not copied from the app's response.
MADE_BY_NGINX = {"etag", "last-modified", "content-type", "content-length", "content-encoding"}
HSTS_HEADER = "Strict-Transport-Security"
#: What may go into a quoted nginx string as it is: no variables, quotes, escapes or newlines.
SAFE_VALUE = re.compile(r'^[^$"\\\r\n{}]*$')
SAFE_KEY = re.compile(r"^[A-Za-z0-9._~/@+-]+$")


TEMPLATE = PROJECT_ROOT / "deploy" / "nginx.conf"
#: The values a deployment sets in the template, written ``@NAME@`` there.
PLACEHOLDERS = ("LISTEN", "SERVER_NAME", "EXPORT_DIR", "APP_SERVER")
MODULES = Path("/usr/lib/nginx/modules")
#: Debian ships brotli_static as a dynamic module; nginx-light has gzip_static built in.
DYNAMIC_MODULES = ("ngx_http_brotli_static_module.so",)


class UnsafeForNginx(ValueError):
    """A value that would not mean the same once written into nginx's configuration."""


def _quoted(value: str) -> str:
    if not SAFE_VALUE.match(value):
        raise UnsafeForNginx(f"{value!r} cannot be written into nginx's configuration")
    return f'"{value}"'


def headers_file(headers: dict[str, str]) -> str:
    """``add_header`` lines for the headers the app sent with every file of a kind."""
    lines = []
    for name, value in sorted(headers.items()):
        if name.lower() in MADE_BY_NGINX or name.lower() == HSTS_HEADER.lower():
            continue
        lines.append(f"add_header {name} {_quoted(value)} always;")
    # Over HTTPS only, as the app sends it (``maps_file``); an empty value sends nothing.
    lines.append(f"add_header {HSTS_HEADER} $export_hsts always;")
    lines.append("add_header ETag $export_etag always;")
    return "\n".join(lines) + "\n"


def types_file(files: list[dict[str, Any]]) -> str:
    """A ``types`` block from the Content-Type the app sent with each file, and ``charset``
    for the types it sent with ``charset=utf-8``."""
    by_extension: dict[str, str] = {}
    with_charset: set[str] = set()
    for entry in files:
        mimetype, _, parameters = entry["content_type"].partition(";")
        mimetype = mimetype.strip()
        extension = Path(entry["file"]).suffix.lstrip(".")
        if not extension or not SAFE_KEY.match(extension) or not SAFE_KEY.match(mimetype):
            raise UnsafeForNginx(f"{entry['file']}: no type nginx can name")
        if by_extension.setdefault(extension, mimetype) != mimetype:
            raise UnsafeForNginx(
                f"*.{extension} is sent as {by_extension[extension]} and as {mimetype}"
            )
        charset = parameters.strip().lower()
        if charset == "charset=utf-8":
            with_charset.add(mimetype)
        elif charset:
            raise UnsafeForNginx(f"{entry['file']}: {entry['content_type']} is not utf-8")
    lines = ["types {"]
    lines += [f"    {mimetype} {ext};" for ext, mimetype in sorted(by_extension.items())]
    lines.append("}")
    lines.append("default_type application/octet-stream;")
    lines.append("charset utf-8;")
    # text/html is always among them; naming it again is an error to nginx.
    extra = sorted(with_charset - {"text/html"})
    if extra:
        lines.append(f"charset_types {' '.join(extra)};")
    return "\n".join(lines) + "\n"


def etags_file(files: list[dict[str, Any]], encodings: dict[str, str]) -> str:
    """``map`` entries: ``"/<file>:<encoding>"`` to the app's ETag for those bytes (no encoding:
    the file itself)."""
    lines = []
    for entry in files:
        path = f"/{entry['file']}"
        if not SAFE_KEY.match(path):
            raise UnsafeForNginx(f"{path!r} cannot be a key in nginx's configuration")
        if entry.get("etag"):
            lines.append(f'"{path}:" {_single(entry["etag"])};')
        for encoding in encodings:
            tag = (entry.get("etags") or {}).get(encoding)
            if tag:
                lines.append(f'"{path}:{encoding}" {_single(tag)};')
    return "\n".join(lines) + "\n"


def maps_file() -> str:
    """``$export_hsts``: the app's Strict-Transport-Security value over HTTPS, else nothing."""
    lines = [
        "map $scheme $export_hsts {",
        f"    https {_quoted(security.HSTS)};",
        '    default "";',
        "}",
    ]
    return "\n".join(lines) + "\n"


def root_file(build: Path) -> str:
    root = str(build.resolve())
    if not SAFE_KEY.match(root):
        raise UnsafeForNginx(f"{root!r} cannot be nginx's root")
    return f"root {root};\n"


def _single(etag: str) -> str:
    """An ETag (quotes included, as sent) as a single-quoted nginx string."""
    if not SAFE_VALUE.match(etag.strip('"')) or "'" in etag:
        raise UnsafeForNginx(f"{etag!r} cannot be written into nginx's configuration")
    return f"'{etag}'"


def write(build: Path, manifest: dict[str, Any]) -> list[str]:
    """Write the nginx files for ``build`` from its manifest; return their names."""
    files = manifest["files"]
    out = {
        "nginx-types.conf": types_file(files),
        "nginx-etags.conf": etags_file(files, manifest["encodings"]),
        "nginx-root.conf": root_file(build),
        "nginx-maps.conf": maps_file(),
    }
    for kind, headers in manifest["headers"].items():
        out[f"nginx-{kind}-headers.conf"] = headers_file(headers)
    for name, text in out.items():
        (build / name).write_text(text, encoding="utf-8")
    return sorted(out)


def site_config(listen: str, server_name: str, export_dir: Path, app_server: str) -> str:
    """``deploy/nginx.conf`` with a deployment's four values (what the README's ``sed`` does)."""
    text = TEMPLATE.read_text(encoding="utf-8")
    values = dict(
        zip(PLACEHOLDERS, (listen, server_name, str(export_dir), app_server), strict=True)
    )
    for name, value in values.items():
        text = text.replace(f"@{name}@", value)
    return text


def standalone_config(folder: Path, site: Path, workers: int = 1) -> str:
    """A whole nginx.conf that runs in ``folder`` (pid, logs, temporary files) and serves the
    ``site`` file: how the tests and benchmarks start nginx, without touching /etc/nginx."""
    modules = "".join(
        f"load_module {MODULES / name};\n" for name in DYNAMIC_MODULES if (MODULES / name).exists()
    )
    # As root, nginx's workers would otherwise drop to "nobody", who cannot read a private
    # temporary folder.
    user = "user root;\n" if os.geteuid() == 0 else ""
    temp = "\n".join(
        f"    {kind}_temp_path {folder}/temp/{kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (folder / "temp").mkdir(parents=True, exist_ok=True)
    return f"""{modules}{user}worker_processes {workers};
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
daemon off;
events {{ worker_connections 1024; }}
http {{
{temp}
    include {site};
}}
"""
