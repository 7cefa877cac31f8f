"""Email through the outbox to a real SMTP server on 127.0.0.1 (aiosmtpd): what arrives, parsed
as a mail client would; a login from a secret; a temporary refusal retried; a SIGKILL during
delivery losing nothing, a repeat carrying the same Message-ID."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from dedup_variants import stories
from support import clean_env, free_port, rasid, wait_until

PASSWORD = "smtp-secret-never-logged"


class Mailbox:
    """An SMTP server's handler: keeps what it accepts; the first `refuse` DATA commands get a
    451, and each DATA waits `delay` seconds before its answer."""

    def __init__(self, refuse: int = 0, delay: float = 0.0) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.refuse = refuse
        self.delay = delay
        self.lock = threading.Lock()

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        if self.delay:
            await asyncio.sleep(self.delay)
        with self.lock:
            if self.refuse:
                self.refuse -= 1
                return "451 4.3.0 try again later"
            self.messages.append(message_from_bytes(envelope.content, policy=policy.default))  # type: ignore[attr-defined,arg-type]
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))  # type: ignore[attr-defined]
        return "250 OK"


def authenticate(server: object, session: object, envelope: object, mechanism: str, data: object) -> AuthResult:
    ok = isinstance(data, LoginPassword) and data.login == b"rasid" and data.password == PASSWORD.encode()
    return AuthResult(success=ok, handled=False)  # handled=False: the server answers 535 itself


def serve(mailbox: Mailbox) -> Controller:
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port(), authenticator=authenticate,
                            auth_require_tls=False, auth_required=True)  # fmt: skip
    controller.start()
    return controller


def setup(tmp_path: Path, port: int, count: int, retry: str = "200ms") -> None:
    (tmp_path / "inbox").mkdir()
    for i, doc in enumerate([d for d in stories() if d.story != "seed"][:count]):
        (tmp_path / "inbox" / f"{i:02d}.txt").write_text(doc.text, encoding="utf-8")
    (tmp_path / "config.yaml").write_text(
        f"""
sources:
  folders: [{{name: inbox, path: ./inbox, interval: 1s}}]
watchlists:
  - {{name: all-news, keywords: [في]}}
notifiers:
  - name: desk
    type: email
    host: 127.0.0.1
    port: {port}
    security: none
    username: rasid
    password: "${{SMTP_PASSWORD}}"
    sender: rasid@news.example
    to: [desk@news.example, field@news.example]
    language: ar
delivery: {{interval: 200ms, retry: [{retry}]}}
""",
        encoding="utf-8",
    )


def test_an_alert_arrives_as_a_right_to_left_email_a_client_reads(tmp_path: Path) -> None:
    mailbox = Mailbox()
    controller = serve(mailbox)
    try:
        setup(tmp_path, controller.port, 1)
        result = rasid("once", "-c", "config.yaml", cwd=tmp_path, env={"SMTP_PASSWORD": PASSWORD})
        assert result.returncode == 0, result.stderr
        (email,) = mailbox.messages
    finally:
        controller.stop()
    assert mailbox.envelopes == [("rasid@news.example", ["desk@news.example", "field@news.example"])]
    assert email["Subject"].startswith("[rasid] all-news: ") and any("\u0600" <= ch <= "\u06ff" for ch in email["Subject"])
    assert email["Date"] and email["Message-ID"].startswith("<alert_") and email["Message-ID"].endswith("@news.example>")
    assert email.get_content_type() == "multipart/alternative"
    plain, html = email.get_body(("plain",)), email.get_body(("html",))
    assert plain is not None and html is not None
    text, page = plain.get_content(), html.get_content()
    assert 'dir="rtl"' in page and 'lang="ar"' in page and "<mark>في</mark>" in page
    assert "الكلمات: في" in text  # Arabic labels (language: ar)
    assert PASSWORD not in result.stdout + result.stderr


def test_a_refused_login_is_not_retried_and_a_temporary_refusal_is(tmp_path: Path) -> None:
    mailbox = Mailbox(refuse=1)
    controller = serve(mailbox)
    try:
        setup(tmp_path, controller.port, 1)
        wrong = rasid("once", "-c", "config.yaml", cwd=tmp_path, env={"SMTP_PASSWORD": "wrong"})
        assert wrong.returncode == 0 and "535" in wrong.stderr and not mailbox.messages
        listed = rasid("outbox", "-c", "config.yaml", cwd=tmp_path, env={"SMTP_PASSWORD": PASSWORD})
        assert "dead" in listed.stdout  # a wrong password is the config's fault: no retries
        assert rasid("outbox", "retry", "--all", "-c", "config.yaml", cwd=tmp_path, env={"SMTP_PASSWORD": PASSWORD}).returncode == 0
        first = rasid("once", "-c", "config.yaml", cwd=tmp_path, env={"SMTP_PASSWORD": PASSWORD})
        assert "451" in first.stderr and not mailbox.messages  # try again later: it will
        assert wait_until(lambda: rasid("once", "-c", "config.yaml", cwd=tmp_path, env={"SMTP_PASSWORD": PASSWORD}).returncode == 0
                          and len(mailbox.messages) == 1, timeout=20)  # fmt: skip
    finally:
        controller.stop()


def test_sigkill_during_delivery_loses_no_email_and_a_repeat_has_the_same_message_id(tmp_path: Path) -> None:
    mailbox = Mailbox(delay=0.4)
    controller = serve(mailbox)
    try:
        setup(tmp_path, controller.port, 5)
        start = lambda: subprocess.Popen(  # noqa: E731
            [sys.executable, "-m", "rasid", "run", "-c", "config.yaml"], cwd=tmp_path,
            env=clean_env({"SMTP_PASSWORD": PASSWORD}), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        proc = start()
        assert wait_until(lambda: len(mailbox.messages) >= 2)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        assert len({m["Message-ID"] for m in mailbox.messages}) < 5
        proc = start()
        try:
            assert wait_until(lambda: len({m["Message-ID"] for m in mailbox.messages}) >= 5, timeout=30)
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.communicate(timeout=15)
    finally:
        controller.stop()
    ids = [m["Message-ID"] for m in mailbox.messages]
    assert len(set(ids)) == 5 and len(ids) <= 6  # at most the one in flight at the kill arrives twice, as one message-id


def test_a_digest_is_one_email_and_a_link_is_only_ever_http() -> None:
    from datetime import datetime, timezone

    from rasid.delivery.formats.email import email_message

    def alert(i: int, url: str) -> dict[str, object]:
        return {"type": "alert", "id": f"alert_{i}", "watchlist": "south", "snippet": "قصف على درعا",
                "report": {"title": f"خبر {i}", "url": url, "source": "wire"},
                "matches": [{"kind": "keyword", "term": "قصف", "surface": "قصف"}]}  # fmt: skip

    digest = {"type": "digest", "id": "digest_1", "items": [alert(1, "https://x.example/1"), alert(2, "javascript:alert(1)")]}
    email = email_message(digest, "rasid@news.example", ["desk@news.example"], datetime(2026, 11, 30, tzinfo=timezone.utc))
    assert email["Subject"] == "[rasid] 2 × south: خبر 1" and email["Message-ID"] == "<digest_1@news.example>"
    page = email.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert page.count("<h2") == 2 and 'href="https://x.example/1"' in page and "javascript:" not in page
    assert page.count("<mark>قصف</mark>") == 2


def certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, made with openssl for this test."""
    key, cert = folder / "key.pem", folder / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "1",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def test_starttls_and_tls_are_spoken_and_an_untrusted_certificate_is_refused(tmp_path: Path) -> None:
    import ssl

    cert, key = certificate(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    for security, server in (
        ("starttls", lambda m: Controller(m, hostname="127.0.0.1", port=free_port(), tls_context=context, require_starttls=True,
                                          authenticator=authenticate, auth_required=True)),
        # implicit TLS: aiosmtpd counts only STARTTLS as TLS for AUTH, so it is told not to ask
        ("tls", lambda m: Controller(m, hostname="127.0.0.1", port=free_port(), ssl_context=context,
                                     authenticator=authenticate, auth_required=True, auth_require_tls=False)),
    ):  # fmt: skip
        folder = tmp_path / security
        folder.mkdir()
        mailbox = Mailbox()
        controller = server(mailbox)
        controller.start()
        try:
            setup(folder, controller.port, 1)
            config = folder / "config.yaml"
            config.write_text(config.read_text(encoding="utf-8").replace("security: none", f"security: {security}"), encoding="utf-8")
            untrusted = rasid("once", "-c", "config.yaml", cwd=folder, env={"SMTP_PASSWORD": PASSWORD})
            assert "CERTIFICATE_VERIFY_FAILED" in untrusted.stderr and not mailbox.messages, security
            trusting = {"SMTP_PASSWORD": PASSWORD, "SSL_CERT_FILE": str(cert)}  # as a system that trusts its CA
            assert wait_until(lambda: rasid("once", "-c", "config.yaml", cwd=folder, env=trusting).returncode == 0
                              and bool(mailbox.messages), timeout=20), security  # fmt: skip
            assert mailbox.messages[0]["Subject"].startswith("[rasid] all-news")
        finally:
            controller.stop()


def test_a_brief_by_email_keeps_its_lines() -> None:
    from datetime import datetime, timezone

    from rasid.delivery.formats.email import email_message

    brief = {"type": "brief", "id": "brief_1", "since": "2026-11-29T04:00:00+00:00", "until": "2026-11-30T04:00:00+00:00",
             "alerts": 2, "watchlists": [{"name": "yemen", "alerts": 2}], "areas": [], "keywords": [],
             "stories": [{"id": "s1", "title": "غارة على تعز", "outlets": 3, "new": True},
                         {"id": "s2", "title": "قصف على عدن", "outlets": 1, "new": False}], "sources": []}  # fmt: skip
    email = email_message(brief, "rasid@news.example", ["desk@news.example"], datetime(2026, 11, 30, tzinfo=timezone.utc))
    page = email.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "غارة على تعز (3 sources)<br>" in page and "yemen 2" in page and email["Subject"].startswith("[rasid] rasid · brief")
