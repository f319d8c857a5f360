"""Plain event-extraction code (no Beam): lexicon, actors, places, times."""
