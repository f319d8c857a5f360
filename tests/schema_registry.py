"""Apicurio Registry on loopback, serving the Confluent Schema Registry REST API (its `ccompat` API), from the
distribution `make schema-registry` unpacks into .cache/apicurio-registry. Storage is the registry's default
in-memory database, so each start is empty. It needs Java 21 or newer: the JDK named by $SCHEMA_REGISTRY_JAVA,
else one under /usr/lib/jvm, else `java` on the PATH."""
from __future__ import annotations

import re
import shutil
import subprocess
import time
from pathlib import Path

import httpx

from tests.kafka_cluster import PROJECT, free_ports

APICURIO_VERSION = "3.3.3"
HOME = PROJECT / ".cache" / "apicurio-registry" / APICURIO_VERSION
MIN_JAVA = 21


class RegistryUnavailable(RuntimeError):
    """The registry cannot be run on this machine (not fetched, or no Java new enough); says what to do."""


def java_major_version(java: str) -> int:
    banner = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=60).stderr
    found = re.search(r'version "(\d+)', banner)
    return int(found[1]) if found else 0


def find_java(override: str | None = None) -> str:
    """A `java` executable of version 21 or newer."""
    candidates = [override] if override else [
        *sorted((str(path) for path in Path("/usr/lib/jvm").glob("*/bin/java")), reverse=True), shutil.which("java")]
    for java in candidates:
        if java and Path(java).exists() and java_major_version(java) >= MIN_JAVA:
            return java
    raise RegistryUnavailable(f"Apicurio Registry {APICURIO_VERSION} needs Java {MIN_JAVA}+, none found among "
                              f"{candidates}; install one or set SCHEMA_REGISTRY_JAVA")


class SchemaRegistry:
    """Starts the registry's JVM, waits until the Confluent-compatible API answers, stops it by PID."""

    def __init__(self, folder: Path, java: str | None = None, start_timeout_s: float = 300.0):
        self.folder = Path(folder)
        self.java_override = java
        self.start_timeout_s = start_timeout_s
        self.port = free_ports(1)[0]
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        """Base URL of the Confluent Schema Registry API (what a Confluent client is given)."""
        return f"http://127.0.0.1:{self.port}/apis/ccompat/v7"

    @property
    def log(self) -> Path:
        return self.folder / "registry.log"

    def start(self) -> SchemaRegistry:
        jar = HOME / "quarkus-run.jar"
        if not jar.exists():
            raise RegistryUnavailable(f"Apicurio Registry not found at {HOME}; run `make schema-registry`")
        java = find_java(self.java_override)
        self.folder.mkdir(parents=True, exist_ok=True)
        command = [java, "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Djava.awt.headless=true",
                   "-Dquarkus.http.host=127.0.0.1", f"-Dquarkus.http.port={self.port}",
                   "-Dquarkus.management.enabled=false", "-jar", str(jar)]
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(command, cwd=self.folder, stdout=log, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL, start_new_session=True)
        try:
            self._wait_until_serving()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_until_serving(self) -> None:
        deadline = time.monotonic() + self.start_timeout_s
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"schema registry exited with {self.process.returncode}; log {self.log}")
            try:
                if httpx.get(f"{self.url}/subjects", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:  # not listening yet
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"schema registry not serving within {self.start_timeout_s:.0f}s; log {self.log}")
            time.sleep(0.5)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def __enter__(self) -> SchemaRegistry:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
