//! The server's setup from its command line: the served root, the
//! accounts, the log's opening line, and how many clients at once.

use std::path::{Path, PathBuf};
use std::time::Duration;

use ftp::accounts::Users;
use ftp::protocol::Reply;
use ftp::server::Config;
use harness::cli::{self, Failure};
use harness::log;
use harness::server::Capacity;

use crate::args::ServerArgs;

/// The server's settings from its command line: `--root` made if missing
/// (the lesson's `server_dir` had to exist), `--users` read.
pub fn config(args: &ServerArgs) -> Result<Config, Failure> {
    let root = prepare_root(&args.root)?;
    let users = match &args.users {
        Some(path) => Some(Users::load(path).map_err(Failure::usage)?),
        None => None,
    };
    Ok(Config {
        root,
        users,
        quota: args.quota,
        idle_timeout: Duration::from_secs(args.idle_timeout),
        login_delay: Duration::from_millis(args.login_delay_ms),
        digest: args.digest.into(),
        trace: args.net.trace,
    })
}

fn prepare_root(root: &Path) -> Result<PathBuf, Failure> {
    std::fs::create_dir_all(root)
        .and_then(|()| root.canonicalize())
        .map_err(|e| {
            Failure::runtime(format!(
                "cannot use {} as the root: {}",
                root.display(),
                cli::describe(&e)
            ))
        })
}

/// The log's second line: what is served, to whom, within what quota.
pub fn announce(config: &Config) {
    let who = match &config.users {
        Some(users) => format!("users {}", users.names().collect::<Vec<_>>().join(", ")),
        None => "anonymous (no --users)".to_string(),
    };
    let quota = config.quota.map_or("no quota".to_string(), |q| {
        format!("quota {} each", ftp::transfer::human_size(q))
    });
    log!("serving {} to {who}; {quota}", config.root.display());
}

/// At most `--max-clients` at once.
pub fn capacity(args: &ServerArgs) -> Capacity {
    Capacity {
        busy_message: busy_reply(args.max_clients),
        ..Capacity::max_clients(args.max_clients as usize)
    }
}

/// The refusal for a client over --max-clients, as a reply frame, so a
/// client of this protocol reads it like any other error.
fn busy_reply(max_clients: u32) -> Vec<u8> {
    let reply = Reply::error(format!(
        "server busy: {max_clients} clients already connected, try again later"
    ));
    let mut frame = Vec::new();
    common::wire::write_json_header(&mut frame, &reply)
        .expect("a small reply serializes into a Vec");
    frame
}
