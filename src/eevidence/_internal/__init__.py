"""Shared plumbing with no knowledge of requests: atomic files, documents, resources,
schemas, validation messages, the base of all models. Private: no stability promise."""
