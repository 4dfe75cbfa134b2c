//! Property tests of the message format: any bytes at all are parsed to a
//! message or to a clear error, never a panic or a hang; and whatever this
//! crate builds, it parses back to the same message.

use std::net::{Ipv4Addr, Ipv6Addr};

use dns::message::{Header, Message, Name, Question, RData, Record, RecordType};
use proptest::prelude::*;

fn label() -> impl Strategy<Value = Vec<u8>> {
    // Mostly short letters, so that names share suffixes and compress;
    // sometimes any bytes, up to the 63-byte limit.
    prop_oneof![
        4 => prop::sample::select(vec![b"www".to_vec(), b"example".to_vec(), b"test".to_vec(), b"Mail".to_vec()]),
        1 => prop::collection::vec(any::<u8>(), 1..=63),
    ]
}

fn name() -> impl Strategy<Value = Name> {
    prop::collection::vec(label(), 0..5)
        .prop_filter_map("fits in 255 bytes", |labels| Name::from_labels(labels).ok())
}

fn rdata() -> impl Strategy<Value = RData> {
    prop_oneof![
        any::<[u8; 4]>().prop_map(|b| RData::A(Ipv4Addr::from(b))),
        any::<[u8; 16]>().prop_map(|b| RData::Aaaa(Ipv6Addr::from(b))),
        name().prop_map(RData::Cname),
        name().prop_map(RData::Ns),
        (any::<u16>(), name()).prop_map(|(preference, exchange)| RData::Mx {
            preference,
            exchange
        }),
        prop::collection::vec(prop::collection::vec(any::<u8>(), 0..=255), 1..4)
            .prop_map(RData::Txt),
        // A type this crate does not decode (none of 1, 2, 5, 15, 16, 28).
        (100u16..200, prop::collection::vec(any::<u8>(), 0..40)).prop_map(|(t, data)| {
            RData::Other {
                rtype: RecordType(t),
                data,
            }
        }),
    ]
}

fn record() -> impl Strategy<Value = Record> {
    (name(), any::<u16>(), any::<u32>(), rdata()).prop_map(|(name, class, ttl, data)| Record {
        name,
        class,
        ttl,
        data,
    })
}

fn message() -> impl Strategy<Value = Message> {
    let header = (any::<u16>(), any::<u16>())
        .prop_map(|(id, flags)| Header::from_flags(id, flags & !0x0070)); // Z bits are not kept
    let question = (name(), any::<u16>(), any::<u16>()).prop_map(|(name, t, class)| Question {
        name,
        qtype: RecordType(t),
        class,
    });
    (
        header,
        prop::collection::vec(question, 0..3),
        prop::collection::vec(record(), 0..4),
        prop::collection::vec(record(), 0..3),
        prop::collection::vec(record(), 0..3),
    )
        .prop_map(
            |(header, questions, answers, authorities, additionals)| Message {
                header,
                questions,
                answers,
                authorities,
                additionals,
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        let _ = Message::parse(&bytes);
    }

    /// Random bytes after a plausible header (counts of 1 or 2), so the
    /// parser gets past the header and into names and records.
    #[test]
    fn random_bodies_never_panic(
        counts in prop::array::uniform4(0u8..3),
        body in prop::collection::vec(any::<u8>(), 0..300),
    ) {
        let mut bytes = vec![0x12, 0x34, 0x81, 0x80];
        for c in counts {
            bytes.extend_from_slice(&[0, c]);
        }
        bytes.extend_from_slice(&body);
        let _ = Message::parse(&bytes);
    }

    #[test]
    fn build_then_parse_round_trips(msg in message()) {
        let bytes = msg.to_bytes().expect("every generated message fits");
        prop_assert_eq!(Message::parse(&bytes), Ok(msg));
    }

    /// A built message with one byte changed or cut short still parses to
    /// something or to an error, without a panic.
    #[test]
    fn damaged_messages_never_panic(msg in message(), at in any::<prop::sample::Index>(), byte in any::<u8>(), cut in any::<prop::sample::Index>()) {
        let mut bytes = msg.to_bytes().expect("fits");
        if !bytes.is_empty() {
            let i = at.index(bytes.len());
            bytes[i] = byte;
            let _ = Message::parse(&bytes);
            let _ = Message::parse(&bytes[..cut.index(bytes.len())]);
        }
    }
}
