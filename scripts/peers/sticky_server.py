#!/usr/bin/env python3
"""The receiving end of the sticky-packet lesson (粘包), for the interop tests.

Accepts one connection and, like the lesson's server, prints what each
recv returned, one `repr` per line:

  case 1: recv(1024) three times;
  case 2: recv(1), recv(5), recv(1), then what is still waiting;
  --mode framed: reads 4-byte struct.pack('i') lengths and exactly that
  many bytes, one message per line, until the sender closes.

Before the first recv it waits (peeking, bounded) until all the bytes the
lesson's client sends are buffered, so the result does not depend on
timing. Prints `listening on HOST:PORT` once bound.
"""
import argparse
import socket
import struct
import time

SIZES = {1: [1024, 1024, 1024], 2: [1, 5, 1]}
WIRE_LEN = {(1, 'raw'): 14, (2, 'raw'): 14, (1, 'framed'): 26, (2, 'framed'): 18}


def wait_until_buffered(conn, want, seconds=2.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            waiting = conn.recv(want, socket.MSG_PEEK | socket.MSG_DONTWAIT)
        except BlockingIOError:
            waiting = None
        if waiting is not None and (len(waiting) >= want or not waiting):
            return
        time.sleep(0.005)


def recv_exactly(conn, n):
    data = b''
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            raise EOFError(f'expected {n} bytes, got {len(data)}')
        data += chunk
    return data


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, default=8080)
    parser.add_argument('--case', type=int, choices=[1, 2], required=True)
    parser.add_argument('--mode', choices=['raw', 'framed'], default='raw')
    args = parser.parse_args()

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind((args.host, args.port))
        server.listen(5)
        host, port = server.getsockname()[:2]
        print(f'listening on {host}:{port}', flush=True)
        server.settimeout(30)
        conn, _ = server.accept()
        with conn:
            conn.settimeout(10)
            wait_until_buffered(conn, WIRE_LEN[(args.case, args.mode)])
            if args.mode == 'framed':
                while True:
                    prefix = conn.recv(4, socket.MSG_WAITALL)
                    if not prefix:
                        break
                    length = struct.unpack('i', prefix)[0]
                    print('frame', recv_exactly(conn, length), flush=True)
                return
            for size in SIZES[args.case]:
                print(f'recv({size})', conn.recv(size), flush=True)
            try:
                left = conn.recv(1024, socket.MSG_PEEK | socket.MSG_DONTWAIT)
            except BlockingIOError:
                left = b''
            print('left', left, flush=True)


if __name__ == '__main__':
    main()
