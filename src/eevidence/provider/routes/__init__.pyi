"""Route advice: which legal route can obtain which data from a provider, for a country."""

from ._advice import (
    Route as Route,
    RouteName as RouteName,
    Verdict as Verdict,
    advise_routes as advise_routes,
)

__all__ = [
    "Route",
    "RouteName",
    "Verdict",
    "advise_routes",
]
