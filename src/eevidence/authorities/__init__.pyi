# Public names of eevidence.authorities, imported on first use (lazy_loader.attach_stub).

from ._model import (
    FUNCTIONS as FUNCTIONS,
    Authority as Authority,
    AuthorityChannel as AuthorityChannel,
    AuthorityFact as AuthorityFact,
    AuthoritySource as AuthoritySource,
    Function as Function,
    Role as Role,
)
from ._registry import (
    AUTHORITIES_ENV as AUTHORITIES_ENV,
    AUTHORITY_SCHEMA_FILE as AUTHORITY_SCHEMA_FILE,
    AuthorityRegistry as AuthorityRegistry,
    authority_schema_problems as authority_schema_problems,
    generated_schemas as generated_schemas,
    load_authorities as load_authorities,
    load_authority_file as load_authority_file,
)

__all__ = [
    "AUTHORITIES_ENV",
    "AUTHORITY_SCHEMA_FILE",
    "FUNCTIONS",
    "Authority",
    "AuthorityChannel",
    "AuthorityFact",
    "AuthorityRegistry",
    "AuthoritySource",
    "Function",
    "Role",
    "authority_schema_problems",
    "generated_schemas",
    "load_authorities",
    "load_authority_file",
]
