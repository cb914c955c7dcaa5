"""The two calls the portal makes to the DSA Transparency Database's API (SPEC §22).

- `POST {base}/api/v1/statements` with `{"statements": [1-100]}`: 201 with the stored
  statements (each with the `uuid` the database gave it, in the order sent), or 422 with
  `{"errors": {"statement_<index>": {field: [messages]}}}` when any statement is refused,
  or with `errors.existing_puids` when an identifier is already taken. All or nothing: a
  422 stores none of the batch.
- `GET {base}/api/v1/statement/existing-puid/{puid}`: 302 when the database holds a
  statement with that identifier, 404 when it does not.

Anything else (no connection, a timeout, a 5xx, a 429, an unexpected answer) raises
`Unreachable`; its `in_doubt` says whether the request may have been acted on. No redirect
is followed: the token is sent only to the configured host.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from http.client import HTTPException
from urllib.error import HTTPError, URLError
from urllib.parse import quote
from urllib.request import HTTPRedirectHandler, Request, build_opener


class Unreachable(Exception):
    """No usable answer. `in_doubt`: the database may have stored what was sent."""

    def __init__(self, message: str, *, in_doubt: bool):
        super().__init__(message)
        self.message = message
        self.in_doubt = in_doubt


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict


class _NoRedirects(HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # a 3xx is then an answer like any other


class TransparencyDatabase:
    def __init__(self, base_url: str, token: str, *, timeout: float = 30):
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self._opener = build_opener(_NoRedirects)

    def _call(self, method: str, path: str, payload: dict | None = None) -> tuple[int, bytes]:
        data = json.dumps(payload).encode() if payload is not None else None
        request = Request(  # noqa: S310 - the base URL is https (or local http), checked in settings
            f"{self.base_url}{path}",
            data=data,
            method=method,
            headers={
                "Authorization": f"Bearer {self.token}",
                "Accept": "application/json",
                **({"Content-Type": "application/json"} if data is not None else {}),
            },
        )
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                return response.status, response.read()
        except HTTPError as exc:
            with exc:
                return exc.code, exc.read()
        except TimeoutError as exc:
            raise Unreachable(f"No answer within {self.timeout:g} seconds.", in_doubt=payload is not None) from exc
        except URLError as exc:
            # The connection was never made (refused, unknown host): nothing reached the database.
            if isinstance(exc.reason, TimeoutError):
                raise Unreachable(f"No answer within {self.timeout:g} seconds.", in_doubt=False) from exc
            raise Unreachable(f"Could not connect: {exc.reason}.", in_doubt=False) from exc
        except (OSError, HTTPException) as exc:
            raise Unreachable(f"The connection failed: {exc}.", in_doubt=payload is not None) from exc

    def post_statements(self, statements: list[dict]) -> Answer:
        """Send a batch; a 201 or a 422 is an answer, anything else raises Unreachable."""
        status, raw = self._call("POST", "/api/v1/statements", {"statements": statements})
        if status not in (201, 422):
            in_doubt = status >= 500
            raise Unreachable(f"The database answered HTTP {status}.", in_doubt=in_doubt)
        try:
            body = json.loads(raw or b"{}")
        except ValueError as exc:
            raise Unreachable(f"The database's HTTP {status} answer is not JSON.", in_doubt=status == 201) from exc
        if not isinstance(body, dict):
            raise Unreachable(f"The database's HTTP {status} answer is not an object.", in_doubt=status == 201)
        return Answer(status=status, body=body)

    def puid_exists(self, puid: str) -> bool:
        status, _ = self._call("GET", f"/api/v1/statement/existing-puid/{quote(puid, safe='')}")
        if status == 302:
            return True
        if status == 404:
            return False
        raise Unreachable(f"The database answered HTTP {status} when asked about {puid}.", in_doubt=True)
