#!/usr/bin/env python3
"""The lesson's HTTP client over a raw socket (Python网络编程, the simplest
client): connect, send one GET request line with a Host header and a blank
line, take ONE recv(4096) as the answer, close.

The bytes received are written to stdout as they are, so a test can look at
the status line, the headers and the body. --path picks the target (the
lesson always asks for '/').
"""
import argparse
import socket
import sys


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, default=6789)
    parser.add_argument('--path', default='/')
    args = parser.parse_args()

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.settimeout(10)
    sock.connect((args.host, args.port))
    request = 'GET %s HTTP/1.1\r\nHost:%s\r\n\r\n' % (args.path, args.host)
    sock.send(request.encode())
    data = sock.recv(4096)
    sys.stdout.buffer.write(data)
    sock.close()


if __name__ == '__main__':
    main()
