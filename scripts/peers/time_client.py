#!/usr/bin/env python3
"""The lesson's time clients, reading their input from stdin.

udp (default): for each line of stdin, strip it and send it (an empty line
too: the server then uses its default format), recvfrom(1024), and print
the answer after the lesson's words 'ntp服务器的标准时间是'.

tcp: connect, recv(1024), print what came, close.
"""
import argparse
import socket
import sys


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, default=8080)
    parser.add_argument('--proto', choices=['udp', 'tcp'], default='udp')
    args = parser.parse_args()
    server = (args.host, args.port)

    if args.proto == 'tcp':
        client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        client.settimeout(10)
        client.connect(server)
        print(client.recv(1024).decode('utf-8'), flush=True)
        client.close()
        return

    client = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    client.settimeout(10)
    for line in sys.stdin:
        msg = line.strip()
        client.sendto(msg.encode('utf-8'), server)
        data, addr = client.recvfrom(1024)
        print('ntp服务器的标准时间是', data.decode('utf-8'), flush=True)
    client.close()


if __name__ == '__main__':
    main()
