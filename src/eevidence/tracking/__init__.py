"""Tracking: the lifecycle of each request, deadlines, calendars, outcome reports, stores.

:func:`tracked_from_request` starts tracking a request (its deadline terms fixed then); the
lifecycle and deadlines are pure (``now`` is a parameter); the stores
(:mod:`eevidence.tracking.store`: SQLite by default, PostgreSQL shared) keep them.
"""

import lazy_loader as _lazy

# Public names are listed in __init__.pyi and imported on first use.
__getattr__, __dir__, __all__ = _lazy.attach_stub(__name__, __file__)
