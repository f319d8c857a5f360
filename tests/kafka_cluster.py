"""A 3-node Apache Kafka (KRaft, combined broker+controller) cluster on loopback, from the jars that
`make kafka-jars` fetches into .cache/kafka.

Each node listens on four loopback ports: PLAINTEXT (no authentication, principal ANONYMOUS, a super
user: the listener the tests set up topics and ACLs on), SASL_SSL (SCRAM-SHA-512 users over TLS),
MTLS (TLS with a required client certificate; the principal is the certificate's CN) and the KRaft
CONTROLLER listener. Certificates come from a CA generated per cluster (tests/tlscerts.py). The
StandardAuthorizer denies everything no ACL allows, so the SASL and mTLS users get only the ACLs a
test grants them. Logs go to one file per node; `log_tail` shows them when a test fails.
"""
from __future__ import annotations

import base64
import os
import random
import signal
import socket
import subprocess
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from kafka import KafkaConsumer, TopicPartition
from kafka.admin import (
    ACL,
    ACLOperation,
    ACLPermissionType,
    ACLResourcePatternType,
    KafkaAdminClient,
    ResourcePattern,
    ResourceType,
)

from tests.tlscerts import make_certificates

PROJECT = Path(__file__).resolve().parent.parent
JARS = PROJECT / ".cache" / "kafka"
SCRAM = "SCRAM-SHA-512"
CLIENT_CN = "newsstream-client"
RETENTION_CHECK_MS = 1000
RETENTION_FIRST_CHECK_S = 30.0  # Kafka's LogManager runs its first retention check this long after it starts
LOG4J2 = """status = error
appender.file.type = Console
appender.file.name = file
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = WARN
rootLogger.appenderRef.file.ref = file
logger.server.name = kafka.server
logger.server.level = INFO
"""


def free_ports(count: int) -> list[int]:
    """Distinct loopback ports nothing listens on, below the ephemeral range (32768+) so that no client
    connection (of these tests or anything else on the machine) takes one before the broker binds it."""
    ports: list[int] = []
    while len(ports) < count:
        port = random.randrange(20000, 32000)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        if port not in ports:
            ports.append(port)
    return ports


class ClusterError(RuntimeError):
    """The cluster could not be formatted or started; the message names the log to read."""


@dataclass
class KafkaNode:
    """One combined broker+controller process and its ports."""

    node_id: int
    plaintext: int
    sasl_ssl: int
    mtls: int
    controller: int
    folder: Path
    process: subprocess.Popen | None = None
    serving_since: float | None = None

    @property
    def log(self) -> Path:
        return self.folder / "kafka.log"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None


class KafkaCluster:
    """Formats and starts the nodes, waits until they serve metadata, stops them by PID."""

    def __init__(self, folder: Path, nodes: int = 3, heap: str = "384m", start_timeout_s: float = 120.0,
                 users: dict[str, str] | None = None):
        self.folder = Path(folder)
        self.heap = heap
        self.start_timeout_s = start_timeout_s
        self.users = {"admin": "admin-secret", **(users or {})}
        self.cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode()
        ports = free_ports(4 * nodes)
        self.nodes = [KafkaNode(i, *ports[4 * i - 4:4 * i], self.folder / f"node-{i}") for i in range(1, nodes + 1)]
        self.certs: dict[str, str] = {}
        self.started_in_s: float | None = None

    # addresses and client settings -----------------------------------------------------------
    @property
    def bootstrap_servers(self) -> str:
        """PLAINTEXT listeners of every node (unauthenticated, a super user)."""
        return ",".join(f"127.0.0.1:{n.plaintext}" for n in self.nodes)

    @property
    def sasl_ssl_bootstrap_servers(self) -> str:
        return ",".join(f"127.0.0.1:{n.sasl_ssl}" for n in self.nodes)

    @property
    def mtls_bootstrap_servers(self) -> str:
        return ",".join(f"127.0.0.1:{n.mtls}" for n in self.nodes)

    def sasl_config(self, user: str, password: str | None = None) -> dict:
        """kafka-python settings for a SCRAM-SHA-512 user on the SASL_SSL listeners."""
        return {"bootstrap_servers": self.sasl_ssl_bootstrap_servers, "security_protocol": "SASL_SSL",
                "sasl_mechanism": SCRAM, "sasl_plain_username": user,
                "sasl_plain_password": self.users[user] if password is None else password,
                "ssl_cafile": self.certs["ca.pem"]}

    def mtls_config(self) -> dict:
        """kafka-python settings for the client certificate (principal User:newsstream-client)."""
        return {"bootstrap_servers": self.mtls_bootstrap_servers, "security_protocol": "SSL",
                "ssl_cafile": self.certs["ca.pem"], "ssl_certfile": self.certs["client.pem"],
                "ssl_keyfile": self.certs["client.key"]}

    def seconds_until_retention_checks(self, checks: int = 2) -> float:
        """How long until every running node has run `checks` more retention checks."""
        now = time.monotonic()
        first_check_in = [max((node.serving_since or now) + RETENTION_FIRST_CHECK_S - now, 0.0)
                          for node in self.nodes if node.running]
        return max(first_check_in) + checks * RETENTION_CHECK_MS / 1000

    def node(self, node_id: int) -> KafkaNode:
        return next(n for n in self.nodes if n.node_id == node_id)

    # lifecycle ---------------------------------------------------------------------------------
    def start(self) -> KafkaCluster:
        if not (JARS / "kafka_2.13-4.1.1.jar").exists():
            raise ClusterError(f"Apache Kafka jars not found in {JARS}; run `make kafka-jars`")
        started = time.monotonic()
        self.folder.mkdir(parents=True, exist_ok=True)
        self.certs = make_certificates(self.folder, client_cn=CLIENT_CN)
        keystore = self.folder / "server-keystore.pem"
        keystore.write_text(Path(self.certs["server.key"]).read_text() + Path(self.certs["server.pem"]).read_text())
        (self.folder / "log4j2.properties").write_text(LOG4J2)
        for node in self.nodes:
            node.folder.mkdir(parents=True, exist_ok=True)
            (node.folder / "server.properties").write_text(self._properties(node, keystore))
        self._format()
        try:
            for node in self.nodes:
                self.start_node(node.node_id, wait=False)
            self.wait_until_serving()
        except BaseException:
            self.stop()
            raise
        self.started_in_s = time.monotonic() - started
        return self

    def _properties(self, node: KafkaNode, keystore: Path) -> str:
        voters = ",".join(f"{n.node_id}@127.0.0.1:{n.controller}" for n in self.nodes)
        settings = {
            "process.roles": "broker,controller",
            "node.id": node.node_id,
            "controller.quorum.voters": voters,
            "controller.listener.names": "CONTROLLER",
            "inter.broker.listener.name": "PLAINTEXT",
            "listeners": f"PLAINTEXT://127.0.0.1:{node.plaintext},SASL_SSL://127.0.0.1:{node.sasl_ssl},"
                         f"MTLS://127.0.0.1:{node.mtls},CONTROLLER://127.0.0.1:{node.controller}",
            "advertised.listeners": f"PLAINTEXT://127.0.0.1:{node.plaintext},SASL_SSL://127.0.0.1:{node.sasl_ssl},"
                                    f"MTLS://127.0.0.1:{node.mtls}",
            "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL,MTLS:SSL,CONTROLLER:PLAINTEXT",
            "log.dirs": node.folder / "data",
            "sasl.enabled.mechanisms": SCRAM,
            "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config":
                "org.apache.kafka.common.security.scram.ScramLoginModule required;",
            "ssl.keystore.type": "PEM",
            "ssl.keystore.location": keystore,
            "ssl.truststore.type": "PEM",
            "ssl.truststore.location": self.certs["ca.pem"],
            "listener.name.mtls.ssl.client.auth": "required",
            "ssl.principal.mapping.rules": "RULE:^CN=([^,]+)$/$1/,DEFAULT",
            "authorizer.class.name": "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
            "super.users": "User:ANONYMOUS;User:admin",
            "allow.everyone.if.no.acl.found": "false",
            "num.partitions": 3,
            "default.replication.factor": 3,
            "min.insync.replicas": 2,
            "offsets.topic.replication.factor": 3,
            "offsets.topic.num.partitions": 3,
            "transaction.state.log.replication.factor": 3,
            "transaction.state.log.min.isr": 2,
            "transaction.state.log.num.partitions": 3,
            "group.initial.rebalance.delay.ms": 0,
            "num.network.threads": 2,
            "num.io.threads": 2,
            "num.recovery.threads.per.data.dir": 1,
            "background.threads": 2,
            "log.cleaner.enable": "false",
            # The tests write records stamped years ago (clocks that disagree); with Kafka's default 7-day
            # retention the broker's retention check (every 5 min, the first 30 s after start) deletes them
            # mid-test. Time retention is off; the check runs every second so a test that relied on it
            # would fail every time, not once in a while.
            "log.retention.ms": -1,
            "log.retention.check.interval.ms": RETENTION_CHECK_MS,
        }
        return "".join(f"{key}={value}\n" for key, value in settings.items())

    def _java(self, main_class: str, *args: str, heap: str | None = None, short_lived: bool = False) -> list[str]:
        # a short-lived tool only needs the quick JIT tier; the brokers keep the full one for throughput
        jit = ["-XX:TieredStopAtLevel=1"] if short_lived else []
        return ["java", f"-Xmx{heap or self.heap}", *jit, "-Xss512k", "-XX:+UseSerialGC", "-Djava.awt.headless=true",
                f"-Dlog4j2.configurationFile={self.folder / 'log4j2.properties'}",
                "-cp", f"{JARS}/*", main_class, *args]

    def _format(self) -> None:
        """Format every node's storage (in parallel), with the SCRAM users added to the initial metadata."""
        scram = [arg for user, password in self.users.items()
                 for arg in ("--add-scram", f"{SCRAM}=[name={user},password={password}]")]
        formats = []
        for node in self.nodes:
            command = self._java("kafka.tools.StorageTool", "format", f"--cluster-id={self.cluster_id}",
                                 "--config", str(node.folder / "server.properties"), *scram, heap="128m",
                                 short_lived=True)
            log = open(node.folder / "format.log", "wb")  # closed once the process ends
            formats.append((node, subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT,
                                                   stdin=subprocess.DEVNULL), log))
        failed = []
        for node, process, log in formats:
            if process.wait(timeout=120) != 0:
                failed.append(str(node.folder / "format.log"))
            log.close()
        if failed:
            raise ClusterError(f"kafka-storage format failed; see {', '.join(failed)}")

    def start_node(self, node_id: int, wait: bool = True) -> None:
        """Start one node's JVM (again); with `wait`, until it is back in the metadata and in sync."""
        node = self.node(node_id)
        log = open(node.log, "ab")
        node.process = subprocess.Popen(self._java("kafka.Kafka", str(node.folder / "server.properties")),
                                        stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                        start_new_session=True)
        node.serving_since = None
        log.close()
        if wait:
            self.wait_until_serving()
            self.wait_until_in_sync()

    def stop_node(self, node_id: int, kill: bool = False, timeout_s: float = 60.0) -> None:
        """Stop one node by its PID: SIGTERM (controlled shutdown) or SIGKILL (a crash)."""
        node = self.node(node_id)
        if not node.running:
            return
        node.process.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
        try:
            node.process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            node.process.kill()
            node.process.wait(timeout=10)

    def stop(self) -> None:
        """Stop every node this object started (SIGTERM all, then wait; SIGKILL the ones that linger)."""
        for node in self.nodes:
            if node.running:
                node.process.terminate()
        for node in self.nodes:
            if node.process is not None:
                try:
                    node.process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    node.process.kill()
                    node.process.wait(timeout=10)

    def __enter__(self) -> KafkaCluster:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # readiness ----------------------------------------------------------------------------------
    def _check_alive(self) -> None:
        for node in self.nodes:
            if node.process is not None and node.process.poll() is not None and node.process.returncode not in (
                    -signal.SIGTERM, -signal.SIGKILL, 143, 137):
                raise ClusterError(f"kafka node {node.node_id} exited with {node.process.returncode}; log {node.log}")

    def wait_until_serving(self) -> None:
        """Until every running node is registered and answers metadata on its PLAINTEXT listener."""
        deadline = time.monotonic() + self.start_timeout_s
        expected = {n.node_id for n in self.nodes if n.running}
        while True:
            self._check_alive()
            try:
                for node in self.nodes:
                    for port in (node.plaintext, node.sasl_ssl, node.mtls) if node.running else ():
                        socket.create_connection(("127.0.0.1", port), timeout=1).close()
                with self.admin(request_timeout_ms=5000, reconnect_backoff_max_ms=500) as admin:
                    if {b["broker_id"] for b in admin.describe_cluster()["brokers"]} >= expected:
                        break
            except Exception:  # not up yet: any client error means "try again"
                pass
            if time.monotonic() > deadline:
                raise ClusterError(f"kafka nodes {sorted(expected)} not serving within {self.start_timeout_s:.0f}s; "
                                   f"logs: {', '.join(str(n.log) for n in self.nodes)}")
            time.sleep(0.2)
        for node in self.nodes:
            if node.running and node.serving_since is None:
                node.serving_since = time.monotonic()

    def wait_until_in_sync(self, timeout_s: float = 120.0) -> None:
        """Until every partition of every topic has all its replicas in sync (after a node came back)."""
        deadline = time.monotonic() + timeout_s
        while True:
            with self.admin() as admin:
                lagging = [(t["name"], p["partition_index"]) for t in admin.describe_topics()
                           for p in t["partitions"] if len(p["isr_nodes"]) < len(p["replica_nodes"])]
            if not lagging:
                return
            if time.monotonic() > deadline:
                raise ClusterError(f"partitions not back in sync within {timeout_s:.0f}s: {lagging[:5]}")
            time.sleep(0.5)

    # helpers for tests ------------------------------------------------------------------------
    def admin(self, **config) -> KafkaAdminClient:
        return KafkaAdminClient(bootstrap_servers=self.bootstrap_servers, **config)

    def create_topic(self, topic: str, partitions: int = 3, replication_factor: int = 3,
                     min_insync_replicas: int = 2) -> None:
        """Create a topic with RF=3 and min.insync.replicas=2; returns once every partition has a leader."""
        with self.admin() as admin:
            admin.create_topics({topic: {"num_partitions": partitions, "replication_factor": replication_factor,
                                         "configs": {"min.insync.replicas": str(min_insync_replicas)}}},
                                wait_for_metadata=True)

    def leader(self, topic: str, partition: int) -> int:
        """Node id of the partition's current leader."""
        with self.admin() as admin:
            [described] = admin.describe_topics([topic])
        return next(p["leader_id"] for p in described["partitions"] if p["partition_index"] == partition)

    def grant(self, principal: str, *grants: tuple[ResourceType, str, ACLOperation],
              pattern_type: ACLResourcePatternType = ACLResourcePatternType.LITERAL) -> None:
        """Allow `principal` (e.g. "User:reader") each (resource type, name or name prefix, operation)."""
        acls = [ACL(principal=principal, host="*", operation=operation, permission_type=ACLPermissionType.ALLOW,
                    resource_pattern=ResourcePattern(resource_type, name, pattern_type))
                for resource_type, name, operation in grants]
        with self.admin() as admin:
            result = admin.create_acls(acls)
        if result["failed"]:
            raise ClusterError(f"could not create ACLs: {result['failed']}")

    def committed(self, topic: str, group: str, partitions: int = 3) -> dict[int, int | None]:
        consumer = KafkaConsumer(bootstrap_servers=self.bootstrap_servers, group_id=group, enable_auto_commit=False)
        try:
            return {p: consumer.committed(TopicPartition(topic, p)) for p in range(partitions)}
        finally:
            consumer.close()

    def log_tail(self, lines: int = 40) -> str:
        """The last lines of every node's log, for a failing test's report."""
        parts = []
        for node in self.nodes:
            text = node.log.read_text(errors="replace").splitlines()[-lines:] if node.log.exists() else []
            parts.append(f"--- kafka node {node.node_id} ({node.log}) ---\n" + "\n".join(text))
        return "\n".join(parts)


def main() -> None:
    """Start a cluster by hand (`python -m tests.kafka_cluster`), print its addresses, stop on Ctrl-C."""
    import tempfile

    with KafkaCluster(Path(tempfile.mkdtemp(prefix="kafka-cluster-"))) as cluster:
        print(f"started in {cluster.started_in_s:.1f}s; PLAINTEXT {cluster.bootstrap_servers}; "
              f"SASL_SSL {cluster.sasl_ssl_bootstrap_servers}; MTLS {cluster.mtls_bootstrap_servers}; "
              f"CA {cluster.certs['ca.pem']}", flush=True)
        try:
            while all(n.running for n in cluster.nodes):
                time.sleep(1)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
