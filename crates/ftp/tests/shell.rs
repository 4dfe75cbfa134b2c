//! `ftp client`'s options inside the shell: `put FILE --overwrite` (the
//! hint the server gives when a name exists) replaces the file, and a name
//! that starts with `-` is refused unless it is quoted or after `--`.

use std::fs;
use std::time::Duration;

use testkit::{command, Server};

const BIN: &str = env!("CARGO_BIN_EXE_ftp");
const WAIT: Duration = Duration::from_secs(30);

#[test]
fn the_overwrite_hint_works_inside_the_shell_and_dashes_are_not_names() {
    let dir = testkit::temp_dir();
    let (root, local) = (dir.path().join("root"), dir.path().join("local"));
    fs::create_dir(&local).expect("the client's folder");
    let mut server = command(BIN, ["server", "--port", "0", "--root"]);
    server.arg(&root);
    let server = Server::start(server);
    fs::write(local.join("notes.txt"), "first\n").expect("write");
    fs::write(local.join("-dash.txt"), "dash\n").expect("write");

    let shell = |script: &str| {
        let mut cmd = command(BIN, ["client", "--port", &server.addr.port().to_string()]);
        cmd.current_dir(&local);
        let out = testkit::run(cmd, script.as_bytes(), WAIT);
        assert!(out.status.success(), "{}", testkit::stderr(&out));
        (testkit::stdout(&out), testkit::stderr(&out))
    };

    let (_, err) = shell("put notes.txt\nput notes.txt\n");
    assert!(
        err.contains("notes.txt already exists; put --overwrite replaces it"),
        "{err}"
    );
    // Take the hint, after the name and before it.
    fs::write(local.join("notes.txt"), "second\n").expect("write");
    let (out, err) = shell("put notes.txt --overwrite\n");
    assert!(out.contains("stored notes.txt (7 bytes"), "{out}\n{err}");
    assert_eq!(
        fs::read_to_string(root.join("notes.txt")).expect("stored"),
        "second\n"
    );
    fs::write(local.join("notes.txt"), "third!\n").expect("write");
    let (out, err) = shell("put --overwrite notes.txt\n");
    assert!(out.contains("stored notes.txt (7 bytes"), "{out}\n{err}");
    assert_eq!(
        fs::read_to_string(root.join("notes.txt")).expect("stored"),
        "third!\n"
    );
    assert!(
        !root.join("--overwrite").exists(),
        "a file named --overwrite was stored"
    );

    // A name with a dash: refused bare, taken quoted or after --.
    let (_, err) = shell("put -dash.txt\nget -x\n");
    assert!(
        err.contains("put: unknown option `-dash.txt` (options: --overwrite); a name that starts with - goes in quotes or after --"),
        "{err}"
    );
    assert!(err.contains("get: unknown option `-x`"), "{err}");
    assert!(!root.join("-dash.txt").exists());
    let (out, err) = shell("put '-dash.txt'\nput -- -dash.txt\n");
    assert!(out.contains("stored -dash.txt (5 bytes"), "{out}\n{err}");
    assert!(
        err.contains("-dash.txt already exists"),
        "after --, -dash.txt is the same name: {err}"
    );
    assert_eq!(
        fs::read_to_string(root.join("-dash.txt")).expect("stored"),
        "dash\n"
    );

    // An open quote is this side's mistake, and the shell goes on.
    let (out, err) = shell("put 'notes.txt\npwd\n");
    assert!(err.contains("a ' that is not closed"), "{err}");
    assert!(out.contains('/'), "the next command ran: {out}");
}
