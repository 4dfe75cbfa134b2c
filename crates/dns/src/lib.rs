//! The DNS step of lesson 004: how a browser turns a host name into an
//! address, over a socket you can read.
//!
//! * [`message`]: the DNS message, built and parsed by hand (header,
//!   question, records, name compression), defensively;
//! * [`zone`]: the zone file of `dns server` and the answers it gives;
//! * [`resolv`]: the first `nameserver` of `/etc/resolv.conf`;
//! * [`transport`]: one question over UDP (timeout, retries) and over TCP
//!   (the 2-byte length prefix).

pub mod message;
pub mod resolv;
pub mod transport;
pub mod zone;
