<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
<context>
    <name>kanshiki::gui::ArtifactsPage</name>
    <message>
        <source>Filter (substring, Japanese works)…</source>
        <translation>Filter (substring, Japanese works)…</translation>
    </message>
    <message>
        <source>Right-click the header to choose columns</source>
        <translation>Right-click the header to choose columns</translation>
    </message>
</context>
<context>
    <name>kanshiki::gui::CliJob</name>
    <message>
        <source>Cannot start %1: %2</source>
        <translation>Cannot start %1: %2</translation>
    </message>
</context>
<context>
    <name>Columns</name>
    <message>
        <source>Recovered</source>
        <translation>Recovered</translation>
    </message>
    <message>
        <source>Exhibit</source>
        <translation>Exhibit</translation>
    </message>
    <message>
        <source>Item path</source>
        <translation>Item path</translation>
    </message>
    <message>
        <source>Source table</source>
        <translation>Source table</translation>
    </message>
    <message>
        <source>Row id</source>
        <translation>Row id</translation>
    </message>
    <message>
        <source>Offset</source>
        <translation>Offset</translation>
    </message>
    <message>
        <source>Parser</source>
        <translation>Parser</translation>
    </message>
    <message>
        <source>Parser version</source>
        <translation>Parser version</translation>
    </message>
    <message>
        <source>Item SHA-256</source>
        <translation>Item SHA-256</translation>
    </message>
    <message>
        <source>Artifact id</source>
        <translation>Artifact id</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Time</translation>
    </message>
    <message>
        <source>Path</source>
        <translation>Path</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>Size</translation>
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
        <translation>Modified</translation>
    </message>
    <message>
        <source>Physical name</source>
        <translation>Physical name</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>Note</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>Type</translation>
    </message>
    <message>
        <source>App</source>
        <translation>App</translation>
    </message>
    <message>
        <source>Summary</source>
        <translation>Summary</translation>
    </message>
    <message>
        <source>Label</source>
        <translation>Label</translation>
    </message>
    <message>
        <source>Format</source>
        <translation>Format</translation>
    </message>
    <message>
        <source>Items</source>
        <translation>Items</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Problems</source>
        <translation>Problems</translation>
    </message>
    <message>
        <source>Ingested</source>
        <translation>Ingested</translation>
    </message>
    <message>
        <source>Container SHA-256</source>
        <translation>Container SHA-256</translation>
    </message>
    <message>
        <source>Manifest SHA-256</source>
        <translation>Manifest SHA-256</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>Source</translation>
    </message>
    <message>
        <source>Thread</source>
        <translation>Thread</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Messages</source>
        <translation>Messages</translation>
    </message>
    <message>
        <source>Last activity</source>
        <translation>Last activity</translation>
    </message>
    <message>
        <source>Evidence id</source>
        <translation>Evidence id</translation>
    </message>
    <message>
        <source>Seq</source>
        <translation>Seq</translation>
    </message>
    <message>
        <source>Examiner</source>
        <translation>Examiner</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>Action</translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation>Parameters</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>Error</translation>
    </message>
    <message>
        <source>Entry hash</source>
        <translation>Entry hash</translation>
    </message>
    <message>
        <source>Tag</source>
        <translation>Tag</translation>
    </message>
    <message>
        <source>Tagged</source>
        <translation>Tagged</translation>
    </message>
    <message>
        <source>Latitude</source>
        <translation>Latitude</translation>
    </message>
    <message>
        <source>Longitude</source>
        <translation>Longitude</translation>
    </message>
    <message>
        <source>From</source>
        <translation>From</translation>
    </message>
    <message>
        <source>To</source>
        <translation>To</translation>
    </message>
    <message>
        <source>Events</source>
        <translation>Events</translation>
    </message>
    <message>
        <source>Field</source>
        <translation>Field</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>Value</translation>
    </message>
    <message>
        <source>app</source>
        <translation>App</translation>
    </message>
    <message>
        <source>account</source>
        <translation>Account</translation>
    </message>
    <message>
        <source>thread_key</source>
        <translation>Thread key</translation>
    </message>
    <message>
        <source>sender</source>
        <translation>Sender</translation>
    </message>
    <message>
        <source>sender_name</source>
        <translation>Sender name</translation>
    </message>
    <message>
        <source>recipients</source>
        <translation>Recipients</translation>
    </message>
    <message>
        <source>direction</source>
        <translation>Direction</translation>
    </message>
    <message>
        <source>text</source>
        <translation>Text</translation>
    </message>
    <message>
        <source>attachments</source>
        <translation>Attachments</translation>
    </message>
    <message>
        <source>status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>kind</source>
        <translation>Kind</translation>
    </message>
    <message>
        <source>edited</source>
        <translation>Edited</translation>
    </message>
    <message>
        <source>deleted</source>
        <translation>Deleted</translation>
    </message>
    <message>
        <source>expires_in_s</source>
        <translation>Expires in s</translation>
    </message>
    <message>
        <source>time_raw</source>
        <translation>Time raw</translation>
    </message>
    <message>
        <source>time_epoch</source>
        <translation>Time epoch</translation>
    </message>
    <message>
        <source>name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>is_group</source>
        <translation>Is group</translation>
    </message>
    <message>
        <source>last_activity_utc</source>
        <translation>Last activity utc</translation>
    </message>
    <message>
        <source>last_activity_raw</source>
        <translation>Last activity raw</translation>
    </message>
    <message>
        <source>last_activity_epoch</source>
        <translation>Last activity epoch</translation>
    </message>
    <message>
        <source>identifier</source>
        <translation>Identifier</translation>
    </message>
    <message>
        <source>role</source>
        <translation>Role</translation>
    </message>
    <message>
        <source>number</source>
        <translation>Number</translation>
    </message>
    <message>
        <source>number_e164</source>
        <translation>Number e164</translation>
    </message>
    <message>
        <source>duration_s</source>
        <translation>Duration s</translation>
    </message>
    <message>
        <source>video</source>
        <translation>Video</translation>
    </message>
    <message>
        <source>country_iso</source>
        <translation>Country iso</translation>
    </message>
    <message>
        <source>phones</source>
        <translation>Phones</translation>
    </message>
    <message>
        <source>emails</source>
        <translation>Emails</translation>
    </message>
    <message>
        <source>organization</source>
        <translation>Organization</translation>
    </message>
    <message>
        <source>note</source>
        <translation>Note</translation>
    </message>
    <message>
        <source>times_contacted</source>
        <translation>Times contacted</translation>
    </message>
    <message>
        <source>last_contacted_utc</source>
        <translation>Last contacted utc</translation>
    </message>
    <message>
        <source>last_contacted_raw</source>
        <translation>Last contacted raw</translation>
    </message>
    <message>
        <source>last_contacted_epoch</source>
        <translation>Last contacted epoch</translation>
    </message>
    <message>
        <source>browser</source>
        <translation>Browser</translation>
    </message>
    <message>
        <source>url</source>
        <translation>Url</translation>
    </message>
    <message>
        <source>title</source>
        <translation>Title</translation>
    </message>
    <message>
        <source>visit_count</source>
        <translation>Visit count</translation>
    </message>
    <message>
        <source>typed_count</source>
        <translation>Typed count</translation>
    </message>
    <message>
        <source>transition</source>
        <translation>Transition</translation>
    </message>
    <message>
        <source>latitude</source>
        <translation>Latitude</translation>
    </message>
    <message>
        <source>longitude</source>
        <translation>Longitude</translation>
    </message>
    <message>
        <source>accuracy_m</source>
        <translation>Accuracy m</translation>
    </message>
    <message>
        <source>altitude_m</source>
        <translation>Altitude m</translation>
    </message>
    <message>
        <source>source</source>
        <translation>Source</translation>
    </message>
    <message>
        <source>label</source>
        <translation>Label</translation>
    </message>
    <message>
        <source>path</source>
        <translation>Path</translation>
    </message>
    <message>
        <source>mime_type</source>
        <translation>Mime type</translation>
    </message>
    <message>
        <source>size</source>
        <translation>Size</translation>
    </message>
    <message>
        <source>sha256</source>
        <translation>Sha256</translation>
    </message>
    <message>
        <source>make</source>
        <translation>Make</translation>
    </message>
    <message>
        <source>model</source>
        <translation>Model</translation>
    </message>
    <message>
        <source>software</source>
        <translation>Software</translation>
    </message>
    <message>
        <source>captured_raw</source>
        <translation>Captured raw</translation>
    </message>
    <message>
        <source>captured_epoch</source>
        <translation>Captured epoch</translation>
    </message>
    <message>
        <source>username</source>
        <translation>Username</translation>
    </message>
    <message>
        <source>display_name</source>
        <translation>Display name</translation>
    </message>
    <message>
        <source>version</source>
        <translation>Version</translation>
    </message>
    <message>
        <source>installed_raw</source>
        <translation>Installed raw</translation>
    </message>
    <message>
        <source>installed_epoch</source>
        <translation>Installed epoch</translation>
    </message>
    <message>
        <source>key</source>
        <translation>Key</translation>
    </message>
    <message>
        <source>value</source>
        <translation>Value</translation>
    </message>
    <message>
        <source>Key</source>
        <translation>Key</translation>
    </message>
    <message>
        <source>Thumbnail</source>
        <translation>Thumbnail</translation>
    </message>
    <message>
        <source>Thumbnail note</source>
        <translation>Thumbnail note</translation>
    </message>
</context>
<context>
    <name>Conversation</name>
    <message>
        <source>Device owner</source>
        <translation>Device owner</translation>
    </message>
    <message>
        <source>⟲ recovered (deleted record)</source>
        <translation>⟲ recovered (deleted record)</translation>
    </message>
    <message>
        <source>deleted</source>
        <translation>Deleted</translation>
    </message>
    <message>
        <source>⏱ disappearing (%1 s)</source>
        <translation>⏱ disappearing (%1 s)</translation>
    </message>
    <message>
        <source>edited</source>
        <translation>Edited</translation>
    </message>
</context>
<context>
    <name>kanshiki::gui::ConversationsPage</name>
    <message>
        <source>Choose a conversation</source>
        <translation>Choose a conversation</translation>
    </message>
    <message>
        <source>Find in conversation…</source>
        <translation>Find in conversation…</translation>
    </message>
    <message>
        <source>Show in table</source>
        <translation>Show in table</translation>
    </message>
    <message numerus="yes">
        <source>%n message(s)</source>
        <translation><numerusform>%n message(s)</numerusform></translation>
    </message>
</context>
<context>
    <name>kanshiki::gui::CustodyPage</name>
    <message>
        <source>Chain of custody</source>
        <translation>Chain of custody</translation>
    </message>
    <message>
        <source>Verify log</source>
        <translation>Verify log</translation>
    </message>
    <message>
        <source>Checks every entry&apos;s hash, the chain, the signatures and the anchor</source>
        <translation>Checks every entry's hash, the chain, the signatures and the anchor</translation>
    </message>
    <message>
        <source>Verifying the custody log…</source>
        <translation>Verifying the custody log…</translation>
    </message>
</context>
<context>
    <name>kanshiki::gui::DataTable</name>
    <message>
        <source>Default columns</source>
        <translation>Default columns</translation>
    </message>
</context>
<context>
    <name>kanshiki::gui::EvidencePage</name>
    <message>
        <source>Evidence</source>
        <translation>Evidence</translation>
    </message>
    <message>
        <source>Verify now</source>
        <translation>Verify now</translation>
    </message>
    <message>
        <source>Re-hashes every evidence item against the ingest record, in the background</source>
        <translation>Re-hashes every evidence item against the ingest record, in the background</translation>
    </message>
    <message>
        <source>Filter items by path or SHA-256</source>
        <translation>Filter items by path or SHA-256</translation>
    </message>
    <message>
        <source>Not verified since ingest</source>
        <translation>Not verified since ingest</translation>
    </message>
    <message>
        <source>✔ Last verification passed: %1</source>
        <translation>✔ Last verification passed: %1</translation>
    </message>
    <message>
        <source>✘ Last verification FAILED: %1</source>
        <translation>✘ Last verification FAILED: %1</translation>
    </message>
</context>
<context>
    <name>kanshiki::gui::HistogramWidget</name>
    <message>
        <source>Loading…</source>
        <translation>Loading…</translation>
    </message>
    <message>
        <source>No timed events</source>
        <translation>No timed events</translation>
    </message>
    <message numerus="yes">
        <source>%1 – %2: %n event(s)</source>
        <translation><numerusform>%1 – %2: %n event(s)</numerusform></translation>
    </message>
</context>
<context>
    <name>kanshiki::gui::MainWindow</name>
    <message>
        <source>Kanshiki workbench</source>
        <translation>Kanshiki workbench</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <source>Times: %1</source>
        <translation>Times: %1</translation>
    </message>
    <message>
        <source>&amp;Case</source>
        <translation>&amp;Case</translation>
    </message>
    <message>
        <source>&amp;Open case…</source>
        <translation>&amp;Open case…</translation>
    </message>
    <message>
        <source>&amp;New case…</source>
        <translation>&amp;New case…</translation>
    </message>
    <message>
        <source>Recent cases</source>
        <translation>Recent cases</translation>
    </message>
    <message>
        <source>&amp;Ingest evidence…</source>
        <translation>&amp;Ingest evidence…</translation>
    </message>
    <message>
        <source>&amp;Process (run parsers)</source>
        <translation>&amp;Process (run parsers)</translation>
    </message>
    <message>
        <source>&amp;Verify evidence</source>
        <translation>&amp;Verify evidence</translation>
    </message>
    <message>
        <source>Write &amp;report…</source>
        <translation>Write &amp;report…</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>&amp;Settings…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Quit</translation>
    </message>
    <message>
        <source>Main</source>
        <translation>Main</translation>
    </message>
    <message>
        <source>Show times in </source>
        <translation>Show times in </translation>
    </message>
    <message>
        <source>Device zone (%1)</source>
        <translation>Device zone (%1)</translation>
    </message>
    <message>
        <source>Open a case to review its evidence, or create a new one.</source>
        <translation>Open a case to review its evidence, or create a new one.</translation>
    </message>
    <message>
        <source>Open case…</source>
        <translation>Open case…</translation>
    </message>
    <message>
        <source>New case…</source>
        <translation>New case…</translation>
    </message>
    <message>
        <source>%1 is not a case folder (no case.db)</source>
        <translation>%1 is not a case folder (no case.db)</translation>
    </message>
    <message>
        <source>Provenance</source>
        <translation>Provenance</translation>
    </message>
    <message>
        <source>Kanshiki workbench — %1</source>
        <translation>Kanshiki workbench — %1</translation>
    </message>
    <message>
        <source>Examiner: %1</source>
        <translation>Examiner: %1</translation>
    </message>
    <message>
        <source>No examiner identity: tags are disabled (run kanshiki examiner init)</source>
        <translation>No examiner identity: tags are disabled (run kanshiki examiner init)</translation>
    </message>
    <message>
        <source>Report written: %1</source>
        <translation>Report written: %1</translation>
    </message>
    <message>
        <source>Report failed: %1</source>
        <translation>Report failed: %1</translation>
    </message>
    <message>
        <source>“%1” is still running; wait for it or cancel it</source>
        <translation>“%1” is still running; wait for it or cancel it</translation>
    </message>
    <message>
        <source>%1…</source>
        <translation>%1…</translation>
    </message>
    <message>
        <source>%1 cancelled or failed to start</source>
        <translation>%1 cancelled or failed to start</translation>
    </message>
    <message>
        <source>%1 finished (%2 s)</source>
        <translation>%1 finished (%2 s)</translation>
    </message>
    <message>
        <source>%1 failed (exit code %2): %3</source>
        <translation>%1 failed (exit code %2): %3</translation>
    </message>
    <message>
        <source>Open case folder</source>
        <translation>Open case folder</translation>
    </message>
    <message>
        <source>New case folder</source>
        <translation>New case folder</translation>
    </message>
    <message>
        <source>New case</source>
        <translation>New case</translation>
    </message>
    <message>
        <source>Case number</source>
        <translation>Case number</translation>
    </message>
    <message>
        <source>Create case</source>
        <translation>Create case</translation>
    </message>
    <message>
        <source>Ingest evidence</source>
        <translation>Ingest evidence</translation>
    </message>
    <message>
        <source>File…</source>
        <translation>File…</translation>
    </message>
    <message>
        <source>Folder…</source>
        <translation>Folder…</translation>
    </message>
    <message>
        <source>Evidence</source>
        <translation>Evidence</translation>
    </message>
    <message>
        <source>Exhibit number</source>
        <translation>Exhibit number</translation>
    </message>
    <message>
        <source>Label</source>
        <translation>Label</translation>
    </message>
    <message>
        <source>Evidence file</source>
        <translation>Evidence file</translation>
    </message>
    <message>
        <source>Evidence folder</source>
        <translation>Evidence folder</translation>
    </message>
    <message>
        <source>Ingest</source>
        <translation>Ingest</translation>
    </message>
    <message>
        <source>Process</source>
        <translation>Process</translation>
    </message>
    <message>
        <source>Verify evidence</source>
        <translation>Verify evidence</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Settings</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Language</translation>
    </message>
    <message>
        <source>IANA zone of the seized device, e.g. Asia/Tokyo, used when times are shown in the device zone</source>
        <translation>IANA zone of the seized device, e.g. Asia/Tokyo, used when times are shown in the device zone</translation>
    </message>
    <message>
        <source>Device time zone</source>
        <translation>Device time zone</translation>
    </message>
    <message>
        <source>Optional: an MBTiles file of raster tiles (offline)</source>
        <translation>Optional: an MBTiles file of raster tiles (offline)</translation>
    </message>
    <message>
        <source>Map tiles (MBTiles)</source>
        <translation>Map tiles (MBTiles)</translation>
    </message>
</context>
<context>
    <name>kanshiki::gui::MapCanvas</name>
    <message>
        <source>MBTiles file unusable (%1); showing the coordinate canvas</source>
        <translation>MBTiles file unusable (%1); showing the coordinate canvas</translation>
    </message>
    <message>
        <source>Offline canvas (no tiles)</source>
        <translation>Offline canvas (no tiles)</translation>
    </message>
    <message>
        <source>Offline tiles: %1</source>
        <translation>Offline tiles: %1</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>Loading…</translation>
    </message>
    <message>
        <source>No located artifacts in this case</source>
        <translation>No located artifacts in this case</translation>
    </message>
    <message numerus="yes">
        <source>%n point(s) from %1
%2 %3</source>
        <translation><numerusform>%n point(s) from %1
%2 %3</numerusform></translation>
    </message>
    <message numerus="yes">
        <source>%n point(s) — %1</source>
        <translation><numerusform>%n point(s) — %1</numerusform></translation>
    </message>
</context>
<context>
    <name>kanshiki::gui::MapPage</name>
    <message>
        <source>Map (offline)</source>
        <translation>Map (offline)</translation>
    </message>
    <message>
        <source>Scroll to zoom, drag to pan, click a point to see its artifact</source>
        <translation>Scroll to zoom, drag to pan, click a point to see its artifact</translation>
    </message>
    <message>
        <source>Fit to points</source>
        <translation>Fit to points</translation>
    </message>
</context>
<context>
    <name>Navigation</name>
    <message>
        <source>Evidence</source>
        <translation>Evidence</translation>
    </message>
    <message>
        <source>Artifacts</source>
        <translation>Artifacts</translation>
    </message>
    <message>
        <source>Conversations</source>
        <translation>Conversations</translation>
    </message>
    <message>
        <source>Timeline</source>
        <translation>Timeline</translation>
    </message>
    <message>
        <source>Map</source>
        <translation>Map</translation>
    </message>
    <message>
        <source>Search</source>
        <translation>Search</translation>
    </message>
    <message>
        <source>Tags</source>
        <translation>Tags</translation>
    </message>
    <message>
        <source>Custody log</source>
        <translation>Custody log</translation>
    </message>
</context>
<context>
    <name>Pages</name>
    <message>
        <source>counting…</source>
        <translation>counting…</translation>
    </message>
    <message numerus="yes">
        <source>%n row(s)</source>
        <translation><numerusform>%n row(s)</numerusform></translation>
    </message>
</context>
<context>
    <name>Provenance</name>
    <message>
        <source>artifact_id</source>
        <translation>Artifact id</translation>
    </message>
    <message>
        <source>type</source>
        <translation>Type</translation>
    </message>
    <message>
        <source>time</source>
        <translation>Time</translation>
    </message>
    <message>
        <source>evidence</source>
        <translation>Evidence</translation>
    </message>
    <message>
        <source>evidence_source</source>
        <translation>Evidence source</translation>
    </message>
    <message>
        <source>item_path</source>
        <translation>Item path</translation>
    </message>
    <message>
        <source>item_sha256</source>
        <translation>Item sha256</translation>
    </message>
    <message>
        <source>item_md5</source>
        <translation>Item md5</translation>
    </message>
    <message>
        <source>item_sha1</source>
        <translation>Item sha1</translation>
    </message>
    <message>
        <source>item_size</source>
        <translation>Item size</translation>
    </message>
    <message>
        <source>source_table</source>
        <translation>Source table</translation>
    </message>
    <message>
        <source>source_rowid</source>
        <translation>Source rowid</translation>
    </message>
    <message>
        <source>source_offset</source>
        <translation>Source offset</translation>
    </message>
    <message>
        <source>source_detail</source>
        <translation>Source detail</translation>
    </message>
    <message>
        <source>parser</source>
        <translation>Parser</translation>
    </message>
    <message>
        <source>recovered</source>
        <translation>Recovered</translation>
    </message>
    <message>
        <source>tag</source>
        <translation>Tag</translation>
    </message>
</context>
<context>
    <name>kanshiki::gui::ProvenancePane</name>
    <message>
        <source>Select a row to see where it came from.</source>
        <translation>Select a row to see where it came from.</translation>
    </message>
    <message>
        <source>Tag, e.g. 重要</source>
        <translation>Tag, e.g. 重要</translation>
    </message>
    <message>
        <source>Note (optional)</source>
        <translation>Note (optional)</translation>
    </message>
    <message>
        <source>Tag</source>
        <translation>Tag</translation>
    </message>
    <message>
        <source>Adds the tag; the change is signed into the custody log</source>
        <translation>Adds the tag; the change is signed into the custody log</translation>
    </message>
    <message>
        <source>Show source…</source>
        <translation>Show source…</translation>
    </message>
    <message>
        <source>Reads the source row (or bytes) from a fresh, hash-verified copy of the evidence item</source>
        <translation>Reads the source row (or bytes) from a fresh, hash-verified copy of the evidence item</translation>
    </message>
    <message>
        <source>Artifact %1 — provenance</source>
        <translation>Artifact %1 — provenance</translation>
    </message>
    <message>
        <source>Tag added and written to the custody log</source>
        <translation>Tag added and written to the custody log</translation>
    </message>
</context>
<context>
    <name>kanshiki::gui::ReportWizard</name>
    <message>
        <source>Write a report</source>
        <translation>Write a report</translation>
    </message>
    <message>
        <source>What goes into the report</source>
        <translation>What goes into the report</translation>
    </message>
    <message>
        <source>The report is written by the report engine and recorded in the custody log.</source>
        <translation>The report is written by the report engine and recorded in the custody log.</translation>
    </message>
    <message>
        <source>All findings</source>
        <translation>All findings</translation>
    </message>
    <message>
        <source>Tagged findings only</source>
        <translation>Tagged findings only</translation>
    </message>
    <message>
        <source>Findings</source>
        <translation>Findings</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Language</translation>
    </message>
    <message>
        <source>Format</source>
        <translation>Format</translation>
    </message>
    <message>
        <source>Default: CASE/reports/report.&lt;format&gt;</source>
        <translation>Default: CASE/reports/report.&lt;format&gt;</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>Browse…</translation>
    </message>
    <message>
        <source>Output</source>
        <translation>Output</translation>
    </message>
    <message>
        <source>Report file</source>
        <translation>Report file</translation>
    </message>
    <message>
        <source>Writing the report</source>
        <translation>Writing the report</translation>
    </message>
    <message>
        <source>This version of the report engine writes all findings (no tagged-only report).</source>
        <translation>This version of the report engine writes all findings (no tagged-only report).</translation>
    </message>
    <message>
        <source>Report</source>
        <translation>Report</translation>
    </message>
    <message>
        <source>Report written: %1</source>
        <translation>Report written: %1</translation>
    </message>
    <message>
        <source>The report failed (exit code %1).</source>
        <translation>The report failed (exit code %1).</translation>
    </message>
</context>
<context>
    <name>kanshiki::gui::SearchPage</name>
    <message>
        <source>Search message text and contacts (substring; e.g. ホワイト案件)</source>
        <translation>Search message text and contacts (substring; e.g. ホワイト案件)</translation>
    </message>
    <message>
        <source>Search</source>
        <translation>Search</translation>
    </message>
    <message>
        <source>From</source>
        <translation>From</translation>
    </message>
    <message>
        <source>To</source>
        <translation>To</translation>
    </message>
    <message>
        <source>In the display zone (%1)</source>
        <translation>In the display zone (%1)</translation>
    </message>
    <message>
        <source>Device</source>
        <translation>Device</translation>
    </message>
    <message>
        <source>App</source>
        <translation>App</translation>
    </message>
    <message>
        <source>All devices</source>
        <translation>All devices</translation>
    </message>
    <message>
        <source>All apps</source>
        <translation>All apps</translation>
    </message>
    <message numerus="yes">
        <source>%n hit(s) for “%1”</source>
        <translation><numerusform>%n hit(s) for “%1”</numerusform></translation>
    </message>
    <message>
        <source>Search not written to the custody log: %1</source>
        <translation>Search not written to the custody log: %1</translation>
    </message>
    <message>
        <source>Searching…</source>
        <translation>Searching…</translation>
    </message>
</context>
<context>
    <name>kanshiki::gui::SourceDialog</name>
    <message>
        <source>Source of artifact %1</source>
        <translation>Source of artifact %1</translation>
    </message>
    <message>
        <source>Copying the item out of the evidence and checking its SHA-256…</source>
        <translation>Copying the item out of the evidence and checking its SHA-256…</translation>
    </message>
    <message>
        <source>Column</source>
        <translation>Column</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>Value</translation>
    </message>
</context>
<context>
    <name>kanshiki::gui::TagsPage</name>
    <message>
        <source>Tags, bookmarks and notes</source>
        <translation>Tags, bookmarks and notes</translation>
    </message>
    <message>
        <source>Remove tag</source>
        <translation>Remove tag</translation>
    </message>
    <message>
        <source>Removing a tag is also signed into the custody log</source>
        <translation>Removing a tag is also signed into the custody log</translation>
    </message>
</context>
<context>
    <name>kanshiki::gui::TimelinePage</name>
    <message>
        <source>Timeline — all artifact types and devices</source>
        <translation>Timeline — all artifact types and devices</translation>
    </message>
    <message>
        <source>Zoom out</source>
        <translation>Zoom out</translation>
    </message>
    <message>
        <source>Whole case</source>
        <translation>Whole case</translation>
    </message>
    <message>
        <source>Drag across bars to zoom in; double-click to zoom out</source>
        <translation>Drag across bars to zoom in; double-click to zoom out</translation>
    </message>
    <message numerus="yes">
        <source>%n event(s)</source>
        <translation><numerusform>%n event(s)</numerusform></translation>
    </message>
</context>
<context>
    <name>Types</name>
    <message>
        <source>Messages</source>
        <translation>Messages</translation>
    </message>
    <message>
        <source>Calls</source>
        <translation>Calls</translation>
    </message>
    <message>
        <source>Contacts</source>
        <translation>Contacts</translation>
    </message>
    <message>
        <source>Locations</source>
        <translation>Locations</translation>
    </message>
    <message>
        <source>Media</source>
        <translation>Media</translation>
    </message>
    <message>
        <source>Web history</source>
        <translation>Web history</translation>
    </message>
    <message>
        <source>Accounts</source>
        <translation>Accounts</translation>
    </message>
    <message>
        <source>Installed apps</source>
        <translation>Installed apps</translation>
    </message>
    <message>
        <source>Device</source>
        <translation>Device</translation>
    </message>
    <message>
        <source>Threads</source>
        <translation>Threads</translation>
    </message>
    <message>
        <source>Participants</source>
        <translation>Participants</translation>
    </message>
</context>
</TS>
