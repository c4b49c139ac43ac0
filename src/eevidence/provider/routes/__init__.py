"""Route advice: which legal route can obtain which data from a provider, for a country."""

from __future__ import annotations

from typing import TYPE_CHECKING

from eevidence._internal.lazy import attach as _attach

if TYPE_CHECKING:
    from eevidence.provider.routes._advice import (
        Route,
        RouteName,
        Verdict,
        advise_routes,
    )

__all__ = [
    "Route",
    "RouteName",
    "Verdict",
    "advise_routes",
]

__getattr__, __dir__ = _attach(__name__, __file__)
