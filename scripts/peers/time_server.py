#!/usr/bin/env python3
"""The lesson's time servers, with a port argument for the tests.

udp (default): each datagram is a time.strftime() format, an empty one
meaning '%Y-%m-%d %X'; the answer is the local time in that format, sent
back to the address the datagram came from (recvfrom(1024), as the lesson).

tcp: the daytime server; on each connection send str(datetime.now()) and
close.
"""
import argparse
import signal
import socket
import sys
import time
from datetime import datetime


def serve_udp(sock):
    while True:
        data, addr = sock.recvfrom(1024)
        fmt = data.decode('utf-8', errors='replace') if data else '%Y-%m-%d %X'
        try:
            answer = time.strftime(fmt)
        except ValueError as e:  # e.g. an embedded NUL: keep serving
            answer = 'error: %s' % e
        print('received', data, 'from', addr, flush=True)
        sock.sendto(answer.encode('utf-8'), addr)


def serve_tcp(sock):
    while True:
        conn, addr = sock.accept()
        print(addr, 'connected', flush=True)
        conn.send(str(datetime.now()).encode('utf-8'))
        conn.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, default=8080)
    parser.add_argument('--proto', choices=['udp', 'tcp'], default='udp')
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))

    kind = socket.SOCK_DGRAM if args.proto == 'udp' else socket.SOCK_STREAM
    sock = socket.socket(socket.AF_INET, kind)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((args.host, args.port))
    if kind == socket.SOCK_STREAM:
        sock.listen(16)  # before the line below: a client may connect at once
    host, port = sock.getsockname()[:2]
    print(f'listening on {host}:{port}', flush=True)
    try:
        serve_udp(sock) if args.proto == 'udp' else serve_tcp(sock)
    except KeyboardInterrupt:
        pass


if __name__ == '__main__':
    main()
