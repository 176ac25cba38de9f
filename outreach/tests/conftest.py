import imaplib
import socket
import subprocess
import sys
import time
from dataclasses import dataclass

import pytest

IMAP_USER, IMAP_PASSWORD = "replies", "imap-test-password"


@dataclass
class ImapMailbox:
    """The replies mailbox of a real IMAP server (pymap, in memory) started for a test."""

    port: int

    @property
    def url(self) -> str:
        return f"imap://{IMAP_USER}:{IMAP_PASSWORD}@127.0.0.1:{self.port}/INBOX"

    def _session(self) -> imaplib.IMAP4:
        imap = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        imap.login(IMAP_USER, IMAP_PASSWORD)
        imap.select("INBOX")
        return imap

    def deliver(self, raw: bytes) -> None:
        """Put a message in the inbox, unseen, as a mail server delivering it would."""
        imap = self._session()
        imap.append("INBOX", None, None, raw)
        imap.logout()

    def unseen(self) -> int:
        imap = self._session()
        _status, data = imap.uid("SEARCH", None, "UNSEEN")
        imap.logout()
        return len(data[0].split())


@pytest.fixture
def imap_server():
    """An IMAP server (pymap's in-memory backend, as a process of its own) on a free local port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-c", "from pymap.main import main; main()", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--no-tls", "--no-service", "admin", "dict", "--demo-user", IMAP_USER, "--demo-password", IMAP_PASSWORD]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # noqa: S603
    deadline = time.monotonic() + 15
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail(f"the IMAP server did not start: {server.stderr.read().decode()[-2000:]}")
            time.sleep(0.1)
    yield ImapMailbox(port)
    server.terminate()
    server.wait(timeout=10)
