#!/usr/bin/env python3
"""The lesson's upload client (MyClient): `put PATH` sends a file.

Reads commands line by line (with the prompt '>>: ' on a terminal only).
For `put PATH` it sends struct.pack('i', len(header)), the JSON header
{"cmd": "put", "file_name": basename(PATH), "file_size": N} and then the
file, line by line as the lesson's `for i in f` does, printing the running
total after each line and 'upload successful' at the end. No md5, and it
never reads anything the server sends. A command it has no method for is
skipped, as the lesson's hasattr() does.

Changes from the lesson: sendall() instead of send() (a send may take only
part of the bytes), --host/--port arguments, and the end of input closes
the connection instead of crashing in input().
"""
import argparse
import json
import os
import socket
import struct
import sys


class MyClient:
    def __init__(self, address):
        self.sock = socket.create_connection(address)

    def run(self):
        interactive = sys.stdin.isatty()
        while True:
            try:
                line = input('>>: ' if interactive else '').strip()
            except EOFError:
                break
            if not line:
                continue
            words = line.split()
            if hasattr(self, 'do_' + words[0]):
                getattr(self, 'do_' + words[0])(words)
        self.sock.close()

    def do_put(self, words):
        filename = words[1]
        if not os.path.isfile(filename):
            print('file:%s is not exists' % filename)
            return
        header = {'cmd': 'put', 'file_name': os.path.basename(filename),
                  'file_size': os.path.getsize(filename)}
        header_bytes = json.dumps(header).encode('utf-8')
        self.sock.sendall(struct.pack('i', len(header_bytes)))
        self.sock.sendall(header_bytes)
        send_size = 0
        with open(filename, 'rb') as f:
            for line in f:
                self.sock.sendall(line)
                send_size += len(line)
                print(send_size)
        print('upload successful', flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, default=8089)
    args = parser.parse_args()
    MyClient((args.host, args.port)).run()


if __name__ == '__main__':
    main()
