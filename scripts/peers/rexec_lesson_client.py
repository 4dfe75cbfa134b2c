#!/usr/bin/env python3
"""The remote-command clients of the lessons, one per --protocol.

Reads commands from stdin (one per line; empty lines skipped, 'quit' ends),
sends each with one send() and reads the answer the way the lesson's client
of that step does:

  raw     one recv(1024)                                  (lesson 七)
  ready   recv(1024) the decimal length, send b'ready',
          recv until that many bytes                       (lesson 9.3.1)
  struct  recv(4), struct.unpack('i'), recv until length  (lesson 9.3.2)
  json    recv(4) header length, recv the header exactly,
          json.loads(...)['data_size'], recv until size   (custom header)

Each answer is written to stdout as it came, then a line
'--- end of reply: N bytes ---' (json also prints the header first), so a
test can tell where one answer ends.
"""
import argparse
import json
import socket
import struct
import sys

BUFFER_SIZE = 1024


def recv_until(sock, size):
    """Keep calling recv until `size` bytes have come, never asking for more
    than is still missing: what follows belongs to the next message."""
    data = b''
    while len(data) < size:
        chunk = sock.recv(min(BUFFER_SIZE, size - len(data)))
        if not chunk:
            raise ConnectionError(f'closed after {len(data)} of {size} bytes')
        data += chunk
    return data


def read_answer(sock, protocol, out):
    if protocol == 'raw':
        return sock.recv(BUFFER_SIZE)
    if protocol == 'ready':
        length = int(sock.recv(BUFFER_SIZE).decode('ascii'))
        sock.send(b'ready')
        return recv_until(sock, length)
    if protocol == 'struct':
        length = struct.unpack('i', sock.recv(4))[0]
        return recv_until(sock, length)
    header_len = struct.unpack('i', sock.recv(4))[0]
    header = json.loads(recv_until(sock, header_len).decode('utf-8'))
    out.write(b'--- header: ' + json.dumps(header, sort_keys=True).encode() + b' ---\n')
    return recv_until(sock, header['data_size'])


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, default=8080)
    parser.add_argument('--protocol', choices=['raw', 'ready', 'struct', 'json'], default='json')
    args = parser.parse_args()

    out = sys.stdout.buffer
    client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    client.settimeout(20)
    client.connect((args.host, args.port))
    for line in sys.stdin:
        cmd = line.strip()
        if not cmd:
            continue
        if cmd == 'quit':
            break
        client.send(cmd.encode('utf-8'))
        answer = read_answer(client, args.protocol, out)
        out.write(answer)
        out.write(f'\n--- end of reply: {len(answer)} bytes ---\n'.encode())
        out.flush()
    client.close()


if __name__ == '__main__':
    main()
