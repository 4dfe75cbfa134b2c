#!/usr/bin/env python3
"""Seed 003's concurrent UDP server: socketserver.ThreadingUDPServer.

Each datagram gets a thread; the handler's self.request is the pair
(datagram, server socket), and it prints both, as the lesson's handler
does. Its answer differs from the lesson's: the lesson sends the same
fixed words to every datagram, this one sends the datagram back
upper-cased (as the udp_3_threading_server step does), so the first UDP
lesson's clients can talk to it. Stops on SIGINT/SIGTERM.
"""
import argparse
import signal
import socketserver
import sys


class UpperHandler(socketserver.BaseRequestHandler):
    def handle(self):
        data, sock = self.request
        print(data, flush=True)
        print(sock, flush=True)
        sock.sendto(data.upper(), self.client_address)


class Server(socketserver.ThreadingUDPServer):
    daemon_threads = True


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, default=8089)
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
