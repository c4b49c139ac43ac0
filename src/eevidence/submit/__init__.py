"""Submission: sending packages to providers and reading their answers.

Channels: HTTPS API (retries with backoff, idempotency key), email over STARTTLS, and a
portal upload bundle; :func:`channel_for` builds the right one from a provider's profile.
Provider answers are parsed without I/O (:func:`parse_answer`) and their statuses applied to
the lifecycle (:func:`apply_status`, :func:`record_submission`).
"""

import lazy_loader as _lazy

# Public names are listed in __init__.pyi and imported on first use.
__getattr__, __dir__, __all__ = _lazy.attach_stub(__name__, __file__)
