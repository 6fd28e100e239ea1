#!/usr/bin/python3
"""Encrypts a plain iTunes/Finder backup folder the way iOS 10.2+ does, with a known password.

An implementation independent of Kanshiki's C++ decryptor (core/decrypt/ios_backup_crypt.cpp), built on
Debian's python3-cryptography, so that the C++ side can be checked against it byte for byte:

  keybag TLV (VERS/TYPE/UUID/HMCK/WRAP/SALT/ITER/DPWT/DPIC/DPSL + 11 class keys, WRAP 2)
  passkey = PBKDF2-HMAC-SHA1(PBKDF2-HMAC-SHA256(password, DPSL, DPIC), SALT, ITER)   (--no-dp: SHA1 round only)
  class keys wrapped with the passkey (RFC 3394); ManifestKey and per-file keys wrapped with class keys
  Manifest.db and every file: AES-256-CBC, zero IV, PKCS#7 padding

Every key is derived from --seed, so the output is the same on every run. Low iteration counts keep tests fast
(real backups use DPIC 10,000,000 and ITER 10,000).

usage: make_encrypted_ios_backup.py --src samples/ios_backup --out DIR --password PW [--dpic N] [--iter N]
       [--no-dp] [--seed S]
Prints a JSON summary: fileID -> {domain, relativePath, size, protection_class, plaintext sha256}.
"""
import argparse
import hashlib
import json
import plistlib
import shutil
import sqlite3
import struct
import sys
import tempfile
from pathlib import Path

from cryptography.hazmat.primitives import hashes, padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
from cryptography.hazmat.primitives.keywrap import aes_key_wrap


def det(seed: str, label: str, n: int) -> bytes:
    out = b""
    counter = 0
    while len(out) < n:
        out += hashlib.sha256(f"{seed}|{label}|{counter}".encode()).digest()
        counter += 1
    return out[:n]


def tlv(tag: bytes, value: bytes) -> bytes:
    return tag + struct.pack(">I", len(value)) + value


def u32(v: int) -> bytes:
    return struct.pack(">I", v)


def pbkdf2(algorithm, password: bytes, salt: bytes, iterations: int) -> bytes:
    return PBKDF2HMAC(algorithm=algorithm, length=32, salt=salt, iterations=iterations).derive(password)


def encrypt_cbc(key: bytes, data: bytes) -> bytes:
    padder = padding.PKCS7(128).padder()
    padded = padder.update(data) + padder.finalize()
    enc = Cipher(algorithms.AES(key), modes.CBC(b"\0" * 16)).encryptor()
    return enc.update(padded) + enc.finalize()


def with_encryption_key(blob: bytes, protection_class: int, wrapped: bytes) -> bytes:
    """Adds EncryptionKey (a UID to an NSMutableData) to the MBFile of an NSKeyedArchiver blob."""
    archive = plistlib.loads(blob)
    objects = archive["$objects"]
    root = objects[archive["$top"]["root"].data]
    class_uid = len(objects) + 1
    objects.append({"$class": plistlib.UID(class_uid), "NS.data": struct.pack("<I", protection_class) + wrapped})
    objects.append({"$classes": ["NSMutableData", "NSData", "NSObject"], "$classname": "NSMutableData"})
    root["EncryptionKey"] = plistlib.UID(len(objects) - 2)
    return plistlib.dumps(archive, fmt=plistlib.FMT_BINARY)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--src", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--password", required=True)
    ap.add_argument("--dpic", type=int, default=1000)
    ap.add_argument("--iter", type=int, default=10)
    ap.add_argument("--no-dp", action="store_true", help="pre-iOS 10.2 keybag: SHA1 round over the password only")
    ap.add_argument("--seed", default="kanshiki-ios-backup-vector")
    a = ap.parse_args()
    src, out, seed = Path(a.src), Path(a.out), a.seed
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)

    salt, dpsl = det(seed, "SALT", 20), det(seed, "DPSL", 20)
    if a.no_dp:
        passkey = pbkdf2(hashes.SHA1(), a.password.encode("utf-8"), salt, a.iter)
    else:
        k1 = pbkdf2(hashes.SHA256(), a.password.encode("utf-8"), dpsl, a.dpic)
        passkey = pbkdf2(hashes.SHA1(), k1, salt, a.iter)

    class_keys = {c: det(seed, f"class{c}", 32) for c in range(1, 12)}
    bag = tlv(b"VERS", u32(3 if not a.no_dp else 2)) + tlv(b"TYPE", u32(1)) + tlv(b"UUID", det(seed, "bag-uuid", 16))
    bag += tlv(b"HMCK", det(seed, "HMCK", 40)) + tlv(b"WRAP", u32(0)) + tlv(b"SALT", salt) + tlv(b"ITER", u32(a.iter))
    if not a.no_dp:
        bag += tlv(b"DPWT", u32(1)) + tlv(b"DPIC", u32(a.dpic)) + tlv(b"DPSL", dpsl)
    # Class records in descending order: readers must look classes up by CLAS, never by position.
    for c in sorted(class_keys, reverse=True):
        bag += tlv(b"UUID", det(seed, f"class-uuid{c}", 16)) + tlv(b"CLAS", u32(c)) + tlv(b"WRAP", u32(2))
        bag += tlv(b"KTYP", u32(0)) + tlv(b"WPKY", aes_key_wrap(passkey, class_keys[c]))

    manifest_key = det(seed, "manifest-key", 32)
    summary = {"passkey_hex": passkey.hex(), "files": {}}
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "Manifest.db"
        shutil.copyfile(src / "Manifest.db", db_path)
        db = sqlite3.connect(db_path)
        rows = db.execute("SELECT fileID, domain, relativePath, file FROM Files WHERE flags = 1").fetchall()
        for file_id, domain, rel, blob in rows:
            data = (src / file_id[:2] / file_id).read_bytes()
            pclass = plistlib.loads(blob)["$objects"][1].get("ProtectionClass", 3) or 3
            file_key = det(seed, "file-" + file_id, 32)
            wrapped = aes_key_wrap(class_keys[pclass], file_key)
            db.execute("UPDATE Files SET file = ? WHERE fileID = ?", (with_encryption_key(blob, pclass, wrapped), file_id))
            (out / file_id[:2]).mkdir(exist_ok=True)
            (out / file_id[:2] / file_id).write_bytes(encrypt_cbc(file_key, data))
            summary["files"][file_id] = {"domain": domain, "relativePath": rel, "size": len(data),
                                         "protection_class": pclass, "sha256": hashlib.sha256(data).hexdigest()}
        db.commit()
        db.close()
        plain_db = db_path.read_bytes()
        (out / "Manifest.db").write_bytes(encrypt_cbc(manifest_key, plain_db))
        summary["manifest_db_sha256"] = hashlib.sha256(plain_db).hexdigest()

    manifest = plistlib.loads((src / "Manifest.plist").read_bytes())
    manifest["IsEncrypted"] = True
    manifest["BackupKeyBag"] = bag
    manifest["ManifestKey"] = struct.pack("<I", 4) + aes_key_wrap(class_keys[4], manifest_key)
    (out / "Manifest.plist").write_bytes(plistlib.dumps(manifest, fmt=plistlib.FMT_BINARY))
    for name in ("Info.plist", "Status.plist"):
        if (src / name).exists():
            shutil.copyfile(src / name, out / name)
    json.dump(summary, sys.stdout, indent=1, sort_keys=True)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
