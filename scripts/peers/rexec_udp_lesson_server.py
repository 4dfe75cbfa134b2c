#!/usr/bin/env python3
"""The remote-command server over UDP of the lessons (lesson 八).

Each datagram, received with recvfrom(1024), is a command, run with
subprocess and the shell. The answer is one datagram back to its sender:
stderr if there is any, else stdout, and an empty result becomes
'执行成功' ("ran fine", UTF-8 here where the lesson has GBK).

Unlike the lesson it binds where --host/--port say (port 0 = any free
port), prints 'listening on HOST:PORT' once bound, gives a command at most
10 seconds, and prints the error and goes on where the lesson's server dies
(a result longer than one datagram, 65,507 bytes: EMSGSIZE). Stops on
SIGINT/SIGTERM.
"""
import argparse
import signal
import socket
import subprocess
import sys


def run(cmd):
    proc = subprocess.Popen(cmd.decode('utf-8', 'replace'), shell=True,
                            stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        out, err = proc.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
    result = err if err else out
    return result if result else '执行成功'.encode('utf-8')


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, default=8080)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))

    server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    server.bind((args.host, args.port))
    host, port = server.getsockname()[:2]
    print(f'listening on {host}:{port}', flush=True)
    try:
        while True:
            cmd, addr = server.recvfrom(1024)
            print('command', cmd, addr, flush=True)
            try:
                server.sendto(run(cmd), addr)
            except OSError as e:
                print(e, flush=True)
    except KeyboardInterrupt:
        pass
    finally:
        server.close()


if __name__ == '__main__':
    main()
