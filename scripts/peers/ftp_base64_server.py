#!/usr/bin/env python3
"""The threaded file sender of the second lesson file (FileTransferHandler).

Reads --file once and base64-encodes it (JSON is text and cannot carry
bytes); then a thread per client sends it json.dumps of
{"filename": basename(--file), "filedata": BASE64} and closes the
connection, which is how the client knows it has everything. It prints
'服务器启动开始监听...' as the lesson does, and reads nothing.

Changes from the lesson: sendall() instead of send() (a send may take only
part of a large text), --host/--port/--file arguments instead of the fixed
guido.jpg, and a flushed 'listening on HOST:PORT' line. Stops on SIGTERM.
"""
import argparse
import base64
import json
import os
import signal
import socket
import sys
import threading


def send_file(conn, json_bytes):
    try:
        conn.sendall(json_bytes)
    except OSError as e:
        print('client dropped:', e, flush=True)
    finally:
        conn.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, default=5566)
    parser.add_argument('--file', default='guido.jpg')
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind((args.host, args.port))
    server.listen(512)
    host, port = server.getsockname()[:2]
    print(f'listening on {host}:{port}', flush=True)
    print('服务器启动开始监听...', flush=True)
    with open(args.file, 'rb') as f:
        data = base64.b64encode(f.read()).decode('utf-8')
    json_bytes = json.dumps({'filename': os.path.basename(args.file),
                             'filedata': data}).encode('utf-8')
    while True:
        conn, _ = server.accept()
        threading.Thread(target=send_file, args=(conn, json_bytes), daemon=True).start()


if __name__ == '__main__':
    main()
