#!/usr/bin/env python3
"""The UDP pinger lab's client, as the lesson has it.

An unconnected UDP socket with a timeout (1 s in the lesson); for i = 1..count
(9 in the lesson): send 'Ping <i> <time.time()>' with sendto, wait for one
datagram with recvfrom(1024), and print its round-trip time in seconds, or
that the request timed out.
"""
import argparse
import socket
import time


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, default=12000)
    parser.add_argument('--count', type=int, default=9)
    parser.add_argument('--timeout', type=float, default=1.0)
    args = parser.parse_args()

    client = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    client.settimeout(args.timeout)
    for seq in range(1, args.count + 1):
        started = time.time()
        ping = f'Ping {seq} {started}'.encode()
        try:
            client.sendto(ping, (args.host, args.port))
            reply, server = client.recvfrom(1024)
            rtt = time.time() - started
            print(f'Sequence {seq}: Reply from {args.host}    RTT = {rtt:.3f}s'
                  f'    {reply.decode(errors="replace")}', flush=True)
        except OSError:
            print(f'Sequence {seq}: Request timed out.', flush=True)
    client.close()


if __name__ == '__main__':
    main()
