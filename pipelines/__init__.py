"""newsstream: streaming news ingestion with Apache Beam (Kafka -> parse -> normalize -> dedup -> events -> Avro)."""
