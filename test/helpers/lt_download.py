#!/usr/bin/python3
"""Downloads a .torrent with libtorrent (qBittorrent's engine) in its default
settings (SSRF mitigation on, no trackers, DHT/LSD off so nothing leaves this
machine) and prints one JSON line: {"ok", "seconds", "bytes", "error"}.
Usage: lt_download.py <file.torrent> <save dir> [timeout seconds]"""
import json, sys, time
import libtorrent as lt

torrent, save, timeout = sys.argv[1], sys.argv[2], float(sys.argv[3] if len(sys.argv) > 3 else 60)
settings = {
    'enable_dht': False, 'enable_lsd': False, 'enable_upnp': False, 'enable_natpmp': False,
    'listen_interfaces': '127.0.0.1:0',
    'alert_mask': lt.alert.category_t.error_notification | lt.alert.category_t.status_notification,
}
ses = lt.session(settings)
info = lt.torrent_info(torrent)
h = ses.add_torrent({'ti': info, 'save_path': save})
start = time.time()
errors = []
while time.time() - start < timeout:
    for a in ses.pop_alerts():
        if isinstance(a, (lt.url_seed_alert, lt.torrent_error_alert, lt.file_error_alert, lt.hash_failed_alert)):
            errors.append(a.message())
    s = h.status()
    if s.is_seeding:
        break
    time.sleep(0.1)
s = h.status()
print(json.dumps({'ok': bool(s.is_seeding), 'seconds': round(time.time() - start, 2), 'bytes': s.total_wanted_done,
                  'infoHash': str(info.info_hash()), 'errors': errors[:5]}))
sys.exit(0 if s.is_seeding else 1)
