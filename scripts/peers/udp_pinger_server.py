#!/usr/bin/env python3
"""The UDP pinger lab's server, as the lesson has it.

One UDP socket; for each datagram (read with recvfrom(1024)): upper-case it,
count it, and send it back to whoever sent it -- except when the count
modulo 3 is 1 (messages 1, 4, 7, ...), which are "lost". Like the lesson, the
server quits when the count reaches --stop-after (8 in the lesson; that
message gets no reply either); 0 serves until interrupted.
"""
import argparse
import signal
import socket
import sys


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, default=12000)
    parser.add_argument('--stop-after', type=int, default=8,
                        help='quit when this many messages came (0: never)')
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))

    server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    server.bind((args.host, args.port))
    host, port = server.getsockname()[:2]
    print(f'listening on {host}:{port}', flush=True)

    count = 0
    try:
        while True:
            data, client = server.recvfrom(1024)
            reply = data.upper()
            count += 1
            if args.stop_after and count >= args.stop_after:
                break
            if count % 3 == 1:
                continue  # pretend the network lost it
            server.sendto(reply, client)
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
    print(f'stopped after {count} messages', flush=True)


if __name__ == '__main__':
    main()
