#!/usr/bin/env python3
"""The remote-command servers of the lessons, one per --protocol.

Serves one client after another. Each recv(1024) is a command, run with
subprocess and the shell; the answer goes back as the lesson's server of
that step sends it. For raw, ready and struct the result is stderr if there
is any, else stdout, and an empty result becomes '执行成功' ("ran fine",
UTF-8 here where the lesson has GBK):

  raw     the result alone, one send()                       (lesson 七)
  ready   the result's length in decimal, one recv(1024), and the result
          only if that was exactly b'ready'                  (lesson 9.3.1)
  struct  struct.pack('i', len(result)) then the result, in two send()s
                                                             (lesson 9.3.2)
  json    struct.pack('i', len(header)), the header {"data_size": N} and
          nothing else, then stdout and stderr, each in its own send()
                                                             (custom header)

Unlike the lesson it binds where --host/--port say (port 0 = any free
port), prints 'listening on HOST:PORT' once bound, and gives a command at
most 10 seconds. Stops on SIGINT/SIGTERM.
"""
import argparse
import json
import signal
import socket
import struct
import subprocess
import sys


def run(cmd):
    proc = subprocess.Popen(cmd.decode('utf-8', 'replace'), shell=True,
                            stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        return proc.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.communicate()


def answer(conn, protocol, cmd):
    out, err = run(cmd)
    if protocol != 'json':
        result = err if err else out
        if not result:
            result = '执行成功'.encode('utf-8')
    if protocol == 'raw':
        conn.sendall(result)
    elif protocol == 'ready':
        conn.send(str(len(result)).encode('utf-8'))
        if conn.recv(1024) == b'ready':
            conn.sendall(result)
    elif protocol == 'struct':
        conn.send(struct.pack('i', len(result)))
        conn.sendall(result)
    else:
        header = json.dumps({'data_size': len(out) + len(err)}).encode('utf-8')
        conn.send(struct.pack('i', len(header)))
        conn.send(header)
        conn.sendall(out)
        conn.sendall(err)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, default=8080)
    parser.add_argument('--protocol', choices=['raw', 'ready', 'struct', 'json'], default='struct')
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))

    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind((args.host, args.port))
    server.listen(5)
    host, port = server.getsockname()[:2]
    print(f'listening on {host}:{port}', flush=True)
    try:
        while True:
            conn, addr = server.accept()
            print('new client', addr, flush=True)
            with conn:
                while True:
                    try:
                        cmd = conn.recv(1024)
                    except OSError as e:
                        print(e, flush=True)
                        break
                    if not cmd:
                        break
                    print('command', cmd, flush=True)
                    answer(conn, args.protocol, cmd)
    except KeyboardInterrupt:
        pass
    finally:
        server.close()


if __name__ == '__main__':
    main()
