"""Tiny loopback servers for the notification tests: SMTP and an HTTP webhook receiver."""
import socketserver
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer


class _SmtpHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP to accept messages: EHLO/HELO, MAIL, RCPT, DATA, QUIT."""

    def reply(self, line: str) -> None:
        self.wfile.write(f"{line}\r\n".encode())

    def handle(self) -> None:
        self.reply("220 test ESMTP")
        envelope = {"to": [], "data": b""}
        while line := self.rfile.readline():
            command = line.decode(errors="replace").strip().upper()
            if command.startswith(("EHLO", "HELO")):
                self.reply("250 test")
            elif command.startswith(("MAIL", "RSET", "NOOP")):
                self.reply("250 ok")
            elif command.startswith("RCPT"):
                envelope["to"].append(line.decode().split(":", 1)[1].strip(" <>\r\n"))
                self.reply("250 ok")
            elif command == "DATA":
                self.reply("354 go ahead")
                envelope["data"] = self._data()
                self.server.messages.append(dict(envelope))
                self.reply("250 queued")
            elif command == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("502 not implemented")

    def _data(self) -> bytes:
        chunks = []
        while (line := self.rfile.readline()) not in (b".\r\n", b""):
            chunks.append(line)
        return b"".join(chunks)


class SmtpServer(socketserver.ThreadingTCPServer):
    """An SMTP sink on 127.0.0.1 collecting messages in `.messages`."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _SmtpHandler)
        self.messages = []
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def port(self) -> int:
        return self.server_address[1]


class _HookHandler(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 - http.server's naming
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.received.append((dict(self.headers), body))
        status = self.server.statuses.pop(0) if self.server.statuses else 204
        self.send_response(status)
        self.end_headers()

    def log_message(self, *args):
        pass


class HookServer(HTTPServer):
    """A webhook receiver on 127.0.0.1; answers the queued statuses, then 204."""

    def __init__(self, statuses=()):
        super().__init__(("127.0.0.1", 0), _HookHandler)
        self.received, self.statuses = [], list(statuses)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hook"
