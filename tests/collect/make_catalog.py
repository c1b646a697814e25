#!/usr/bin/env python3
"""Security catalogues (.cat) and Authenticode digests for the collector's tests, written
from the specifications and sharing no code with sakimori:

- RFC 2315 (PKCS #7 SignedData: the signer's messageDigest covers the content's
  contents octets, without their tag and length; the signature covers the DER of the
  authenticated attributes as a SET OF);
- the Certificate Trust List of [MS-CAESO] / wincrypt's CTL_INFO (subjectUsage,
  listIdentifier, thisUpdate, subjectAlgorithm, trustedSubjects, ctlExtensions), with
  a catalogue's members as Windows' makecat writes them: the subjectIdentifier a tag
  (the digest's upper-case hex in UTF-16LE, NUL-terminated), the digest in an
  SPC_INDIRECT_DATA attribute (SpcIndirectDataContent: SpcPeImageData for a PE,
  SPC_CAB_DATA for a flat file; DigestInfo), a CAT_MEMBERINFO attribute beside it;
- the Authenticode PE format's image digest: the file without the optional header's
  CheckSum, without the certificate table's data-directory entry and without the
  certificate table (offsets from python3-pefile); an unsigned image's bytes padded
  with zeros to a multiple of 8, as wintrust's CryptCATAdminCalcHashFromFileHandle does
  (noted by libwdi's cathash, which checks itself against it; osslsigncode does the same).

The key and the self-signed certificate are made at each run with python3-cryptography.

  make_catalog.py digest FILE...            "sha1 sha256 FILE" per PE: Authenticode digests
  make_catalog.py make OUT.cat [options] [pe:|flat:]HEX...
      --alg sha1|sha256     the catalogue's member algorithm (v1 catalogues SHA-1, v2 SHA-256)
      --key PEM --cert PEM  sign with these (made and written there when absent)
      --subject CN          the signer's common name
      --tamper              change a member's digest after signing: the signature fails
      --no-cert             leave the signer's certificate out of the SignedData
"""
import datetime
import hashlib
import os
import sys

OIDS = {
    "signedData": "1.2.840.113549.1.7.2",
    "contentType": "1.2.840.113549.1.9.3",
    "messageDigest": "1.2.840.113549.1.9.4",
    "rsaEncryption": "1.2.840.113549.1.1.1",
    "sha1": "1.3.14.3.2.26",
    "sha256": "2.16.840.1.101.3.4.2.1",
    "ctl": "1.3.6.1.4.1.311.10.1",
    "catalogList": "1.3.6.1.4.1.311.12.1.1",
    "catalogListMember": "1.3.6.1.4.1.311.12.1.2",
    "catalogListMember2": "1.3.6.1.4.1.311.12.1.3",
    "catNameValue": "1.3.6.1.4.1.311.12.2.1",
    "catMemberInfo": "1.3.6.1.4.1.311.12.2.2",
    "spcIndirectData": "1.3.6.1.4.1.311.2.1.4",
    "spcPeImageData": "1.3.6.1.4.1.311.2.1.15",
    "spcCabData": "1.3.6.1.4.1.311.2.1.25",
}
PE_SIP_GUID = "{C689AAB8-8E78-11D0-8C47-00C04FC295EE}"


# ---- DER, from X.690 ----
def tlv(tag, content):
    n = len(content)
    if n < 0x80:
        head = bytes([n])
    else:
        b = n.to_bytes((n.bit_length() + 7) // 8, "big")
        head = bytes([0x80 | len(b)]) + b
    return bytes([tag]) + head + content


def seq(*items):
    return tlv(0x30, b"".join(items))


def set_of(*items):
    return tlv(0x31, b"".join(sorted(items)))  # DER: a SET OF in the order of its encodings


def oid(dotted):
    parts = [int(x) for x in OIDS.get(dotted, dotted).split(".")]
    out = bytearray([40 * parts[0] + parts[1]])
    for p in parts[2:]:
        chunk = [p & 0x7F]
        p >>= 7
        while p:
            chunk.append(0x80 | (p & 0x7F))
            p >>= 7
        out += bytes(reversed(chunk))
    return tlv(0x06, bytes(out))


def integer(v):
    b = v.to_bytes((v.bit_length() + 8) // 8 or 1, "big", signed=True)
    return tlv(0x02, b)


def octets(b):
    return tlv(0x04, b)


def null():
    return b"\x05\x00"


def bmp(s):
    return tlv(0x1E, s.encode("utf-16-be"))


def utctime(t):
    return tlv(0x17, t.strftime("%y%m%d%H%M%SZ").encode())


def ctx(n, content, constructed=True):
    return tlv((0xA0 if constructed else 0x80) | n, content)


def attribute(kind, *values):
    return seq(oid(kind), set_of(*values))


# ---- the catalogue ----
def member(digest, alg, pe):
    tag = (digest.hex().upper() + "\0").encode("utf-16-le")
    if pe:  # SpcPeImageData { flags BIT STRING, file [0] SpcLink { file [2] SpcString { unicode [0] } } }
        data = seq(oid("spcPeImageData"), seq(tlv(0x03, b"\x00"), ctx(0, ctx(2, tlv(0x80, "<<<Obsolete>>>".encode("utf-16-be"))))))
    else:
        data = seq(oid("spcCabData"), seq(tlv(0x03, b"\x00"), ctx(0, ctx(2, tlv(0x80, b"")))))
    indirect = seq(data, seq(seq(oid(alg), null()), octets(digest)))
    info = seq(bmp(PE_SIP_GUID), integer(512))
    return seq(octets(tag), set_of(attribute("catMemberInfo", info), attribute("spcIndirectData", indirect)))


def ctl(members, alg, list_id):
    now = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)
    name_value = seq(bmp("OSAttr"), integer(0x10010001), octets("2:10.0".encode("utf-16-le") + b"\0\0"))
    ext = ctx(0, seq(seq(oid("catNameValue"), octets(name_value))))
    return seq(
        seq(oid("catalogList")),                                   # subjectUsage
        octets(list_id),                                           # listIdentifier
        utctime(now),                                              # thisUpdate
        seq(oid("catalogListMember2" if alg == "sha256" else "catalogListMember"), null()),  # subjectAlgorithm
        seq(*members),                                             # trustedSubjects
        ext,                                                       # ctlExtensions
    )


def contents_octets(der):
    """The contents octets of one DER element (its value without tag and length)."""
    n = der[1]
    if n < 0x80:
        return der[2:]
    k = n & 0x7F
    return der[2 + k:]


def load_or_make_key(key_path, cert_path, cn):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    if key_path and cert_path and os.path.exists(key_path) and os.path.exists(cert_path):
        key = serialization.load_pem_private_key(open(key_path, "rb").read(), None)
        cert = x509.load_pem_x509_certificate(open(cert_path, "rb").read())
        return key, cert
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn), x509.NameAttribute(NameOID.ORGANIZATION_NAME, "sakimori tests")])
    now = datetime.datetime(2024, 1, 1)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now)
            .not_valid_after(now + datetime.timedelta(days=3650))
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.CODE_SIGNING]), critical=False)
            .sign(key, hashes.SHA256()))
    if key_path:
        open(key_path, "wb").write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                     serialization.NoEncryption()))
    if cert_path:
        open(cert_path, "wb").write(cert.public_bytes(serialization.Encoding.PEM))
    return key, cert


def signed_catalog(members, alg, key, cert, tamper=False, include_cert=True):
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding

    content = ctl(members, alg, os.urandom(16))
    digest = hashlib.sha256(contents_octets(content)).digest()  # RFC 2315 9.3
    attrs = [attribute("contentType", oid("ctl")), attribute("messageDigest", octets(digest))]
    signature = key.sign(set_of(*attrs), padding.PKCS1v15(), hashes.SHA256())
    cert_der = cert.public_bytes(serialization.Encoding.DER)
    # issuerAndSerialNumber: the certificate's issuer Name and serial, from its DER
    issuer = cert.issuer.public_bytes()
    signer = seq(integer(1), seq(issuer, integer(cert.serial_number)), seq(oid("sha256"), null()),
                 tlv(0xA0, b"".join(sorted(attrs))), seq(oid("rsaEncryption"), null()), octets(signature))
    if tamper:  # the CTL changed after signing (another listIdentifier): the messageDigest no longer matches
        content = ctl(members, alg, bytes(16))
    sd = seq(integer(1), set_of(seq(oid("sha256"), null())), seq(oid("ctl"), ctx(0, content)),
             *( [tlv(0xA0, cert_der)] if include_cert else []), set_of(signer))
    return seq(oid("signedData"), ctx(0, sd))


def authenticode_digests(path):
    import pefile

    data = open(path, "rb").read()
    pe = pefile.PE(data=data, fast_load=True)
    checksum = pe.OPTIONAL_HEADER.get_file_offset() + 0x40
    entry = pe.OPTIONAL_HEADER.DATA_DIRECTORY[pefile.DIRECTORY_ENTRY["IMAGE_DIRECTORY_ENTRY_SECURITY"]]
    certdir = entry.get_file_offset()
    signed = entry.VirtualAddress and entry.Size
    end = entry.VirtualAddress if signed else len(data)
    image = data[:checksum] + data[checksum + 4: certdir] + data[certdir + 8: end]
    if not signed:  # Windows pads an unsigned image with zeros to 8 bytes (libwdi's cathash, checked against wintrust)
        image += bytes(-len(data) % 8)
    return hashlib.sha1(image).hexdigest(), hashlib.sha256(image).hexdigest()


def main(argv):
    if len(argv) >= 2 and argv[0] == "digest":
        for p in argv[1:]:
            s1, s256 = authenticode_digests(p)
            print(s1, s256, p)
        return 0
    if len(argv) >= 2 and argv[0] == "make":
        out, args = argv[1], argv[2:]
        opts = {"--alg": "sha256", "--key": None, "--cert": None, "--subject": "sakimori test catalogue signer"}
        flags, digests = set(), []
        i = 0
        while i < len(args):
            a = args[i]
            if a in opts:
                opts[a] = args[i + 1]
                i += 2
                continue
            if a in ("--tamper", "--no-cert"):
                flags.add(a)
            else:
                digests.append(a)
            i += 1
        key, cert = load_or_make_key(opts["--key"], opts["--cert"], opts["--subject"])
        members = []
        for d in digests:
            pe = not d.startswith("flat:")
            h = bytes.fromhex(d.split(":", 1)[-1])
            members.append(member(h, opts["--alg"], pe))
        cat = signed_catalog(members, opts["--alg"], key, cert, tamper="--tamper" in flags,
                             include_cert="--no-cert" not in flags)
        open(out, "wb").write(cat)
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
