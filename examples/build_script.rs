//! A build script (`build.rs`) that makes sure a named volume exists before the crate is built,
//! and hands its id to the code as `env!("VOLUME_ID")`. It uses the plain face: no `?`, no
//! `Result`; a failure gives `None`, and the lines the crate logged say why.
//!
//! Copy it to `build.rs` (with `infomaniak-block-storage` in `[build-dependencies]`), or run it
//! as an example to see the lines it prints for cargo:
//!
//! ```text
//! IBS_EXAMPLE_SIMULATED=1 cargo run --example build_script   # against a simulated cloud
//! cargo run --example build_script                           # against your project
//! ```
//!
//! Where it connects: with `IBS_EXAMPLE_SIMULATED=1` to a simulated cloud started in-process
//! (nothing else is read); otherwise to the project of the environment's credentials
//! (`INFOMANIAK_APP_CREDENTIAL_ID`/`_SECRET`, an OpenStack openrc, or `OS_CLOUD`).
//!
//! Settings: `IBS_VOLUME_NAME` (default `build-cache`) and `IBS_VOLUME_SIZE_GIB` (default 1).
//! `INFOMANIAK_TOKEN_CACHE=1` lets consecutive builds reuse one Keystone token.
//!
//! Output: `cargo:rerun-if-env-changed=` for every variable read, `cargo:rustc-env=VOLUME_ID=`
//! on success; on failure one `cargo:warning=` per line the client logged and a last one
//! saying what failed, and exit status 1, which fails the build.

use std::process::ExitCode;
use std::sync::Mutex;
use std::time::Duration;

use infomaniak_block_storage::{CreateVolumeOptions, InfomaniakVolumeClient, VolumeStatus};
use infomaniak_fake_cloud::FakeCloud;

/// Every variable this script reads: cargo runs it again when one of them changes.
const READS: &[&str] = &[
    "IBS_VOLUME_NAME",
    "IBS_VOLUME_SIZE_GIB",
    "IBS_EXAMPLE_SIMULATED",
    "INFOMANIAK_APP_CREDENTIAL_ID",
    "INFOMANIAK_APP_CREDENTIAL_SECRET",
    "INFOMANIAK_AUTH_URL",
    "INFOMANIAK_REGION",
    "INFOMANIAK_TOKEN_CACHE",
    "OS_CLOUD",
    "OS_AUTH_URL",
    "OS_AUTH_TYPE",
    "OS_APPLICATION_CREDENTIAL_ID",
    "OS_USERNAME",
    "OS_PROJECT_ID",
    "OS_PROJECT_NAME",
    "OS_REGION_NAME",
];

/// Keeps what the crate logs (warnings and errors of the plain face), to be shown as
/// `cargo:warning=` lines if the script fails. On success they are dropped: a first build logs
/// that `find_volume` found nothing, which is why it creates the volume.
struct Collect(Mutex<Vec<String>>);

impl log::Log for Collect {
    fn enabled(&self, metadata: &log::Metadata) -> bool {
        metadata.level() <= log::Level::Warn
    }
    fn log(&self, record: &log::Record) {
        if self.enabled(record.metadata()) {
            let line = format!("{}: {}", record.level(), record.args());
            self.0.lock().unwrap().push(line);
        }
    }
    fn flush(&self) {}
}

static LOG: Collect = Collect(Mutex::new(Vec::new()));

fn fail(what: &str) -> ExitCode {
    for line in LOG.0.lock().unwrap().iter() {
        println!("cargo:warning={}", line.replace('\n', " "));
    }
    println!("cargo:warning={what}");
    ExitCode::FAILURE
}

fn main() -> ExitCode {
    let _ = log::set_logger(&LOG);
    log::set_max_level(log::LevelFilter::Warn);
    for var in READS {
        println!("cargo:rerun-if-env-changed={var}");
    }

    let name = std::env::var("IBS_VOLUME_NAME").unwrap_or_else(|_| "build-cache".to_string());
    let size = match std::env::var("IBS_VOLUME_SIZE_GIB") {
        Err(_) => 1,
        Ok(text) => match text.parse::<u64>() {
            Ok(size) if size > 0 => size,
            _ => {
                return fail(&format!(
                    "IBS_VOLUME_SIZE_GIB is `{text}`, not a size in GiB"
                ));
            }
        },
    };

    // Kept alive until the end of main: dropping it stops the simulated cloud.
    let mut _simulated = None;
    let client = if std::env::var("IBS_EXAMPLE_SIMULATED").as_deref() == Ok("1") {
        let cloud = FakeCloud::start();
        let client = InfomaniakVolumeClient::from_credentials(
            FakeCloud::APP_CREDENTIAL_ID,
            FakeCloud::APP_CREDENTIAL_SECRET,
            Some(&cloud.auth_url()),
            None,
        );
        eprintln!("using a simulated cloud at {}", cloud.auth_url());
        _simulated = Some(cloud);
        client
    } else {
        InfomaniakVolumeClient::from_env()
    };
    let client = match client {
        Ok(client) => client,
        // Building a client only fails on settings (nothing is sent): say which.
        Err(err) => return fail(&format!("no usable credentials: {err}")),
    };

    let timeout = Duration::from_secs(300);
    let volume = match client.find_volume(&name) {
        Some(volume) if volume.status == VolumeStatus::Available => Some(volume),
        // Found, but still being created (by a parallel build, say): wait for it.
        Some(volume) => client.wait_for_volume_status(&volume.id, VolumeStatus::Available, timeout),
        None => {
            eprintln!("no volume `{name}` yet: creating it ({size} GiB)");
            let options = CreateVolumeOptions::default()
                .description("created by a build script")
                .metadata("created-by", "build.rs");
            client.create_volume(size, &name, &options).and_then(|v| {
                client.wait_for_volume_status(&v.id, VolumeStatus::Available, timeout)
            })
        }
    };
    match volume {
        Some(volume) => {
            eprintln!("volume `{name}` is {} ({} GiB)", volume.id, volume.size);
            println!("cargo:rustc-env=VOLUME_ID={}", volume.id);
            ExitCode::SUCCESS
        }
        None => fail(&format!("could not make sure that volume `{name}` exists")),
    }
}
