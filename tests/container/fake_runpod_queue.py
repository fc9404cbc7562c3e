"""A stand-in for RunPod's job queue, run inside a container: hands out one job, prints what comes back.

The worker reaches it on 127.0.0.1 by sharing this container's network namespace; standard library
only, so it runs on the image's own Python. Prints `TAKEN <job id>` when the job is taken and
`DONE <path> <body>` for each result posted.
"""

import http.server
import json
import sys

JOB = json.loads(sys.argv[1])
taken = False


class Queue(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # job-take, job-take-batch, job-stop, ping
        global taken
        if "/job-take" in self.path and not taken:
            taken = True
            body = json.dumps([JOB] if "/job-take-batch/" in self.path else JOB).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            print("TAKEN", JOB["id"], flush=True)
            return
        self.send_response(204)
        self.end_headers()

    def do_POST(self) -> None:  # job-done
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode(errors="replace")
        print("DONE", self.path, body, flush=True)
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


http.server.ThreadingHTTPServer(("127.0.0.1", 9000), Queue).serve_forever()
