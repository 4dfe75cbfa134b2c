#!/usr/bin/env python3
"""The lesson's QQ chat client, reading its input from stdin.

Contacts A, B, C and D all point at --host:--port. The first line names the
contact; each following line is a message, sent and answered with one
recvfrom(1024); 'quit' goes back to choosing a contact. As in the lesson, an
empty message, or a message to a name that is not a contact, is skipped.
"""
import argparse
import socket
import sys


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, default=8081)
    args = parser.parse_args()
    server = (args.host, args.port)
    contacts = {name: server for name in 'ABCD'}

    client = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    client.settimeout(10)
    lines = (line.strip() for line in sys.stdin)
    for qq_name in lines:
        for msg in lines:
            if msg == 'quit':
                break
            if not msg or qq_name not in contacts:
                continue
            client.sendto(msg.encode('utf-8'), contacts[qq_name])
            back_msg, addr = client.recvfrom(1024)
            print('来自[%s:%s]的一条消息:%s' % (addr[0], addr[1], back_msg.decode('utf-8')), flush=True)
    client.close()


if __name__ == '__main__':
    main()
