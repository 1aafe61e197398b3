"""A throw-away certificate authority and server certificate for 127.0.0.1, made at runtime.

Uses the `cryptography` package when it is importable, else the `openssl` command. The CA signs
a separate server certificate (IP and DNS names set) so strict verification accepts it.
"""

from __future__ import annotations

import dataclasses
import datetime
import ipaddress
import pathlib
import shutil
import subprocess
import tempfile

import gevent.ssl

_CA_NAME = "startpunkt-testing-ca"
_SERVER_EXTENSIONS = """\
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1, DNS:localhost
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
"""


@dataclasses.dataclass(frozen=True)
class Certificates:
    ca_pem: bytes
    cert_pem: bytes
    key_pem: bytes

    def server_context(self) -> gevent.ssl.SSLContext:
        """A cooperative (gevent) server-side TLS context holding the server certificate."""
        context = gevent.ssl.SSLContext(gevent.ssl.PROTOCOL_TLS_SERVER)
        with tempfile.TemporaryDirectory() as directory:
            cert, key = pathlib.Path(directory, "tls.crt"), pathlib.Path(directory, "tls.key")
            cert.write_bytes(self.cert_pem)
            key.write_bytes(self.key_pem)
            context.load_cert_chain(cert, key)
        return context


def have_cryptography() -> bool:
    try:
        import cryptography  # noqa: F401
    except ImportError:
        return False
    return True


def generate(*, use_openssl: bool | None = None) -> Certificates:
    """New CA + server certificate; `use_openssl` forces a backend (None: the best available)."""
    if use_openssl is None:
        use_openssl = not have_cryptography()
    return _with_openssl() if use_openssl else _with_cryptography()


def _with_cryptography() -> Certificates:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    def name(common: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])

    def builder(subject: x509.Name, issuer: x509.Name, key) -> x509.CertificateBuilder:
        now = datetime.datetime.now(datetime.UTC)
        return (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(issuer)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        )

    def usage(*, sign_certs: bool) -> x509.KeyUsage:
        return x509.KeyUsage(
            digital_signature=True,
            content_commitment=False,
            key_encipherment=False,
            data_encipherment=False,
            key_agreement=False,
            key_cert_sign=sign_certs,
            crl_sign=sign_certs,
            encipher_only=False,
            decipher_only=False,
        )

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        builder(name(_CA_NAME), name(_CA_NAME), ca_key)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(usage(sign_certs=True), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    alt_names = [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
    ca_ski = ca.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    cert = (
        builder(name("127.0.0.1"), ca.subject, key)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(usage(sign_certs=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False)
        .add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    return Certificates(
        ca_pem=ca.public_bytes(serialization.Encoding.PEM),
        cert_pem=cert.public_bytes(serialization.Encoding.PEM),
        key_pem=key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
    )


def _with_openssl() -> Certificates:
    openssl = shutil.which("openssl")
    if openssl is None:
        raise RuntimeError("TLS needs the `cryptography` package or the `openssl` command")
    with tempfile.TemporaryDirectory() as directory:
        path = pathlib.Path(directory)
        pathlib.Path(path, "server.ext").write_text(_SERVER_EXTENSIONS)

        def run(command: str, *extra: str) -> None:
            """One openssl command: a space-separated string, then arguments with spaces."""
            argv = [openssl, *command.split(), *extra]
            subprocess.run(argv, cwd=path, check=True, capture_output=True)

        new_key = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
        run(
            f"req -x509 {new_key} -keyout ca.key -out ca.crt -days 2 -subj /CN={_CA_NAME}",
            *("-addext", "basicConstraints=critical,CA:TRUE,pathlen:0"),
            *("-addext", "keyUsage=critical,digitalSignature,keyCertSign,cRLSign"),
        )
        run(f"req {new_key} -keyout server.key -out server.csr -subj /CN=127.0.0.1")
        run(
            "x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2"
            " -extfile server.ext -out server.crt"
        )
        return Certificates(
            ca_pem=(path / "ca.crt").read_bytes(),
            cert_pem=(path / "server.crt").read_bytes(),
            key_pem=(path / "server.key").read_bytes(),
        )
