//! Stopping a server cleanly on Ctrl-C.
//!
//! A server spends its life blocked in `accept()` or `recv()`, and a signal
//! handler cannot safely do much. So Ctrl-C (or SIGTERM) only *triggers* a
//! [`Stop`], which then:
//!
//! 1. raises a flag the accept loop checks after every `accept()`;
//! 2. half-closes (read side) every connection registered with
//!    [`Stop::track`], so a thread blocked in `recv()` sees the end of
//!    the stream, finishes the reply it is writing, and returns;
//! 3. runs the wake-up actions registered with [`Stop::on_trigger`] —
//!    for a listener, a connection to itself, which makes the blocked
//!    `accept()` return so the loop can see the flag; for a UDP socket, an
//!    empty datagram to itself, which does the same for `recv_from()`.

use std::collections::HashMap;
use std::fmt;
use std::io;
use std::net::{
    IpAddr, Ipv4Addr, Ipv6Addr, Shutdown, SocketAddr, TcpListener, TcpStream, UdpSocket,
};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

type Action = Box<dyn Fn() + Send + Sync>;

/// A shared "please stop" for one server; cheap to clone.
#[derive(Clone, Default)]
pub struct Stop {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    requested: AtomicBool,
    next_id: AtomicU64,
    connections: Mutex<HashMap<u64, TcpStream>>,
    actions: Mutex<Vec<Action>>,
}

impl fmt::Debug for Stop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Stop")
            .field("requested", &self.requested())
            .finish_non_exhaustive()
    }
}

impl Stop {
    /// A shutdown that only [`trigger`](Self::trigger) starts.
    pub fn new() -> Self {
        Self::default()
    }

    /// A shutdown that Ctrl-C and SIGTERM start. A process has one Ctrl-C
    /// handler, so call this once.
    pub fn on_ctrl_c() -> io::Result<Self> {
        let stop = Self::new();
        let handle = stop.clone();
        ctrlc::set_handler(move || handle.trigger()).map_err(io::Error::other)?;
        Ok(stop)
    }

    /// Has a shutdown been asked for?
    pub fn requested(&self) -> bool {
        self.inner.requested.load(Ordering::SeqCst)
    }

    /// Asks for the shutdown: raise the flag, end the reads of tracked
    /// connections, run the wake-up actions. Calling it again does nothing.
    pub fn trigger(&self) {
        if self.inner.requested.swap(true, Ordering::SeqCst) {
            return;
        }
        for stream in lock(&self.inner.connections).values() {
            let _ = stream.shutdown(Shutdown::Read);
        }
        for action in lock(&self.inner.actions).iter() {
            action();
        }
    }

    /// Runs `action` when the shutdown is triggered (at once, if it already
    /// was).
    pub fn on_trigger(&self, action: impl Fn() + Send + Sync + 'static) {
        if self.requested() {
            action();
        }
        lock(&self.inner.actions).push(Box::new(action));
    }

    /// Makes a triggered shutdown wake a thread blocked in
    /// `listener.accept()`, by connecting to the listener.
    pub fn wake_on_trigger(&self, listener: &TcpListener) -> io::Result<()> {
        let addr = reachable(listener.local_addr()?);
        self.on_trigger(move || {
            let _ = TcpStream::connect_timeout(&addr, Duration::from_secs(1));
        });
        Ok(())
    }

    /// Makes a triggered shutdown wake a thread blocked in
    /// `socket.recv_from()`, by sending it an empty datagram.
    pub fn wake_udp_on_trigger(&self, socket: &UdpSocket) -> io::Result<()> {
        let addr = reachable(socket.local_addr()?);
        let bind_to: SocketAddr = match addr {
            SocketAddr::V4(_) => (Ipv4Addr::LOCALHOST, 0).into(),
            SocketAddr::V6(_) => (Ipv6Addr::LOCALHOST, 0).into(),
        };
        self.on_trigger(move || {
            if let Ok(waker) = UdpSocket::bind(bind_to) {
                let _ = waker.send_to(&[], addr);
            }
        });
        Ok(())
    }

    /// Registers a connection so that a shutdown ends its reads. The
    /// registration lasts as long as the returned guard.
    pub fn track(&self, stream: &TcpStream) -> io::Result<Tracked> {
        let id = self.inner.next_id.fetch_add(1, Ordering::Relaxed);
        let handle = stream.try_clone()?;
        lock(&self.inner.connections).insert(id, handle);
        // A trigger that came between the accept and the insert above did
        // not see this connection: end its reads now.
        if self.requested() {
            let _ = stream.shutdown(Shutdown::Read);
        }
        Ok(Tracked {
            stop: self.clone(),
            id,
        })
    }
}

/// A tracked connection; dropping it stops the tracking.
#[derive(Debug)]
pub struct Tracked {
    stop: Stop,
    id: u64,
}

impl Drop for Tracked {
    fn drop(&mut self) {
        lock(&self.stop.inner.connections).remove(&self.id);
    }
}

/// A thread that panicked while holding one of these locks left the map or
/// the list whole (every update is a single insert, remove or push), so the
/// poison flag carries no meaning here.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The address to connect to in order to reach a socket bound to `addr`:
/// a socket bound to 0.0.0.0 or :: is reached on loopback.
fn reachable(addr: SocketAddr) -> SocketAddr {
    match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => (Ipv4Addr::LOCALHOST, addr.port()).into(),
        IpAddr::V6(ip) if ip.is_unspecified() => (Ipv6Addr::LOCALHOST, addr.port()).into(),
        _ => addr,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;
    use std::thread;

    #[test]
    fn trigger_wakes_a_blocked_accept() {
        let listener = TcpListener::bind("127.0.0.1:0").expect("free port");
        let stop = Stop::new();
        stop.wake_on_trigger(&listener).expect("local addr");
        let waiter = {
            let stop = stop.clone();
            thread::spawn(move || {
                let _ = listener.accept().expect("woken by a connection");
                stop.requested()
            })
        };
        stop.trigger();
        assert!(
            waiter.join().expect("accept thread"),
            "flag seen after accept"
        );
    }

    #[test]
    fn trigger_ends_the_reads_of_tracked_connections() {
        let listener = TcpListener::bind("127.0.0.1:0").expect("free port");
        let _client = TcpStream::connect(listener.local_addr().expect("bound")).expect("connect");
        let (mut conn, _) = listener.accept().expect("accept");
        let stop = Stop::new();
        let _tracked = stop.track(&conn).expect("track");
        let reader = thread::spawn(move || conn.read(&mut [0; 16]).expect("read returns"));
        stop.trigger();
        assert_eq!(
            reader.join().expect("reader thread"),
            0,
            "reads see end of stream"
        );
    }

    #[test]
    fn tracking_after_the_trigger_ends_reads_at_once() {
        let listener = TcpListener::bind("127.0.0.1:0").expect("free port");
        let _client = TcpStream::connect(listener.local_addr().expect("bound")).expect("connect");
        let (mut conn, _) = listener.accept().expect("accept");
        let stop = Stop::new();
        stop.trigger();
        let _tracked = stop.track(&conn).expect("track");
        assert_eq!(conn.read(&mut [0; 16]).expect("read returns"), 0);
    }

    #[test]
    fn trigger_wakes_a_blocked_recv_from() {
        let socket = UdpSocket::bind("127.0.0.1:0").expect("free port");
        let stop = Stop::new();
        stop.wake_udp_on_trigger(&socket).expect("local addr");
        let waiter = {
            let stop = stop.clone();
            thread::spawn(move || {
                let (n, _) = socket.recv_from(&mut [0; 16]).expect("woken by a datagram");
                (n, stop.requested())
            })
        };
        stop.trigger();
        assert_eq!(waiter.join().expect("recv thread"), (0, true));
    }

    #[test]
    fn unspecified_addresses_are_reached_on_loopback() {
        let any: SocketAddr = "0.0.0.0:80".parse().expect("literal");
        assert_eq!(reachable(any), "127.0.0.1:80".parse().expect("literal"));
        let any6: SocketAddr = "[::]:80".parse().expect("literal");
        assert_eq!(reachable(any6), "[::1]:80".parse().expect("literal"));
    }
}
