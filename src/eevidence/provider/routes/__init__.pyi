# Public names of eevidence.provider.routes, imported on first use (lazy_loader.attach_stub).

from ._advice import (
    advise_routes as advise_routes,
)
from ._route import (
    Route as Route,
    RouteName as RouteName,
    Verdict as Verdict,
)

__all__ = [
    "Route",
    "RouteName",
    "Verdict",
    "advise_routes",
]
