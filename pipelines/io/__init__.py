"""Sources and sinks: Kafka (kafka-python), Avro files (fastavro), the embedded broker."""
