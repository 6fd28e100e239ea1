#!/usr/bin/python3
"""Independent SQLCipher encryptor for tests (python3-cryptography; /usr/bin/python3).

Encrypts a plaintext SQLite file page by page the way SQLCipher 3/4 lays pages out, so that
core/decrypt/sqlcipher.cpp can be checked against a second implementation written from the published design
(https://www.zetetic.net/sqlcipher/design/ and docs/formats/sqlcipher.md), not against itself:

  page 1: salt[16] (or, with a plaintext header, the first 32 plaintext bytes) | AES-256-CBC(data) | IV | HMAC | pad
  page n: AES-256-CBC(data) | IV | HMAC | pad
  HMAC = HMAC-SHA1 (v3) / HMAC-SHA512 (v4) over ciphertext || IV || page number (4 bytes little-endian)
  key  = PBKDF2(passphrase, salt, kdf_iter) or a raw key; HMAC key = PBKDF2(key, salt ^ 0x3a, 2)

The plaintext must have been written with the matching reserved space per page (byte 20 of the header:
48 for v3, 80 for v4) and zeros there; the encryptor refuses anything else.

usage: make_sqlcipher.py PLAIN OUT --profile {signal-android,signal-ios,sqlcipher3,sqlcipher4}
                         (--passphrase TEXT | --raw-key HEX) [--salt HEX] [--seed N]
"""
import argparse
import hashlib
import hmac
import random
import sys

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

PROFILES = {
    # name: (page size, kdf iterations, digest, plaintext header bytes)
    "signal-android": (4096, 1, "sha1", 0),
    "signal-ios": (4096, 256000, "sha512", 32),
    "sqlcipher3": (1024, 64000, "sha1", 0),
    "sqlcipher4": (4096, 256000, "sha512", 0),
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("plain")
    ap.add_argument("out")
    ap.add_argument("--profile", required=True, choices=sorted(PROFILES))
    ap.add_argument("--passphrase")
    ap.add_argument("--raw-key")
    ap.add_argument("--salt")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    page_size, kdf_iter, md, header = PROFILES[a.profile]
    mac_len = 20 if md == "sha1" else 64
    reserve = (16 + mac_len + 15) // 16 * 16
    rng = random.Random(a.seed)

    data = open(a.plain, "rb").read()
    if len(data) % page_size or data[:16] != b"SQLite format 3\x00":
        sys.exit("plaintext is not a SQLite file of %d-byte pages" % page_size)
    if int.from_bytes(data[16:18], "big") != page_size or data[20] != reserve:
        sys.exit("plaintext needs page size %d and %d reserved bytes (has %d, %d)"
                 % (page_size, reserve, int.from_bytes(data[16:18], "big"), data[20]))

    salt = bytes.fromhex(a.salt) if a.salt else bytes(rng.getrandbits(8) for _ in range(16))
    if a.raw_key:
        key = bytes.fromhex(a.raw_key)
        assert len(key) == 32
    else:
        key = hashlib.pbkdf2_hmac(md, a.passphrase.encode("utf-8"), salt, kdf_iter, 32)
    hmac_key = hashlib.pbkdf2_hmac(md, key, bytes(b ^ 0x3A for b in salt), 2, 32)

    out = bytearray()
    for index in range(len(data) // page_size):
        pgno = index + 1
        page = data[index * page_size:(index + 1) * page_size]
        if any(page[page_size - reserve:]):
            sys.exit("page %d has non-zero reserved bytes" % pgno)
        offset = (header or 16) if pgno == 1 else 0
        end = page_size - reserve
        iv = bytes(rng.getrandbits(8) for _ in range(16))
        enc = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
        ct = enc.update(page[offset:end]) + enc.finalize()
        mac = hmac.new(hmac_key, ct + iv + pgno.to_bytes(4, "little"), md).digest()
        pad = bytes(rng.getrandbits(8) for _ in range(reserve - 16 - mac_len))
        if pgno == 1:
            first = page[:header] if header else salt
        else:
            first = b""
        out += first + ct + iv + mac + pad
    open(a.out, "wb").write(out)
    print(salt.hex())


if __name__ == "__main__":
    main()
