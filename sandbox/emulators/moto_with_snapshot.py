"""moto_server for the sandbox's Glue and Secrets Manager, whose state survives a restart.

Usage: python moto_with_snapshot.py HOST PORT [SNAPSHOT_FILE]

With SNAPSHOT_FILE, the Glue and Secrets Manager backends are loaded from it at start and written
to it (pickled, owner-only, write-then-rename) after every call that can change them, so the file
holds the current state once, never a log of requests. POST /moto-api/reset also deletes it.
"""

import os
import pickle
import signal
import sys
import threading

from moto import __version__ as moto_version
from moto.backends import get_backend
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import run_simple

SERVICES = ("glue", "secretsmanager")
READ_ONLY_PREFIXES = ("Get", "List", "Describe", "BatchGet", "Search", "Validate")


def load(path):
    if not os.path.exists(path):
        return
    try:
        with open(path, "rb") as f:
            saved = pickle.load(f)
    except Exception as err:
        sys.exit(f"cannot read the Glue and Secrets Manager snapshot {path} ({type(err).__name__}: {err}); reset the sandbox or delete that file")
    if saved.get("moto") != moto_version:
        print(f"snapshot {path} was written by moto {saved.get('moto')}, this is moto {moto_version}", file=sys.stderr)
    for service, accounts in saved["backends"].items():
        live = get_backend(service)
        for account_id, backend in accounts.items():
            dict.__setitem__(live, account_id, backend)
            live._create_account_specific_backend(account_id)  # registers the dict for moto's reset


def save(path):
    state = {"moto": moto_version, "backends": {service: dict(get_backend(service)) for service in SERVICES}}
    tmp = f"{path}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        pickle.dump(state, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def snapshotting(app, path):
    lock = threading.Lock()

    def changes_state(environ):
        if environ.get("PATH_INFO") == "/moto-api/reset":
            return True
        operation = environ.get("HTTP_X_AMZ_TARGET", "").rpartition(".")[2]
        return environ.get("REQUEST_METHOD") == "POST" and operation != "" and not operation.startswith(READ_ONLY_PREFIXES)

    def middleware(environ, start_response):
        # One request at a time: a read can add a backend (a new account or region) while a snapshot is pickled.
        with lock:
            body = list(app(environ, start_response))
            if not changes_state(environ):
                return body
            if environ.get("PATH_INFO") == "/moto-api/reset":
                for stale in (path, f"{path}.tmp"):
                    if os.path.exists(stale):
                        os.remove(stale)
            else:
                save(path)
        return body

    return middleware


def main():
    host, port = sys.argv[1], int(sys.argv[2])
    path = sys.argv[3] if len(sys.argv) > 3 else None
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    app = DomainDispatcherApplication(create_backend_app)
    if path:
        load(path)
        app = snapshotting(app, path)
    run_simple(host, port, app, threaded=True, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()
