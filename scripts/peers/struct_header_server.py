#!/usr/bin/env python3
"""The lesson's custom-header receiver: one file, with its header.

Accepts one connection, then: recv 4 bytes and struct.unpack('i') them,
read that many bytes of JSON header, read exactly header['file_size']
bytes. Prints `header <json>` and `data <size> <md5>` and exits. Prints
`listening on HOST:PORT` once bound.
"""
import argparse
import hashlib
import json
import socket
import struct


def recv_exactly(conn, n):
    data = b''
    while len(data) < n:
        chunk = conn.recv(min(n - len(data), 65536))
        if not chunk:
            raise EOFError(f'expected {n} bytes, got {len(data)}')
        data += chunk
    return data


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, default=8080)
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
            head_len = struct.unpack('i', recv_exactly(conn, 4))[0]
            header = json.loads(recv_exactly(conn, head_len).decode('utf-8'))
            data = recv_exactly(conn, header['file_size'])
            print('header', json.dumps(header, ensure_ascii=False), flush=True)
            print('data', len(data), hashlib.md5(data).hexdigest(), flush=True)


if __name__ == '__main__':
    main()
