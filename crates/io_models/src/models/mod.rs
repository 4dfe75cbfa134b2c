//! One file per model, each readable alone; the lesson's order.

pub mod blocking;
pub mod epoll;
pub mod nonblocking;
pub mod poll;
pub mod select;
pub mod sigio;
pub mod threads;
pub mod tokio;
pub mod uring;
