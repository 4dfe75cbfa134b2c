#!/usr/bin/env python3
"""The sending end of the sticky-packet lesson (粘包), for the interop tests.

case 1: sends b'hello', b'world', b'egon' with three quick send() calls;
case 2: sends b'helloworldegon' with one send().
--mode framed puts struct.pack('i', len(msg)) before each message, sent
with its own send() as the lesson's fixed-header code does; --mode udp
sends each message as one datagram. The socket is closed at the end, so a
TCP receiver sees the end of the stream.
"""
import argparse
import socket
import struct

MESSAGES = {1: [b'hello', b'world', b'egon'], 2: [b'helloworldegon']}


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, default=8080)
    parser.add_argument('--case', type=int, choices=[1, 2], required=True)
    parser.add_argument('--mode', choices=['raw', 'framed', 'udp'], default='raw')
    args = parser.parse_args()
    address = (args.host, args.port)
    messages = MESSAGES[args.case]

    if args.mode == 'udp':
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            for msg in messages:
                udp.sendto(msg, address)
        return

    with socket.create_connection(address, timeout=10) as tcp:
        for msg in messages:
            if args.mode == 'framed':
                tcp.send(struct.pack('i', len(msg)))
            tcp.send(msg)


if __name__ == '__main__':
    main()
