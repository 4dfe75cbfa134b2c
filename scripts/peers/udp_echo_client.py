#!/usr/bin/env python3
"""The UDP lesson's first client (seed 000, section 4), reading stdin lines.

For each line: strip it and send it in one datagram, an empty line too (a
datagram of 0 bytes); recvfrom(1024) the answer and print it as bytes. No
'>>: ' prompt, so the output is only the answers.
"""
import argparse
import socket
import sys


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, default=8080)
    args = parser.parse_args()
    server = (args.host, args.port)

    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.settimeout(10)
    for line in sys.stdin:
        sock.sendto(line.strip().encode('utf-8'), server)
        answer, _ = sock.recvfrom(1024)
        print(answer, flush=True)
    sock.close()


if __name__ == '__main__':
    main()
