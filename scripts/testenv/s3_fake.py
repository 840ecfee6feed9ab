#!/usr/bin/env python3
"""A scripted S3 stand-in for the Swift client's retry and error tests.

    s3_fake.py SCRIPT.json PORT_FILE LOG_FILE

Listens on 127.0.0.1 (a free port, written to PORT_FILE once listening) and answers requests in
order with the responses in SCRIPT.json: [{"status": 503, "headers": {...}, "body": "..."} or
{"close": true} (drop the connection without answering)]. Each request is logged to LOG_FILE as a
JSON line {"method", "path", "headers"} before it is answered. Exits once every response was
used, after 60 seconds, or on SIGTERM.
"""
import http.server
import json
import os
import signal
import sys
import threading

script_path, port_path, log_path = sys.argv[1:4]
with open(script_path, encoding="utf-8") as source:
    responses = json.load(source)
lock = threading.Lock()
log = open(log_path, "a", encoding="utf-8")


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        with lock:
            log.write(json.dumps({"method": self.command, "path": self.path, "headers": dict(self.headers)}) + "\n")
            log.flush()
            response = responses.pop(0) if responses else {"status": 500, "body": "script exhausted"}
            done = not responses
        if response.get("close"):
            self.close_connection = True
        else:
            body = response.get("body", "").encode("utf-8")
            self.send_response(response["status"])
            for name, value in response.get("headers", {}).items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
            self.wfile.flush()
        if done:
            threading.Thread(target=server.shutdown, daemon=True).start()

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = answer


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
signal.signal(signal.SIGTERM, lambda *args: os._exit(0))
threading.Timer(60, lambda: os._exit(1)).start()
with open(port_path + ".tmp", "w") as port_file:
    port_file.write(str(server.server_address[1]))
os.rename(port_path + ".tmp", port_path)
server.serve_forever()
os._exit(0)
