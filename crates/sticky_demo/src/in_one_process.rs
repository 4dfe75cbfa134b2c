//! `sticky_demo` with no role: every chosen case, each way, both ends over
//! loopback in this one process, sender and receiver side by side.

use std::io;
use std::net::{Ipv4Addr, TcpListener, TcpStream, UdpSocket};
use std::time::Duration;

use common::trace::{Traced, TracedUdp};
use harness::cli::Failure;
use harness::stop::Stop;

use crate::args::{Case, Mode, MAX_FRAME};
use crate::record::Record;
use crate::{receive_tcp, report, send_tcp, udp, Receiving};

/// Every chosen case, each way, over loopback in this one process.
pub fn run(case: Option<Case>, mode: Option<Mode>, trace: bool) -> Result<(), Failure> {
    println!("sticky_demo: the sticky-packet lesson (粘包), over loopback in one process.");
    println!("Each receiver waits until every byte of its sender is in its receive buffer,");
    println!("then reads: what you see below is the same every run.\n");
    let settings = Receiving {
        trace,
        timeout: Duration::from_secs(10),
        max_frame: MAX_FRAME,
    };
    for m in [Mode::Raw, Mode::Framed, Mode::Udp] {
        for c in [Case::One, Case::Two] {
            if mode.is_some_and(|chosen| chosen != m) || case.is_some_and(|chosen| chosen != c) {
                continue;
            }
            if m == Mode::Udp {
                exchange_udp(c, settings)?;
            } else {
                exchange_tcp(m, c, settings)?;
            }
        }
    }
    Ok(())
}

/// One TCP exchange: the sender sends everything and closes; only then
/// does the receiver read.
fn exchange_tcp(mode: Mode, case: Case, settings: Receiving) -> Result<(), Failure> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
    let sender = TcpStream::connect(listener.local_addr()?)?;
    // Nagle's algorithm off: the sender does not merge the sends, so what
    // sticks them together is the receiving side alone.
    sender.set_nodelay(true)?;
    let (receiver, sender_addr) = listener.accept()?;
    receiver.set_read_timeout(Some(settings.timeout))?;

    let mut conn = Traced::new(&sender, receiver.local_addr()?, settings.trace);
    let mut record = Record {
        sent: send_tcp(&mut conn, case, mode == Mode::Framed).map_err(io::Error::from)?,
        ..Record::default()
    };
    drop(sender);

    let outcome = receive_tcp(
        &receiver,
        sender_addr,
        mode,
        case,
        settings,
        &mut record.received,
    );
    report::print_exchange(mode, case, &record);
    outcome
}

/// One UDP exchange: the datagrams are sent, then received.
fn exchange_udp(case: Case, settings: Receiving) -> Result<(), Failure> {
    let receiver = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0))?;
    receiver.set_read_timeout(Some(settings.timeout))?;
    let sender = TracedUdp::new(UdpSocket::bind((Ipv4Addr::LOCALHOST, 0))?, settings.trace);
    let mut record = Record {
        sent: udp::send_to(&sender, receiver.local_addr()?, case)?,
        ..Record::default()
    };

    let receiver = TracedUdp::new(receiver, settings.trace);
    let outcome = udp::receive(
        &receiver,
        case,
        settings.timeout,
        &Stop::new(),
        &mut record.received,
    );
    report::print_exchange(Mode::Udp, case, &record);
    outcome
}
