#!/usr/bin/env python3
"""Generate a Telegram-for-Android cache4.db with N messages_v2 rows for benchmarking telegram.android.

Usage: gen_telegram_cache4.py OUT.db [N=1000000]
Then:  build/<dir>/bench/bench_parse telegram.android OUT.db   (target: 1M messages in <= 15 s)

Blobs use the real TL constructor ids (message 0x7600b9d3 layer 227+, photo media 0x695150d7 / photo
0xfb197a65, messageService 0x7a800e0a with a phone-call action), one in ten a photo and one in fifty a service
message. The DDL is the app's (see tests/test_parser_telegram.cpp).
"""
import sqlite3
import struct
import sys


def tl_str(s: bytes) -> bytes:
    if len(s) < 254:
        out = bytes([len(s)]) + s
    else:
        out = b"\xfe" + len(s).to_bytes(3, "little") + s
    return out + b"\0" * (-len(out) % 4)


def peer_user(uid: int) -> bytes:
    return struct.pack("<Iq", 0x59511722, uid)


def message(mid: int, uid: int, date: int, i: int) -> bytes:
    text = f"「続きはテレグラムで。報酬は即日即金」 #{i}".encode()
    if i % 50 == 0:
        return (struct.pack("<III", 0x7A800E0A, 1 << 8, mid) + peer_user(uid) + peer_user(uid) +
                struct.pack("<IIIqII", date, 0x80E11A7F, 3, i, 0x57ADC690, 60))
    if i % 10 == 0:
        return (struct.pack("<IIII", 0x7600B9D3, (1 << 8) | (1 << 9), 0, mid) + peer_user(uid) + peer_user(uid) +
                struct.pack("<I", date) + tl_str(text) + struct.pack("<III", 0x695150D7, 1, 0xFB197A65) +
                struct.pack("<Iqq", 0, 10_000 + i, 42) + tl_str(b"ref") + struct.pack("<IIII", date, 0x1CB5C415, 0, 4))
    return (struct.pack("<IIII", 0x7600B9D3, 1 << 8, 0, mid) + peer_user(uid) + peer_user(uid) +
            struct.pack("<I", date) + tl_str(text))


def main() -> None:
    out = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
    db = sqlite3.connect(out)
    db.executescript("""
CREATE TABLE messages_v2(mid INTEGER, uid INTEGER, read_state INTEGER, send_state INTEGER, date INTEGER, data BLOB, out INTEGER, ttl INTEGER, media INTEGER, replydata BLOB, imp INTEGER, mention INTEGER, forwards INTEGER, replies_data BLOB, thread_reply_id INTEGER, is_channel INTEGER, reply_to_message_id INTEGER, custom_params BLOB, group_id INTEGER, reply_to_story_id INTEGER, PRIMARY KEY(mid, uid));
CREATE TABLE users(uid INTEGER PRIMARY KEY, name TEXT, status INTEGER, data BLOB);
CREATE TABLE chats(uid INTEGER PRIMARY KEY, name TEXT, data BLOB);
CREATE TABLE dialogs(did INTEGER PRIMARY KEY, date INTEGER, unread_count INTEGER, last_mid INTEGER, inbox_max INTEGER, outbox_max INTEGER, last_mid_i INTEGER, unread_count_i INTEGER, pts INTEGER, date_i INTEGER, pinned INTEGER, flags INTEGER, folder_id INTEGER, data BLOB);
""")
    users = 200
    db.executemany("INSERT INTO users (uid, name, status) VALUES (?, ?, ?)",
                   [(100000 + u, f"利用者 {u};;;user{u}", 1714563000) for u in range(users)])
    db.executemany("INSERT INTO dialogs (did, date) VALUES (?, ?)", [(100000 + u, 1714563000) for u in range(users)])

    def rows():
        for i in range(n):
            uid = 100000 + i % users
            date = 1700000000 + i
            yield (i + 1, uid, 1, 0, date, message(i + 1, uid, date, i), i % 3 == 0, 0, 0)

    db.executemany("INSERT INTO messages_v2 (mid, uid, read_state, send_state, date, data, out, ttl, media) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows())
    db.commit()
    db.close()


if __name__ == "__main__":
    main()
