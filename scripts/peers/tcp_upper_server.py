#!/usr/bin/env python3
"""The lesson's concurrent upper-case server: socketserver.ThreadingTCPServer.

Each client gets a thread; the handler receives up to 1024 bytes and sends
them back upper-cased until the client closes. As in the lesson, every
message is printed. Stops on SIGINT/SIGTERM.
"""
import argparse
import signal
import socketserver
import sys


class UpperHandler(socketserver.BaseRequestHandler):
    def handle(self):
        while True:
            try:
                data = self.request.recv(1024)
                if not data:
                    break
                print('received', data, self.client_address, flush=False)
                self.request.sendall(data.upper())
            except OSError as e:
                print(e)
                break


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True
    request_queue_size = 128


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, default=8080)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with Server((args.host, args.port), UpperHandler) as server:
        host, port = server.server_address[:2]
        print(f'listening on {host}:{port}', flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass


if __name__ == '__main__':
    main()
