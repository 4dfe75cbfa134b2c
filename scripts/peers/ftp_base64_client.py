#!/usr/bin/env python3
"""The file receiver of the second lesson file's threaded file server.

Connects, receives recv(1024) at a time until the server closes, parses the
JSON {"filename": ..., "filedata": BASE64}, base64-decodes the data and
writes it to --dir/filename, then prints '图片已保存.' as the lesson does.
It sends nothing.

Changes from the lesson: --host/--port/--dir arguments instead of the fixed
'/Users/Hao/', and only the last part of filename is used (the lesson's
'/Users/Hao/' + filename would write ../x outside the folder).
"""
import argparse
import base64
import json
import os
import socket


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, default=5566)
    parser.add_argument('--dir', default='.')
    args = parser.parse_args()
    client = socket.create_connection((args.host, args.port))
    chunks = []
    data = client.recv(1024)
    while data:
        chunks.append(data)
        data = client.recv(1024)
    client.close()
    my_dict = json.loads(b''.join(chunks).decode('utf-8'))
    filename = os.path.basename(my_dict['filename'])
    with open(os.path.join(args.dir, filename), 'wb') as f:
        f.write(base64.b64decode(my_dict['filedata'].encode('utf-8')))
    print('图片已保存.')


if __name__ == '__main__':
    main()
