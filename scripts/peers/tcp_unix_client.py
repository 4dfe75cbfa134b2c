#!/usr/bin/env python3
"""The lesson's first client loop (seed 000, §三) over AF_UNIX (§2.2), its lines read from stdin.

connect to the socket file --path; for each line: strip, skip empty,
'quit' ends, send, recv(1024), print 'reply:' and what came back.
"""
import argparse
import socket
import sys


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--path', default='/tmp/tcp_6_unix.sock')
    args = parser.parse_args()

    client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    client.settimeout(10)
    client.connect(args.path)
    for line in sys.stdin:
        msg = line.strip()
        if not msg:
            continue
        if msg == 'quit':
            break
        client.send(msg.encode('utf-8'))
        data = client.recv(1024)
        print('reply:', data.decode('utf-8'), flush=True)
    client.close()


if __name__ == '__main__':
    main()
