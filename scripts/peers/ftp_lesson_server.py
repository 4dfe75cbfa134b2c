#!/usr/bin/env python3
"""The lesson's upload server: socketserver.ThreadingTCPServer + MyFtp.

Each client gets a thread. The handler loops: 4 bytes of struct.pack('i')
giving the header's length, the JSON header, and for cmd "put" exactly
file_size bytes, read recv(8000) at a time into --root/file_name, printing
the running total after each recv as the lesson does. It never sends
anything back: the lesson's protocol has no replies. A cmd it has no method
for is skipped; any error ends that client's loop.

Three changes from the lesson, so a test can rely on it: the header is read
whole (a lone recv(n) may return fewer bytes), a recv never asks for more
than the file still needs (the lesson's recv(8000) can swallow the start of
the next header), and only the last part of file_name is used (the lesson's
os.path.join would write ../x outside the directory).
Plus --host/--port/--root (created if missing: the lesson's server_dir is
assumed to exist, and every upload into a missing one fails while its client
still prints 'upload successful') and a flushed 'listening on HOST:PORT' line.
Stops on SIGINT/SIGTERM.
"""
import argparse
import json
import os
import signal
import socketserver
import struct
import sys

MAX_PACKET = 8000


def recv_exact(sock, n):
    data = b''
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise ConnectionError('closed after %d of %d bytes' % (len(data), n))
        data += chunk
    return data


class FtpHandler(socketserver.BaseRequestHandler):
    root = '.'

    def handle(self):
        while True:
            try:
                head_struct = self.request.recv(4)
                if not head_struct:
                    break
                if len(head_struct) < 4:
                    head_struct += recv_exact(self.request, 4 - len(head_struct))
                head_len = struct.unpack('i', head_struct)[0]
                header = json.loads(recv_exact(self.request, head_len).decode('utf-8'))
                cmd = header['cmd']
                if hasattr(self, 'do_' + cmd):
                    getattr(self, 'do_' + cmd)(header)
            except Exception as e:
                print('client', self.client_address, 'dropped:', e, flush=True)
                break

    def do_put(self, header):
        name = os.path.basename(header['file_name'])
        path = os.path.join(self.root, name)
        file_size = header['file_size']
        recv_size = 0
        with open(path, 'wb') as f:
            while recv_size < file_size:
                data = self.request.recv(min(MAX_PACKET, file_size - recv_size))
                if not data:
                    raise ConnectionError('closed after %d of %d bytes' % (recv_size, file_size))
                f.write(data)
                recv_size += len(data)
                print(recv_size)
        print('stored', name, recv_size, 'bytes', flush=True)


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, default=8089)
    parser.add_argument('--root', default='.')
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    os.makedirs(args.root, exist_ok=True)
    FtpHandler.root = args.root
    with Server((args.host, args.port), FtpHandler) as server:
        host, port = server.server_address[:2]
        print(f'listening on {host}:{port}', flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass


if __name__ == '__main__':
    main()
