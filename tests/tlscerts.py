"""Throwaway certificates for the TLS tests: a CA, a server certificate for 127.0.0.1 it signs, a client
certificate it signs (mutual TLS), and an unrelated CA that must not be trusted."""
from __future__ import annotations

import datetime
import ipaddress
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _write_key(key, path: Path) -> None:
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))


def _certificate(subject, issuer, public_key, signing_key, is_ca: bool) -> x509.Certificate:
    now = datetime.datetime.now(datetime.timezone.utc)
    builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(public_key)
               .serial_number(x509.random_serial_number())
               .not_valid_before(now - datetime.timedelta(minutes=5))
               .not_valid_after(now + datetime.timedelta(days=1))
               .add_extension(x509.BasicConstraints(ca=is_ca, path_length=None), critical=True))
    if not is_ca:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]),
            critical=False)
    return builder.sign(signing_key, hashes.SHA256())


def make_certificates(folder: Path, client_cn: str = "newsstream-client") -> dict[str, str]:
    """Writes ca.pem, server.pem, server.key, client.pem, client.key (subject CN=client_cn) and
    other-ca.pem; returns their paths by name."""
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = _certificate(_name("newsstream test CA"), _name("newsstream test CA"), ca_key.public_key(), ca_key, True)
    server_key = ec.generate_private_key(ec.SECP256R1())
    server = _certificate(_name("127.0.0.1"), ca.subject, server_key.public_key(), ca_key, False)
    client_key = ec.generate_private_key(ec.SECP256R1())
    client = _certificate(_name(client_cn), ca.subject, client_key.public_key(), ca_key, False)
    other_key = ec.generate_private_key(ec.SECP256R1())
    other = _certificate(_name("some other CA"), _name("some other CA"), other_key.public_key(), other_key, True)
    paths = {name: str(folder / name) for name in ("ca.pem", "server.pem", "server.key", "client.pem", "client.key",
                                                  "other-ca.pem")}
    Path(paths["ca.pem"]).write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    Path(paths["server.pem"]).write_bytes(server.public_bytes(serialization.Encoding.PEM))
    _write_key(server_key, Path(paths["server.key"]))
    Path(paths["client.pem"]).write_bytes(client.public_bytes(serialization.Encoding.PEM))
    _write_key(client_key, Path(paths["client.key"]))
    Path(paths["other-ca.pem"]).write_bytes(other.public_bytes(serialization.Encoding.PEM))
    return paths
