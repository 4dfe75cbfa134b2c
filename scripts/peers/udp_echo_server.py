#!/usr/bin/env python3
"""The UDP lesson's first server (seed 000, section 4), with a port argument.

recvfrom(1024) a datagram, print it as bytes, send it back upper-cased to
the address it came from; an empty datagram is answered with an empty one.
Stops on SIGINT/SIGTERM.
"""
import argparse
import signal
import socket
import sys


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, default=8080)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))

    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((args.host, args.port))
    host, port = sock.getsockname()[:2]
    print(f'listening on {host}:{port}', flush=True)
    try:
        while True:
            data, peer = sock.recvfrom(1024)
            print(data, flush=True)
            sock.sendto(data.upper(), peer)
    except KeyboardInterrupt:
        pass


if __name__ == '__main__':
    main()
