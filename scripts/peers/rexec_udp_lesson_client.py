#!/usr/bin/env python3
"""The remote-command client over UDP of the lessons (lesson 八).

Reads commands from stdin (one per line; empty lines skipped, 'quit' ends),
sends each in one datagram with sendto() and reads the answer with one
recvfrom(--bufsize, the lesson's 1024): a longer datagram is cut, and the
rest of it is lost. Each answer is written to stdout as it came, then a line
'--- end of reply: N bytes ---', so a test can tell where one answer ends.
Gives up (exit 1) when an answer does not come within 20 seconds.
"""
import argparse
import socket
import sys


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, default=8080)
    parser.add_argument('--bufsize', type=int, default=1024)
    args = parser.parse_args()

    out = sys.stdout.buffer
    client = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    client.settimeout(20)
    for line in sys.stdin:
        cmd = line.strip()
        if not cmd:
            continue
        if cmd == 'quit':
            break
        client.sendto(cmd.encode('utf-8'), (args.host, args.port))
        answer, _ = client.recvfrom(args.bufsize)
        out.write(answer)
        out.write(f'\n--- end of reply: {len(answer)} bytes ---\n'.encode())
        out.flush()
    client.close()


if __name__ == '__main__':
    main()
