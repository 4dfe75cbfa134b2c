#!/usr/bin/env python3
"""The lesson's first upper-case server (seed 000, §三) over AF_UNIX (§2.2).

socket(AF_UNIX, SOCK_STREAM), bind() to --path (which creates the socket
file), listen(5), then one client at a time: recv(1024), print it, send it
back upper-cased, until the client closes (an empty recv, which the lesson
never checks). Prints 'listening on PATH' once bound; removes the file
when it stops (SIGTERM, Ctrl-C).
"""
import argparse
import os
import signal
import socket
import sys


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--path', default='/tmp/tcp_6_unix.sock')
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))

    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(args.path)
    try:
        server.listen(5)
        print(f'listening on {args.path}', flush=True)
        while True:
            conn, _ = server.accept()
            with conn:
                while True:
                    data = conn.recv(1024)
                    if not data:
                        break
                    print('客户端发来的消息是', data.decode('utf-8', errors='replace'), flush=True)
                    conn.send(data.upper())
    except KeyboardInterrupt:
        pass
    finally:
        os.unlink(args.path)


if __name__ == '__main__':
    main()
