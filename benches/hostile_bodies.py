#!/usr/bin/env python3
"""An Alertmanager that answers every path with a body built to cost memory, on 127.0.0.1.

    python3 benches/hostile_bodies.py tiny PORT      # 63 MiB of tiny values per list (under the cap)
    python3 benches/hostile_bodies.py endless PORT   # chunked lists that never end (2 GiB, cut at the cap)

then, with a config whose [[alertmanager]] urls = ["http://127.0.0.1:PORT"], time
`onwatch snapshot --format json` whole (for instance under /usr/bin/time -v) for its peak RSS.
Every path answers (alerts, silences, status), so one poll reads three such bodies at once.
"""
import http.server, socketserver, sys

shape, port = sys.argv[1], int(sys.argv[2])
MIB = 1024 * 1024


def body(path):
    """The first bytes and the repeated unit of the answer to `path`."""
    unit = b"0," if "alerts" in path else b"{},"
    return b"[", unit


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        head, unit = body(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        if shape == "tiny":
            count = (63 * MIB) // len(unit) - 1
            whole = head + unit * count + unit[:-1] + b"]"
            self.send_header("Content-Length", str(len(whole)))
            self.end_headers()
            self.wfile.write(whole)
            return
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        chunk = unit * (64 * 1024 // len(unit))
        try:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(head), head))
            for _ in range(2 * 1024 * MIB // len(chunk)):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            self.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


Server(("127.0.0.1", port), Handler).serve_forever()
