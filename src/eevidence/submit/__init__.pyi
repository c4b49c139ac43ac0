# Public names of eevidence.submit, imported on first use (lazy_loader.attach_stub).

from ._answer import (
    MAX_ANSWER as MAX_ANSWER,
    ProviderStatus as ProviderStatus,
    parse_answer as parse_answer,
)
from ._api import (
    ApiChannel as ApiChannel,
    default_http_client as default_http_client,
)
from ._channel import (
    CHANNEL_KINDS as CHANNEL_KINDS,
    ChannelName as ChannelName,
    SubmissionChannel as SubmissionChannel,
    SubmissionReceipt as SubmissionReceipt,
    pick_channel as pick_channel,
)
from ._credentials import (
    CREDENTIALS_ENV as CREDENTIALS_ENV,
    Credentials as Credentials,
    Secret as Secret,
    SmtpSettings as SmtpSettings,
    default_credentials_path as default_credentials_path,
    load_credentials as load_credentials,
    token_env_name as token_env_name,
)
from ._email import EmailChannel as EmailChannel
from ._from_profile import channel_for as channel_for
from ._outgoing import (
    BODY_FORMATS as BODY_FORMATS,
    BodyBuilder as BodyBuilder,
    OutgoingPackage as OutgoingPackage,
    json_body as json_body,
    load_outgoing as load_outgoing,
)
from ._portal import (
    PortalChannel as PortalChannel,
    confirm_portal as confirm_portal,
)
from ._record import (
    apply_status as apply_status,
    record_submission as record_submission,
)
from ._retry import RetryPolicy as RetryPolicy

__all__ = [
    "BODY_FORMATS",
    "CHANNEL_KINDS",
    "CREDENTIALS_ENV",
    "MAX_ANSWER",
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
