#!/usr/bin/python3
"""Fills gui/translations/kanshiki_ja.ts (Japanese) and kanshiki_en.ts (English) after lupdate.

  /usr/lib/qt6/bin/lupdate -locations none -no-obsolete gui/*.cpp gui/*.h gui/models/*.cpp gui/models/*.h \
      -ts gui/translations/kanshiki_ja.ts gui/translations/kanshiki_en.ts
  /usr/bin/python3 gui/translations/fill_translations.py

Japanese texts live in JA below (one place to review them). English: the source texts are English, so the
file only humanises the schema column names ("sender_name" -> "Sender name"). A source without a Japanese
text is reported and left unfinished, so a missing translation is visible, never silent.
"""
import html
import re
import sys
from pathlib import Path

JA = {
    # Columns (provenance and common)
    "Recovered": "復元", "Exhibit": "資料番号", "Item path": "アイテムのパス", "Source table": "元テーブル",
    "Row id": "行 ID", "Offset": "オフセット", "Parser": "パーサ", "Parser version": "パーサのバージョン",
    "Item SHA-256": "アイテム SHA-256", "Artifact id": "アーティファクト ID", "Time": "日時", "Path": "パス",
    "Size": "サイズ", "SHA-256": "SHA-256", "MD5": "MD5", "SHA-1": "SHA-1", "Modified": "更新日時",
    "Physical name": "物理名", "Note": "メモ", "Type": "種別", "App": "アプリ", "Summary": "概要", "Label": "ラベル",
    "Format": "形式", "Items": "アイテム数", "Status": "状態", "Problems": "問題", "Ingested": "取込日時",
    "Container SHA-256": "コンテナ SHA-256", "Manifest SHA-256": "マニフェスト SHA-256", "Source": "ソース",
    "Thread": "スレッド", "Name": "名前", "Messages": "メッセージ", "Last activity": "最終活動",
    "Evidence id": "証拠 ID", "Seq": "番号", "Examiner": "検査者", "Action": "操作", "Parameters": "パラメータ",
    "Error": "エラー", "Entry hash": "エントリハッシュ", "Tag": "タグ", "Tagged": "タグ付け日時",
    "Latitude": "緯度", "Longitude": "経度", "From": "開始", "To": "終了", "Events": "件数", "Field": "項目",
    "Value": "値", "Column": "列",
    "Thumbnail": "サムネイル", "Thumbnail note": "サムネイルの注記",
    # schema column names
    "app": "アプリ", "account": "アカウント", "thread_key": "スレッドキー", "sender": "送信者",
    "sender_name": "送信者名", "recipients": "受信者", "direction": "方向", "text": "本文",
    "attachments": "添付", "status": "状態", "kind": "種類", "edited": "編集済", "deleted": "削除済",
    "expires_in_s": "消去まで（秒）", "time_raw": "日時（生値）", "time_epoch": "日時（基準）", "name": "名前",
    "is_group": "グループ", "last_activity_utc": "最終活動", "last_activity_raw": "最終活動（生値）",
    "last_activity_epoch": "最終活動（基準）", "identifier": "識別子", "role": "役割", "number": "番号",
    "number_e164": "番号（E.164）", "duration_s": "通話時間（秒）", "video": "ビデオ", "country_iso": "国",
    "phones": "電話番号", "emails": "メール", "organization": "組織", "note": "メモ",
    "times_contacted": "連絡回数", "last_contacted_utc": "最終連絡", "last_contacted_raw": "最終連絡（生値）",
    "last_contacted_epoch": "最終連絡（基準）", "browser": "ブラウザ", "url": "URL", "title": "タイトル",
    "visit_count": "訪問回数", "typed_count": "入力回数", "transition": "遷移", "latitude": "緯度",
    "longitude": "経度", "accuracy_m": "精度（m）", "altitude_m": "高度（m）", "source": "ソース",
    "label": "ラベル", "path": "パス", "mime_type": "MIME タイプ", "size": "サイズ", "sha256": "SHA-256",
    "make": "メーカー", "model": "機種", "software": "ソフトウェア", "captured_raw": "撮影日時（生値）",
    "captured_epoch": "撮影日時（基準）", "username": "ユーザー名", "display_name": "表示名",
    "version": "バージョン", "installed_raw": "インストール日時（生値）", "installed_epoch": "インストール日時（基準）",
    "key": "キー", "value": "値",
    # provenance pane
    "artifact_id": "アーティファクト ID", "type": "種別", "time": "日時", "evidence": "証拠品",
    "evidence_source": "証拠の所在", "item_path": "アイテムのパス", "item_sha256": "アイテム SHA-256",
    "item_md5": "アイテム MD5", "item_sha1": "アイテム SHA-1", "item_size": "アイテムのサイズ",
    "source_table": "元テーブル", "source_rowid": "元の行 ID", "source_offset": "元のオフセット",
    "source_detail": "元の詳細", "parser": "パーサ（バージョン）", "recovered": "復元", "tag": "タグ", "Key": "キー",
    # types
    "Calls": "通話", "Contacts": "連絡先", "Locations": "位置情報", "Media": "メディア", "Web history": "閲覧履歴",
    "Accounts": "アカウント", "Installed apps": "インストール済みアプリ", "Device": "端末", "Threads": "スレッド",
    "Participants": "参加者",
    # conversation
    "Device owner": "端末の使用者", "⟲ recovered (deleted record)": "⟲ 復元（削除されたレコード）",
    "deleted": "削除済", "⏱ disappearing (%1 s)": "⏱ 消えるメッセージ（%1 秒）", "edited": "編集済",
    "Choose a conversation": "会話を選択してください", "Find in conversation…": "会話内を検索…",
    "Show in table": "表で表示", "%n message(s)": "%n 件のメッセージ",
    # custody
    "Chain of custody": "証拠保全記録（チェーン・オブ・カストディ）", "Verify log": "記録を検証",
    "Checks every entry's hash, the chain, the signatures and the anchor": "各エントリのハッシュ、連鎖、署名、アンカーを検証します",
    "Verifying the custody log…": "保全記録を検証しています…",
    # tables
    "Default columns": "既定の列", "Filter (substring, Japanese works)…": "絞り込み（部分一致・日本語可）…",
    "Right-click the header to choose columns": "見出しを右クリックして列を選択",
    "counting…": "件数を数えています…", "%n row(s)": "%n 行",
    # evidence
    "Evidence": "証拠品", "Verify now": "今すぐ検証",
    "Re-hashes every evidence item against the ingest record, in the background": "すべての証拠アイテムを再ハッシュし、取込時の記録と照合します（バックグラウンド）",
    "Filter items by path or SHA-256": "パスまたは SHA-256 でアイテムを絞り込み",
    "Not verified since ingest": "取込後に未検証", "✔ Last verification passed: %1": "✔ 前回の検証は成功: %1",
    "✘ Last verification FAILED: %1": "✘ 前回の検証は失敗: %1",
    # histogram / map
    "Loading…": "読み込み中…", "No timed events": "日時のあるイベントはありません",
    "%1 – %2: %n event(s)": "%1 – %2: %n 件",
    "MBTiles file unusable (%1); showing the coordinate canvas": "MBTiles ファイルを使用できません（%1）。座標キャンバスを表示します",
    "Offline canvas (no tiles)": "オフライン座標表示（地図タイルなし）", "Offline tiles: %1": "オフライン地図タイル: %1",
    "No located artifacts in this case": "この事件には位置情報のあるアーティファクトがありません",
    "%n point(s) from %1\n%2 %3": "%1 の地点 %n 件\n%2 %3", "%n point(s) — %1": "%n 地点 — %1",
    "Map (offline)": "地図（オフライン）",
    "Scroll to zoom, drag to pan, click a point to see its artifact": "スクロールで拡大縮小、ドラッグで移動、地点をクリックでアーティファクトを表示",
    "Fit to points": "全地点を表示",
    # main window
    "Artifacts": "アーティファクト", "Conversations": "会話", "Timeline": "タイムライン", "Map": "地図",
    "Search": "検索", "Tags": "タグ", "Custody log": "保全記録", "Kanshiki workbench": "鑑識ワークベンチ",
    "Cancel": "キャンセル", "Times: %1": "時刻: %1", "&Case": "事件(&C)", "&Open case…": "事件を開く(&O)…",
    "&New case…": "新しい事件(&N)…", "Recent cases": "最近の事件", "&Ingest evidence…": "証拠を取り込む(&I)…",
    "&Process (run parsers)": "解析を実行(&P)", "&Verify evidence": "証拠を検証(&V)",
    "Write &report…": "報告書を作成(&R)…", "&Settings…": "設定(&S)…", "&Quit": "終了(&Q)", "Main": "メイン",
    "Show times in ": "時刻の表示: ", "Device zone (%1)": "端末のタイムゾーン（%1）",
    "Open a case to review its evidence, or create a new one.": "事件を開いて証拠を確認するか、新しい事件を作成してください。",
    "Open case…": "事件を開く…", "New case…": "新しい事件…",
    "%1 is not a case folder (no case.db)": "%1 は事件フォルダではありません（case.db がありません）",
    "Provenance": "出所（プロビナンス）", "Kanshiki workbench — %1": "鑑識ワークベンチ — %1",
    "Examiner: %1": "検査者: %1",
    "No examiner identity: tags are disabled (run kanshiki examiner init)": "検査者 ID がありません: タグは使えません（kanshiki examiner init を実行）",
    "Report written: %1": "報告書を作成しました: %1", "Report failed: %1": "報告書の作成に失敗: %1",
    "“%1” is still running; wait for it or cancel it": "「%1」を実行中です。終了を待つかキャンセルしてください",
    "%1…": "%1…", "%1 cancelled or failed to start": "%1 はキャンセルされたか開始できませんでした",
    "%1 finished (%2 s)": "%1 が完了しました（%2 秒）", "%1 failed (exit code %2): %3": "%1 が失敗しました（終了コード %2）: %3",
    "Open case folder": "事件フォルダを開く", "New case folder": "新しい事件フォルダ", "New case": "新しい事件",
    "Case number": "事件番号", "Create case": "事件の作成", "Ingest evidence": "証拠の取り込み", "File…": "ファイル…",
    "Folder…": "フォルダ…", "Exhibit number": "資料番号", "Evidence file": "証拠ファイル",
    "Evidence folder": "証拠フォルダ", "Ingest": "取り込み", "Process": "解析", "Verify evidence": "証拠の検証",
    "Settings": "設定", "Language": "言語",
    "IANA zone of the seized device, e.g. Asia/Tokyo, used when times are shown in the device zone": "押収端末の IANA タイムゾーン（例: Asia/Tokyo）。端末のタイムゾーンで表示するときに使います",
    "Device time zone": "端末のタイムゾーン",
    "Optional: an MBTiles file of raster tiles (offline)": "任意: ラスタ地図タイルの MBTiles ファイル（オフライン）",
    "Map tiles (MBTiles)": "地図タイル（MBTiles）",
    # provenance pane
    "Select a row to see where it came from.": "行を選択すると、その出所を表示します。", "Tag, e.g. 重要": "タグ（例: 重要）",
    "Note (optional)": "メモ（任意）", "Adds the tag; the change is signed into the custody log": "タグを付けます。変更は署名付きで保全記録に残ります",
    "Show source…": "元データを表示…",
    "Reads the source row (or bytes) from a fresh, hash-verified copy of the evidence item": "証拠アイテムの新しいコピー（ハッシュ検証済み）から元の行（またはバイト列）を読みます",
    "Artifact %1 — provenance": "アーティファクト %1 — 出所", "Tag added and written to the custody log": "タグを付け、保全記録に記録しました",
    "Source of artifact %1": "アーティファクト %1 の元データ",
    "Copying the item out of the evidence and checking its SHA-256…": "証拠からアイテムをコピーし、SHA-256 を確認しています…",
    # report wizard
    "Write a report": "報告書の作成", "What goes into the report": "報告書に含める内容",
    "The report is written by the report engine and recorded in the custody log.": "報告書は報告書エンジンが作成し、保全記録に記録されます。",
    "All findings": "すべての検出結果", "Tagged findings only": "タグ付きの検出結果のみ", "Findings": "検出結果",
    "Default: CASE/reports/report.<format>": "既定: 事件フォルダ/reports/report.<形式>", "Browse…": "参照…",
    "Output": "出力先", "Report file": "報告書ファイル", "Writing the report": "報告書を作成しています",
    "This version of the report engine writes all findings (no tagged-only report).": "この版の報告書エンジンはすべての検出結果を出力します（タグ付きのみは未対応）。",
    "Report": "報告書", "The report failed (exit code %1).": "報告書の作成に失敗しました（終了コード %1）。",
    "Cannot start %1: %2": "%1 を開始できません: %2",
    # search
    "Search message text and contacts (substring; e.g. ホワイト案件)": "メッセージ本文と連絡先を検索（部分一致。例: ホワイト案件）",
    "In the display zone (%1)": "表示タイムゾーン（%1）", "All devices": "すべての端末", "All apps": "すべてのアプリ",
    "%n hit(s) for “%1”": "「%1」の検索結果 %n 件", "Search not written to the custody log: %1": "検索を保全記録に記録できませんでした: %1",
    "Searching…": "検索しています…",
    # tags / timeline
    "Tags, bookmarks and notes": "タグ・ブックマーク・メモ", "Remove tag": "タグを外す",
    "Removing a tag is also signed into the custody log": "タグを外した記録も署名付きで保全記録に残ります",
    "Timeline — all artifact types and devices": "タイムライン — すべての種別・端末", "Zoom out": "縮小",
    "Whole case": "事件全体", "Drag across bars to zoom in; double-click to zoom out": "棒をドラッグして拡大、ダブルクリックで縮小",
    "%n event(s)": "%n 件",
}


def humanise(s):
    return s.replace("_", " ").capitalize() if re.fullmatch(r"[a-z0-9_]+", s) else None


# Contexts that are classes in namespace kanshiki::gui: lupdate 6.4 drops the C++17 nested namespace from the
# context name, but tr() at run time uses the qualified class name.
PLAIN_CONTEXTS = {"Columns", "Types", "Conversation", "Pages", "Navigation", "Provenance"}


def qualify_contexts(text):
    def ctx(m):
        name = m.group(1)
        if name in PLAIN_CONTEXTS or name.startswith("kanshiki::"):
            return m.group(0)
        return f"<name>kanshiki::gui::{name}</name>"
    return re.sub(r"<name>([^<]*)</name>", ctx, text)


def fill(path, lang):
    text = qualify_contexts(Path(path).read_text(encoding="utf-8"))
    missing = []

    def message(m):
        block = m.group(0)
        src = html.unescape(re.search(r"<source>(.*?)</source>", block, re.S).group(1))
        if lang == "ja":
            tr = JA.get(src)
        else:
            tr = humanise(src) or src
        if tr is None:
            missing.append(src)
            return block
        esc = html.escape(tr, quote=False)
        if 'numerus="yes"' in block:
            new = f"<translation><numerusform>{esc}</numerusform></translation>"
        else:
            new = f"<translation>{esc}</translation>"
        return re.sub(r"<translation[^>]*>.*?</translation>|<translation[^>]*/>", new, block, flags=re.S)

    text = re.sub(r"<message[^>]*>.*?</message>", message, text, flags=re.S)
    Path(path).write_text(text, encoding="utf-8")
    for s in missing:
        print(f"{path}: no {lang} translation for: {s!r}", file=sys.stderr)
    return len(missing)


here = Path(__file__).resolve().parent
bad = fill(here / "kanshiki_ja.ts", "ja") + fill(here / "kanshiki_en.ts", "en")
sys.exit(1 if bad else 0)
