"""Avro schemas (article, event, dead_letter) and the input JSON contract, shipped as package data."""
