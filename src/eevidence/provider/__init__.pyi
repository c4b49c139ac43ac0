"""What providers accept: profiles and their registry, legal facts, the checker, route advice.

Pure apart from reading the shipped (or ``$EEVIDENCE_PROVIDERS``) profile files: a
request, a profile, legal facts and ``now`` in, a :class:`CheckReport` or a list of
:class:`Route` out. Every fact carries its source (the provider's or lawgiver's own text).
"""

from ._law import (
    LawFacts as LawFacts,
    LawSource as LawSource,
    law_facts as law_facts,
)
from ._profiles import (
    ACCESS_ROUTES as ACCESS_ROUTES,
    REQUIRED_ELEMENTS as REQUIRED_ELEMENTS,
    AccessRoute as AccessRoute,
    Channel as Channel,
    ChannelKind as ChannelKind,
    ChannelRequirement as ChannelRequirement,
    Emergency as Emergency,
    Entity as Entity,
    Fact as Fact,
    FactStatus as FactStatus,
    NoticePolicy as NoticePolicy,
    NoticeWaiver as NoticeWaiver,
    Preservation as Preservation,
    PreservationTerms as PreservationTerms,
    PreservationVariant as PreservationVariant,
    ProviderProfile as ProviderProfile,
    RegionalEntity as RegionalEntity,
    Remark as Remark,
    RequiredElement as RequiredElement,
    RetentionRule as RetentionRule,
    Source as Source,
    SourceKind as SourceKind,
    UserNotice as UserNotice,
    load_profile_bytes as load_profile_bytes,
)
from ._registry import (
    PROVIDERS_ENV as PROVIDERS_ENV,
    ProviderRegistry as ProviderRegistry,
    load_profile_file as load_profile_file,
    load_providers as load_providers,
)
from ._schema import (
    PROFILE_SCHEMA_FILE as PROFILE_SCHEMA_FILE,
    generated_schemas as generated_schemas,
    profile_schema_problems as profile_schema_problems,
)
from .checker import (
    RULES as RULES,
    CheckReport as CheckReport,
    Finding as Finding,
    Rule as Rule,
    Severity as Severity,
    check as check,
    findings_markdown as findings_markdown,
)
from .routes import (
    Route as Route,
    RouteName as RouteName,
    Verdict as Verdict,
    advise_routes as advise_routes,
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
