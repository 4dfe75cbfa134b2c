#!/usr/bin/env python3
"""The lesson's custom-header sender: one file, with its header.

Sends struct.pack('i', len(head_bytes)), then head_bytes (json.dumps of
{'file_size', 'file_name', 'md5'}), then the file's bytes, each with its
own send()/sendall() as in the lesson, and closes.
"""
import argparse
import hashlib
import json
import os
import socket
import struct


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, default=8080)
    parser.add_argument('file')
    args = parser.parse_args()

    with open(args.file, 'rb') as f:
        data = f.read()
    header = {
        'file_size': len(data),
        'file_name': os.path.basename(args.file),
        'md5': hashlib.md5(data).hexdigest(),
    }
    head_bytes = json.dumps(header).encode('utf-8')
    with socket.create_connection((args.host, args.port), timeout=10) as conn:
        conn.send(struct.pack('i', len(head_bytes)))
        conn.send(head_bytes)
        conn.sendall(data)


if __name__ == '__main__':
    main()
