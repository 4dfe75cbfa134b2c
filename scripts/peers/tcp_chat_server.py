#!/usr/bin/env python3
"""The chat server of lesson 001 (port 21567), its operator's replies read from stdin.

One client at a time. For each message: recv(1024); exactly b'q' ends the
conversation without a reply (the lesson compares ret == b'q', so a 'Q' is
printed and answered like any other message); otherwise print it, read the
reply with input('>>>'), send it as typed, and a reply that is q in any
case (msg.lower() == b'q') ends the conversation after it is sent. Then the
next client is accepted.

Two changes so a test can drive it: an empty recv (the client has gone)
ends the conversation instead of printing '' and asking for a reply, and
the end of stdin ends the server instead of an EOFError.
"""
import argparse
import signal
import socket
import sys


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, default=21567)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))

    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind((args.host, args.port))
    server.listen(5)
    host, port = server.getsockname()[:2]
    print(f'listening on {host}:{port}', flush=True)
    while True:
        conn, _ = server.accept()
        with conn:
            while True:
                ret = conn.recv(1024)
                if not ret or ret == b'q':
                    break
                print(ret.decode('utf-8', errors='replace'), flush=True)
                try:
                    msg = input('>>>').encode('utf-8')
                except EOFError:
                    return
                conn.send(msg)
                if msg.lower() == b'q':
                    break


if __name__ == '__main__':
    try:
        main()
    except KeyboardInterrupt:
        pass
