#!/usr/bin/python3
"""Generates a large WhatsApp Android msgstore.db for benchmarks (scripts/run-benchmarks ingest).

  /usr/bin/python3 bench/gen_whatsapp_msgstore.py --messages 1000000 --out /tmp/wa/msgstore.db

Same tables and columns as the sample evidence (the current `message` schema, DDL shared with
samples/generate_samples.py). Message texts have realistic lengths (mostly short chat lines, some paragraphs,
a few very long pastes), about two thirds Japanese; ~8% are images with a message_media row. Output depends
only on --messages, --chats and --seed (fixed pseudo-random generator), so a benchmark can be reproduced.
The file has exactly N messages plus WhatsApp's placeholder row (_id 1, chat_row_id -1), so a parser should
emit N message artifacts. Standard library only; runs in well under a minute for a million messages.
"""
from __future__ import annotations

import argparse
import importlib.util
import random
import sqlite3
import sys
import time
from pathlib import Path

sys.dont_write_bytecode = True  # importing the sample generator must not leave __pycache__ in the source tree
_SAMPLES = Path(__file__).resolve().parent.parent / "samples" / "generate_samples.py"
_spec = importlib.util.spec_from_file_location("generate_samples", _SAMPLES)
samples = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(samples)

START_MS = 1672498800000  # 2023-01-01 00:00:00 JST

JA_FRAGMENTS = [
    "了解です", "ありがとうございます", "今どこ？", "もうすぐ着きます", "明日の件、大丈夫そう？", "また連絡します",
    "今日は忙しいので後で電話します", "写真送ります", "さっきの話だけど", "駅の改札で待ってます", "おつかれさま",
    "来週の予定を教えてください", "了解、その時間で行きます", "ちょっと遅れます、すみません", "それはまずいね",
    "振込先を送ります", "詳細は後で送る", "例の件、進んでる？", "ホワイト案件なので安心してください",
    "即日即金です", "高額報酬の案件があります", "身分証の写真を送ってください", "続きはテレグラムで",
    "今日の受け子は2名です", "現金は封筒に入れて", "暗証番号のメモも回収", "カードは何枚？", "池袋駅東口集合",
    "スーツで来てください", "ニュース見た？", "雨降ってきた", "ご飯食べた？", "週末空いてる？", "了解しました！",
    "本当に大丈夫なんですか", "やっぱり不安です", "もう辞めたい", "警察には言わないで", "ビットコインで払います",
    "送金しました。ご確認ください", "出金できないのですが", "月利20%保証です", "VIP枠に空きがあります",
]
EN_FRAGMENTS = [
    "ok", "thanks!", "on my way", "see you at 7", "call me when you can", "sent the photo", "lol", "np",
    "check this https://example.com/a/b?c=1", "BTC 1BoatSLRHtKNngkdXEeobR76b53LETtpyT", "meeting moved to 3pm",
]
EMOJI = ["😊", "🙏", "👍", "💰", "🚃", "😅", "‼️", "🤔"]
PUNCT = ["", "", "。", "！", "？", "…", "w", "笑"]


def build_pool(rng: random.Random, size: int) -> list[str]:
    """A pool of distinct texts with a chat-like length distribution (characters, not bytes)."""
    pool = []
    for _ in range(size):
        r = rng.random()
        target = (rng.randint(2, 20) if r < 0.60 else rng.randint(20, 80) if r < 0.90
                  else rng.randint(80, 400) if r < 0.99 else rng.randint(400, 2000))
        fragments = JA_FRAGMENTS if rng.random() < 0.67 else EN_FRAGMENTS
        parts = []
        length = 0
        while length < target:
            f = rng.choice(fragments) + rng.choice(PUNCT)
            if rng.random() < 0.05:
                f += rng.choice(EMOJI)
            if rng.random() < 0.10:
                f += " %d:%02d" % (rng.randint(8, 23), rng.choice((0, 15, 30, 45)))
            parts.append(f)
            length += len(f)
        text = ("" if fragments is JA_FRAGMENTS else " ").join(parts)
        pool.append(text[:max(target, 1)])
    return pool


def split_ddl(ddl: str) -> tuple[str, list[str]]:
    """Tables first, indexes after the bulk insert (the same end result, much faster to build)."""
    statements = [s.strip() for s in ddl.split(";\n") if s.strip()]
    indexes = [s for s in statements if s.upper().startswith(("CREATE INDEX", "CREATE UNIQUE INDEX"))]
    tables = [s for s in statements if s not in indexes]
    return ";\n".join(tables) + ";\n", indexes


def generate(out: Path, n_messages: int, n_chats: int, seed: int) -> dict:
    if n_messages < 1:
        raise SystemExit("--messages must be at least 1")
    rng = random.Random(seed)
    for suffix in ("", "-wal", "-shm", "-journal"):
        p = Path(str(out) + suffix)
        if p.exists():
            p.unlink()
    out.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(str(out), isolation_level=None)
    con.execute("PRAGMA page_size=4096")
    con.execute("PRAGMA auto_vacuum=1")
    con.execute("PRAGMA journal_mode=OFF")
    con.execute("PRAGMA synchronous=OFF")
    con.execute("PRAGMA cache_size=-524288")  # 512 MiB: build the b-trees in memory, write each page once
    con.execute("PRAGMA temp_store=MEMORY")   # index builds sort in memory
    con.execute("PRAGMA user_version=1")
    tables_sql, index_sql = split_ddl(samples.MSGSTORE_DDL)
    con.executescript(tables_sql)
    con.execute("BEGIN")
    con.execute("INSERT INTO props (key, value) VALUES ('user_push_name', 'Bench')")

    # Peers: n_chats one-to-one chats and n_chats/10 groups of 3-30 members.
    n_groups = max(1, n_chats // 10)
    owner = "819000000001"
    jids = [("status", "broadcast", 5), (owner, "s.whatsapp.net", 0)]
    peers = ["81%d%08d" % (rng.choice((70, 80, 90)), 10_000_000 + i) for i in range(n_chats)]
    jids += [(p, "s.whatsapp.net", 0) for p in peers]
    groups = ["1203630%011d" % (rng.randrange(10**11)) for _ in range(n_groups)]
    jids += [(g, "g.us", 1) for g in groups]
    con.executemany("INSERT INTO jid (user, server, agent, device, type, raw_string) VALUES (?,?,0,0,?,?)",
                    [(u, s, t, f"{u}@{s}") for u, s, t in jids])
    peer_jid_row = {p: i + 3 for i, p in enumerate(peers)}
    group_jid_row = {g: 3 + n_chats + i for i, g in enumerate(groups)}
    con.execute("INSERT INTO message (chat_row_id, from_me, key_id, sort_id) VALUES (-1, 0, '-1', 0)")
    chats = []  # (chat_row_id, member jid rows or None for one-to-one, peer jid row)
    for i, p in enumerate(peers):
        con.execute("INSERT INTO chat (jid_row_id, hidden, created_timestamp, archived, group_type) "
                    "VALUES (?,0,?,0,0)", (peer_jid_row[p], START_MS))
        chats.append((i + 1, None, peer_jid_row[p]))
    members_rows = []
    for i, g in enumerate(groups):
        members = rng.sample(list(peer_jid_row.values()), k=min(len(peers), rng.randint(3, 30)))
        con.execute("INSERT INTO chat (jid_row_id, hidden, subject, created_timestamp, archived, group_type) "
                    "VALUES (?,0,?,?,0,0)", (group_jid_row[g], "グループ%03d" % i, START_MS))
        chats.append((n_chats + i + 1, members, group_jid_row[g]))
        members_rows += [(group_jid_row[g], m, 1 if k == 0 else 0) for k, m in enumerate(members)]
    con.executemany("INSERT INTO group_participant_user (group_jid_row_id, user_jid_row_id, rank, pending) "
                    "VALUES (?,?,?,0)", members_rows)
    pool = build_pool(rng, 50_000)
    # The rows themselves are made by SQLite (a recursive CTE): per-row Python takes about a minute per
    # million rows on this machine. Three multiplicative hashes of the row number stand in for random draws
    # (chat with a skewed choice, direction, sender in groups, image or text, pool text), so output is fixed.
    con.execute("CREATE TEMP TABLE pool (id INTEGER PRIMARY KEY, text TEXT)")
    con.executemany("INSERT INTO pool VALUES (?,?)", enumerate(pool))
    con.execute("CREATE TEMP TABLE chats (idx INTEGER PRIMARY KEY, chat_row_id INTEGER, n_members INTEGER)")
    con.executemany("INSERT INTO chats VALUES (?,?,?)",
                    [(k, row, len(m) if m else 0) for k, (row, m, _) in enumerate(chats)])
    con.execute("CREATE TEMP TABLE members (chat_row_id INTEGER, k INTEGER, jid_row_id INTEGER, "
                "PRIMARY KEY (chat_row_id, k))")
    con.executemany("INSERT INTO members VALUES (?,?,?)",
                    [(row, k, j) for row, m, _ in chats if m for k, j in enumerate(m)])
    con.execute(f"""
        INSERT INTO message (chat_row_id, from_me, key_id, sender_jid_row_id, status, broadcast, recipient_count,
                             origination_flags, origin, timestamp, received_timestamp, receipt_server_timestamp,
                             message_type, text_data, starred, lookup_tables, sort_id, message_add_on_flags, view_mode)
        WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {n_messages - 1}),
        h AS (SELECT i, (i * 2654435761 + {seed * 7919}) % 4294967296 AS h1,  -- h2 is a bijection of i: unique keys
                        (i * 2246822519 + 3266489917 + {seed}) % 4294967296 AS h2,
                        ((i + 11) * 3266489917) % 4294967296 AS h3 FROM n),
        s AS (SELECT i, h1, h2, h3, (h2 % 100) < 45 AS from_me, (h2 / 100 % 100) < 8 AS image,
                     chats.chat_row_id AS chat_row_id, chats.n_members AS n_members
              FROM h JOIN chats ON chats.idx = ((h1 % 10000) * (h1 % 10000) * {len(chats)}) / 100000000)
        SELECT chat_row_id, from_me,
               CASE WHEN h1 % 10 < 3 THEN '3A' || printf('%010X%08X', h3 * 256 + h1 % 256, h2)
                    ELSE printf('%08X%08X%08X%08X', h1, h3, (h1 * 31 + h3) % 4294967296, h2) END,
               CASE WHEN from_me OR n_members = 0 THEN 0
                    ELSE (SELECT jid_row_id FROM members m WHERE m.chat_row_id = s.chat_row_id AND m.k = h3 % n_members)
               END,
               CASE WHEN from_me THEN 13 ELSE 0 END, 0,
               CASE WHEN from_me THEN n_members ELSE 0 END, 0, 0,
               {START_MS} + i * 31000 + h1 % 30000,
               {START_MS} + i * 31000 + h1 % 30000 + CASE WHEN from_me THEN 0 ELSE 400 + h3 % 900 END,
               CASE WHEN from_me THEN {START_MS} + i * 31000 + h1 % 30000 + 420 ELSE -1 END,
               image,
               CASE WHEN image AND h3 % 10 < 7 THEN NULL ELSE (SELECT text FROM pool WHERE id = h3 % {len(pool)}) END,
               0, 0, i + 2, 0, 0
        FROM s""")
    con.execute("""
        INSERT INTO message_media (message_row_id, chat_row_id, transferred, file_path, file_size, mime_type, width,
                                   height, media_key_timestamp)
        SELECT _id, chat_row_id, 1,
               'Media/WhatsApp Images/IMG-' || strftime('%Y%m%d', timestamp / 1000, 'unixepoch', '+9 hours') ||
               '-WA' || printf('%04d', _id % 10000) || '.jpg',
               40000 + (_id * 7919) % 900000, 'image/jpeg', 1600, 1200, timestamp / 1000
        FROM message WHERE message_type = 1""")
    con.execute("CREATE TEMP TABLE last AS SELECT chat_row_id, max(_id) AS id, max(timestamp) AS ts FROM message "
                "WHERE chat_row_id > 0 GROUP BY chat_row_id")
    con.execute("UPDATE chat SET last_message_row_id = last.id, display_message_row_id = last.id, "
                "sort_timestamp = last.ts FROM last WHERE last.chat_row_id = chat._id")
    con.execute("COMMIT")
    for stmt in index_sql:
        con.execute(stmt)
    n = con.execute("SELECT count(*) FROM message WHERE chat_row_id > 0").fetchone()[0]
    media = con.execute("SELECT count(*) FROM message_media").fetchone()[0]
    con.close()
    return {"messages": n, "media": media, "chats": len(chats), "groups": n_groups, "bytes": out.stat().st_size}


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--messages", type=int, default=1_000_000, help="number of messages (default 1,000,000)")
    ap.add_argument("--chats", type=int, default=300, help="one-to-one chats; groups are a tenth of this")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, required=True, help="path of the msgstore.db to write")
    args = ap.parse_args(argv)
    t0 = time.monotonic()
    stats = generate(args.out, args.messages, args.chats, args.seed)
    stats["seconds"] = round(time.monotonic() - t0, 2)
    print(stats)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
