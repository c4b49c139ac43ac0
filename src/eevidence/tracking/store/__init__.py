"""Tracking stores: SQLite (embedded default) and PostgreSQL (shared), with migrations.

Both keep the lifecycle history, derived deadlines and the custody log (they implement
:class:`eevidence.custody.CustodyStore`).
"""

import lazy_loader as _lazy

# Public names are listed in __init__.pyi and imported on first use.
__getattr__, __dir__, __all__ = _lazy.attach_stub(__name__, __file__)
