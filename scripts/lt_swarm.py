#!/usr/bin/python3
"""A swarm of real clients for the tests and the bench:
N libtorrent sessions in one process, each on its own loopback address
(127.0.0.2, .3, ...), started `delay` seconds
apart, each downloading the same .torrent into <dir>/c<i>. DHT, LSD, UPnP and
NAT-PMP are off, so the torrent's tracker is the only way peers find each
other (a private torrent has no PEX either). Several connections per IP are
allowed. With `rate` > 0 each client's
download is limited to `rate` bytes/s, loopback peers included (libtorrent
puts them in its unlimited local peer class, so the limit is set on the
global and the local class alike; web seeds are peers of the same classes).

Besides time to completion, each client reports where its payload came from,
as sampled every `poll` seconds from its peer list (the largest
total_download seen per connection, by kind): `webSeed` and `peers` bytes
are lower bounds (bytes after a connection's last sample are missed);
`payload` is the torrent's total.

Prints one JSON line: {"clients": [{"ok", "seconds", "startedAt", "peers",
"webSeed", "fromPeers", "payload", "errors"}], "private", "trackers"}.
Once all are done they keep seeding for `linger` seconds.
Usage: lt_swarm.py <file.torrent> <dir> <n> <delay s> <timeout s> [rate] [linger s] [poll s]"""
import json, os, sys, time
import libtorrent as lt

torrent, base, n, delay, timeout = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
rate = int(sys.argv[6]) if len(sys.argv) > 6 else 0
linger = float(sys.argv[7]) if len(sys.argv) > 7 else 0
poll_s = float(sys.argv[8]) if len(sys.argv) > 8 else 0.05
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
    clients.append({'ses': ses, 'h': h, 'started': time.time(), 'done': None, 'errors': [], 'peers': set(), 'seen': {}, 'payload': 0})


def poll():
    for c in clients:
        for a in c['ses'].pop_alerts():
            if isinstance(a, (lt.url_seed_alert, lt.tracker_error_alert, lt.torrent_error_alert, lt.hash_failed_alert)):
                c['errors'].append(a.message())
        if c['done'] is not None:
            continue  # a seeder downloads nothing more
        for p in c['h'].get_peer_info():
            web = p.connection_type != lt.peer_info.standard_bittorrent
            key = ('w' if web else 'p', '%s:%d' % p.ip, str(p.pid))
            c['seen'][key] = max(c['seen'].get(key, 0), p.total_download)
            if not web:
                c['peers'].add('%s:%d' % p.ip)
        st = c['h'].status()
        c['payload'] = st.total_payload_download
        if st.is_seeding:
            c['done'] = time.time()


next_start = start
while time.time() - start < timeout:
    if len(clients) < n and time.time() >= next_start:
        add(len(clients))
        next_start = time.time() + delay
    poll()
    if len(clients) == n and all(c['done'] for c in clients):
        break
    time.sleep(poll_s)
poll()
until = time.time() + linger
while time.time() < until:
    poll()
    time.sleep(0.1)


def by_kind(c, kind):
    return sum(v for k, v in c['seen'].items() if k[0] == kind)


out = [
    {
        'ok': c['done'] is not None,
        'seconds': round((c['done'] or time.time()) - c['started'], 3),
        'startedAt': round(c['started'] - start, 3),
        'peers': len(c['peers']),
        'webSeed': by_kind(c, 'w'),
        'fromPeers': by_kind(c, 'p'),
        'payload': c['payload'],
        'errors': c['errors'][:5],
    }
    for c in clients
]
print(json.dumps({'clients': out, 'private': bool(info.priv()), 'trackers': [t.url for t in info.trackers()]}))
sys.stdout.flush()
for c in clients:
    c['ses'].remove_torrent(c['h'])
time.sleep(1)  # let the stopped announces go out
sys.exit(0 if all(c['ok'] for c in out) else 1)
