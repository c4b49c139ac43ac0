"""Shared plumbing with no knowledge of requests: atomic files, documents, resources,
schemas, validation messages, lazy faces. Private: no stability promise."""
