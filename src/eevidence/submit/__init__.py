"""Submission: sending packages to providers and reading their answers.

Channels: HTTPS API (retries with backoff, idempotency key), email over STARTTLS, and a
portal upload bundle; provider statuses are applied to the lifecycle.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from eevidence._internal.lazy import attach as _attach

if TYPE_CHECKING:
    from eevidence.submit._submit import (
        BODY_FORMATS,
        CHANNEL_KINDS,
        CREDENTIALS_ENV,
        ApiChannel,
        BodyBuilder,
        ChannelName,
        Credentials,
        EmailChannel,
        OutgoingPackage,
        PortalChannel,
        ProviderStatus,
        RetryPolicy,
        Secret,
        SmtpSettings,
        SubmissionChannel,
        SubmissionReceipt,
        apply_status,
        confirm_portal,
        default_credentials_path,
        default_http_client,
        json_body,
        load_credentials,
        load_outgoing,
        parse_answer,
        pick_channel,
        record_submission,
        token_env_name,
    )

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
