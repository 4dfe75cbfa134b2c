#!/usr/bin/env python3
"""The chat client of lesson 001 (port 21567), its lines read from stdin.

connect; for each line of input('>>>'): send it as typed (not stripped),
recv(1024), stop if the line or the reply is q in any case
(msg.lower() == b'q', ret.lower() == b'q'), else print the reply. A q
typed here is sent, and the client still waits for the server to answer
or close. As in the lesson, an empty line sends nothing and then waits.

Two changes so a test can drive it: an empty recv (the server has gone)
ends the client instead of printing '' and sending again, and the end of
stdin ends it instead of an EOFError. Reads give up after 10 s.
"""
import argparse
import socket


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, default=21567)
    args = parser.parse_args()

    client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    client.settimeout(10)
    client.connect((args.host, args.port))
    while True:
        try:
            msg = input('>>>').encode('utf-8')
        except EOFError:
            break
        client.send(msg)
        ret = client.recv(1024)
        if msg.lower() == b'q':
            break
        if ret.lower() == b'q':
            break
        if not ret:
            break
        print(ret.decode('utf-8', errors='replace'), flush=True)
    client.close()


if __name__ == '__main__':
    main()
