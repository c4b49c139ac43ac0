# Public names of eevidence.provider.routes, imported on first use (lazy_loader.attach_stub).

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
