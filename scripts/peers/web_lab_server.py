#!/usr/bin/env python3
"""The web-server lab's WebServer.py, as the lab writes it on the wire.

One connection at a time: one recv(1024) is taken as the whole request, the
second word of it minus its leading '/' is opened (relative to --root), and
the reply is the lab's exact bytes: ' HTTP/1.1 200 OK' with a space in front
and bare '\\n' line ends, Content-Length counted in characters, then the
file. A missing file gets ' HTTP/1.1 404 not Found' and nothing else, not
even a line end. Unlike the lab, the listening socket stays open between
clients (the lab closes it inside its loop) and a request that cannot be
split is answered with a 404 instead of a crash. Like the lab, it serves one
client at a time, opens whatever path it is given (../ included), and dies
with BrokenPipeError when a client hangs up in the middle of a reply.
Stops on SIGINT/SIGTERM.

--threaded is the lab's optional exercise, the multithreaded server: each
connection is handled on a threading.Thread of its own, so a client that
connects and sends nothing no longer keeps the others waiting (and a client
that hangs up mid-reply kills only its thread).
"""
import argparse
import os
import signal
import socket
import sys
import threading


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, default=6789)
    parser.add_argument('--root', default='.')
    parser.add_argument('--threaded', action='store_true',
                        help='a thread per connection (the optional exercise)')
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    os.chdir(args.root)

    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind((args.host, args.port))
    server.listen(1)
    print('listening on %s:%d' % server.getsockname()[:2], flush=True)
    while True:
        conn, _ = server.accept()
        if args.threaded:
            threading.Thread(target=handle, args=(conn,), daemon=True).start()
        else:
            handle(conn)


def handle(conn):
    """One request: the file or the 404, then close."""
    try:
        message = conn.recv(1024)
        name = message.split()[1][1:]
        with open(name, encoding='utf-8') as f:
            data = f.read()
        header = (' HTTP/1.1 200 OK\nConnection: close\n'
                  'Content-Type: text/html\nContent-Length: %d\n\n' % len(data))
        conn.send(header.encode())
        for ch in data:
            conn.send(ch.encode())
    except (IOError, IndexError):
        conn.send(' HTTP/1.1 404 not Found'.encode())
    finally:
        conn.close()


if __name__ == '__main__':
    try:
        main()
    except KeyboardInterrupt:
        pass
