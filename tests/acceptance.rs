//! Acceptance tests against a genuine OpenStack cloud (Keystone, Cinder, Nova).
//!
//! Off unless `IBS_ACCEPTANCE=1`: every test then passes at once, printing
//! `skipped: set IBS_ACCEPTANCE=1`. `acceptance/run` starts genuine services on loopback
//! (`acceptance/openstack.sh`) and runs this suite against them; it also runs against your
//! own project:
//!
//! ```sh
//! IBS_ACCEPTANCE=1 cargo test --test acceptance -- --test-threads=4
//! ```
//!
//! Settings (all but the first are optional; a test whose settings are missing says so and
//! passes):
//!
//! | variable | meaning |
//! |---|---|
//! | `OS_*`, `INFOMANIAK_*` or `OS_CLOUD` | the member user, as for `Config::from_env()` |
//! | `IBS_ACCEPTANCE_ADMIN_USERNAME`, `_PASSWORD`, `_PROJECT_NAME` | an admin in the member's project (force delete); password auth at the same `OS_AUTH_URL` |
//! | `IBS_ACCEPTANCE_OTHER_USERNAME`, `_PASSWORD`, `_PROJECT_NAME` | a member of a second project |
//! | `IBS_ACCEPTANCE_APP_CREDENTIAL_ID`, `_SECRET` | an application credential of the member |
//! | `IBS_ACCEPTANCE_FLAVOR` | a flavor for test servers (Nova tests are skipped without it) |
//! | `IBS_ACCEPTANCE_MULTIATTACH_TYPE` | a volume type with `multiattach="<is> True"` |
//! | `IBS_ACCEPTANCE_FAILING_TYPE` | a volume type that no backend serves (a create ends in `error`) |
//! | `IBS_ACCEPTANCE_TOKEN_LIFETIME` | Keystone's token lifetime in seconds, when short (≤ 120) |
//! | `IBS_ACCEPTANCE_CINDER_MAX_MICROVERSION` | Cinder's maximum microversion, e.g. `3.71` |
//!
//! Every resource is named with a per-run prefix (`ibs-acc-<run>-`) and deleted by a guard
//! even when a test fails; leftovers of earlier runs (prefix `ibs-acc-`) are swept first. Do
//! not run two copies of the suite against one project at the same time.

use std::collections::{BTreeMap, HashSet};
use std::sync::{Mutex, OnceLock};
use std::thread::sleep;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use infomaniak_block_storage::{
    ApiService, AttachOptions, BackupStatus, Config, CreateBackupOptions, CreateSnapshotOptions,
    CreateTransferOptions, CreateVolumeOptions, DeleteBackupOptions, DeleteSnapshotOptions,
    DeleteVolumeOptions, Error, InfomaniakVolumeClient, ListOptions, RawRequest, RestoreTarget,
    Secret, SnapshotStatus, UpdateBackup, UpdateSnapshot, UpdateVolume, Volume, VolumeStatus,
};
use serde_json::{Value, json};

/// Prefix of everything this suite creates, in any run.
const SUITE: &str = "ibs-acc-";
/// How long a waiter waits for a status.
const WAIT: Duration = Duration::from_secs(300);

// ------------------------------------------------------------------------ harness

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// This run's prefix, e.g. `ibs-acc-1a2b3c-`. The first call sweeps leftovers of earlier runs.
fn run_prefix() -> &'static str {
    static PREFIX: OnceLock<String> = OnceLock::new();
    PREFIX.get_or_init(|| {
        let secs = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let prefix = format!(
            "{SUITE}{:x}{:x}-",
            secs % 0x100_0000,
            std::process::id() % 0x1000
        );
        sweep(&prefix);
        prefix
    })
}

/// A test's context: the member client and a cleanup guard. `None` when the suite is off.
struct Suite {
    client: InfomaniakVolumeClient,
    cleanup: Cleanup,
    prefix: String,
}

fn suite(test: &str) -> Option<Suite> {
    if var("IBS_ACCEPTANCE").as_deref() != Some("1") {
        println!("skipped: set IBS_ACCEPTANCE=1");
        return None;
    }
    let _ = env_logger::builder().is_test(true).try_init();
    let prefix = format!("{}{test}-", run_prefix());
    Some(Suite {
        client: member(),
        cleanup: Cleanup::new(member()),
        prefix,
    })
}

fn member_config() -> Config {
    Config::from_env().expect("the member's settings (OS_*, INFOMANIAK_* or OS_CLOUD)")
}

fn member() -> InfomaniakVolumeClient {
    InfomaniakVolumeClient::new(member_config()).expect("member client")
}

/// Password settings `{prefix}USERNAME`, `_PASSWORD`, `_PROJECT_NAME` (or `_PROJECT_ID`) over
/// the member's `OS_*` (auth URL, region, domains, interface).
fn password_config(prefix: &str) -> Option<Config> {
    let user = var(&format!("{prefix}USERNAME"))?;
    let password = var(&format!("{prefix}PASSWORD"))?;
    let project_name = var(&format!("{prefix}PROJECT_NAME"));
    let project_id = var(&format!("{prefix}PROJECT_ID"));
    let config = Config::from_vars(|key| match key {
        "OS_AUTH_TYPE" => Some("password".into()),
        "OS_USERNAME" => Some(user.clone()),
        "OS_PASSWORD" => Some(password.clone()),
        "OS_PROJECT_NAME" => project_name.clone(),
        "OS_PROJECT_ID" => project_id.clone(),
        "OS_USER_DOMAIN_NAME" | "OS_PROJECT_DOMAIN_NAME" => {
            var(key).or_else(|| Some("Default".into()))
        }
        "OS_AUTH_URL" => var("OS_AUTH_URL").or_else(|| var("INFOMANIAK_AUTH_URL")),
        "OS_REGION_NAME" => var("OS_REGION_NAME").or_else(|| var("INFOMANIAK_REGION")),
        "OS_USER_ID"
        | "OS_TOKEN"
        | "OS_CLOUD"
        | "OS_APPLICATION_CREDENTIAL_ID"
        | "OS_APPLICATION_CREDENTIAL_NAME"
        | "OS_APPLICATION_CREDENTIAL_SECRET"
        | "INFOMANIAK_APP_CREDENTIAL_ID"
        | "INFOMANIAK_APP_CREDENTIAL_SECRET" => None,
        other => var(other),
    })
    .unwrap_or_else(|err| panic!("{prefix}* settings: {err}"));
    Some(config)
}

fn admin() -> Option<InfomaniakVolumeClient> {
    let config = password_config("IBS_ACCEPTANCE_ADMIN_");
    if config.is_none() {
        println!("admin part skipped: set IBS_ACCEPTANCE_ADMIN_USERNAME/_PASSWORD/_PROJECT_NAME");
    }
    config.map(|c| InfomaniakVolumeClient::new(c).expect("admin client"))
}

fn app_credential_config(id: &str, secret: &str) -> Config {
    // The member's other OS_* stay: an application credential ignores OS_PROJECT_* and
    // OS_USERNAME/OS_PASSWORD left beside it, as keystoneauth does.
    Config::from_vars(|key| match key {
        "OS_AUTH_TYPE" => Some("v3applicationcredential".into()),
        "OS_APPLICATION_CREDENTIAL_ID" => Some(id.into()),
        "OS_APPLICATION_CREDENTIAL_SECRET" => Some(secret.into()),
        "OS_AUTH_URL" => var("OS_AUTH_URL").or_else(|| var("INFOMANIAK_AUTH_URL")),
        "OS_REGION_NAME" => var("OS_REGION_NAME").or_else(|| var("INFOMANIAK_REGION")),
        "OS_CLOUD"
        | "OS_TOKEN"
        | "INFOMANIAK_APP_CREDENTIAL_ID"
        | "INFOMANIAK_APP_CREDENTIAL_SECRET" => None,
        other => var(other),
    })
    .expect("application credential settings")
}

/// Everything a test created, deleted when the guard drops (also when the test panics):
/// servers first, then backups (newest first), snapshots, volumes.
struct Cleanup {
    client: InfomaniakVolumeClient,
    items: Mutex<Vec<Res>>,
}

#[derive(Debug, Clone)]
enum Res {
    Server(String),
    Backup(String),
    Snapshot(String),
    Volume(String),
}

impl Cleanup {
    fn new(client: InfomaniakVolumeClient) -> Cleanup {
        Cleanup {
            client,
            items: Mutex::new(Vec::new()),
        }
    }

    fn add(&self, res: Res) {
        self.items
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(res);
    }

    fn run(&self) {
        let items = std::mem::take(&mut *self.items.lock().unwrap_or_else(|e| e.into_inner()));
        let c = &self.client;
        for res in items.iter().rev() {
            if let Res::Server(id) = res {
                delete_server(c, id);
            }
        }
        for res in items.iter().rev() {
            match res {
                Res::Backup(id) => {
                    wait_settled(|| c.try_get_backup(id).map(|b| b.status.to_string()));
                    if let Err(err) = c.try_delete_backup(id, &DeleteBackupOptions::default()) {
                        if !err.is_not_found() {
                            eprintln!("cleanup: delete backup {id}: {err}");
                        }
                    }
                    let _ = c.try_wait_for_backup_deleted(id, Duration::from_secs(120));
                }
                Res::Snapshot(id) => {
                    wait_settled(|| c.try_get_snapshot(id).map(|s| s.status.to_string()));
                    if let Err(err) = c.try_delete_snapshot(id, &DeleteSnapshotOptions::default()) {
                        if !err.is_not_found() {
                            eprintln!("cleanup: delete snapshot {id}: {err}");
                        }
                    }
                    let _ = c.try_wait_for_snapshot_deleted(id, Duration::from_secs(120));
                }
                _ => {}
            }
        }
        for res in items.iter().rev() {
            if let Res::Volume(id) = res {
                wait_settled(|| c.try_get_volume(id).map(|v| v.status.to_string()));
                let options = DeleteVolumeOptions::default().cascade(true);
                if let Err(err) = c.try_delete_volume(id, &options) {
                    if !err.is_not_found() {
                        eprintln!("cleanup: delete volume {id}: {err}");
                    }
                }
                let _ = c.try_wait_for_volume_deleted(id, Duration::from_secs(120));
            }
        }
    }
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        self.run();
    }
}

/// Waits (at most two minutes) until a resource is in no transitional status, so that a
/// delete is accepted.
fn wait_settled(status: impl Fn() -> Result<String, Error>) {
    let busy = [
        "creating",
        "attaching",
        "detaching",
        "extending",
        "backing-up",
        "restoring",
        "restoring-backup",
        "reserved",
        "reverting",
        "retyping",
        "downloading",
        "uploading",
        "in-use",
    ];
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(120) {
        match status() {
            Ok(s) if busy.contains(&s.as_str()) => sleep(Duration::from_millis(500)),
            _ => return,
        }
    }
}

/// Deletes leftovers of earlier runs: everything named `ibs-acc-*` but not of this run.
fn sweep(this_run: &str) {
    let client = member();
    let stale = |name: &Option<String>| {
        name.as_deref()
            .is_some_and(|n| n.starts_with(SUITE) && !n.starts_with(this_run))
    };
    let cleanup = Cleanup::new(member());
    if let Ok(reply) = client.try_raw_request(
        &RawRequest::get(ApiService::Compute, format!("/servers?name=^{SUITE}"))
            .microversion("2.79"),
    ) {
        for server in reply.json["servers"].as_array().into_iter().flatten() {
            let name = server["name"].as_str().map(str::to_string);
            if stale(&name) {
                cleanup.add(Res::Server(
                    server["id"].as_str().unwrap_or_default().into(),
                ));
            }
        }
    }
    for v in client.try_list_volumes().unwrap_or_default() {
        if stale(&v.name) {
            cleanup.add(Res::Volume(v.id));
        }
    }
    for s in client.try_list_snapshots().unwrap_or_default() {
        if stale(&s.name) {
            cleanup.add(Res::Snapshot(s.id));
        }
    }
    let mut backups = client.try_list_backups().unwrap_or_default();
    // Incremental backups before the backups they depend on (cleanup runs newest first).
    backups.sort_by(|a, b| a.created_at.cmp(&b.created_at));
    for b in backups {
        if stale(&b.name) {
            cleanup.add(Res::Backup(b.id));
        }
    }
    let n = cleanup.items.lock().unwrap().len();
    if n > 0 {
        println!("sweeping {n} leftovers of earlier runs");
    }
}

impl Suite {
    fn name(&self, what: &str) -> String {
        format!("{}{what}", self.prefix)
    }

    /// Creates a volume and waits until it is available.
    fn volume(&self, size: u64, what: &str, options: &CreateVolumeOptions) -> Volume {
        let v = self
            .client
            .try_create_volume(size, &self.name(what), options)
            .unwrap_or_else(|e| panic!("create volume {what}: {e}"));
        self.cleanup.add(Res::Volume(v.id.clone()));
        self.client
            .try_wait_for_volume_status(&v.id, VolumeStatus::Available, WAIT)
            .unwrap_or_else(|e| panic!("volume {what} available: {e}"))
    }

    /// Boots a server from a new bootable volume and waits until it is ACTIVE. `None` (the
    /// test then skips its Nova part) without `IBS_ACCEPTANCE_FLAVOR`.
    fn server(&self, what: &str) -> Option<String> {
        let Some(flavor) = var("IBS_ACCEPTANCE_FLAVOR") else {
            println!("Nova part skipped: set IBS_ACCEPTANCE_FLAVOR");
            return None;
        };
        let boot = self.volume(1, &format!("{what}-boot"), &CreateVolumeOptions::default());
        self.client
            .try_set_volume_bootable(&boot.id, true)
            .expect("set bootable");
        let body = json!({"server": {
            "name": self.name(what),
            "flavorRef": flavor,
            "networks": "none",
            "block_device_mapping_v2": [{
                "boot_index": 0, "uuid": boot.id, "source_type": "volume",
                "destination_type": "volume", "delete_on_termination": false,
            }],
        }});
        let reply = self
            .client
            .try_raw_request(
                &RawRequest::new(ApiService::Compute, "POST", "/servers")
                    .body(body)
                    .microversion("2.79"),
            )
            .expect("create server");
        let id = reply.json["server"]["id"]
            .as_str()
            .expect("server id")
            .to_string();
        self.cleanup.add(Res::Server(id.clone()));
        let started = Instant::now();
        loop {
            let s = server_json(&self.client, &id).expect("server");
            match s["status"].as_str() {
                Some("ACTIVE") => return Some(id),
                Some("ERROR") => panic!("server {id} went to ERROR: {}", s["fault"]),
                _ if started.elapsed() > WAIT => panic!("server {id} not ACTIVE: {s}"),
                _ => sleep(Duration::from_millis(500)),
            }
        }
    }
}

fn server_json(client: &InfomaniakVolumeClient, id: &str) -> Result<Value, Error> {
    let reply = client.try_raw_request(
        &RawRequest::get(ApiService::Compute, format!("/servers/{id}")).microversion("2.79"),
    )?;
    Ok(reply.json["server"].clone())
}

fn delete_server(client: &InfomaniakVolumeClient, id: &str) {
    let request = RawRequest::new(ApiService::Compute, "DELETE", format!("/servers/{id}"))
        .microversion("2.79");
    match client.try_raw_request(&request) {
        Ok(_) => {}
        Err(err) if err.is_not_found() => return,
        Err(err) => eprintln!("cleanup: delete server {id}: {err}"),
    }
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(120) {
        match server_json(client, id) {
            Err(err) if err.is_not_found() => return,
            _ => sleep(Duration::from_millis(500)),
        }
    }
    eprintln!("cleanup: server {id} still there after 120 s");
}

/// The request id of a reply: Cinder, Nova and Keystone all send `req-<uuid>`.
fn check_request_id(request_id: Option<String>, what: &str) -> String {
    let id = request_id.unwrap_or_else(|| panic!("{what}: the error carries no request id"));
    assert!(id.starts_with("req-"), "{what}: request id {id:?}");
    id
}

/// Unwraps an `Error::Api` with `status`; returns (code, message).
#[track_caller]
fn expect_api<T: std::fmt::Debug>(result: Result<T, Error>, want: u16) -> (Option<String>, String) {
    match result {
        Err(Error::Api {
            status,
            code,
            message,
            request_id,
            ..
        }) if status == want => {
            check_request_id(request_id, &format!("HTTP {want}"));
            (code, message)
        }
        other => panic!("expected an HTTP {want} error, got {other:?}"),
    }
}

#[track_caller]
fn expect_not_found<T: std::fmt::Debug>(result: Result<T, Error>, resource: &str, id: &str) {
    match result {
        Err(Error::NotFound {
            resource: r,
            id: i,
            request_id,
            ..
        }) => {
            assert_eq!(r, resource);
            assert_eq!(i, id);
            check_request_id(request_id, "404");
        }
        other => panic!("expected NotFound for {resource} {id}, got {other:?}"),
    }
}

const MISSING: &str = "00000000-0000-4000-8000-000000000000";

// ------------------------------------------------------------------------ volumes

#[test]
fn volume_lifecycle_update_extend_flags_and_delete() {
    let Some(s) = suite("life") else { return };
    let c = &s.client;
    let options = CreateVolumeOptions::default()
        .description("acceptance")
        .metadata("k", "v");
    let v = s.volume(1, "vol", &options);
    assert_eq!(v.name.as_deref(), Some(s.name("vol").as_str()));
    assert_eq!(v.size, 1);
    assert_eq!(v.status, VolumeStatus::Available);
    assert_eq!(v.description.as_deref(), Some("acceptance"));
    assert_eq!(v.metadata.get("k").map(String::as_str), Some("v"));
    assert!(!v.bootable && v.attachments.is_empty());

    let got = c.try_get_volume(&v.id).unwrap();
    assert_eq!(got.id, v.id);
    assert!(got.created_at.is_some());
    let found = c.try_find_volume(&s.name("vol")).unwrap();
    assert_eq!(found.id, v.id);
    assert_eq!(c.try_find_volume(&v.id).unwrap().id, v.id);

    let updated = c
        .try_update_volume(
            &v.id,
            &UpdateVolume::default()
                .name(s.name("renamed"))
                .description("d2"),
        )
        .unwrap();
    assert_eq!(updated.name.as_deref(), Some(s.name("renamed").as_str()));
    assert_eq!(updated.description.as_deref(), Some("d2"));

    c.try_extend_volume(&v.id, 2).unwrap();
    let v2 = c
        .try_wait_for_volume_status(&v.id, VolumeStatus::Available, WAIT)
        .unwrap();
    assert_eq!(v2.size, 2);

    c.try_set_volume_bootable(&v.id, true).unwrap();
    assert!(c.try_get_volume(&v.id).unwrap().bootable);
    c.try_set_volume_readonly(&v.id, true).unwrap();
    c.try_set_volume_readonly(&v.id, false).unwrap();

    c.try_delete_volume(&v.id, &DeleteVolumeOptions::default())
        .unwrap();
    c.try_wait_for_volume_deleted(&v.id, WAIT).unwrap();
    expect_not_found(c.try_get_volume(&v.id), "volume", &v.id);
    // The plain face gives its sentinels.
    assert!(c.get_volume(&v.id).is_none());
    assert!(!c.delete_volume(&v.id, &DeleteVolumeOptions::default()));
}

#[test]
fn pagination_over_several_pages_and_filters() {
    let Some(s) = suite("page") else { return };
    let c = &s.client;
    let tag = s.name("tag");
    let mut ids = Vec::new();
    let created: Vec<Volume> = (0..7)
        .map(|i| {
            let options = CreateVolumeOptions::default().metadata("ibs-acc-pages", tag.as_str());
            let v = c
                .try_create_volume(1, &s.name(&format!("{i:02}")), &options)
                .unwrap();
            s.cleanup.add(Res::Volume(v.id.clone()));
            v
        })
        .collect();
    for v in &created {
        c.try_wait_for_volume_status(&v.id, VolumeStatus::Available, WAIT)
            .unwrap();
        ids.push(v.id.clone());
    }
    let mine = ListOptions::default().metadata("ibs-acc-pages", tag.as_str());

    // All of them, over the server's pages (a small osapi_max_limit makes several).
    let all = c.try_list_volumes_with(&mine).unwrap();
    let got: HashSet<_> = all.iter().map(|v| v.id.clone()).collect();
    assert_eq!(got, ids.iter().cloned().collect::<HashSet<_>>());
    assert_eq!(all.len(), 7, "no duplicates across pages");

    // Pages of two: 2 + 2 + 2 + 1.
    let sizes: Vec<usize> = c
        .try_volume_pages(&mine.clone().page_size(2))
        .unwrap()
        .map(|page| page.unwrap().len())
        .collect();
    assert_eq!(sizes.iter().sum::<usize>(), 7, "{sizes:?}");
    assert!(
        sizes.len() >= 4 && sizes.iter().all(|&n| n <= 2),
        "{sizes:?}"
    );

    // A page size above the server's cap: the server's own pages, still all items.
    let sizes: Vec<usize> = c
        .try_volume_pages(&mine.clone().page_size(1000))
        .unwrap()
        .map(|page| page.unwrap().len())
        .collect();
    assert_eq!(sizes.iter().sum::<usize>(), 7, "{sizes:?}");
    println!("pages at page_size 1000: {sizes:?}");

    // max_items stops early.
    assert_eq!(
        c.try_list_volumes_with(&mine.clone().max_items(3))
            .unwrap()
            .len(),
        3
    );

    // Sorted by name, both ways.
    let names = |opts: &ListOptions| -> Vec<String> {
        c.try_list_volumes_with(opts)
            .unwrap()
            .into_iter()
            .map(|v| v.name.unwrap())
            .collect()
    };
    let asc = names(&mine.clone().sort("name:asc"));
    let mut sorted = asc.clone();
    sorted.sort();
    assert_eq!(asc, sorted);
    let desc = names(&mine.clone().sort("name:desc").page_size(3));
    assert_eq!(desc, sorted.iter().rev().cloned().collect::<Vec<_>>());

    // Exact name, status.
    let one = c
        .try_list_volumes_with(&ListOptions::default().name(s.name("03")))
        .unwrap();
    assert_eq!(one.len(), 1);
    assert_eq!(one[0].name.as_deref(), Some(s.name("03").as_str()));
    assert_eq!(
        c.try_list_volumes_with(&mine.clone().status("available"))
            .unwrap()
            .len(),
        7
    );
    assert!(
        c.try_list_volumes_with(&mine.clone().status("error"))
            .unwrap()
            .is_empty()
    );

    // An explicit marker starts after that volume.
    let first_two = c
        .try_list_volumes_with(&mine.clone().sort("name:asc").max_items(2))
        .unwrap();
    let rest = c
        .try_list_volumes_with(
            &mine
                .clone()
                .sort("name:asc")
                .marker(first_two[1].id.clone()),
        )
        .unwrap();
    assert_eq!(rest.len(), 5);
    assert_eq!(rest[0].name.as_deref(), Some(sorted[2].as_str()));
}

#[test]
fn metadata_of_volumes_and_snapshots() {
    let Some(s) = suite("meta") else { return };
    let c = &s.client;
    let v = s.volume(1, "vol", &CreateVolumeOptions::default().metadata("a", "1"));
    let mut more = BTreeMap::new();
    more.insert("b".to_string(), "2".to_string());
    more.insert("a".to_string(), "one".to_string());
    let merged = c.try_set_volume_metadata(&v.id, &more).unwrap();
    assert_eq!(merged.get("a").map(String::as_str), Some("one"));
    assert_eq!(merged.get("b").map(String::as_str), Some("2"));
    assert_eq!(c.try_get_volume_metadata(&v.id).unwrap(), merged);
    c.try_delete_volume_metadata_key(&v.id, "a").unwrap();
    let left = c.try_get_volume_metadata(&v.id).unwrap();
    assert!(
        !left.contains_key("a") && left.contains_key("b"),
        "{left:?}"
    );
    // A key that is not there: 404.
    match c.try_delete_volume_metadata_key(&v.id, "a") {
        Err(Error::NotFound { request_id, .. }) => {
            check_request_id(request_id, "missing metadata key");
        }
        other => panic!("deleting a missing key: {other:?}"),
    }
    // Replace all through an update.
    let mut only = BTreeMap::new();
    only.insert("z".to_string(), "26".to_string());
    let updated = c
        .try_update_volume(&v.id, &UpdateVolume::default().metadata(only.clone()))
        .unwrap();
    assert_eq!(updated.metadata, only);

    let snap = c
        .try_create_snapshot(
            &v.id,
            &s.name("snap"),
            &CreateSnapshotOptions::default().metadata("s", "1"),
        )
        .unwrap();
    s.cleanup.add(Res::Snapshot(snap.id.clone()));
    c.try_wait_for_snapshot_status(&snap.id, SnapshotStatus::Available, WAIT)
        .unwrap();
    let mut smeta = BTreeMap::new();
    smeta.insert("t".to_string(), "2".to_string());
    let sm = c.try_set_snapshot_metadata(&snap.id, &smeta).unwrap();
    assert_eq!(sm.len(), 2, "{sm:?}");
    assert_eq!(c.try_get_snapshot_metadata(&snap.id).unwrap(), sm);
    c.try_delete_snapshot_metadata_key(&snap.id, "s").unwrap();
    assert_eq!(c.try_get_snapshot_metadata(&snap.id).unwrap(), smeta);
}

// ------------------------------------------------------------------------ waiters

#[test]
fn waiters_error_states_user_messages_and_timeouts() {
    let Some(s) = suite("wait") else { return };
    let c = &s.client;

    if let Some(failing) = var("IBS_ACCEPTANCE_FAILING_TYPE") {
        let v = c
            .try_create_volume(
                1,
                &s.name("fails"),
                &CreateVolumeOptions::default().volume_type(failing),
            )
            .unwrap();
        s.cleanup.add(Res::Volume(v.id.clone()));
        match c.try_wait_for_volume_status(&v.id, VolumeStatus::Available, WAIT) {
            Err(Error::ResourceFailed {
                resource,
                id,
                status,
                reason,
                ..
            }) => {
                assert_eq!(resource, "volume");
                assert_eq!(id, v.id);
                assert_eq!(status, "error");
                let reason = reason.expect("a reason from Cinder's user messages");
                assert!(reason.contains("schedule allocate volume"), "{reason}");
            }
            other => panic!("waiting on a volume that fails: {other:?}"),
        }
        // The user message behind that reason.
        let messages = c.try_list_user_messages(Some(&v.id)).unwrap();
        assert!(!messages.is_empty());
        let m = &messages[0];
        assert_eq!(m.resource_uuid.as_deref(), Some(v.id.as_str()));
        assert_eq!(m.resource_type.as_deref(), Some("VOLUME"));
        assert!(m.user_message.contains("schedule allocate volume"), "{m:?}");
        let again = c.try_get_user_message(&m.id).unwrap();
        assert_eq!(again.id, m.id);
        c.try_delete_user_message(&m.id).unwrap();
        expect_not_found(c.try_get_user_message(&m.id), "user message", &m.id);
    } else {
        println!("error-state part skipped: set IBS_ACCEPTANCE_FAILING_TYPE");
    }

    // A status that never comes: WaitTimeout with the last status seen.
    let v = s.volume(1, "ok", &CreateVolumeOptions::default());
    match c.try_wait_for_volume_status(&v.id, VolumeStatus::InUse, Duration::from_secs(3)) {
        Err(Error::WaitTimeout {
            resource,
            id,
            target,
            last_status,
            waited,
            ..
        }) => {
            assert_eq!((resource, id.as_str()), ("volume", v.id.as_str()));
            assert_eq!(target, "in-use");
            assert_eq!(last_status, "available");
            assert!(waited >= Duration::from_secs(3), "{waited:?}");
        }
        other => panic!("expected a timeout, got {other:?}"),
    }
    // Progress callbacks see the statuses.
    let mut seen = Vec::new();
    c.try_extend_volume(&v.id, 2).unwrap();
    c.try_wait_for_volume_status_with(&v.id, VolumeStatus::Available, WAIT, |status, _| {
        seen.push(status.to_string())
    })
    .unwrap();
    assert_eq!(
        seen.last().map(String::as_str),
        Some("available"),
        "{seen:?}"
    );
    // A waiter on a missing volume: NotFound at once.
    expect_not_found(
        c.try_wait_for_volume_status(MISSING, VolumeStatus::Available, WAIT),
        "volume",
        MISSING,
    );
    // Deleted-waiters on something already gone return at once.
    c.try_wait_for_volume_deleted(MISSING, Duration::from_secs(5))
        .unwrap();
}

// ------------------------------------------------------------------------ snapshots

#[test]
fn snapshots_revert_and_volume_from_snapshot() {
    let Some(s) = suite("snap") else { return };
    let c = &s.client;
    let v = s.volume(1, "vol", &CreateVolumeOptions::default());
    let options = CreateSnapshotOptions::default().description("first");
    let snap = c
        .try_create_snapshot(&v.id, &s.name("s1"), &options)
        .unwrap();
    s.cleanup.add(Res::Snapshot(snap.id.clone()));
    let snap = c
        .try_wait_for_snapshot_status(&snap.id, SnapshotStatus::Available, WAIT)
        .unwrap();
    assert_eq!(snap.volume_id, v.id);
    assert_eq!(snap.size, 1);
    assert_eq!(snap.description.as_deref(), Some("first"));

    let listed = c
        .try_list_snapshots_with(&ListOptions::default().volume_id(v.id.clone()))
        .unwrap();
    assert_eq!(
        listed.iter().map(|x| x.id.as_str()).collect::<Vec<_>>(),
        vec![snap.id.as_str()]
    );
    assert_eq!(c.try_find_snapshot(&s.name("s1")).unwrap().id, snap.id);
    let by_status = c
        .try_list_snapshots_with(
            &ListOptions::default()
                .volume_id(v.id.clone())
                .status("available"),
        )
        .unwrap();
    assert_eq!(by_status.len(), 1);
    let by_name = c
        .try_list_snapshots_with(&ListOptions::default().name(s.name("s1")))
        .unwrap();
    assert_eq!(by_name.len(), 1);
    let renamed = c
        .try_update_snapshot(
            &snap.id,
            &UpdateSnapshot::default()
                .name(s.name("s1b"))
                .description("d"),
        )
        .unwrap();
    assert_eq!(renamed.name.as_deref(), Some(s.name("s1b").as_str()));

    // A volume with snapshots cannot be deleted: 400.
    let (code, message) = expect_api(
        c.try_delete_volume(&v.id, &DeleteVolumeOptions::default()),
        400,
    );
    assert_eq!(code.as_deref(), Some("badRequest"));
    assert!(message.contains("snapshots"), "{message}");

    // Revert to the latest snapshot.
    c.try_revert_volume_to_snapshot(&v.id, &snap.id).unwrap();
    let reverted = c
        .try_wait_for_volume_status(&v.id, VolumeStatus::Available, WAIT)
        .unwrap();
    assert_eq!(reverted.size, 1);
    c.try_wait_for_snapshot_status(&snap.id, SnapshotStatus::Available, WAIT)
        .unwrap();

    // A new volume from the snapshot.
    let from = s.volume(
        1,
        "from-snap",
        &CreateVolumeOptions::default().snapshot_id(snap.id.clone()),
    );
    assert_eq!(from.snapshot_id.as_deref(), Some(snap.id.as_str()));
    // A clone of the volume.
    let clone = s.volume(
        1,
        "clone",
        &CreateVolumeOptions::default().source_volume_id(v.id.clone()),
    );
    assert_eq!(clone.source_volid.as_deref(), Some(v.id.as_str()));

    // Delete the snapshot, then the volume with cascade on a second snapshot.
    c.try_delete_snapshot(&snap.id, &DeleteSnapshotOptions::default())
        .unwrap();
    c.try_wait_for_snapshot_deleted(&snap.id, WAIT).unwrap();
    expect_not_found(c.try_get_snapshot(&snap.id), "snapshot", &snap.id);
    let s2 = c
        .try_create_snapshot(&v.id, &s.name("s2"), &CreateSnapshotOptions::default())
        .unwrap();
    s.cleanup.add(Res::Snapshot(s2.id.clone()));
    c.try_wait_for_snapshot_status(&s2.id, SnapshotStatus::Available, WAIT)
        .unwrap();
    c.try_delete_volume(&v.id, &DeleteVolumeOptions::default().cascade(true))
        .unwrap();
    c.try_wait_for_volume_deleted(&v.id, WAIT).unwrap();
    expect_not_found(c.try_get_snapshot(&s2.id), "snapshot", &s2.id);
}

// ------------------------------------------------------------------------ backups

#[test]
fn backups_full_incremental_and_restores() {
    let Some(s) = suite("backup") else { return };
    let c = &s.client;
    let v = s.volume(1, "vol", &CreateVolumeOptions::default());

    let full = c
        .try_create_backup(
            &v.id,
            &s.name("full"),
            &CreateBackupOptions::default().description("full"),
        )
        .unwrap();
    assert!(!full.id.is_empty());
    s.cleanup.add(Res::Backup(full.id.clone()));
    let full = c
        .try_wait_for_backup_status(&full.id, BackupStatus::Available, WAIT)
        .unwrap();
    assert_eq!(full.volume_id, v.id);
    assert!(!full.is_incremental);
    assert_eq!(full.size, 1);

    let incr = c
        .try_create_backup(
            &v.id,
            &s.name("incr"),
            &CreateBackupOptions::default().incremental(true),
        )
        .unwrap();
    s.cleanup.add(Res::Backup(incr.id.clone()));
    let incr = c
        .try_wait_for_backup_status(&incr.id, BackupStatus::Available, WAIT)
        .unwrap();
    assert!(incr.is_incremental);
    assert!(c.try_get_backup(&full.id).unwrap().has_dependent_backups);

    // Filters: exact name, status.
    let named = c
        .try_list_backups_with(&ListOptions::default().name(s.name("full")))
        .unwrap();
    assert_eq!(
        named.iter().map(|b| b.id.as_str()).collect::<Vec<_>>(),
        vec![full.id.as_str()]
    );
    let mine = |b: &&infomaniak_block_storage::Backup| {
        b.name.as_deref().is_some_and(|n| n.starts_with(&s.prefix))
    };
    let available = c
        .try_list_backups_with(&ListOptions::default().status("available"))
        .unwrap();
    assert_eq!(available.iter().filter(mine).count(), 2);
    let failed = c
        .try_list_backups_with(&ListOptions::default().status("error"))
        .unwrap();
    assert_eq!(failed.iter().filter(mine).count(), 0);
    let found = c.try_find_backup(&s.name("incr")).unwrap();
    assert_eq!(found.id, incr.id);
    let listed = c.try_list_backups_with(&ListOptions::default().volume_id(v.id.clone()));
    match listed {
        Ok(list) => assert_eq!(list.len(), 2, "{list:?}"),
        Err(Error::InvalidArgument { argument, .. }) => assert_eq!(argument, "volume_id"),
        Err(other) => panic!("list backups of a volume: {other}"),
    }
    let updated = c
        .try_update_backup(
            &incr.id,
            &UpdateBackup::default().description("incremental"),
        )
        .unwrap();
    assert_eq!(updated.id, incr.id);
    // Cinder answers an update with the summary view (id, name, links): read it back.
    assert_eq!(
        c.try_get_backup(&incr.id).unwrap().description.as_deref(),
        Some("incremental")
    );

    // A backup with incremental backups on it cannot be deleted: 400.
    let (code, message) = expect_api(
        c.try_delete_backup(&full.id, &DeleteBackupOptions::default()),
        400,
    );
    assert_eq!(code.as_deref(), Some("badRequest"));
    assert!(message.to_lowercase().contains("incremental"), "{message}");

    // Restore to a new volume.
    let restore = c
        .try_restore_backup(&incr.id, &RestoreTarget::new_volume(s.name("restored")))
        .unwrap();
    assert_eq!(restore.backup_id, incr.id);
    s.cleanup.add(Res::Volume(restore.volume_id.clone()));
    let restored = c
        .try_wait_for_volume_status(&restore.volume_id, VolumeStatus::Available, WAIT)
        .unwrap();
    assert_eq!(restored.size, 1);
    assert_eq!(restored.name.as_deref(), Some(s.name("restored").as_str()));
    c.try_wait_for_backup_status(&incr.id, BackupStatus::Available, WAIT)
        .unwrap();

    // Restore to an existing volume.
    let target = s.volume(1, "target", &CreateVolumeOptions::default());
    let restore = c
        .try_restore_backup(&full.id, &RestoreTarget::existing_volume(target.id.clone()))
        .unwrap();
    assert_eq!(restore.volume_id, target.id);
    c.try_wait_for_volume_status(&target.id, VolumeStatus::Available, WAIT)
        .unwrap();
    c.try_wait_for_backup_status(&full.id, BackupStatus::Available, WAIT)
        .unwrap();

    // A new volume from a backup (3.47).
    let from = s.volume(
        1,
        "from-backup",
        &CreateVolumeOptions::default().backup_id(full.id.clone()),
    );
    assert_eq!(from.status, VolumeStatus::Available);

    // Delete newest first, then check both are gone.
    c.try_delete_backup(&incr.id, &DeleteBackupOptions::default())
        .unwrap();
    c.try_wait_for_backup_deleted(&incr.id, WAIT).unwrap();
    c.try_delete_backup(&full.id, &DeleteBackupOptions::default())
        .unwrap();
    c.try_wait_for_backup_deleted(&full.id, WAIT).unwrap();
    expect_not_found(c.try_get_backup(&full.id), "backup", &full.id);
}

// ------------------------------------------------------------------------ Nova

#[test]
fn attach_and_detach_through_nova() {
    let Some(s) = suite("attach") else { return };
    let c = &s.client;
    let Some(server) = s.server("srv") else {
        return;
    };
    let v = s.volume(1, "data", &CreateVolumeOptions::default());

    let attached = c
        .try_attach_volume_and_wait(&v.id, &server, &AttachOptions::default(), WAIT)
        .unwrap();
    assert_eq!(attached.status, VolumeStatus::InUse);
    assert!(attached.is_attached_to(&server));
    let a = &attached.attachments[0];
    assert_eq!(a.server_id.as_deref(), Some(server.as_str()));
    assert!(a.attachment_id.is_some() && a.device.is_some(), "{a:?}");

    let on_server = c.try_list_server_attachments(&server).unwrap();
    assert!(
        on_server.iter().any(|x| x.volume_id == v.id),
        "{on_server:?}"
    );
    let one = c.try_get_server_attachment(&v.id, &server).unwrap();
    assert_eq!(one.volume_id, v.id);
    assert_eq!(one.server_id.as_deref(), Some(server.as_str()));

    // Attaching it again: 400 from Nova.
    let (_, message) = expect_api(
        c.try_attach_volume(&v.id, &server, &AttachOptions::default()),
        400,
    );
    assert!(message.contains("already attached"), "{message}");
    // An attached volume cannot be deleted: 400 from Cinder.
    let (code, _) = expect_api(
        c.try_delete_volume(&v.id, &DeleteVolumeOptions::default()),
        400,
    );
    assert_eq!(code.as_deref(), Some("badRequest"));

    let detached = c.try_detach_volume_and_wait(&v.id, &server, WAIT).unwrap();
    assert_eq!(detached.status, VolumeStatus::Available);
    assert!(detached.attachments.is_empty());
    // Detaching from a server it is not attached to.
    match c.try_detach_volume(&v.id, &server) {
        Err(Error::NotAttached {
            volume_id,
            instance_id,
            ..
        }) => {
            assert_eq!(
                (volume_id.as_str(), instance_id.as_str()),
                (v.id.as_str(), server.as_str())
            );
        }
        Err(Error::NotFound { request_id, .. }) => {
            check_request_id(request_id, "detach when not attached");
        }
        other => panic!("detach when not attached: {other:?}"),
    }
    // A missing server: 404.
    match c.try_list_server_attachments(MISSING) {
        Err(Error::NotFound { request_id, .. }) => {
            check_request_id(request_id, "attachments of a missing server");
        }
        other => panic!("attachments of a missing server: {other:?}"),
    }

    // Plain attach then the waiter, with a device name asked for.
    c.try_attach_volume(&v.id, &server, &AttachOptions::default().device("/dev/vdc"))
        .unwrap();
    let v2 = c
        .try_wait_for_volume_status(&v.id, VolumeStatus::InUse, WAIT)
        .unwrap();
    assert!(v2.is_attached_to(&server));
    c.try_detach_volume(&v.id, &server).unwrap();
    c.try_wait_for_volume_status(&v.id, VolumeStatus::Available, WAIT)
        .unwrap();
}

#[test]
fn multi_attach_to_two_servers() {
    let Some(s) = suite("multi") else { return };
    let c = &s.client;
    let Some(kind) = var("IBS_ACCEPTANCE_MULTIATTACH_TYPE") else {
        println!("skipped: set IBS_ACCEPTANCE_MULTIATTACH_TYPE");
        return;
    };
    let Some(one) = s.server("one") else { return };
    let Some(two) = s.server("two") else { return };
    let v = s.volume(
        1,
        "shared",
        &CreateVolumeOptions::default().volume_type(kind),
    );
    assert!(v.multiattach);
    c.try_attach_volume_and_wait(&v.id, &one, &AttachOptions::default(), WAIT)
        .unwrap();
    let both = c
        .try_attach_volume_and_wait(&v.id, &two, &AttachOptions::default(), WAIT)
        .unwrap();
    assert!(
        both.is_attached_to(&one) && both.is_attached_to(&two),
        "{:?}",
        both.attachments
    );
    assert_eq!(both.attachments.len(), 2);
    let after = c.try_detach_volume_and_wait(&v.id, &one, WAIT).unwrap();
    assert_eq!(after.status, VolumeStatus::InUse);
    assert!(!after.is_attached_to(&one) && after.is_attached_to(&two));
    let last = c.try_detach_volume_and_wait(&v.id, &two, WAIT).unwrap();
    assert_eq!(last.status, VolumeStatus::Available);
}

// ------------------------------------------------------------------------ error paths

#[test]
fn error_paths_403_413_404() {
    let Some(s) = suite("err") else { return };
    let c = &s.client;
    let v = s.volume(1, "vol", &CreateVolumeOptions::default());

    // 403: a member may not force delete.
    let (code, message) = expect_api(
        c.try_delete_volume(&v.id, &DeleteVolumeOptions::default().force(true)),
        403,
    );
    assert_eq!(code.as_deref(), Some("forbidden"));
    assert!(message.contains("force_delete"), "{message}");
    assert!(c.try_get_volume(&v.id).is_ok(), "still there");

    // 413: over the gigabytes quota, on create and on extend.
    let limits = c.try_get_limits().unwrap();
    let max_gb = limits
        .max_total_volume_gigabytes
        .expect("a gigabytes quota");
    if max_gb > 0 && max_gb < 10_000 {
        let too_big = u64::try_from(max_gb).unwrap() + 1;
        let result = c.try_create_volume(too_big, &s.name("huge"), &CreateVolumeOptions::default());
        if let Ok(v) = &result {
            s.cleanup.add(Res::Volume(v.id.clone()));
        }
        let (code, message) = expect_api(result, 413);
        assert_eq!(code.as_deref(), Some("overLimit"));
        assert!(message.contains("quota"), "{message}");
        let (code, _) = expect_api(c.try_extend_volume(&v.id, too_big), 413);
        assert_eq!(code.as_deref(), Some("overLimit"));
        c.try_wait_for_volume_status(&v.id, VolumeStatus::Available, WAIT)
            .unwrap();
    } else {
        println!("413 part skipped: gigabytes quota {max_gb}");
    }

    // 404 on every kind.
    expect_not_found(c.try_get_volume(MISSING), "volume", MISSING);
    expect_not_found(c.try_get_snapshot(MISSING), "snapshot", MISSING);
    expect_not_found(c.try_get_backup(MISSING), "backup", MISSING);
    expect_not_found(
        c.try_delete_volume(MISSING, &DeleteVolumeOptions::default()),
        "volume",
        MISSING,
    );
    expect_not_found(c.try_extend_volume(MISSING, 2), "volume", MISSING);
    // An exact name that matches nothing.
    assert!(
        c.try_find_volume(&s.name("nothing"))
            .unwrap_err()
            .is_not_found()
    );

    // 400: shrinking.
    let (code, _) = expect_api(c.try_extend_volume(&v.id, 1), 400);
    assert_eq!(code.as_deref(), Some("badRequest"));

    // The admin may force delete.
    if let Some(admin) = admin() {
        admin
            .try_delete_volume(&v.id, &DeleteVolumeOptions::default().force(true))
            .unwrap();
        c.try_wait_for_volume_deleted(&v.id, WAIT).unwrap();
    }
}

#[test]
fn microversion_above_the_server_falls_back_after_406() {
    let Some(s) = suite("mv") else { return };
    let mut config = member_config();
    config.volume_microversion = "3.80".into();
    config.negotiate_microversion = false;
    let client = InfomaniakVolumeClient::new(config).unwrap();
    // The first call is sent at 3.80, answered 406, and resent at the server's maximum.
    client
        .try_list_volumes_with(&ListOptions::default().max_items(1))
        .unwrap();
    let used = client.try_volume_microversion().unwrap();
    if let Some(max) = var("IBS_ACCEPTANCE_CINDER_MAX_MICROVERSION") {
        assert_eq!(used, max);
    }
    assert_ne!(used, "3.80");
    // It keeps working at that version for a create and a delete.
    let v = client
        .try_create_volume(1, &s.name("vol"), &CreateVolumeOptions::default())
        .unwrap();
    s.cleanup.add(Res::Volume(v.id.clone()));
    client
        .try_wait_for_volume_status(&v.id, VolumeStatus::Available, WAIT)
        .unwrap();
    client
        .try_delete_volume(&v.id, &DeleteVolumeOptions::default())
        .unwrap();
    client.try_wait_for_volume_deleted(&v.id, WAIT).unwrap();

    // With negotiation on, the version document gives the same answer without a 406.
    let mut config = member_config();
    config.volume_microversion = "3.80".into();
    config.negotiate_microversion = true;
    let client = InfomaniakVolumeClient::new(config).unwrap();
    client
        .try_list_volumes_with(&ListOptions::default().max_items(1))
        .unwrap();
    assert_eq!(client.try_volume_microversion().unwrap(), used);
}

// ------------------------------------------------------------------------ auth

#[test]
fn both_auth_kinds_and_bad_credentials() {
    let Some(s) = suite("auth") else { return };
    // The member's own settings, whatever their kind.
    s.client.try_authenticate().unwrap();

    if let Some(config) = password_config("IBS_ACCEPTANCE_OTHER_") {
        let other = InfomaniakVolumeClient::new(config).unwrap();
        other.try_authenticate().unwrap();
        other
            .try_list_volumes_with(&ListOptions::default().max_items(1))
            .unwrap();
        // The other project does not see the member's volumes.
        let v = s.volume(1, "private", &CreateVolumeOptions::default());
        expect_not_found(other.try_get_volume(&v.id), "volume", &v.id);
    } else {
        println!("second-project part skipped: set IBS_ACCEPTANCE_OTHER_*");
    }

    match (
        var("IBS_ACCEPTANCE_APP_CREDENTIAL_ID"),
        var("IBS_ACCEPTANCE_APP_CREDENTIAL_SECRET"),
    ) {
        (Some(id), Some(secret)) => {
            let client = InfomaniakVolumeClient::new(app_credential_config(&id, &secret)).unwrap();
            client.try_authenticate().unwrap();
            let v = client
                .try_create_volume(1, &s.name("appcred"), &CreateVolumeOptions::default())
                .unwrap();
            s.cleanup.add(Res::Volume(v.id.clone()));
            // Same project as the member.
            assert_eq!(s.client.try_get_volume(&v.id).unwrap().id, v.id);
            let bad =
                InfomaniakVolumeClient::new(app_credential_config(&id, "wrong-secret")).unwrap();
            expect_auth_401(bad.try_authenticate());
        }
        _ => println!("application-credential part skipped: set IBS_ACCEPTANCE_APP_CREDENTIAL_*"),
    }

    // A wrong password.
    if var("OS_PASSWORD").is_some() && var("OS_USERNAME").is_some() {
        let config = Config::from_vars(|key| match key {
            "OS_PASSWORD" => Some("wrong-password".into()),
            "OS_CLOUD" | "INFOMANIAK_APP_CREDENTIAL_ID" | "INFOMANIAK_APP_CREDENTIAL_SECRET" => {
                None
            }
            other => var(other),
        })
        .unwrap();
        let bad = InfomaniakVolumeClient::new(config).unwrap();
        expect_auth_401(bad.try_authenticate());
        // The plain face: an empty list, and the error logged.
        assert!(bad.list_volumes().is_empty());
    }
}

#[track_caller]
fn expect_auth_401(result: Result<(), Error>) {
    match result {
        Err(Error::Auth {
            status,
            message,
            request_id,
            ..
        }) => {
            assert_eq!(status, Some(401), "{message}");
            check_request_id(request_id, "401 from Keystone");
            assert!(
                !message.contains("wrong-"),
                "the secret leaks into the message: {message}"
            );
        }
        other => panic!("expected a 401 from Keystone, got {other:?}"),
    }
}

#[test]
fn token_renewal_with_a_short_lifetime() {
    let Some(s) = suite("token") else { return };
    let Some(lifetime) = var("IBS_ACCEPTANCE_TOKEN_LIFETIME").and_then(|v| v.parse::<u64>().ok())
    else {
        println!("skipped: set IBS_ACCEPTANCE_TOKEN_LIFETIME (Keystone's token lifetime, ≤ 120 s)");
        return;
    };
    if lifetime > 120 {
        println!("skipped: a token lifetime of {lifetime} s is too long to wait out");
        return;
    }
    let mut clients = vec![("member", member())];
    if let (Some(id), Some(secret)) = (
        var("IBS_ACCEPTANCE_APP_CREDENTIAL_ID"),
        var("IBS_ACCEPTANCE_APP_CREDENTIAL_SECRET"),
    ) {
        clients.push((
            "application credential",
            InfomaniakVolumeClient::new(app_credential_config(&id, &secret)).unwrap(),
        ));
    }
    for (_, client) in &clients {
        client.try_authenticate().unwrap();
    }
    // Calls every few seconds for more than a lifetime: each token is renewed before it
    // expires, and no call fails.
    let started = Instant::now();
    let until = Duration::from_secs(lifetime + 10);
    let mut calls = 0;
    while started.elapsed() < until {
        for (who, client) in &clients {
            client
                .try_list_volumes_with(&ListOptions::default().max_items(1))
                .unwrap_or_else(|e| panic!("{who} after {:?}: {e}", started.elapsed()));
            calls += 1;
        }
        sleep(Duration::from_secs(4));
    }
    // A long idle gap: the token has expired in between.
    sleep(Duration::from_secs(lifetime + 2));
    for (who, client) in &clients {
        client
            .try_list_volumes_with(&ListOptions::default().max_items(1))
            .unwrap_or_else(|e| panic!("{who} after an idle lifetime: {e}"));
    }
    let v = s.volume(1, "after", &CreateVolumeOptions::default());
    assert_eq!(v.status, VolumeStatus::Available);
    println!(
        "{calls} calls over {:?} with {lifetime} s tokens",
        started.elapsed()
    );
}

// ------------------------------------------------------------------------ project

#[test]
fn project_limits_quotas_types_and_zones() {
    let Some(s) = suite("proj") else { return };
    let c = &s.client;
    let limits = c.try_get_limits().unwrap();
    assert!(
        limits.max_total_volumes.is_some() && limits.total_volumes_used.is_some(),
        "{limits:?}"
    );
    assert!(limits.volumes_left().is_some());
    let quotas = c.try_get_quotas().unwrap();
    for key in ["volumes", "snapshots", "gigabytes", "backups"] {
        assert!(quotas.contains_key(key), "{key} in {quotas:?}");
    }
    assert_eq!(Some(quotas["volumes"].limit), limits.max_total_volumes);
    let types = c.try_list_volume_types().unwrap();
    assert!(!types.is_empty());
    if let Some(kind) = var("IBS_ACCEPTANCE_MULTIATTACH_TYPE") {
        assert!(types.iter().any(|t| t.name == kind), "{types:?}");
    }
    let zones = c.try_list_availability_zones().unwrap();
    assert!(zones.iter().any(|z| z.available), "{zones:?}");
}

/// Deletes, when dropped, what a transfer test left behind: open transfers (in the giving
/// project) and the volume once it moved (in the receiving one).
struct TransferLeftovers<'a> {
    giver: &'a InfomaniakVolumeClient,
    receiver: &'a InfomaniakVolumeClient,
    transfers: Vec<String>,
    moved: Option<String>,
}

impl Drop for TransferLeftovers<'_> {
    fn drop(&mut self) {
        for id in &self.transfers {
            let _ = self.giver.try_delete_volume_transfer(id);
        }
        if let Some(id) = &self.moved {
            wait_settled(|| {
                self.receiver
                    .try_get_volume(id)
                    .map(|v| v.status.to_string())
            });
            let _ = self
                .receiver
                .try_delete_volume(id, &DeleteVolumeOptions::default());
            let _ = self
                .receiver
                .try_wait_for_volume_deleted(id, Duration::from_secs(120));
        }
    }
}

#[test]
fn transfers_between_two_projects() {
    let Some(s) = suite("transfer") else { return };
    let Some(config) = password_config("IBS_ACCEPTANCE_OTHER_") else {
        println!("skipped: set IBS_ACCEPTANCE_OTHER_* for a second project");
        return;
    };
    let other = InfomaniakVolumeClient::new(config).unwrap();
    let mut leftovers = TransferLeftovers {
        giver: &s.client,
        receiver: &other,
        transfers: Vec::new(),
        moved: None,
    };

    // Offered, then taken back: the volume is the member's and available again.
    let kept = s.volume(1, "kept", &CreateVolumeOptions::default());
    let offer = s
        .client
        .try_create_volume_transfer(&kept.id, &CreateTransferOptions::default())
        .unwrap();
    leftovers.transfers.push(offer.transfer.id.clone());
    assert_eq!(
        s.client.try_get_volume(&kept.id).unwrap().status,
        VolumeStatus::AwaitingTransfer
    );
    s.client
        .try_delete_volume_transfer(&offer.transfer.id)
        .unwrap();
    s.client
        .try_wait_for_volume_status(&kept.id, VolumeStatus::Available, WAIT)
        .unwrap();
    expect_not_found(
        s.client.try_get_volume_transfer(&offer.transfer.id),
        "volume transfer",
        &offer.transfer.id,
    );

    // Offered and accepted by the other project.
    let v = s.volume(1, "moving", &CreateVolumeOptions::default());
    let created = s
        .client
        .try_create_volume_transfer(
            &v.id,
            &CreateTransferOptions::default().name(s.name("to-other")),
        )
        .unwrap();
    leftovers.transfers.push(created.transfer.id.clone());
    assert_eq!(created.transfer.volume_id, v.id);
    assert!(!created.auth_key.is_empty());
    assert!(!format!("{created:?}").contains(created.auth_key.expose()));
    let listed = s.client.try_list_volume_transfers().unwrap();
    assert!(
        listed.iter().any(|t| t.id == created.transfer.id),
        "{listed:?}"
    );
    let shown = s
        .client
        .try_get_volume_transfer(&created.transfer.id)
        .unwrap();
    assert_eq!(shown.volume_id, v.id);

    // A wrong key: 400 with a request id (checked by expect_api), and no key in the error.
    let wrong = other.try_accept_volume_transfer(&created.transfer.id, &Secret::new("wrong-key"));
    let shown_error = format!("{wrong:?}");
    let (_, message) = expect_api(wrong, 400);
    assert!(!message.contains(created.auth_key.expose()), "{message}");
    assert!(
        !shown_error.contains(created.auth_key.expose()),
        "{shown_error}"
    );

    let accepted = other
        .try_accept_volume_transfer(&created.transfer.id, &created.auth_key)
        .unwrap();
    leftovers.transfers.clear();
    leftovers.moved = Some(v.id.clone());
    assert_eq!(accepted.volume_id, v.id);
    let moved = other
        .try_wait_for_volume_status(&v.id, VolumeStatus::Available, WAIT)
        .unwrap();
    assert_eq!(moved.id, v.id);
    // The member no longer sees it.
    expect_not_found(s.client.try_get_volume(&v.id), "volume", &v.id);
}
