"""The email channel: the package as an attachment, sent over SMTP only after STARTTLS
(RFC 3207); a server that does not offer it is refused."""

from __future__ import annotations

import email.errors
import email.utils
import logging
import smtplib
import ssl
from collections.abc import Callable
from datetime import datetime
from email.message import EmailMessage
from typing import Self

from eevidence.errors import SubmissionError
from eevidence.submit._channel import ChannelName, SubmissionReceipt
from eevidence.submit._credentials import SmtpSettings
from eevidence.submit._outgoing import OutgoingPackage
from eevidence.tracking import as_utc

__all__ = ["EmailChannel"]

log = logging.getLogger(__name__)


class EmailChannel:
    """The package as an attachment, sent over SMTP after STARTTLS (RFC 3207).

    The message (RFC 5322, MIME RFC 2045) names the request, the authority and the case,
    and gives the package's SHA-256; the package is attached as ``application/zip``. The
    login (if any) is sent only once TLS is up.

    Args:
        settings: the outgoing mail server and sender.
        to: the provider's address.
        ssl_context: the TLS context (default: the system's trusted certificates, host
            names checked).
        smtp_factory: makes the SMTP connection (``host, port, timeout=seconds``); for tests.

    Raises:
        SubmissionError: the default TLS context cannot be set up.
    """

    name: ChannelName = "email"

    def __init__(
        self,
        settings: SmtpSettings,
        to: str,
        *,
        ssl_context: ssl.SSLContext | None = None,
        smtp_factory: Callable[..., smtplib.SMTP] = smtplib.SMTP,
    ) -> None:
        self.settings = settings
        self.to = to
        if ssl_context is None:
            try:
                ssl_context = ssl.create_default_context()
            except (OSError, ValueError) as exc:  # ssl.SSLError is an OSError
                raise SubmissionError(
                    f"cannot set up TLS: {type(exc).__name__}: {exc}",
                    source=f"smtp://{settings.host}:{settings.port}",
                ) from exc
        self._context = ssl_context
        self._factory = smtp_factory

    def close(self) -> None:
        """Nothing to release (a connection lasts one :meth:`submit`); for ``with`` blocks
        and code that closes any channel."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def message(self, outgoing: OutgoingPackage, *, now: datetime) -> EmailMessage:
        """The mail for ``outgoing``, dated ``now`` (RFC 5322 ``Date``, a new ``Message-ID``).

        Raises:
            LifecycleError: ``now`` has no time zone.
            SubmissionError: an address or the subject cannot be written in a mail header
                (a line break in it, for example).
        """
        request = outgoing.request
        msg = EmailMessage()
        try:
            msg["From"] = self.settings.sender
            msg["To"] = self.to
            msg["Subject"] = f"{request.kind.replace('_', ' ')} request {request.id}"
        except (ValueError, IndexError, email.errors.MessageError) as exc:  # bad header values
            raise SubmissionError(
                f"cannot write the mail headers: {exc}", source=f"mailto:{self.to}"
            ) from None
        msg["Date"] = email.utils.format_datetime(as_utc(now, "now"))
        domain = self.settings.sender.rpartition("@")[2] or None
        msg["Message-ID"] = email.utils.make_msgid(domain=domain)
        msg.set_content(
            f"Please find attached a {request.kind.replace('_', ' ')} request from "
            f"{request.authority.name} ({request.authority.country}), "
            f"case {request.case.reference}.\n\n"
            f"Attachment: {outgoing.name}, a signed BagIt package.\n"
            f"SHA-256 of the attachment: {outgoing.sha256}\n"
            f"Request id: {request.id}\n\n"
            f"Contact: {request.authority.officer.name}, {request.authority.officer.email}\n"
        )
        msg.add_attachment(
            outgoing.data, maintype="application", subtype="zip", filename=outgoing.name
        )
        return msg

    def submit(self, outgoing: OutgoingPackage, *, now: datetime) -> SubmissionReceipt:
        """Send :meth:`message` over SMTP: EHLO, STARTTLS, EHLO again, login if configured.

        Args:
            outgoing: the package to send.
            now: the time of the submission (time-zone aware).

        Returns:
            The receipt: ``mailto:`` the provider's address, the ``Message-ID`` as detail.

        Raises:
            LifecycleError: ``now`` has no time zone.
            SubmissionError: the server does not offer STARTTLS, TLS fails (an untrusted
                certificate...), the login is refused, the connection fails or times out,
                the server refuses the recipient, or the headers cannot be written.
        """
        s = self.settings
        msg = self.message(outgoing, now=now)
        where = f"smtp://{s.host}:{s.port}"
        try:
            with self._factory(s.host, s.port, timeout=s.timeout) as smtp:
                smtp.ehlo()
                if not smtp.has_extn("starttls"):
                    raise SubmissionError(
                        "the mail server does not offer STARTTLS; not sending", source=where
                    )
                smtp.starttls(context=self._context)
                smtp.ehlo()
                if s.username is not None:
                    smtp.login(s.username, s.password.reveal() if s.password else "")
                refused = smtp.send_message(msg)
        except (smtplib.SMTPException, OSError, ValueError, email.errors.MessageError) as exc:
            # ValueError: a text smtplib cannot encode (a non-ASCII login without SMTPUTF8)
            what = "TLS failed" if isinstance(exc, ssl.SSLError) else type(exc).__name__
            raise SubmissionError(f"sending mail failed: {what}: {exc}", source=where) from exc
        if refused:
            raise SubmissionError(f"the mail server refused {self.to}", source=where)
        log.info("request %s sent by mail via %s", outgoing.request.id, where)
        return SubmissionReceipt(
            "email",
            outgoing.request.id,
            outgoing.sha256,
            True,
            f"mailto:{self.to}",
            detail=str(msg["Message-ID"]),
        )
