//! Runs the simulated Infomaniak cloud (`infomaniak-fake-cloud`) as a process of its own, so
//! that programs configured from the environment (the other examples, your own tools, the
//! `openstack` CLI) can be tried against it without an account.
//!
//! ```text
//! cargo build --examples
//! target/debug/examples/simulated_cloud > cloud.env &
//! sleep 1; . ./cloud.env   # INFOMANIAK_AUTH_URL, _APP_CREDENTIAL_ID/_SECRET, _REGION, IBS_SERVER_ID
//! cargo run --example volumes_cli -- create data --size 1
//! cargo run --example volumes_cli -- attach data "$IBS_SERVER_ID"
//! ```
//!
//! It prints `export` lines for a POSIX shell, then serves on 127.0.0.1 until it is killed or
//! `--for` seconds have passed (an hour by default). Everything is in memory: a new run is an
//! empty cloud.

use std::io::Write;
use std::time::Duration;

use infomaniak_fake_cloud::FakeCloud;

fn main() {
    let mut lifetime = Duration::from_secs(3600);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match (arg.as_str(), args.next().map(|v| v.parse::<u64>())) {
            ("--for", Some(Ok(seconds))) => lifetime = Duration::from_secs(seconds),
            _ => {
                eprintln!("usage: simulated_cloud [--for SECONDS]");
                std::process::exit(2);
            }
        }
    }

    let cloud = FakeCloud::start();
    let mut out = std::io::stdout().lock();
    let _ = writeln!(
        out,
        "# simulated Infomaniak cloud on 127.0.0.1:{}, for {} s or until killed\n\
         export INFOMANIAK_AUTH_URL={}\n\
         export INFOMANIAK_APP_CREDENTIAL_ID={}\n\
         export INFOMANIAK_APP_CREDENTIAL_SECRET={}\n\
         export INFOMANIAK_REGION={}\n\
         export IBS_SERVER_ID={}",
        cloud.port(),
        lifetime.as_secs(),
        cloud.auth_url(),
        FakeCloud::APP_CREDENTIAL_ID,
        FakeCloud::APP_CREDENTIAL_SECRET,
        FakeCloud::REGION,
        cloud.server_id(),
    );
    let _ = out.flush();
    drop(out);

    std::thread::sleep(lifetime);
    eprintln!(
        "simulated cloud: {} requests served, stopping",
        cloud.requests()
    );
}
