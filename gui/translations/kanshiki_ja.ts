<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ja_JP">
<context>
    <name>kanshiki::gui::ArtifactsPage</name>
    <message>
        <source>Filter (substring, Japanese works)…</source>
        <translation>絞り込み（部分一致・日本語可）…</translation>
    </message>
    <message>
        <source>Right-click the header to choose columns</source>
        <translation>見出しを右クリックして列を選択</translation>
    </message>
</context>
<context>
    <name>kanshiki::gui::CliJob</name>
    <message>
        <source>Cannot start %1: %2</source>
        <translation>%1 を開始できません: %2</translation>
    </message>
</context>
<context>
    <name>Columns</name>
    <message>
        <source>Recovered</source>
        <translation>復元</translation>
    </message>
    <message>
        <source>Exhibit</source>
        <translation>資料番号</translation>
    </message>
    <message>
        <source>Item path</source>
        <translation>アイテムのパス</translation>
    </message>
    <message>
        <source>Source table</source>
        <translation>元テーブル</translation>
    </message>
    <message>
        <source>Row id</source>
        <translation>行 ID</translation>
    </message>
    <message>
        <source>Offset</source>
        <translation>オフセット</translation>
    </message>
    <message>
        <source>Parser</source>
        <translation>パーサ</translation>
    </message>
    <message>
        <source>Parser version</source>
        <translation>パーサのバージョン</translation>
    </message>
    <message>
        <source>Item SHA-256</source>
        <translation>アイテム SHA-256</translation>
    </message>
    <message>
        <source>Artifact id</source>
        <translation>アーティファクト ID</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>日時</translation>
    </message>
    <message>
        <source>Path</source>
        <translation>パス</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>サイズ</translation>
    </message>
    <message>
        <source>SHA-256</source>
        <translation>SHA-256</translation>
    </message>
    <message>
        <source>MD5</source>
        <translation>MD5</translation>
    </message>
    <message>
        <source>SHA-1</source>
        <translation>SHA-1</translation>
    </message>
    <message>
        <source>Modified</source>
        <translation>更新日時</translation>
    </message>
    <message>
        <source>Physical name</source>
        <translation>物理名</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>メモ</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>種別</translation>
    </message>
    <message>
        <source>App</source>
        <translation>アプリ</translation>
    </message>
    <message>
        <source>Summary</source>
        <translation>概要</translation>
    </message>
    <message>
        <source>Label</source>
        <translation>ラベル</translation>
    </message>
    <message>
        <source>Format</source>
        <translation>形式</translation>
    </message>
    <message>
        <source>Items</source>
        <translation>アイテム数</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状態</translation>
    </message>
    <message>
        <source>Problems</source>
        <translation>問題</translation>
    </message>
    <message>
        <source>Ingested</source>
        <translation>取込日時</translation>
    </message>
    <message>
        <source>Container SHA-256</source>
        <translation>コンテナ SHA-256</translation>
    </message>
    <message>
        <source>Manifest SHA-256</source>
        <translation>マニフェスト SHA-256</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>ソース</translation>
    </message>
    <message>
        <source>Thread</source>
        <translation>スレッド</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名前</translation>
    </message>
    <message>
        <source>Messages</source>
        <translation>メッセージ</translation>
    </message>
    <message>
        <source>Last activity</source>
        <translation>最終活動</translation>
    </message>
    <message>
        <source>Evidence id</source>
        <translation>証拠 ID</translation>
    </message>
    <message>
        <source>Seq</source>
        <translation>番号</translation>
    </message>
    <message>
        <source>Examiner</source>
        <translation>検査者</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>操作</translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation>パラメータ</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>エラー</translation>
    </message>
    <message>
        <source>Entry hash</source>
        <translation>エントリハッシュ</translation>
    </message>
    <message>
        <source>Tag</source>
        <translation>タグ</translation>
    </message>
    <message>
        <source>Tagged</source>
        <translation>タグ付け日時</translation>
    </message>
    <message>
        <source>Latitude</source>
        <translation>緯度</translation>
    </message>
    <message>
        <source>Longitude</source>
        <translation>経度</translation>
    </message>
    <message>
        <source>From</source>
        <translation>開始</translation>
    </message>
    <message>
        <source>To</source>
        <translation>終了</translation>
    </message>
    <message>
        <source>Events</source>
        <translation>件数</translation>
    </message>
    <message>
        <source>Field</source>
        <translation>項目</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>値</translation>
    </message>
    <message>
        <source>app</source>
        <translation>アプリ</translation>
    </message>
    <message>
        <source>account</source>
        <translation>アカウント</translation>
    </message>
    <message>
        <source>thread_key</source>
        <translation>スレッドキー</translation>
    </message>
    <message>
        <source>sender</source>
        <translation>送信者</translation>
    </message>
    <message>
        <source>sender_name</source>
        <translation>送信者名</translation>
    </message>
    <message>
        <source>recipients</source>
        <translation>受信者</translation>
    </message>
    <message>
        <source>direction</source>
        <translation>方向</translation>
    </message>
    <message>
        <source>text</source>
        <translation>本文</translation>
    </message>
    <message>
        <source>attachments</source>
        <translation>添付</translation>
    </message>
    <message>
        <source>status</source>
        <translation>状態</translation>
    </message>
    <message>
        <source>kind</source>
        <translation>種類</translation>
    </message>
    <message>
        <source>edited</source>
        <translation>編集済</translation>
    </message>
    <message>
        <source>deleted</source>
        <translation>削除済</translation>
    </message>
    <message>
        <source>expires_in_s</source>
        <translation>消去まで（秒）</translation>
    </message>
    <message>
        <source>time_raw</source>
        <translation>日時（生値）</translation>
    </message>
    <message>
        <source>time_epoch</source>
        <translation>日時（基準）</translation>
    </message>
    <message>
        <source>name</source>
        <translation>名前</translation>
    </message>
    <message>
        <source>is_group</source>
        <translation>グループ</translation>
    </message>
    <message>
        <source>last_activity_utc</source>
        <translation>最終活動</translation>
    </message>
    <message>
        <source>last_activity_raw</source>
        <translation>最終活動（生値）</translation>
    </message>
    <message>
        <source>last_activity_epoch</source>
        <translation>最終活動（基準）</translation>
    </message>
    <message>
        <source>identifier</source>
        <translation>識別子</translation>
    </message>
    <message>
        <source>role</source>
        <translation>役割</translation>
    </message>
    <message>
        <source>number</source>
        <translation>番号</translation>
    </message>
    <message>
        <source>number_e164</source>
        <translation>番号（E.164）</translation>
    </message>
    <message>
        <source>duration_s</source>
        <translation>通話時間（秒）</translation>
    </message>
    <message>
        <source>video</source>
        <translation>ビデオ</translation>
    </message>
    <message>
        <source>country_iso</source>
        <translation>国</translation>
    </message>
    <message>
        <source>phones</source>
        <translation>電話番号</translation>
    </message>
    <message>
        <source>emails</source>
        <translation>メール</translation>
    </message>
    <message>
        <source>organization</source>
        <translation>組織</translation>
    </message>
    <message>
        <source>note</source>
        <translation>メモ</translation>
    </message>
    <message>
        <source>times_contacted</source>
        <translation>連絡回数</translation>
    </message>
    <message>
        <source>last_contacted_utc</source>
        <translation>最終連絡</translation>
    </message>
    <message>
        <source>last_contacted_raw</source>
        <translation>最終連絡（生値）</translation>
    </message>
    <message>
        <source>last_contacted_epoch</source>
        <translation>最終連絡（基準）</translation>
    </message>
    <message>
        <source>browser</source>
        <translation>ブラウザ</translation>
    </message>
    <message>
        <source>url</source>
        <translation>URL</translation>
    </message>
    <message>
        <source>title</source>
        <translation>タイトル</translation>
    </message>
    <message>
        <source>visit_count</source>
        <translation>訪問回数</translation>
    </message>
    <message>
        <source>typed_count</source>
        <translation>入力回数</translation>
    </message>
    <message>
        <source>transition</source>
        <translation>遷移</translation>
    </message>
    <message>
        <source>latitude</source>
        <translation>緯度</translation>
    </message>
    <message>
        <source>longitude</source>
        <translation>経度</translation>
    </message>
    <message>
        <source>accuracy_m</source>
        <translation>精度（m）</translation>
    </message>
    <message>
        <source>altitude_m</source>
        <translation>高度（m）</translation>
    </message>
    <message>
        <source>source</source>
        <translation>ソース</translation>
    </message>
    <message>
        <source>label</source>
        <translation>ラベル</translation>
    </message>
    <message>
        <source>path</source>
        <translation>パス</translation>
    </message>
    <message>
        <source>mime_type</source>
        <translation>MIME タイプ</translation>
    </message>
    <message>
        <source>size</source>
        <translation>サイズ</translation>
    </message>
    <message>
        <source>sha256</source>
        <translation>SHA-256</translation>
    </message>
    <message>
        <source>make</source>
        <translation>メーカー</translation>
    </message>
    <message>
        <source>model</source>
        <translation>機種</translation>
    </message>
    <message>
        <source>software</source>
        <translation>ソフトウェア</translation>
    </message>
    <message>
        <source>captured_raw</source>
        <translation>撮影日時（生値）</translation>
    </message>
    <message>
        <source>captured_epoch</source>
        <translation>撮影日時（基準）</translation>
    </message>
    <message>
        <source>username</source>
        <translation>ユーザー名</translation>
    </message>
    <message>
        <source>display_name</source>
        <translation>表示名</translation>
    </message>
    <message>
        <source>version</source>
        <translation>バージョン</translation>
    </message>
    <message>
        <source>installed_raw</source>
        <translation>インストール日時（生値）</translation>
    </message>
    <message>
        <source>installed_epoch</source>
        <translation>インストール日時（基準）</translation>
    </message>
    <message>
        <source>key</source>
        <translation>キー</translation>
    </message>
    <message>
        <source>value</source>
        <translation>値</translation>
    </message>
    <message>
        <source>Key</source>
        <translation>キー</translation>
    </message>
    <message>
        <source>Thumbnail</source>
        <translation>サムネイル</translation>
    </message>
    <message>
        <source>Thumbnail note</source>
        <translation>サムネイルの注記</translation>
    </message>
</context>
<context>
    <name>Conversation</name>
    <message>
        <source>Device owner</source>
        <translation>端末の使用者</translation>
    </message>
    <message>
        <source>⟲ recovered (deleted record)</source>
        <translation>⟲ 復元（削除されたレコード）</translation>
    </message>
    <message>
        <source>deleted</source>
        <translation>削除済</translation>
    </message>
    <message>
        <source>⏱ disappearing (%1 s)</source>
        <translation>⏱ 消えるメッセージ（%1 秒）</translation>
    </message>
    <message>
        <source>edited</source>
        <translation>編集済</translation>
    </message>
</context>
<context>
    <name>kanshiki::gui::ConversationsPage</name>
    <message>
        <source>Choose a conversation</source>
        <translation>会話を選択してください</translation>
    </message>
    <message>
        <source>Find in conversation…</source>
        <translation>会話内を検索…</translation>
    </message>
    <message>
        <source>Show in table</source>
        <translation>表で表示</translation>
    </message>
    <message numerus="yes">
        <source>%n message(s)</source>
        <translation><numerusform>%n 件のメッセージ</numerusform></translation>
    </message>
</context>
<context>
    <name>kanshiki::gui::CustodyPage</name>
    <message>
        <source>Chain of custody</source>
        <translation>証拠保全記録（チェーン・オブ・カストディ）</translation>
    </message>
    <message>
        <source>Verify log</source>
        <translation>記録を検証</translation>
    </message>
    <message>
        <source>Checks every entry&apos;s hash, the chain, the signatures and the anchor</source>
        <translation>各エントリのハッシュ、連鎖、署名、アンカーを検証します</translation>
    </message>
    <message>
        <source>Verifying the custody log…</source>
        <translation>保全記録を検証しています…</translation>
    </message>
</context>
<context>
    <name>kanshiki::gui::DataTable</name>
    <message>
        <source>Default columns</source>
        <translation>既定の列</translation>
    </message>
</context>
<context>
    <name>kanshiki::gui::EvidencePage</name>
    <message>
        <source>Evidence</source>
        <translation>証拠品</translation>
    </message>
    <message>
        <source>Verify now</source>
        <translation>今すぐ検証</translation>
    </message>
    <message>
        <source>Re-hashes every evidence item against the ingest record, in the background</source>
        <translation>すべての証拠アイテムを再ハッシュし、取込時の記録と照合します（バックグラウンド）</translation>
    </message>
    <message>
        <source>Filter items by path or SHA-256</source>
        <translation>パスまたは SHA-256 でアイテムを絞り込み</translation>
    </message>
    <message>
        <source>Not verified since ingest</source>
        <translation>取込後に未検証</translation>
    </message>
    <message>
        <source>✔ Last verification passed: %1</source>
        <translation>✔ 前回の検証は成功: %1</translation>
    </message>
    <message>
        <source>✘ Last verification FAILED: %1</source>
        <translation>✘ 前回の検証は失敗: %1</translation>
    </message>
</context>
<context>
    <name>kanshiki::gui::HistogramWidget</name>
    <message>
        <source>Loading…</source>
        <translation>読み込み中…</translation>
    </message>
    <message>
        <source>No timed events</source>
        <translation>日時のあるイベントはありません</translation>
    </message>
    <message numerus="yes">
        <source>%1 – %2: %n event(s)</source>
        <translation><numerusform>%1 – %2: %n 件</numerusform></translation>
    </message>
</context>
<context>
    <name>kanshiki::gui::MainWindow</name>
    <message>
        <source>Kanshiki workbench</source>
        <translation>鑑識ワークベンチ</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>キャンセル</translation>
    </message>
    <message>
        <source>Times: %1</source>
        <translation>時刻: %1</translation>
    </message>
    <message>
        <source>&amp;Case</source>
        <translation>事件(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;Open case…</source>
        <translation>事件を開く(&amp;O)…</translation>
    </message>
    <message>
        <source>&amp;New case…</source>
        <translation>新しい事件(&amp;N)…</translation>
    </message>
    <message>
        <source>Recent cases</source>
        <translation>最近の事件</translation>
    </message>
    <message>
        <source>&amp;Ingest evidence…</source>
        <translation>証拠を取り込む(&amp;I)…</translation>
    </message>
    <message>
        <source>&amp;Process (run parsers)</source>
        <translation>解析を実行(&amp;P)</translation>
    </message>
    <message>
        <source>&amp;Verify evidence</source>
        <translation>証拠を検証(&amp;V)</translation>
    </message>
    <message>
        <source>Write &amp;report…</source>
        <translation>報告書を作成(&amp;R)…</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>設定(&amp;S)…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>終了(&amp;Q)</translation>
    </message>
    <message>
        <source>Main</source>
        <translation>メイン</translation>
    </message>
    <message>
        <source>Show times in </source>
        <translation>時刻の表示: </translation>
    </message>
    <message>
        <source>Device zone (%1)</source>
        <translation>端末のタイムゾーン（%1）</translation>
    </message>
    <message>
        <source>Open a case to review its evidence, or create a new one.</source>
        <translation>事件を開いて証拠を確認するか、新しい事件を作成してください。</translation>
    </message>
    <message>
        <source>Open case…</source>
        <translation>事件を開く…</translation>
    </message>
    <message>
        <source>New case…</source>
        <translation>新しい事件…</translation>
    </message>
    <message>
        <source>%1 is not a case folder (no case.db)</source>
        <translation>%1 は事件フォルダではありません（case.db がありません）</translation>
    </message>
    <message>
        <source>Provenance</source>
        <translation>出所（プロビナンス）</translation>
    </message>
    <message>
        <source>Kanshiki workbench — %1</source>
        <translation>鑑識ワークベンチ — %1</translation>
    </message>
    <message>
        <source>Examiner: %1</source>
        <translation>検査者: %1</translation>
    </message>
    <message>
        <source>No examiner identity: tags are disabled (run kanshiki examiner init)</source>
        <translation>検査者 ID がありません: タグは使えません（kanshiki examiner init を実行）</translation>
    </message>
    <message>
        <source>Report written: %1</source>
        <translation>報告書を作成しました: %1</translation>
    </message>
    <message>
        <source>Report failed: %1</source>
        <translation>報告書の作成に失敗: %1</translation>
    </message>
    <message>
        <source>“%1” is still running; wait for it or cancel it</source>
        <translation>「%1」を実行中です。終了を待つかキャンセルしてください</translation>
    </message>
    <message>
        <source>%1…</source>
        <translation>%1…</translation>
    </message>
    <message>
        <source>%1 cancelled or failed to start</source>
        <translation>%1 はキャンセルされたか開始できませんでした</translation>
    </message>
    <message>
        <source>%1 finished (%2 s)</source>
        <translation>%1 が完了しました（%2 秒）</translation>
    </message>
    <message>
        <source>%1 failed (exit code %2): %3</source>
        <translation>%1 が失敗しました（終了コード %2）: %3</translation>
    </message>
    <message>
        <source>Open case folder</source>
        <translation>事件フォルダを開く</translation>
    </message>
    <message>
        <source>New case folder</source>
        <translation>新しい事件フォルダ</translation>
    </message>
    <message>
        <source>New case</source>
        <translation>新しい事件</translation>
    </message>
    <message>
        <source>Case number</source>
        <translation>事件番号</translation>
    </message>
    <message>
        <source>Create case</source>
        <translation>事件の作成</translation>
    </message>
    <message>
        <source>Ingest evidence</source>
        <translation>証拠の取り込み</translation>
    </message>
    <message>
        <source>File…</source>
        <translation>ファイル…</translation>
    </message>
    <message>
        <source>Folder…</source>
        <translation>フォルダ…</translation>
    </message>
    <message>
        <source>Evidence</source>
        <translation>証拠品</translation>
    </message>
    <message>
        <source>Exhibit number</source>
        <translation>資料番号</translation>
    </message>
    <message>
        <source>Label</source>
        <translation>ラベル</translation>
    </message>
    <message>
        <source>Evidence file</source>
        <translation>証拠ファイル</translation>
    </message>
    <message>
        <source>Evidence folder</source>
        <translation>証拠フォルダ</translation>
    </message>
    <message>
        <source>Ingest</source>
        <translation>取り込み</translation>
    </message>
    <message>
        <source>Process</source>
        <translation>解析</translation>
    </message>
    <message>
        <source>Verify evidence</source>
        <translation>証拠の検証</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>設定</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>言語</translation>
    </message>
    <message>
        <source>IANA zone of the seized device, e.g. Asia/Tokyo, used when times are shown in the device zone</source>
        <translation>押収端末の IANA タイムゾーン（例: Asia/Tokyo）。端末のタイムゾーンで表示するときに使います</translation>
    </message>
    <message>
        <source>Device time zone</source>
        <translation>端末のタイムゾーン</translation>
    </message>
    <message>
        <source>Optional: an MBTiles file of raster tiles (offline)</source>
        <translation>任意: ラスタ地図タイルの MBTiles ファイル（オフライン）</translation>
    </message>
    <message>
        <source>Map tiles (MBTiles)</source>
        <translation>地図タイル（MBTiles）</translation>
    </message>
</context>
<context>
    <name>kanshiki::gui::MapCanvas</name>
    <message>
        <source>MBTiles file unusable (%1); showing the coordinate canvas</source>
        <translation>MBTiles ファイルを使用できません（%1）。座標キャンバスを表示します</translation>
    </message>
    <message>
        <source>Offline canvas (no tiles)</source>
        <translation>オフライン座標表示（地図タイルなし）</translation>
    </message>
    <message>
        <source>Offline tiles: %1</source>
        <translation>オフライン地図タイル: %1</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>読み込み中…</translation>
    </message>
    <message>
        <source>No located artifacts in this case</source>
        <translation>この事件には位置情報のあるアーティファクトがありません</translation>
    </message>
    <message numerus="yes">
        <source>%n point(s) from %1
%2 %3</source>
        <translation><numerusform>%1 の地点 %n 件
%2 %3</numerusform></translation>
    </message>
    <message numerus="yes">
        <source>%n point(s) — %1</source>
        <translation><numerusform>%n 地点 — %1</numerusform></translation>
    </message>
</context>
<context>
    <name>kanshiki::gui::MapPage</name>
    <message>
        <source>Map (offline)</source>
        <translation>地図（オフライン）</translation>
    </message>
    <message>
        <source>Scroll to zoom, drag to pan, click a point to see its artifact</source>
        <translation>スクロールで拡大縮小、ドラッグで移動、地点をクリックでアーティファクトを表示</translation>
    </message>
    <message>
        <source>Fit to points</source>
        <translation>全地点を表示</translation>
    </message>
</context>
<context>
    <name>Navigation</name>
    <message>
        <source>Evidence</source>
        <translation>証拠品</translation>
    </message>
    <message>
        <source>Artifacts</source>
        <translation>アーティファクト</translation>
    </message>
    <message>
        <source>Conversations</source>
        <translation>会話</translation>
    </message>
    <message>
        <source>Timeline</source>
        <translation>タイムライン</translation>
    </message>
    <message>
        <source>Map</source>
        <translation>地図</translation>
    </message>
    <message>
        <source>Search</source>
        <translation>検索</translation>
    </message>
    <message>
        <source>Tags</source>
        <translation>タグ</translation>
    </message>
    <message>
        <source>Custody log</source>
        <translation>保全記録</translation>
    </message>
</context>
<context>
    <name>Pages</name>
    <message>
        <source>counting…</source>
        <translation>件数を数えています…</translation>
    </message>
    <message numerus="yes">
        <source>%n row(s)</source>
        <translation><numerusform>%n 行</numerusform></translation>
    </message>
</context>
<context>
    <name>Provenance</name>
    <message>
        <source>artifact_id</source>
        <translation>アーティファクト ID</translation>
    </message>
    <message>
        <source>type</source>
        <translation>種別</translation>
    </message>
    <message>
        <source>time</source>
        <translation>日時</translation>
    </message>
    <message>
        <source>evidence</source>
        <translation>証拠品</translation>
    </message>
    <message>
        <source>evidence_source</source>
        <translation>証拠の所在</translation>
    </message>
    <message>
        <source>item_path</source>
        <translation>アイテムのパス</translation>
    </message>
    <message>
        <source>item_sha256</source>
        <translation>アイテム SHA-256</translation>
    </message>
    <message>
        <source>item_md5</source>
        <translation>アイテム MD5</translation>
    </message>
    <message>
        <source>item_sha1</source>
        <translation>アイテム SHA-1</translation>
    </message>
    <message>
        <source>item_size</source>
        <translation>アイテムのサイズ</translation>
    </message>
    <message>
        <source>source_table</source>
        <translation>元テーブル</translation>
    </message>
    <message>
        <source>source_rowid</source>
        <translation>元の行 ID</translation>
    </message>
    <message>
        <source>source_offset</source>
        <translation>元のオフセット</translation>
    </message>
    <message>
        <source>source_detail</source>
        <translation>元の詳細</translation>
    </message>
    <message>
        <source>parser</source>
        <translation>パーサ（バージョン）</translation>
    </message>
    <message>
        <source>recovered</source>
        <translation>復元</translation>
    </message>
    <message>
        <source>tag</source>
        <translation>タグ</translation>
    </message>
</context>
<context>
    <name>kanshiki::gui::ProvenancePane</name>
    <message>
        <source>Select a row to see where it came from.</source>
        <translation>行を選択すると、その出所を表示します。</translation>
    </message>
    <message>
        <source>Tag, e.g. 重要</source>
        <translation>タグ（例: 重要）</translation>
    </message>
    <message>
        <source>Note (optional)</source>
        <translation>メモ（任意）</translation>
    </message>
    <message>
        <source>Tag</source>
        <translation>タグ</translation>
    </message>
    <message>
        <source>Adds the tag; the change is signed into the custody log</source>
        <translation>タグを付けます。変更は署名付きで保全記録に残ります</translation>
    </message>
    <message>
        <source>Show source…</source>
        <translation>元データを表示…</translation>
    </message>
    <message>
        <source>Reads the source row (or bytes) from a fresh, hash-verified copy of the evidence item</source>
        <translation>証拠アイテムの新しいコピー（ハッシュ検証済み）から元の行（またはバイト列）を読みます</translation>
    </message>
    <message>
        <source>Artifact %1 — provenance</source>
        <translation>アーティファクト %1 — 出所</translation>
    </message>
    <message>
        <source>Tag added and written to the custody log</source>
        <translation>タグを付け、保全記録に記録しました</translation>
    </message>
</context>
<context>
    <name>kanshiki::gui::ReportWizard</name>
    <message>
        <source>Write a report</source>
        <translation>報告書の作成</translation>
    </message>
    <message>
        <source>What goes into the report</source>
        <translation>報告書に含める内容</translation>
    </message>
    <message>
        <source>The report is written by the report engine and recorded in the custody log.</source>
        <translation>報告書は報告書エンジンが作成し、保全記録に記録されます。</translation>
    </message>
    <message>
        <source>All findings</source>
        <translation>すべての検出結果</translation>
    </message>
    <message>
        <source>Tagged findings only</source>
        <translation>タグ付きの検出結果のみ</translation>
    </message>
    <message>
        <source>Findings</source>
        <translation>検出結果</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>言語</translation>
    </message>
    <message>
        <source>Format</source>
        <translation>形式</translation>
    </message>
    <message>
        <source>Default: CASE/reports/report.&lt;format&gt;</source>
        <translation>既定: 事件フォルダ/reports/report.&lt;形式&gt;</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>参照…</translation>
    </message>
    <message>
        <source>Output</source>
        <translation>出力先</translation>
    </message>
    <message>
        <source>Report file</source>
        <translation>報告書ファイル</translation>
    </message>
    <message>
        <source>Writing the report</source>
        <translation>報告書を作成しています</translation>
    </message>
    <message>
        <source>This version of the report engine writes all findings (no tagged-only report).</source>
        <translation>この版の報告書エンジンはすべての検出結果を出力します（タグ付きのみは未対応）。</translation>
    </message>
    <message>
        <source>Report</source>
        <translation>報告書</translation>
    </message>
    <message>
        <source>Report written: %1</source>
        <translation>報告書を作成しました: %1</translation>
    </message>
    <message>
        <source>The report failed (exit code %1).</source>
        <translation>報告書の作成に失敗しました（終了コード %1）。</translation>
    </message>
</context>
<context>
    <name>kanshiki::gui::SearchPage</name>
    <message>
        <source>Search message text and contacts (substring; e.g. ホワイト案件)</source>
        <translation>メッセージ本文と連絡先を検索（部分一致。例: ホワイト案件）</translation>
    </message>
    <message>
        <source>Search</source>
        <translation>検索</translation>
    </message>
    <message>
        <source>From</source>
        <translation>開始</translation>
    </message>
    <message>
        <source>To</source>
        <translation>終了</translation>
    </message>
    <message>
        <source>In the display zone (%1)</source>
        <translation>表示タイムゾーン（%1）</translation>
    </message>
    <message>
        <source>Device</source>
        <translation>端末</translation>
    </message>
    <message>
        <source>App</source>
        <translation>アプリ</translation>
    </message>
    <message>
        <source>All devices</source>
        <translation>すべての端末</translation>
    </message>
    <message>
        <source>All apps</source>
        <translation>すべてのアプリ</translation>
    </message>
    <message numerus="yes">
        <source>%n hit(s) for “%1”</source>
        <translation><numerusform>「%1」の検索結果 %n 件</numerusform></translation>
    </message>
    <message>
        <source>Search not written to the custody log: %1</source>
        <translation>検索を保全記録に記録できませんでした: %1</translation>
    </message>
    <message>
        <source>Searching…</source>
        <translation>検索しています…</translation>
    </message>
</context>
<context>
    <name>kanshiki::gui::SourceDialog</name>
    <message>
        <source>Source of artifact %1</source>
        <translation>アーティファクト %1 の元データ</translation>
    </message>
    <message>
        <source>Copying the item out of the evidence and checking its SHA-256…</source>
        <translation>証拠からアイテムをコピーし、SHA-256 を確認しています…</translation>
    </message>
    <message>
        <source>Column</source>
        <translation>列</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>値</translation>
    </message>
</context>
<context>
    <name>kanshiki::gui::TagsPage</name>
    <message>
        <source>Tags, bookmarks and notes</source>
        <translation>タグ・ブックマーク・メモ</translation>
    </message>
    <message>
        <source>Remove tag</source>
        <translation>タグを外す</translation>
    </message>
    <message>
        <source>Removing a tag is also signed into the custody log</source>
        <translation>タグを外した記録も署名付きで保全記録に残ります</translation>
    </message>
</context>
<context>
    <name>kanshiki::gui::TimelinePage</name>
    <message>
        <source>Timeline — all artifact types and devices</source>
        <translation>タイムライン — すべての種別・端末</translation>
    </message>
    <message>
        <source>Zoom out</source>
        <translation>縮小</translation>
    </message>
    <message>
        <source>Whole case</source>
        <translation>事件全体</translation>
    </message>
    <message>
        <source>Drag across bars to zoom in; double-click to zoom out</source>
        <translation>棒をドラッグして拡大、ダブルクリックで縮小</translation>
    </message>
    <message numerus="yes">
        <source>%n event(s)</source>
        <translation><numerusform>%n 件</numerusform></translation>
    </message>
</context>
<context>
    <name>Types</name>
    <message>
        <source>Messages</source>
        <translation>メッセージ</translation>
    </message>
    <message>
        <source>Calls</source>
        <translation>通話</translation>
    </message>
    <message>
        <source>Contacts</source>
        <translation>連絡先</translation>
    </message>
    <message>
        <source>Locations</source>
        <translation>位置情報</translation>
    </message>
    <message>
        <source>Media</source>
        <translation>メディア</translation>
    </message>
    <message>
        <source>Web history</source>
        <translation>閲覧履歴</translation>
    </message>
    <message>
        <source>Accounts</source>
        <translation>アカウント</translation>
    </message>
    <message>
        <source>Installed apps</source>
        <translation>インストール済みアプリ</translation>
    </message>
    <message>
        <source>Device</source>
        <translation>端末</translation>
    </message>
    <message>
        <source>Threads</source>
        <translation>スレッド</translation>
    </message>
    <message>
        <source>Participants</source>
        <translation>参加者</translation>
    </message>
</context>
</TS>
