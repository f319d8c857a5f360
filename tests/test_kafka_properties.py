"""--kafka-properties files read by the java.util.Properties rules, as the Java clients read them."""
from __future__ import annotations

import pytest

from pipelines.cli import main
from pipelines.io.kafka_config import KafkaPropertiesError, load_kafka_properties, parse_java_properties

SECRET = "pa55 'word\" with quotes"


def test_java_properties_rules_separators_escapes_and_continuations():
    text = ("# comment\n"
            "! also a comment\n"
            "   key.one = spaced value  \n"
            "key.two:colon\n"
            "key.three whitespace separated\n"
            "key\\=four=escaped \\u00e9 \\t tab\n"
            "multi = first \\\n"
            "        second \\\n"
            "   third\n"
            "ends.in.backslash = C:\\\\dir\\\\\n"
            "empty=\n")
    assert parse_java_properties(text) == {
        "key.one": "spaced value  ", "key.two": "colon", "key.three": "whitespace separated",
        "key=four": "escaped \u00e9 \t tab", "multi": "first second third", "ends.in.backslash": "C:\\dir\\",
        "empty": ""}


@pytest.mark.parametrize("jaas", [
    "org.apache.kafka.common.security.scram.ScramLoginModule required username='ingest' password='{q}';",
    "org.apache.kafka.common.security.plain.PlainLoginModule required \\\n    username=\"ingest\" \\\n"
    "    password=\"{d}\";",
    "org.apache.kafka.common.security.scram.ScramLoginModule required \\\n  username=ingest \\\n  password='{q}' ;",
])
def test_sasl_jaas_config_single_quoted_or_over_continued_lines(tmp_path, jaas):
    path = tmp_path / "client.properties"
    quoted_single = SECRET.replace("'", "\\'")
    quoted_double = SECRET.replace('"', '\\"')
    path.write_text("security.protocol=SASL_SSL\nsasl.jaas.config=" + jaas.replace("{q}", quoted_single.replace(
        "\\", "\\\\")).replace("{d}", quoted_double.replace("\\", "\\\\")) + "\n")
    settings = load_kafka_properties(str(path))
    assert (settings["sasl_plain_username"], settings["sasl_plain_password"]) == ("ingest", SECRET)


def test_a_jks_truststore_is_refused_with_what_to_do(tmp_path, capsys):
    store = tmp_path / "truststore.jks"
    store.write_bytes(b"\xfe\xed\xfe\xed\x00\x00\x00\x02" + bytes(64))
    path = tmp_path / "client.properties"
    path.write_text(f"bootstrap.servers=127.0.0.1:9\nsecurity.protocol=SSL\nssl.truststore.location={store}\n"
                    "ssl.truststore.password=changeit\n")
    with pytest.raises(KafkaPropertiesError, match="is a JKS store.*keytool -exportcert"):
        load_kafka_properties(str(path))
    assert main(["run", "--kafka-properties", str(path), "--topic", "t", "--output", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and "ssl.truststore.location" in err[0]


def test_a_pem_truststore_is_used_as_the_ca_file(tmp_path):
    pem = tmp_path / "ca.pem"
    pem.write_text("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
    path = tmp_path / "client.properties"
    path.write_text(f"ssl.truststore.type=PEM\nssl.truststore.location={pem}\n")
    assert load_kafka_properties(str(path))["ssl_cafile"] == str(pem)
