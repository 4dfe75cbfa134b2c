#!/usr/bin/env python3
"""The UDP pinger lab's optional exercise, the heartbeat: the server side.

One UDP socket; each datagram (recvfrom(1024)) should be 'Heartbeat <seq>
<time>'. For each one it prints the datagram as Python shows bytes, then
'<ip:port> heartbeat <seq>, one-way <ms> ms' and, when numbers were skipped
since that client's last one, '; lost heartbeat N' or '; lost heartbeats
N-M'. When a client has sent nothing for --gone-after seconds it prints
'<ip:port> gone: silent for <s> s after heartbeat <seq>' and forgets it.
The wait for the next datagram is cut short (settimeout) at the moment the
quietest client would be gone. --drop-every N ignores the messages whose
count is 1 modulo N (the lab's server uses 3); 0, the default, drops none.
Stops on SIGINT/SIGTERM.
"""
import argparse
import signal
import socket
import sys
import time


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, default=12000)
    parser.add_argument('--gone-after', type=float, default=1.5)
    parser.add_argument('--drop-every', type=int, default=0)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))

    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((args.host, args.port))
    print('listening on %s:%d' % sock.getsockname()[:2], flush=True)
    clients = {}  # (ip, port) -> [last seq, time.monotonic() of the last beat]
    count = 0
    while True:
        if clients:
            quietest = min(at for _, at in clients.values())
            sock.settimeout(max(quietest + args.gone_after - time.monotonic(), 0.001))
        else:
            sock.settimeout(None)
        try:
            data, client = sock.recvfrom(1024)
        except socket.timeout:
            data = None
        if data is not None:
            count += 1
            if not (args.drop_every and count % args.drop_every == 1):
                beat(clients, client, data)
        now = time.monotonic()
        for client, (seq, at) in list(clients.items()):
            if now - at >= args.gone_after:
                print('%s:%d gone: silent for %.1f s after heartbeat %d'
                      % (client[0], client[1], now - at, seq), flush=True)
                del clients[client]


def beat(clients, client, data):
    print(data, flush=True)
    name = '%s:%d' % client
    try:
        word, seq, sent = data.decode().split()
        seq, sent = int(seq), float(sent)
        if word != 'Heartbeat':
            raise ValueError(word)
    except ValueError:
        print('%s not a heartbeat' % name, flush=True)
        return
    one_way = (time.time() - sent) * 1000
    last = clients.get(client, [0])[0]
    if seq <= last:
        lost = ': late or twice (heartbeat %d came before it)' % last
    elif seq == last + 2:
        lost = '; lost heartbeat %d' % (last + 1)
    elif seq > last + 2:
        lost = '; lost heartbeats %d-%d' % (last + 1, seq - 1)
    else:
        lost = ''
    clients[client] = [max(seq, last), time.monotonic()]
    print('%s heartbeat %d, one-way %.3f ms%s' % (name, seq, one_way, lost), flush=True)


if __name__ == '__main__':
    try:
        main()
    except KeyboardInterrupt:
        pass
