#!/usr/bin/env python3
"""The fixed-length message program of lesson 004 (recvall), both roles.

  tcp_sixteen.py server [--host H] [--port P]
  tcp_sixteen.py client [--host H] [--port P]

The client connects, prints its socket name, sends the 16 bytes
b'Hi there, server' and reads exactly 15 with recvall; the server, one
client at a time, prints the connection's two names, reads exactly 16
with recvall, sends b'farewell,client' and closes. Both print what the
lesson prints, addresses as Python's tuples and the bytes as repr().

Changes so a test can drive it: --host/--port (port 0 = a free port;
default 1060, as the lesson's -p) after the role, and the server prints
'listening on HOST:PORT' (the lesson printed the method sock.getsockname,
without the call). As in the lesson, a client that closes early raises
recvall's EOFError, which ends the server.
"""
import argparse
import signal
import socket
import sys


def recvall(sock, length):
    data = b''
    while len(data) < length:
        more = sock.recv(length - len(data))
        if not more:
            raise EOFError('was expecting %d bytes but only received'
                           ' %d bytes before the socket closed' % (length, len(data)))
        data += more
    return data


def server(host, port):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(1)
    bound_host, bound_port = sock.getsockname()
    print(f'listening on {bound_host}:{bound_port}', flush=True)
    while True:
        print('waiting to accept a new connection', flush=True)
        sc, sockname = sock.accept()
        print('we have accepted a connection from', sockname)
        print('socket name', sc.getsockname())
        print('socket peer', sc.getpeername(), flush=True)
        message = recvall(sc, 16)
        print('incoming sixteen-octet message:', repr(message))
        sc.sendall(b'farewell,client')
        sc.close()
        print('reply sent, socket closed', flush=True)


def client(host, port):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.settimeout(10)
    sock.connect((host, port))
    print('client has been assigned socket name', sock.getsockname(), flush=True)
    sock.sendall(b'Hi there, server')
    reply = recvall(sock, 15)
    print('The server said', repr(reply), flush=True)
    sock.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('role', choices=['server', 'client'])
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, default=1060)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        (server if args.role == 'server' else client)(args.host, args.port)
    except KeyboardInterrupt:
        pass


if __name__ == '__main__':
    main()
