"""Kafka connection settings for every client the pipeline opens: brokers, TLS and SASL settings,
credentials from flags, environment or a properties file, secret redaction, and the pre-flight
broker check that turns "no broker" or "untrusted certificate" into one clear error."""
from __future__ import annotations

import logging
import os
import re
import socket
import ssl
import time
from dataclasses import dataclass
from functools import lru_cache

from pipelines.flags import CREDENTIAL_ENV

LOG = logging.getLogger(__name__)
SECRET_SETTINGS = ("sasl_plain_password", "ssl_password", "sasl_oauth_token_provider")


def redacted(value: object) -> object:
    """A client configuration with secret settings masked; anything else unchanged."""
    if isinstance(value, dict):
        return {k: ("***" if k in SECRET_SETTINGS and v is not None else v) for k, v in value.items()}
    return value


class RedactSecrets(logging.Filter):
    """Masks secrets in kafka-python log records: KafkaAdminClient logs its whole configuration at DEBUG."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redacted(arg) for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = redacted(record.args)
        return True


logging.getLogger("kafka.admin.client").addFilter(RedactSecrets())


class HideRecordBodies(logging.Filter):
    """kafka-python logs what it sends and fetches at DEBUG: the producer each key and value, the connection
    and protocol parser every Produce and Fetch request and response and the raw bytes on the wire. Those
    arguments (also inside dicts and lists) are replaced by their size or type, so article bodies never
    reach a log."""

    @classmethod
    def hidden(cls, arg: object) -> object:
        if isinstance(arg, (bytes, bytearray, memoryview)):
            return f"<{len(arg)} bytes>"
        if type(arg).__name__.startswith(("Produce", "Fetch")):
            return f"<{type(arg).__name__}>"
        if isinstance(arg, dict):
            return {k: cls.hidden(v) for k, v in arg.items()}
        if type(arg) in (list, tuple):  # a named tuple (TopicPartition) holds no body and keeps its type
            return type(arg)(cls.hidden(v) for v in arg)
        return arg

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(self.hidden(arg) for arg in record.args)
        return True


def hide_record_bodies() -> None:
    """Adds HideRecordBodies to every kafka-python logger (a logger's filters see only its own records)."""
    import kafka  # noqa: F401 - creates kafka-python's loggers
    import kafka.admin  # noqa: F401

    for name in list(logging.Logger.manager.loggerDict):
        logger = logging.getLogger(name)
        if name.startswith("kafka.") and not any(isinstance(f, HideRecordBodies) for f in logger.filters):
            logger.addFilter(HideRecordBodies())


hide_record_bodies()


# Kafka (Java) and librdkafka property names -> kafka-python settings
PROPERTY_NAMES = {
    "bootstrap.servers": "bootstrap_servers",
    "security.protocol": "security_protocol",
    "sasl.mechanism": "sasl_mechanism",
    "sasl.mechanisms": "sasl_mechanism",
    "sasl.username": "sasl_plain_username",
    "sasl.password": "sasl_plain_password",
    "ssl.ca.location": "ssl_cafile",
    "ssl.truststore.location": "ssl_cafile",
    "ssl.certificate.location": "ssl_certfile",
    "ssl.keystore.location": "ssl_certfile",
    "ssl.key.location": "ssl_keyfile",
    "ssl.key.password": "ssl_password",
}
# store types kafka-python cannot read; Java's default store type is JKS
STORE_TYPE_KEYS = {"ssl.truststore.location": "ssl.truststore.type", "ssl.keystore.location": "ssl.keystore.type"}
# Kafka's JaasConfig tokenizer: key=value options, values bare or in double or single quotes
JAAS_OPTION = re.compile(r"""([\w.-]+)\s*=\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[^\s;'"]+)""")
JAVA_ESCAPES = {"t": "\t", "n": "\n", "r": "\r", "f": "\f"}


class KafkaPropertiesError(ValueError):
    """A --kafka-properties file that cannot be used as written: which key, and what to do instead."""


def _logical_lines(text: str) -> list[str]:
    """java.util.Properties lines: a line ending in an odd number of backslashes continues on the next one,
    whose leading whitespace is dropped; comment lines (# or ! first) and blank lines are skipped."""
    lines, pending = [], None
    for raw in text.splitlines():
        line = raw.lstrip(" \t\f")
        if pending is None and (not line or line[0] in "#!"):
            continue
        trailing = len(line) - len(line.rstrip("\\"))
        if trailing % 2:
            pending = (pending or "") + line[:-1]
            continue
        lines.append((pending or "") + line)
        pending = None
    if pending:
        lines.append(pending)
    return lines


def _unescape(text: str) -> str:
    """Java properties escapes: \\t \\n \\r \\f, \\uXXXX, and a backslash before any other character."""
    out, i = [], 0
    while i < len(text):
        char = text[i]
        if char != "\\" or i + 1 == len(text):
            out.append(char)
            i += 1
            continue
        following = text[i + 1]
        if following == "u" and re.fullmatch(r"[0-9a-fA-F]{4}", text[i + 2:i + 6]):
            out.append(chr(int(text[i + 2:i + 6], 16)))
            i += 6
            continue
        out.append(JAVA_ESCAPES.get(following, following))
        i += 2
    return "".join(out)


def parse_java_properties(text: str) -> dict[str, str]:
    """key -> value by the java.util.Properties.load rules: the key ends at the first unescaped `=`, `:` or
    whitespace; one separator and the whitespace around it are skipped; escapes and continuations apply."""
    properties = {}
    for line in _logical_lines(text):
        i = 0
        while i < len(line) and line[i] not in "=: \t\f":
            i += 2 if line[i] == "\\" else 1
        key, rest = line[:i], line[i:].lstrip(" \t\f")
        if rest[:1] in ("=", ":"):
            rest = rest[1:].lstrip(" \t\f")
        properties[_unescape(key)] = _unescape(rest)
    return properties


def jaas_credentials(config: str) -> dict[str, str]:
    """username and password from a sasl.jaas.config value (PlainLoginModule, ScramLoginModule)."""
    found = {}
    for name, value in JAAS_OPTION.findall(config):
        if name in ("username", "password"):
            if value[:1] in ("'", '"'):
                value = re.sub(r"\\(.)", r"\1", value[1:-1])
            found[f"sasl_plain_{name}"] = value
    return found


def _refuse_java_store(path: str, key: str, properties: dict[str, str]) -> None:
    """kafka-python reads PEM files only: a JKS or PKCS12 store named as one is refused with the way out."""
    declared = properties.get(STORE_TYPE_KEYS[key], "").strip().upper()
    location = properties[key]
    try:
        with open(location, "rb") as fh:
            pem = b"-----BEGIN" in fh.read(64 * 1024)
    except OSError:
        pem = declared == "PEM"
    if pem and declared in ("", "PEM"):
        return
    store = declared or "JKS"
    way_out = ("export the CA with `keytool -exportcert -rfc -keystore STORE -alias ALIAS > ca.pem` and set "
               "ssl.ca.location (or --ssl-cafile)") if key == "ssl.truststore.location" else (
               "convert it with `keytool -importkeystore -deststoretype PKCS12` and `openssl pkcs12 -nodes` to "
               "PEM files, then set ssl.certificate.location and ssl.key.location")
    raise KafkaPropertiesError(f"kafka properties {path}: {key} {location} is a {store} store, which kafka-python "
                               f"cannot read (PEM files only): {way_out}")


@lru_cache(maxsize=16)
def _read_kafka_properties(path: str) -> tuple[tuple[str, object], ...]:
    return tuple(load_kafka_properties(path).items())


def load_kafka_properties(path: str) -> dict:
    """Read a Java Kafka client properties file into kafka-python settings.

    Credentials may sit in sasl.jaas.config (PlainLoginModule / ScramLoginModule), quoted either way and
    over continued lines. Keys with no kafka-python meaning are skipped with a warning that names the key,
    never its value; a JKS or PKCS12 store is refused (KafkaPropertiesError).
    """
    with open(path, encoding="utf-8") as fh:
        properties = parse_java_properties(fh.read())
    settings: dict = {}
    skipped = []
    for key, value in properties.items():
        value = value.strip()
        if key == "sasl.jaas.config":
            settings.update(jaas_credentials(value))
        elif key == "ssl.endpoint.identification.algorithm":
            settings["ssl_check_hostname"] = bool(value)
        elif key in STORE_TYPE_KEYS.values() or key in ("ssl.truststore.password", "ssl.keystore.password"):
            continue
        elif key in PROPERTY_NAMES:
            if key in STORE_TYPE_KEYS:
                _refuse_java_store(path, key, properties)
            settings[PROPERTY_NAMES[key]] = value
        else:
            skipped.append(key)
    if skipped:
        LOG.warning("kafka properties %s: ignored keys with no kafka-python setting: %s", path, ", ".join(skipped))
    return settings


@dataclass(frozen=True)
class KafkaConnection:
    """Where the brokers are and how to authenticate: passed to every kafka-python client we open."""

    bootstrap_servers: str | None
    security: tuple[tuple[str, object], ...] = ()
    properties_file: str | None = None
    request_timeout_ms: int = 30000
    password_file: str | None = None

    def __post_init__(self):
        if any(k in SECRET_SETTINGS for k, v in self.security if v is not None):
            raise ValueError("a secret is never part of a KafkaConnection (it is pickled with the job): "
                             "use NEWSSTREAM_SASL_PASSWORD, --sasl-password-file or --kafka-properties")

    def client_config(self) -> dict:
        """Keyword arguments shared by KafkaConsumer, KafkaProducer and KafkaAdminClient.

        Resolved where the client opens (on the worker): the properties file, then the environment
        (NEWSSTREAM_SASL_USERNAME / NEWSSTREAM_SASL_PASSWORD, where the CLI also moves --sasl-password),
        then the password file, then the flags. Secrets are therefore never part of the serialized job.
        """
        settings = dict(_read_kafka_properties(self.properties_file)) if self.properties_file else {}
        servers = self.bootstrap_servers or settings.get("bootstrap_servers")
        if not servers:
            raise ValueError("no Kafka brokers: give --bootstrap-servers or bootstrap.servers in --kafka-properties")
        settings.pop("bootstrap_servers", None)
        settings.update({setting: os.environ[env] for setting, env in CREDENTIAL_ENV.items() if os.environ.get(env)})
        if self.password_file:
            with open(self.password_file, encoding="utf-8") as fh:
                settings["sasl_plain_password"] = fh.read().rstrip("\r\n")
        settings.update({k: v for k, v in self.security if v is not None})
        return {"bootstrap_servers": servers.split(","), "request_timeout_ms": self.request_timeout_ms,
                "bootstrap_timeout_ms": self.request_timeout_ms, **settings}

    def __repr__(self) -> str:
        shown = {k: ("***" if k in SECRET_SETTINGS else v) for k, v in self.security if v is not None}
        return f"KafkaConnection({self.bootstrap_servers!r}, {shown})"


class BrokerUnavailable(Exception):
    """No broker answered in time, or its TLS certificate is not trusted: a clear reason to stop."""


def tls_context(config: dict) -> ssl.SSLContext:
    """The client TLS context kafka-python builds from the same settings."""
    context = ssl.create_default_context(cafile=config.get("ssl_cafile"))
    context.check_hostname = config.get("ssl_check_hostname", True)
    if config.get("ssl_certfile"):
        context.load_cert_chain(config["ssl_certfile"], config.get("ssl_keyfile"), config.get("ssl_password"))
    return context


def check_brokers(connection: KafkaConnection, timeout_s: float) -> None:
    """Wait up to timeout_s for a bootstrap server to accept TCP (and TLS, when configured).

    Refused connections are retried (a broker that comes back within the timeout is fine); an
    untrusted certificate fails at once, since retrying cannot fix it. Then one Kafka session is
    opened, so failing authentication is reported here too. Raises BrokerUnavailable.
    """
    config = connection.client_config()
    use_tls = str(config.get("security_protocol", "PLAINTEXT")).endswith("SSL")
    context = tls_context(config) if use_tls else None
    deadline = time.monotonic() + timeout_s
    last_error: Exception | None = None
    while True:
        for server in config["bootstrap_servers"]:
            host, _, port = server.rpartition(":")
            try:
                with socket.create_connection((host, int(port)), timeout=min(2.0, timeout_s)) as sock:
                    if context is not None:
                        with context.wrap_socket(sock, server_hostname=host):
                            pass
                _open_session(connection, timeout_s)
                return
            except ssl.SSLCertVerificationError as e:
                raise BrokerUnavailable(
                    f"TLS certificate of {server} is not trusted ({e.verify_message}); check --ssl-cafile") from e
            except (OSError, ssl.SSLError) as e:
                last_error = e
        if time.monotonic() >= deadline:
            raise BrokerUnavailable(
                f"no Kafka broker reachable at {','.join(config['bootstrap_servers'])} within {timeout_s:g}s "
                f"(last error: {last_error})")
        time.sleep(0.2)


class AuthenticationFailures(logging.Filter):
    """Keeps the SASL authentication failures kafka-python logs while it retries a bootstrap (it retries
    them until its timeout, then reports only "Unable to bootstrap"), and keeps its retry warnings off
    the terminal: the check reports one line of its own."""

    LOGGERS = ("kafka.net.manager", "kafka.net.connection", "kafka.net.transport")

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[Exception] = []

    def filter(self, record: logging.LogRecord) -> bool:
        from kafka.errors import SaslAuthenticationFailedError

        failures = [a for a in record.args if isinstance(a, SaslAuthenticationFailedError)] \
            if isinstance(record.args, tuple) else []
        self.seen += failures
        return not failures and record.levelno < logging.WARNING

    def __enter__(self) -> AuthenticationFailures:
        for name in self.LOGGERS:
            logging.getLogger(name).addFilter(self)
        return self

    def __exit__(self, *exc) -> None:
        for name in self.LOGGERS:
            logging.getLogger(name).removeFilter(self)


def _open_session(connection: KafkaConnection, timeout_s: float) -> None:
    """Open one admin session, in short attempts so that rejected credentials end the wait at once."""
    from kafka.admin import KafkaAdminClient
    from kafka.errors import KafkaError

    config = connection.client_config()
    deadline = time.monotonic() + timeout_s
    with AuthenticationFailures() as failures:
        while True:
            attempt_ms = int(max(0.5, min(2.0, deadline - time.monotonic())) * 1000)
            try:
                KafkaAdminClient(**{**config, "bootstrap_timeout_ms": attempt_ms}).close()
                return
            except KafkaError as e:
                if failures.seen:
                    raise BrokerUnavailable(
                        f"authentication failed for user {config.get('sasl_plain_username')!r} "
                        f"({config.get('sasl_mechanism')}): check --sasl-username and --sasl-password") from None
                if time.monotonic() >= deadline:
                    raise BrokerUnavailable(
                        f"reached {','.join(config['bootstrap_servers'])} but could not open a "
                        f"Kafka session within {timeout_s:g}s "
                        f"({type(e).__name__}); check --security-protocol and the --sasl-* settings") from e


class AccessDenied(Exception):
    """The principal lacks an ACL the run needs: which topic or group, and what to grant."""


def _principal(config: dict) -> str:
    if config.get("sasl_plain_username"):
        return f"user {config['sasl_plain_username']!r}"
    if config.get("ssl_certfile"):
        return f"the certificate {config['ssl_certfile']}"
    return "this client"


def _require(topic: dict, operation: str, who: str, verb: str) -> None:
    # an empty list means the broker did not say (Tansu): whoever may describe a topic has at least DESCRIBE
    operations = topic.get("authorized_operations") or None
    if topic["error_code"] == 29 or (operations is not None and operation not in operations):
        raise AccessDenied(f"{who} is not authorized to {verb} topic {topic['name']!r}: "
                           f"grant it {operation} (and DESCRIBE) on the topic")


def _describe_group(admin, group_id: str, timeout_s: float) -> list[str] | None:
    """The operations the principal may do on the group; waits while the brokers still create the offsets
    topic or load the group's coordinator (a fresh cluster answers CoordinatorNotAvailable at first)."""
    from kafka.errors import RetriableError

    deadline = time.monotonic() + timeout_s
    while True:
        try:
            return admin.describe_groups([group_id])[group_id].get("authorized_operations") or None
        except RetriableError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def check_access(connection: KafkaConnection, read_topics: list[str], group_id: str | None,
                 write_topics: list[str]) -> None:
    """Before work starts: READ on the input topics and the group, WRITE on the output topics that exist.

    Uses the operations the broker reports as authorized (KIP-430), so nothing is read or written.
    Raises AccessDenied with one line naming the topic or group and the ACL to grant.
    """
    from kafka.admin import KafkaAdminClient
    from kafka.errors import GroupAuthorizationFailedError

    config = connection.client_config()
    who = _principal(config)
    admin = KafkaAdminClient(**config)
    try:
        try:
            described = {t["name"]: t for t in admin.describe_topics(list(read_topics) + list(write_topics))}
        except ValueError:  # operations kafka-python cannot decode (Tansu sets unknown bits): nothing to check
            LOG.debug("the brokers' authorized operations are unreadable; topic ACLs not checked")
            described = {}
        for name in read_topics:
            if name in described:
                _require(described[name], "READ", who, "read")
        for name in write_topics:
            if name in described and described[name]["error_code"] != 3:  # absent: created on first write
                _require(described[name], "WRITE", who, "write")
        if group_id:
            denied = AccessDenied(f"{who} is not authorized to use consumer group {group_id!r}: "
                                  f"grant it READ on the group")
            try:
                operations = _describe_group(admin, group_id, connection.request_timeout_ms / 1000)
            except GroupAuthorizationFailedError:
                raise denied from None
            except ValueError:  # undecodable operations (Tansu), as above
                operations = None
            if operations is not None and "READ" not in operations:
                raise denied
    finally:
        admin.close()
