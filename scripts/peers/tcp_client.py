#!/usr/bin/env python3
"""The lesson's TCP client loop, reading its lines from stdin instead of input().

connect; for each line: strip, skip empty, 'quit' ends, send, recv(1024),
print what came back.
"""
import argparse
import socket
import sys


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, default=8080)
    args = parser.parse_args()

    tcp_client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    tcp_client.settimeout(10)
    tcp_client.connect((args.host, args.port))
    for line in sys.stdin:
        msg = line.strip()
        if not msg:
            continue
        if msg == 'quit':
            break
        tcp_client.send(msg.encode('utf-8'))
        data = tcp_client.recv(1024)
        print('reply:', data.decode('utf-8'), flush=True)
    tcp_client.close()


if __name__ == '__main__':
    main()
