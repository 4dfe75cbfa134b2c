//! `dns server --zone FILE`: a small authoritative server, on UDP and TCP
//! on the same port, as every DNS server is.
//!
//! Over UDP: `recvfrom` a query, answer it from the zone, `sendto` the
//! answer; an answer over 512 bytes is cut to its header and question with
//! TC set (RFC 1035 §4.2.1), which tells the asker to come back over TCP.
//! Over TCP: each connection may carry several queries, each after its
//! 2-byte length; the answers go back the same way, whole.

use std::io::Write;
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use common::datagram::RECV_BUFFER;
use common::show::count;
use common::trace::{Traced, TracedUdp};
use dns::message::{Message, MAX_TCP_MESSAGE, MAX_UDP_MESSAGE};
use dns::transport::{read_tcp_message, tcp_frame};
use dns::zone::Zone;
use harness::cli::{self, describe, Failure};
use harness::log;
use harness::server::{serve, Capacity};
use harness::stop::Stop;
use harness::udp::next_datagram;

use crate::args::ServerArgs;

/// How long a TCP connection may sit idle between queries.
const TCP_IDLE: Duration = Duration::from_secs(10);

/// Most TCP connections served at once.
const MAX_TCP_CLIENTS: usize = 64;

/// What the server did, for its last log line.
#[derive(Debug, Default)]
struct Counts {
    udp: AtomicU64,
    truncated: AtomicU64,
    tcp: AtomicU64,
    ignored: AtomicU64,
}

pub fn server(args: &ServerArgs) -> Result<(), Failure> {
    let path = args.zone.display();
    let text = std::fs::read_to_string(&args.zone)
        .map_err(|e| Failure::usage(format!("cannot read the zone {path}: {}", describe(&e))))?;
    let zone = Zone::parse(&text).map_err(|e| Failure::usage(format!("zone {path}: {e}")))?;
    let zone = Arc::new(zone);

    // socket(AF_INET, SOCK_DGRAM) + bind(), then a TCP listener on the
    // very same address and port: DNS is served on both.
    let (udp, tcp, stop) = args.net.listen_udp_and_tcp()?;
    log!(
        "authoritative for {} ({} from {path}), on UDP and TCP",
        zone.apex(),
        count(zone.records().len() as u64, "record", "records")
    );

    let counts = Arc::new(Counts::default());
    let tcp_server = {
        let (zone, counts, stop, trace) =
            (zone.clone(), counts.clone(), stop.clone(), args.net.trace);
        thread::spawn(move || {
            let capacity = Capacity::max_clients(MAX_TCP_CLIENTS);
            serve(&tcp, &stop, &capacity, move |stream, peer| {
                tcp_client(&stream, peer, &zone, &counts, trace);
            })
        })
    };

    udp_server(
        TracedUdp::new(udp, args.net.trace).whole(),
        &zone,
        &counts,
        &stop,
    );

    let tcp_summary = tcp_server
        .join()
        .map_err(|_| Failure::runtime("the TCP server thread panicked"))?;
    log!(
        "shutting down: answered {} over UDP ({} truncated), {} over TCP ({}), ignored {}",
        count(counts.udp.load(Ordering::Relaxed), "query", "queries"),
        counts.truncated.load(Ordering::Relaxed),
        count(counts.tcp.load(Ordering::Relaxed), "query", "queries"),
        tcp_summary,
        count(
            counts.ignored.load(Ordering::Relaxed),
            "message",
            "messages"
        ),
    );
    Ok(())
}

/// The UDP loop: one datagram in, one datagram out.
fn udp_server(socket: TracedUdp, zone: &Zone, counts: &Counts, stop: &Stop) {
    let mut buf = vec![0; RECV_BUFFER];
    // data, addr = s.recvfrom(65536), until Ctrl-C
    while let Some((n, peer)) = next_datagram(&socket, &mut buf, stop) {
        let Some((reply, note)) = zone.respond(&buf[..n]) else {
            counts.ignored.fetch_add(1, Ordering::Relaxed);
            log!("{peer} UDP: ignored {n} bytes (too short for a header, or a response)");
            continue;
        };
        // Over 512 bytes: the header and question only, with TC set.
        let Some((bytes, whole)) = encode_within(&reply, MAX_UDP_MESSAGE, peer) else {
            continue;
        };
        let cut = match whole {
            Some(whole) => {
                counts.truncated.fetch_add(1, Ordering::Relaxed);
                format!(
                    "; {whole} bytes do not fit in {MAX_UDP_MESSAGE}: sent {} bytes with TC set",
                    bytes.len()
                )
            }
            None => String::new(),
        };
        // s.sendto(answer, addr)
        match socket.send_to(&bytes, peer) {
            Ok(_) => {
                counts.udp.fetch_add(1, Ordering::Relaxed);
                log!("{peer} UDP {note}{cut}");
            }
            Err(e) => log!("{peer} UDP answer not sent: {}", describe(&e)),
        }
    }
}

/// One TCP connection: length-prefixed queries until the client closes,
/// goes quiet for [`TCP_IDLE`], or sends something that is not a frame.
fn tcp_client(stream: &TcpStream, peer: SocketAddr, zone: &Zone, counts: &Counts, trace: bool) {
    if let Err(e) = stream
        .set_read_timeout(Some(TCP_IDLE))
        .and_then(|()| stream.set_write_timeout(Some(TCP_IDLE)))
    {
        log!("{peer} TCP dropped: {}", describe(&e));
        return;
    }
    let mut conn = Traced::new(stream, peer, trace).whole();
    loop {
        let request = match read_tcp_message(&mut conn) {
            Ok(Some(request)) => request,
            Ok(None) => return, // the client closed: its conversation is over
            Err(e) if cli::is_timeout(&e) => {
                log!("{peer} TCP closed: idle for {} s", TCP_IDLE.as_secs());
                return;
            }
            Err(e) => {
                counts.ignored.fetch_add(1, Ordering::Relaxed);
                log!("{peer} TCP closed: {}", describe(&e));
                return;
            }
        };
        let Some((reply, note)) = zone.respond(&request) else {
            counts.ignored.fetch_add(1, Ordering::Relaxed);
            log!(
                "{peer} TCP: ignored {} bytes (too short, or a response)",
                request.len()
            );
            continue;
        };
        let Some((bytes, _)) = encode_within(&reply, MAX_TCP_MESSAGE, peer) else {
            return;
        };
        let sent = tcp_frame(&bytes).and_then(|frame| conn.write_all(&frame));
        match sent {
            Ok(()) => {
                counts.tcp.fetch_add(1, Ordering::Relaxed);
                log!("{peer} TCP {note} ({} bytes)", bytes.len());
            }
            Err(e) => {
                log!("{peer} TCP answer not sent: {}", describe(&e));
                return;
            }
        }
    }
}

/// The reply's bytes if they fit in `limit`, else those of its truncated
/// form (header and question, TC set) and the whole reply's size. A reply
/// that cannot be written (it cannot happen with a zone that parsed) is
/// logged and not sent.
fn encode_within(
    reply: &Message,
    limit: usize,
    peer: SocketAddr,
) -> Option<(Vec<u8>, Option<usize>)> {
    let encoded = reply.to_bytes().and_then(|whole| {
        if whole.len() <= limit {
            return Ok((whole, None));
        }
        Ok((reply.truncated().to_bytes()?, Some(whole.len())))
    });
    match encoded {
        Ok(encoded) => Some(encoded),
        Err(e) => {
            log!("{peer} answer not sent: {e}");
            None
        }
    }
}
