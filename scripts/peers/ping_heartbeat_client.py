#!/usr/bin/env python3
"""The UDP pinger lab's optional exercise, the heartbeat: the client side.

Sends 'Heartbeat <seq> <time.time()>' (seq from 1) to --host:--port with
sendto, one every --interval seconds, --count of them (0: until
interrupted), and reads nothing: a heartbeat expects no answer. Prints
'Heartbeat <seq> sent' for each. --skip N leaves heartbeat N out (its number
is used, nothing is sent), so the server has a gap to find without losing
anything itself.
"""
import argparse
import socket
import sys
import time


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, default=12000)
    parser.add_argument('--count', type=int, default=5)
    parser.add_argument('--interval', type=float, default=0.5)
    parser.add_argument('--skip', type=int, action='append', default=[])
    args = parser.parse_args()

    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    seq = 0
    while args.count == 0 or seq < args.count:
        seq += 1
        if seq not in args.skip:
            sock.sendto(('Heartbeat %d %s' % (seq, time.time())).encode(),
                        (args.host, args.port))
            print('Heartbeat %d sent' % seq, flush=True)
        if args.count == 0 or seq < args.count:
            time.sleep(args.interval)
    sock.close()


if __name__ == '__main__':
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(0)
