"""A submission channel built from a provider's profile: the profile says which channels the
provider offers for a request's kind, the credentials give what sending needs."""

from __future__ import annotations

import os
import ssl
from typing import Literal, overload

import httpx

from eevidence.errors import CredentialsError
from eevidence.provider import ProviderProfile
from eevidence.request import Request
from eevidence.submit._api import ApiChannel
from eevidence.submit._channel import ChannelName, pick_channel
from eevidence.submit._credentials import Credentials, load_credentials, token_env_name
from eevidence.submit._email import EmailChannel
from eevidence.submit._outgoing import BodyBuilder, json_body
from eevidence.submit._portal import PortalChannel
from eevidence.submit._retry import RetryPolicy
from eevidence.tracking import Tracked

__all__ = ["channel_for"]

CredentialsSource = Credentials | str | os.PathLike[str] | None


def _loaded(credentials: CredentialsSource) -> Credentials:
    if isinstance(credentials, Credentials):
        return credentials
    return load_credentials(credentials)


@overload
def channel_for(
    profile: ProviderProfile,
    request: Request | Tracked,
    *,
    kind: Literal["api"],
    credentials: CredentialsSource = None,
    client: httpx.Client | None = None,
    policy: RetryPolicy | None = None,
    body: BodyBuilder = json_body,
    ssl_context: ssl.SSLContext | None = None,
    out_dir: str | os.PathLike[str] | None = None,
) -> ApiChannel: ...
@overload
def channel_for(
    profile: ProviderProfile,
    request: Request | Tracked,
    *,
    kind: Literal["email"],
    credentials: CredentialsSource = None,
    client: httpx.Client | None = None,
    policy: RetryPolicy | None = None,
    body: BodyBuilder = json_body,
    ssl_context: ssl.SSLContext | None = None,
    out_dir: str | os.PathLike[str] | None = None,
) -> EmailChannel: ...
@overload
def channel_for(
    profile: ProviderProfile,
    request: Request | Tracked,
    *,
    kind: Literal["portal"],
    credentials: CredentialsSource = None,
    client: httpx.Client | None = None,
    policy: RetryPolicy | None = None,
    body: BodyBuilder = json_body,
    ssl_context: ssl.SSLContext | None = None,
    out_dir: str | os.PathLike[str] | None = None,
) -> PortalChannel: ...
@overload
def channel_for(
    profile: ProviderProfile,
    request: Request | Tracked,
    *,
    kind: ChannelName | None = None,
    credentials: CredentialsSource = None,
    client: httpx.Client | None = None,
    policy: RetryPolicy | None = None,
    body: BodyBuilder = json_body,
    ssl_context: ssl.SSLContext | None = None,
    out_dir: str | os.PathLike[str] | None = None,
) -> ApiChannel | EmailChannel | PortalChannel: ...
def channel_for(
    profile: ProviderProfile,
    request: Request | Tracked,
    *,
    kind: ChannelName | None = None,
    credentials: CredentialsSource = None,
    client: httpx.Client | None = None,
    policy: RetryPolicy | None = None,
    body: BodyBuilder = json_body,
    ssl_context: ssl.SSLContext | None = None,
    out_dir: str | os.PathLike[str] | None = None,
) -> ApiChannel | EmailChannel | PortalChannel:
    """The channel to send ``request`` to its provider, built from the provider's profile.

    The profile entry is chosen by :func:`pick_channel` (the first usable one for the
    request's kind, or the first of ``kind``): an ``api`` entry gives an
    :class:`ApiChannel` to its URL with the provider's token, an ``email`` entry an
    :class:`EmailChannel` to its address through the configured mail server, a ``portal``
    or ``web_form`` entry a :class:`PortalChannel`. Credentials are read only when the
    channel needs them (a portal needs none). Nothing is sent. Use the channel in a
    ``with`` block (or call its ``close()``) to close an HTTP client it made::

        with channel_for(profile, outgoing.request, credentials=load_credentials()) as ch:
            receipt = ch.submit(outgoing, now=now)

    Args:
        profile: the provider's profile (:func:`eevidence.provider.load_providers`).
        request: the request, or the tracked request (to poll its status); only its kind is
            read.
        kind: the channel wanted; ``None``: the first usable one in the profile.
        credentials: the credentials, or the file to read them from with
            :func:`load_credentials` (``None``: its default file and the environment).
        client: API: the HTTP client, left open; ``None``: a :func:`default_http_client`
            the channel owns.
        policy: API: when to retry (default :class:`RetryPolicy`).
        body: API: builds the body (default :func:`json_body`; see :data:`BODY_FORMATS`).
        ssl_context: email: the TLS context for STARTTLS (RFC 3207; default: the system's
            trusted certificates).
        out_dir: portal: the folder of the upload bundle (default: next to the package).

    Returns:
        The channel, not yet used.

    Raises:
        InputError: the profile has no usable channel (of ``kind``) for the request's kind.
        CredentialsError: the credentials cannot be read (:func:`load_credentials`), hold
            no API token for the provider, or configure no mail server.
        ConfigurationError: the API URL is not a valid ``https`` URL.
        SubmissionError: TLS cannot be set up.
    """
    entry = pick_channel(profile, request, kind)
    if entry.kind in ("portal", "web_form"):
        return PortalChannel(entry, out_dir)
    creds = _loaded(credentials)
    if entry.kind == "email":
        if creds.smtp is None:
            raise CredentialsError(
                "no mail server configured: set EEVIDENCE_SMTP_HOST and EEVIDENCE_SMTP_FROM "
                "or [smtp] in the credentials file"
            )
        assert entry.address is not None  # noqa: S101 - pick_channel only returns them with one
        return EmailChannel(creds.smtp, entry.address, ssl_context=ssl_context)
    assert entry.url is not None  # noqa: S101 - pick_channel only returns api channels with a URL
    token = creds.token(profile.id)
    if token is None:
        raise CredentialsError(
            f"no API token for {profile.id}: set {token_env_name(profile.id)} or add "
            f"[api.{profile.id}] token to the credentials file"
        )
    return ApiChannel(str(entry.url), token=token, client=client, policy=policy, body=body)
