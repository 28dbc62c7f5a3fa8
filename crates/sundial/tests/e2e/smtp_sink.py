"""A loopback SMTP relay for the end-to-end tests (Debian's python3-aiosmtpd).

Usage: smtp_sink.py HOST [--cert PEM --key PEM [--implicit-tls]] [--user NAME --password PW]

With a certificate it offers STARTTLS and requires it before MAIL, or with --implicit-tls
speaks TLS from the first byte; with a user it requires
AUTH (PLAIN or LOGIN) and accepts only that user. A recipient whose local part starts with
"reject" is refused for good (550). Prints "ready PORT" once listening, then one JSON line per
message accepted: the envelope's sender and recipients, the login used, whether TLS was on, the
message's headers (unfolded, decoded) and its body as text (transfer encoding undone).
"""

import argparse
import asyncio
import email
import email.policy
import json
import ssl
import sys
import warnings
import logging

from aiosmtpd.smtp import SMTP, AuthResult


class Sink:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.split("@", 1)[0].startswith("reject"):
            return "550 5.1.1 no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        auth = getattr(session, "auth_data", None)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "login": auth.login.decode() if auth is not None else None,
            "tls": session.ssl is not None
            or server.transport.get_extra_info("ssl_object") is not None,
            "headers": {name: str(value) for name, value in message.items()},
            "body": message.get_content(),
        }
        print(json.dumps(record), flush=True)
        return "250 2.0.0 Ok: queued as E2E"


def main():
    # aiosmtpd logs a warning about its own deprecated Session.login_data at every AUTH.
    logging.getLogger("mail.log").setLevel(logging.ERROR)
    # It warns of AUTH without its STARTTLS requirement, which --implicit-tls needs.
    warnings.filterwarnings("ignore", message="Requiring AUTH while not requiring TLS")
    parser = argparse.ArgumentParser()
    parser.add_argument("host")
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--user")
    parser.add_argument("--password")
    parser.add_argument("--implicit-tls", action="store_true")
    args = parser.parse_args()

    options = {}
    wrapper = None
    if args.cert:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.cert, args.key)
        if args.implicit_tls:
            wrapper = context
        else:
            options.update(tls_context=context, require_starttls=True)
    if args.user:

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = auth_data.login.decode() == args.user and (
                auth_data.password.decode() == args.password
            )
            return AuthResult(success=ok, auth_data=auth_data)

        options.update(
            authenticator=authenticator,
            auth_required=True,
            # aiosmtpd only counts STARTTLS as TLS; an implicit-TLS connection is TLS anyway.
            auth_require_tls=bool(args.cert) and not args.implicit_tls,
        )

    async def serve():
        loop = asyncio.get_running_loop()
        server = await loop.create_server(
            lambda: SMTP(Sink(), hostname="sink.test", **options),
            args.host,
            0,
            ssl=wrapper,
        )
        port = server.sockets[0].getsockname()[1]
        print(f"ready {port}", flush=True)
        # Until the test ends it: its stdin closes when the test process goes.
        await loop.run_in_executor(None, sys.stdin.read)

    asyncio.run(serve())


if __name__ == "__main__":
    main()
