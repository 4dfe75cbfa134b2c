//! The test's own end of a conversation, on loopback only: TCP streams and
//! UDP sockets with a read timeout, and small fake servers on a thread.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::thread::{self, JoinHandle};
use std::time::Duration;

/// A receive buffer that holds any UDP datagram whole.
const ANY_DATAGRAM: usize = 65_536;

/// A TCP connection to `addr` whose reads give up after `timeout`.
pub fn tcp_connect(addr: SocketAddr, timeout: Duration) -> TcpStream {
    let stream = TcpStream::connect(addr).expect("connect to the server");
    stream
        .set_read_timeout(Some(timeout))
        .expect("set a read timeout");
    stream
}

/// Sends `message` and reads back exactly as many bytes: one round trip of
/// an echo server.
pub fn round_trip(stream: &mut TcpStream, message: &[u8]) -> Vec<u8> {
    stream.write_all(message).expect("send");
    let mut reply = vec![0; message.len()];
    stream.read_exact(&mut reply).expect("the whole reply");
    reply
}

/// Asserts that the upper-case echo server at `addr` serves one client at a
/// time, as the first lesson's does: a second client's handshake completes
/// from the backlog, but its message is answered only once the first
/// client has gone.
pub fn assert_serves_one_client_at_a_time(addr: SocketAddr, timeout: Duration) {
    let mut first = tcp_connect(addr, timeout);
    assert_eq!(round_trip(&mut first, b"first"), b"FIRST");
    let mut second = tcp_connect(addr, timeout);
    second.write_all(b"second").expect("send");
    second
        .set_read_timeout(Some(Duration::from_millis(300)))
        .expect("timeout");
    let err = second
        .read(&mut [0; 16])
        .expect_err("no reply while the first is served");
    assert!(
        matches!(
            err.kind(),
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
        ),
        "{err}"
    );
    drop(first);
    second.set_read_timeout(Some(timeout)).expect("timeout");
    let mut reply = [0; 6];
    second
        .read_exact(&mut reply)
        .expect("served once the first left");
    assert_eq!(&reply, b"SECOND");
}

/// Writes `bytes` one byte per TCP segment (Nagle off), pausing `pause`
/// after each, so the reader sees a message trickle in: the test for code
/// that takes one `recv` for one message.
pub fn write_byte_by_byte(stream: &mut TcpStream, bytes: &[u8], pause: Duration) -> io::Result<()> {
    stream.set_nodelay(true)?;
    for byte in bytes {
        stream.write_all(&[*byte])?;
        thread::sleep(pause);
    }
    Ok(())
}

/// A loopback address where nothing listens: a port that was free a
/// moment ago, bound and released again.
pub fn closed_tcp_addr() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("bound")
}

/// A one-connection server on a free loopback port: `serve` gets the first
/// connection (reads give up after `timeout`) on a thread of its own.
pub fn fake_tcp_server(
    timeout: Duration,
    serve: impl FnOnce(TcpStream) + Send + 'static,
) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
    let addr = listener.local_addr().expect("bound");
    thread::spawn(move || {
        let (stream, _) = listener.accept().expect("the client connects");
        stream
            .set_read_timeout(Some(timeout))
            .expect("set a read timeout");
        serve(stream);
    });
    addr
}

/// A UDP socket of the test's own on loopback, whose receives give up
/// after `timeout`.
pub fn udp_socket(timeout: Duration) -> UdpSocket {
    let socket = UdpSocket::bind("127.0.0.1:0").expect("a free loopback port");
    socket
        .set_read_timeout(Some(timeout))
        .expect("set a read timeout");
    socket
}

/// Receives one datagram, whole, and who sent it.
pub fn udp_recv(socket: &UdpSocket) -> (Vec<u8>, SocketAddr) {
    let mut buf = vec![0; ANY_DATAGRAM];
    let (n, from) = socket.recv_from(&mut buf).expect("a datagram");
    buf.truncate(n);
    (buf, from)
}

/// Sends `datagram` to `addr` and returns the one reply, which must come
/// from `addr`.
pub fn udp_ask(socket: &UdpSocket, addr: SocketAddr, datagram: &[u8]) -> Vec<u8> {
    socket.send_to(datagram, addr).expect("send");
    let (reply, from) = udp_recv(socket);
    assert_eq!(from, addr, "the reply comes from the server's address");
    reply
}

/// A fake UDP server (or peer) on a free loopback port: `serve` gets its
/// socket, made by [`udp_socket`], on a thread of its own; join the handle
/// for what `serve` returns.
pub fn fake_udp_server<T: Send + 'static>(
    timeout: Duration,
    serve: impl FnOnce(UdpSocket) -> T + Send + 'static,
) -> (SocketAddr, JoinHandle<T>) {
    let socket = udp_socket(timeout);
    let addr = socket.local_addr().expect("bound");
    (addr, thread::spawn(move || serve(socket)))
}
