#!/usr/bin/python3
"""Generates many small, distinct Android extractions for batch tests and benchmarks (issue 10).

Input: the output folder of samples/generate_samples.py (android_ffs.tar). For device i, the tar is copied
member by member; its SMS database gets device-specific messages, so every device has its own artifacts while
the other files (browser, WhatsApp, photos) repeat across devices exactly as shared media and system files do in
a real seizure (which exercises content-addressed dedup).

--scenario ring   builds a fraud ring instead: device 0 is the organiser, devices 1..3 instructors, the rest
                  runners (each under one instructor). Only the SMS database is kept, holding just the ring's
                  messages, and a manifest.csv lists every device with its own phone number (owner_ids), as an
                  examiner records the SIM number at seizure.
--pad-mb N        adds N MiB of incompressible media per device (benchmarks: realistic device size).

Deterministic: the same arguments give byte-identical output. Standard library only.
"""
import argparse
import io
import random
import shutil
import sqlite3
import tarfile
import tempfile
from pathlib import Path

SMS_DB = "data/data/com.android.providers.telephony/databases/mmssms.db"
BASE_MS = 1710061353233  # 2024-03-10, inside the sample scenario


def own_number(i: int) -> str:
    return f"+8190{7000 + i // 10000:04d}{i % 10000:04d}"


def ring_peers(i: int, n: int) -> list[int]:
    """Organiser 0 <-> instructors 1..3 <-> runners (runner r belongs to instructor 1 + (r - 4) % 3)."""
    if i == 0:
        return [k for k in (1, 2, 3) if k < n]
    if i in (1, 2, 3):
        return [0] + [r for r in range(4, n) if 1 + (r - 4) % 3 == i]
    return [1 + (i - 4) % 3]


def rewrite_sms(db_path: Path, i: int, n: int, scenario: str) -> None:
    con = sqlite3.connect(db_path)
    if scenario == "ring":
        # Only the ring's own messages: the sample's numbers would otherwise link every device to every other.
        for table in ("sms", "pdu", "addr", "part", "canonical_addresses", "threads"):
            if con.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (table,)).fetchone():
                con.execute(f"DELETE FROM {table}")
        peers = ring_peers(i, n)
    else:
        peers = [(i * 7 + 3) % max(n, 1), (i * 11 + 5) % max(n, 1)]
    rng = random.Random(i)
    t = BASE_MS + i * 60_000
    lines = ["明日の件、よろしく", "受け子の手配は済んだ？", "了解です", "報酬は即日即金で", "場所は後で送る"]
    for peer in peers:
        for k in range(3):
            t += rng.randint(1000, 600_000)
            con.execute(
                "INSERT INTO sms(thread_id, address, date, date_sent, type, body, read, seen) VALUES(?,?,?,?,?,?,1,1)",
                (100 + peer, own_number(peer), t, t - 2000 if k % 2 == 0 else 0, 1 if k % 2 == 0 else 2,
                 f"{lines[(i + peer + k) % len(lines)]}（端末{i:03d}→{peer:03d} #{k}）"))
    con.commit()
    con.execute("PRAGMA journal_mode=DELETE")
    con.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--samples", required=True, type=Path, help="output folder of samples/generate_samples.py")
    ap.add_argument("--count", type=int, default=20)
    ap.add_argument("--out", required=True, type=Path)
    ap.add_argument("--scenario", choices=["vary", "ring"], default="vary")
    ap.add_argument("--pad-mb", type=int, default=0)
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    source = args.samples / "android_ffs.tar"
    rows = ["exhibit,evidence,label,owner_ids"]
    with tempfile.TemporaryDirectory() as tmp:
        with tarfile.open(source) as src:
            members = [(m, src.extractfile(m).read() if m.isfile() else None) for m in src.getmembers()]
        for i in range(args.count):
            exhibit = f"D-{i:04d}"
            db = Path(tmp) / f"sms{i}.db"
            sms = next(data for m, data in members if m.name == SMS_DB)
            db.write_bytes(sms)
            rewrite_sms(db, i, args.count, args.scenario)
            out = args.out / f"{exhibit}.tar"
            with tarfile.open(out, "w", format=tarfile.GNU_FORMAT) as dst:
                for m, data in members:
                    if args.scenario == "ring" and m.isfile() and m.name != SMS_DB:
                        continue
                    if m.name.startswith(SMS_DB) and m.name != SMS_DB:
                        continue  # the rewritten database has no journal
                    if m.name == SMS_DB:
                        data = db.read_bytes()
                        m = tarfile.TarInfo(m.name) if False else m
                        m.size = len(data)
                    dst.addfile(m, io.BytesIO(data) if data is not None else None)
                if args.pad_mb:
                    rng = random.Random(1000 + i)
                    pad = tarfile.TarInfo(f"sdcard/DCIM/Camera/VID_{i:04d}.mp4")
                    pad.size = args.pad_mb << 20
                    pad.mtime = 1710061353
                    dst.addfile(pad, io.BytesIO(rng.randbytes(pad.size)))
            rows.append(f"{exhibit},{out.name},端末{i:03d},{own_number(i)}")
    (args.out / "manifest.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
