#!/usr/bin/python3
"""Runs N libtorrent sessions in one process on 127.0.0.1, started `delay`
seconds apart, each downloading the same .torrent into its own folder. DHT,
LSD, UPnP and NAT-PMP are off, so the torrent's tracker is the only way peers
find each other. Several connections per IP are allowed (every client is on
127.0.0.1 here). Loopback peers are rate-limited like remote ones when
`rate` (bytes/s per client) is given. Prints one JSON line:
{"clients": [{"ok", "seconds", "peers", "errors"}], "private", "trackers"}.
Once all are done they keep seeding for `linger` seconds.
Usage: lt_swarm.py <file.torrent> <dir> <n> <delay s> <timeout s> [rate] [linger s]"""
import json, os, sys, time
import libtorrent as lt

torrent, base, n, delay, timeout = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
rate = int(sys.argv[6]) if len(sys.argv) > 6 else 0
linger = float(sys.argv[7]) if len(sys.argv) > 7 else 0
info = lt.torrent_info(torrent)
clients = []
start = time.time()

def settings(i):
    # Each client on its own loopback address (127.0.0.2, .3, ...), as peers on the Internet have
    # their own: the tracker and the web seed tell requesters apart by address.
    addr = '127.0.0.%d' % (i + 2)
    return {
        'enable_dht': False, 'enable_lsd': False, 'enable_upnp': False, 'enable_natpmp': False,
        'listen_interfaces': addr + ':0', 'outgoing_interfaces': addr, 'allow_multiple_connections_per_ip': True,
        'announce_to_all_trackers': True,
        'alert_mask': lt.alert.category_t.error_notification | lt.alert.category_t.status_notification | lt.alert.category_t.tracker_notification,
    }

def add(i):
    ses = lt.session(settings(i))
    if rate:
        for cls in (lt.session.global_peer_class_id, lt.session.local_peer_class_id):
            pc = ses.get_peer_class(cls)
            pc['download_limit'] = rate
            ses.set_peer_class(cls, pc)
    save = os.path.join(base, 'c%d' % i)
    os.makedirs(save, exist_ok=True)
    h = ses.add_torrent({'ti': lt.torrent_info(torrent), 'save_path': save})
    clients.append({'ses': ses, 'h': h, 'started': time.time(), 'done': None, 'errors': [], 'peers': set()})

def poll():
    for c in clients:
        for a in c['ses'].pop_alerts():
            if isinstance(a, (lt.url_seed_alert, lt.tracker_error_alert, lt.torrent_error_alert, lt.hash_failed_alert)):
                c['errors'].append(a.message())
        for p in c['h'].get_peer_info():
            if p.connection_type == lt.peer_info.standard_bittorrent:
                c['peers'].add('%s:%d' % p.ip)
        if c['done'] is None and c['h'].status().is_seeding:
            c['done'] = time.time()

next_start = start
while time.time() - start < timeout:
    if len(clients) < n and time.time() >= next_start:
        add(len(clients))
        next_start = time.time() + delay
    poll()
    if len(clients) == n and all(c['done'] for c in clients):
        break
    time.sleep(0.05)
poll()
until = time.time() + linger
while time.time() < until:
    poll()
    time.sleep(0.1)
out = [{'ok': c['done'] is not None, 'seconds': round((c['done'] or time.time()) - c['started'], 2), 'peers': len(c['peers']), 'errors': c['errors'][:5]} for c in clients]
print(json.dumps({'clients': out, 'private': bool(info.priv()), 'trackers': [t.url for t in info.trackers()]}))
for c in clients:
    c['ses'].remove_torrent(c['h'])
time.sleep(1)  # let the stopped announces go out
sys.exit(0 if all(c['ok'] for c in out) else 1)
