"""The benchmarks' HTTP client: one keep-alive connection, JSON bodies in UTF-8.

This server and Kinto are measured through the same client, so that neither pays for
connection setup or encoding the other does not.
"""
from __future__ import annotations

import http.client
import json
from urllib.parse import urlsplit

TIMEOUT = 600.0


class HttpError(RuntimeError):
    """The server answered with an unexpected status."""


class Connection:
    """A keep-alive HTTP/1.1 connection to base_url, sending these headers on every request."""

    def __init__(self, base_url: str, headers: dict[str, str] | None = None) -> None:
        parts = urlsplit(base_url)
        self.prefix = parts.path.rstrip("/")
        self.conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=TIMEOUT)
        self.headers = {"Accept": "application/json", **(headers or {})}

    def send(self, method: str, path: str, body: object = None, headers=None):
        """One request; returns (status, response headers, raw body)."""
        data = None
        all_headers = dict(self.headers, **(headers or {}))
        if body is not None:
            data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
            all_headers["Content-Type"] = "application/json; charset=utf-8"
        target = path if path.startswith(self.prefix + "/") else self.prefix + path
        self.conn.request(method, target, body=data, headers=all_headers)
        response = self.conn.getresponse()
        return response.status, response.headers, response.read()

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
