#!/usr/bin/env python3
"""Python's own struct and json answers, for comparing with struct_header.

  struct_pack.py pack V...     one line per value: V, then repr and hex of
                               struct.pack('i', V) and of struct.pack('!i', V),
                               or `V error: <struct.error text>`
  struct_pack.py strict V...   like pack, one line per value, but a struct.error
                               is not caught: Python's own traceback, exit status 1
  struct_pack.py unpack HEX... one line per 4 bytes: HEX, unpack('i'), unpack('!i')
  struct_pack.py header SIZE NAME MD5
                               json.dumps of the lesson's header on one line,
                               then repr and hex of struct.pack('i', its length)
"""
import json
import struct
import sys


def spaced_hex(data):
    return ' '.join(f'{b:02x}' for b in data)


def main():
    command, values = sys.argv[1], sys.argv[2:]
    if command == 'pack':
        for text in values:
            try:
                native = struct.pack('i', int(text))
                network = struct.pack('!i', int(text))
            except struct.error as e:
                print(f'{text} error: {e}')
                continue
            print(text, repr(native), spaced_hex(native), repr(network), spaced_hex(network), sep='\t')
    elif command == 'strict':
        for text in values:
            native = struct.pack('i', int(text))
            print(text, repr(native), spaced_hex(native), sep='\t')
    elif command == 'unpack':
        for text in values:
            data = bytes.fromhex(text)
            print(text, struct.unpack('i', data)[0], struct.unpack('!i', data)[0], sep='\t')
    elif command == 'header':
        size, name, md5 = values
        header = {'file_size': int(size), 'file_name': name, 'md5': md5}
        head_bytes = json.dumps(header).encode('utf-8')
        prefix = struct.pack('i', len(head_bytes))
        print(head_bytes.decode('ascii'))
        print(repr(prefix), spaced_hex(prefix), sep='\t')
    else:
        sys.exit(f'unknown command {command!r}')


if __name__ == '__main__':
    main()
