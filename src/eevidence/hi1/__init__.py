"""ETSI TS 103 120 (HI-1) messages: export of requests, import and drafts.

A request becomes one ``HI1Message`` whose payload ``CREATE``s, in this order:

1. an ``AuthorisationObject`` (the legal authorisation: case reference, legal type,
   priority, timespan, the addressed provider, creation time, who issued or validated it,
   flags such as emergency or delayed user notice, and a human-readable summary). The
   urgency of a request to a State travels there too: priority ``Urgent``, one
   ``UrgencyReason`` flag per reason (both owned by ``eevidence``), and the reasons,
   explanation and answer time in the summary, as HI-1 has no element for a deadline;
2. one ``LPTaskObject`` (preservation kinds) or ``LDTaskObject`` (disclosure kinds) per
   identifier and data category, each with its request type, request value, time window
   and, for preservation, the desired preservation expiration;
3. a ``DocumentObject`` carrying the request letter (typically the signed PDF), with its
   SHA-256 checksum, when one is given;
4. a ``DocumentObject`` carrying the canonical request JSON (what packages sign), so
   that nothing HI-1 has no field for (justification, confidentiality, officer...) is lost.

Import reads a message (no DTDs, no entities), checks every document checksum, takes the
embedded request and re-derives the HI-1 payload from it: a message whose visible fields
say anything else than its embedded request is refused, field by field. A message from
another system carries no request document: :func:`hi1_draft` gives what its fields say in
the request format, for a person to complete.

Writing needs only the standard library; the tests validate every export against the
official XSDs (version 1.15.1) with lxml. Dictionary values and format names follow the
standard and ETSI's reference EPOC translation (see docs/decisions/0007-ts-103-120.md);
values with no ETSI dictionary use the owner ``eevidence``.
"""

import lazy_loader as _lazy

# Public names are listed in __init__.pyi and imported on first use.
__getattr__, __dir__, __all__ = _lazy.attach_stub(__name__, __file__)
