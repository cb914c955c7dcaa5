"""A local stand-in for the DSA Transparency Database's API, applying its rules (dsa_rules).

It answers the calls the portal makes, as the database does: `POST /api/v1/statements`
(1-100, all or nothing, 201 with each stored statement's `uuid`, or 422 with the errors),
`POST /api/v1/statement`, and `GET /api/v1/statement/existing-puid/<puid>` (302 or 404),
with a Bearer token and unique identifiers. Tests can make it fail (`fail_next`) or hold a
batch it has already stored before answering (`hold`), as a slow database would while the
worker that sent it is killed.
"""

from __future__ import annotations

import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote

from tests.referrals.dsa_rules import batch_response, statement_errors


class TransparencyDatabaseServer:
    def __init__(self, token: str = "test-token"):
        self.token = token
        self.lock = threading.Lock()
        self.stored: dict[str, dict] = {}  # puid → the statement as stored, with its uuid
        self.posts: list[list[str]] = []  # the identifiers of each batch received, stored or not
        self.checks: list[str] = []  # identifiers asked about
        self.failures: list[int] = []  # statuses to answer the next POSTs with, before storing
        self.refuse: dict[str, dict] = {}  # puid → errors to refuse it with, as if a rule failed
        self.repeats = 0  # batches that carried an identifier already stored: a statement sent twice
        self.hold = threading.Event()
        self.hold.set()  # cleared: a stored batch waits for it before the answer goes out
        self.received = threading.Event()  # set when a batch was stored
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> TransparencyDatabaseServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.hold.set()
        self._server.shutdown()
        self._server.server_close()

    def fail_next(self, *statuses: int) -> None:
        with self.lock:
            self.failures.extend(statuses)

    def sent_times(self, puid: str) -> int:
        """How many batches carried `puid`."""
        return sum(batch.count(puid) for batch in self.posts)

    # --- What the database does ------------------------------------------------------------

    def _store_batch(self, payload) -> tuple[int, dict]:
        with self.lock:
            statements = payload.get("statements") if isinstance(payload, dict) else None
            puids = [s.get("puid") for s in statements if isinstance(s, dict)] if isinstance(statements, list) else []
            self.posts.append(puids)
            if self.failures:
                return self.failures.pop(0), {"message": "Server Error"}
            if any(puid in self.stored for puid in puids):
                self.repeats += 1
            status, body = batch_response(payload, self.stored)
            refused = {
                f"statement_{i}": self.refuse[s["puid"]]
                for i, s in enumerate(statements or [])
                if isinstance(s, dict) and s.get("puid") in self.refuse
            }
            if status == 201 and refused:
                status, body = 422, {"errors": refused}
            if status != 201:
                return status, body
            out = []
            for statement in statements:
                stored = {**statement, "uuid": str(uuid.uuid4())}
                self.stored[statement["puid"]] = stored
                out.append(stored)
        self.received.set()
        return 201, {"statements": out}

    def _store_one(self, statement) -> tuple[int, dict]:
        with self.lock:
            errors = statement_errors(statement, multi=False) if isinstance(statement, dict) else {"puid": ["?"]}
            if errors:
                return 422, {"message": "The given data was invalid.", "errors": errors}
            if statement["puid"] in self.stored:
                message = "The identifier given is not unique within this platform."
                return 422, {"message": message, "errors": {"puid": [message]}, "existing": {"puid": statement["puid"]}}
            stored = {**statement, "uuid": str(uuid.uuid4())}
            self.stored[statement["puid"]] = stored
        return 201, stored

    def _handler(self):
        database = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _answer(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client is gone (a killed worker)

            def _authorised(self) -> bool:
                if self.headers.get("Authorization") == f"Bearer {database.token}":
                    return True
                self._answer(401, {"message": "Unauthenticated."})
                return False

            def do_GET(self):
                if not self._authorised():
                    return
                prefix = "/api/v1/statement/existing-puid/"
                if not self.path.startswith(prefix):
                    self._answer(404, {"message": "Not found."})
                    return
                puid = unquote(self.path[len(prefix) :])
                with database.lock:
                    database.checks.append(puid)
                    found = puid in database.stored
                if found:
                    self._answer(302, {"message": "statement of reason found", "puid": puid})
                else:
                    self._answer(404, {"message": "statement of reason not found", "puid": puid})

            def do_POST(self):
                if not self._authorised():
                    return
                length = int(self.headers.get("Content-Length") or 0)
                try:
                    payload = json.loads(self.rfile.read(length) or b"null")
                except ValueError:
                    self._answer(400, {"message": "Malformed JSON."})
                    return
                if self.path == "/api/v1/statements":
                    status, body = database._store_batch(payload)
                    if status == 201:
                        database.hold.wait(120)
                elif self.path == "/api/v1/statement":
                    status, body = database._store_one(payload)
                else:
                    status, body = 404, {"message": "Not found."}
                self._answer(status, body)

        return Handler
