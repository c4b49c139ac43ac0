"""Tracking: the lifecycle of each request, deadlines, calendars, outcome reports, stores.

Start tracking from Python with :meth:`Tracked.from_request` (the record, its deadline
terms fixed then, its emergency flag from the kinds table) or, to keep it in a store with
its custody entry, :func:`start_tracking`::

    from eevidence.tracking import open_store, start_tracking
    from eevidence.crypto import KeySigner

    store = open_store("cases.sqlite3")
    tracked, entry = start_tracking(
        store, request, profile, now=now, actor="Lt. Claire Martin", role="investigator",
        signer=KeySigner.from_file("officer.key"),
    )

:func:`resolve_id` finds a tracked request by a unique prefix of its id. The lifecycle and
deadlines are pure (``now`` is a parameter); the stores (:mod:`eevidence.tracking.store`:
SQLite by default, PostgreSQL shared) keep them.
"""

import lazy_loader as _lazy

# Public names are listed in __init__.pyi and imported on first use.
__getattr__, __dir__, __all__ = _lazy.attach_stub(__name__, __file__)
