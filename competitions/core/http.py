"""Small helpers about requests and answers that several areas share."""

import io

from flask import request, send_file

from competitions.core.sheet_rules import XLSX_TYPE


def referrer_or(fallback: str) -> str:
    """The page the request came from, when it is a page of this site; else ``fallback``
    (never another site: no open redirect through a forged Referer)."""
    back = request.referrer or ""
    return back if back.startswith(request.host_url) else fallback


def xlsx_download(data: bytes, name: str):
    """A spreadsheet to download, which browsers and proxies do not keep (it may hold people's
    data)."""
    response = send_file(
        io.BytesIO(data), mimetype=XLSX_TYPE, as_attachment=True, download_name=name
    )
    response.headers["Cache-Control"] = "no-store"
    return response
