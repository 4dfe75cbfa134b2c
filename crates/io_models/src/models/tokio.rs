//! For comparison: what you would write in practice, with tokio.
//!
//! A task per client, written as if blocking; underneath, tokio's reactor
//! is the epoll model (mio, edge-triggered), with a thread per core.

use std::io;
use std::net::TcpListener;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use harness::log;
use harness::stop::Stop;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::Notify;

pub fn serve(listener: TcpListener, stop: &Stop) -> io::Result<String> {
    let runtime = tokio::runtime::Runtime::new()?;
    let stopped = Arc::new(Notify::new());
    let served = Arc::new(AtomicU64::new(0));
    let notify = Arc::clone(&stopped);
    stop.on_trigger(move || notify.notify_one());
    listener.set_nonblocking(true)?;
    let listener = runtime.block_on(async { tokio::net::TcpListener::from_std(listener) })?;
    let count = Arc::clone(&served);
    let stopping = stop.clone();
    runtime.spawn(async move {
        while let Ok((mut stream, peer)) = listener.accept().await {
            if stopping.requested() {
                break; // Ctrl-C's wake-up connection, not a client
            }
            count.fetch_add(1, Ordering::Relaxed);
            tokio::spawn(async move {
                log!("{peer} connected");
                let mut buf = [0; 1024];
                loop {
                    let n = match stream.read(&mut buf).await {
                        Ok(0) => break log!("{peer} disconnected"),
                        Ok(n) => n,
                        Err(e) => break log!("{peer} dropped: {}", harness::cli::describe(&e)),
                    };
                    buf[..n].make_ascii_uppercase();
                    if let Err(e) = stream.write_all(&buf[..n]).await {
                        break log!("{peer} dropped: {}", harness::cli::describe(&e));
                    }
                }
            });
        }
    });
    runtime.block_on(stopped.notified());
    runtime.shutdown_timeout(Duration::from_secs(1));
    Ok(format!(
        "served {} client(s)",
        served.load(Ordering::Relaxed)
    ))
}
