"""Submission: sending packages to providers and reading their answers.

Channels: HTTPS API (retries with backoff, idempotency key), email over STARTTLS, and a
portal upload bundle; :func:`channel_for` builds the right one from a provider's profile.
Provider answers are parsed without I/O (:func:`parse_answer`) and their statuses applied to
the lifecycle (:func:`apply_status`, :func:`record_submission`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from eevidence._internal.lazy import attach as _attach

if TYPE_CHECKING:
    from eevidence.submit._answer import ProviderStatus, parse_answer
    from eevidence.submit._api import ApiChannel, default_http_client
    from eevidence.submit._channel import (
        CHANNEL_KINDS,
        ChannelName,
        SubmissionChannel,
        SubmissionReceipt,
        pick_channel,
    )
    from eevidence.submit._credentials import (
        CREDENTIALS_ENV,
        Credentials,
        Secret,
        SmtpSettings,
        default_credentials_path,
        load_credentials,
        token_env_name,
    )
    from eevidence.submit._email import EmailChannel
    from eevidence.submit._from_profile import channel_for
    from eevidence.submit._outgoing import (
        BODY_FORMATS,
        BodyBuilder,
        OutgoingPackage,
        json_body,
        load_outgoing,
    )
    from eevidence.submit._portal import PortalChannel, confirm_portal
    from eevidence.submit._record import apply_status, record_submission
    from eevidence.submit._retry import RetryPolicy

__all__ = [
    "BODY_FORMATS",
    "CHANNEL_KINDS",
    "CREDENTIALS_ENV",
    "ApiChannel",
    "BodyBuilder",
    "ChannelName",
    "Credentials",
    "EmailChannel",
    "OutgoingPackage",
    "PortalChannel",
    "ProviderStatus",
    "RetryPolicy",
    "Secret",
    "SmtpSettings",
    "SubmissionChannel",
    "SubmissionReceipt",
    "apply_status",
    "channel_for",
    "confirm_portal",
    "default_credentials_path",
    "default_http_client",
    "json_body",
    "load_credentials",
    "load_outgoing",
    "parse_answer",
    "pick_channel",
    "record_submission",
    "token_env_name",
]

__getattr__, __dir__ = _attach(__name__, __file__)
