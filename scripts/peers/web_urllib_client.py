#!/usr/bin/env python3
"""Fetches one URL with Python's own HTTP client, urllib.request.

Prints 'status N', each response header as 'Name: value', a blank line,
then the body's bytes as they came. An HTTP error status (404, 403, 416...)
is printed the same way: urllib raises it as HTTPError, which carries the
response. --header adds a request header ('Range: bytes=0-4'); --head sends
HEAD. Exit status 0 whenever a response came back.
"""
import argparse
import sys
import urllib.error
import urllib.request


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('url')
    parser.add_argument('--header', action='append', default=[])
    parser.add_argument('--head', action='store_true')
    args = parser.parse_args()

    request = urllib.request.Request(args.url, method='HEAD' if args.head else 'GET')
    for header in args.header:
        name, value = header.split(':', 1)
        request.add_header(name.strip(), value.strip())
    # No redirects followed: a 301 is shown as it came.
    opener = urllib.request.build_opener(NoRedirect)
    try:
        response = opener.open(request, timeout=10)
    except urllib.error.HTTPError as error:
        response = error
    out = sys.stdout.buffer
    out.write(b'status %d\n' % response.status)
    for name, value in response.headers.items():
        out.write(('%s: %s\n' % (name, value)).encode('latin-1'))
    out.write(b'\n')
    out.write(response.read())


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


if __name__ == '__main__':
    main()
