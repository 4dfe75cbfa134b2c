#!/usr/bin/env python3
"""The lesson's QQ chat server, its replies read from stdin.

recvfrom(1024) a message, print it as the lesson does (the sender and the
message, the message highlighted with \\033[1;44m), then send back the next
line of stdin, stripped, to the address the message came from. Ends when
stdin ends.
"""
import argparse
import signal
import socket
import sys


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, default=8081)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))

    server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    server.bind((args.host, args.port))
    host, port = server.getsockname()[:2]
    print(f'listening on {host}:{port}', flush=True)
    try:
        while True:
            qq_msg, addr = server.recvfrom(1024)
            text = qq_msg.decode('utf-8', errors='replace')
            print('来自[%s:%s]的一条消息:\033[1;44m%s\033[0m' % (addr[0], addr[1], text), flush=True)
            line = sys.stdin.readline()
            if not line:
                break
            server.sendto(line.strip().encode('utf-8'), addr)
    except KeyboardInterrupt:
        pass


if __name__ == '__main__':
    main()
