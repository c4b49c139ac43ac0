"""What providers accept: profiles and their registry, legal facts, the checker, route advice.

Pure apart from reading the shipped (or ``$EEVIDENCE_PROVIDERS``) profile files: a
request, a profile, legal facts and ``now`` in, a :class:`CheckReport` or a list of
:class:`Route` out. Every fact carries its source (the provider's or lawgiver's own text).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from eevidence._internal.lazy import attach as _attach

if TYPE_CHECKING:
    from eevidence.provider._law import (
        LawFacts,
        LawSource,
        law_facts,
    )
    from eevidence.provider._profiles import (
        ACCESS_ROUTES,
        REQUIRED_ELEMENTS,
        AccessRoute,
        Channel,
        ChannelKind,
        ChannelRequirement,
        Emergency,
        Entity,
        Fact,
        FactStatus,
        NoticePolicy,
        NoticeWaiver,
        Preservation,
        PreservationTerms,
        PreservationVariant,
        ProviderProfile,
        RegionalEntity,
        Remark,
        RequiredElement,
        RetentionRule,
        Source,
        SourceKind,
        UserNotice,
        load_profile_bytes,
    )
    from eevidence.provider._registry import (
        PROVIDERS_ENV,
        ProviderRegistry,
        load_profile_file,
        load_providers,
    )
    from eevidence.provider._schema import (
        PROFILE_SCHEMA_FILE,
        generated_schemas,
        profile_schema_problems,
    )
    from eevidence.provider.checker import (
        RULES,
        CheckReport,
        Finding,
        Rule,
        Severity,
        check,
        findings_markdown,
    )
    from eevidence.provider.routes import (
        Route,
        RouteName,
        Verdict,
        advise_routes,
    )

__all__ = [
    "ACCESS_ROUTES",
    "PROFILE_SCHEMA_FILE",
    "PROVIDERS_ENV",
    "REQUIRED_ELEMENTS",
    "RULES",
    "AccessRoute",
    "Channel",
    "ChannelKind",
    "ChannelRequirement",
    "CheckReport",
    "Emergency",
    "Entity",
    "Fact",
    "FactStatus",
    "Finding",
    "LawFacts",
    "LawSource",
    "NoticePolicy",
    "NoticeWaiver",
    "Preservation",
    "PreservationTerms",
    "PreservationVariant",
    "ProviderProfile",
    "ProviderRegistry",
    "RegionalEntity",
    "Remark",
    "RequiredElement",
    "RetentionRule",
    "Route",
    "RouteName",
    "Rule",
    "Severity",
    "Source",
    "SourceKind",
    "UserNotice",
    "Verdict",
    "advise_routes",
    "check",
    "findings_markdown",
    "generated_schemas",
    "law_facts",
    "load_profile_bytes",
    "load_profile_file",
    "load_providers",
    "profile_schema_problems",
]

__getattr__, __dir__ = _attach(__name__, __file__)
