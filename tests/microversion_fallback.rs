//! Microversions that just work (issue 10, point 4): the configured `volume 3.67` is sent
//! optimistically; a server at 3.0 or 3.60 answers 406 naming its range, the request is sent
//! again at the server's maximum, and that version is remembered (the next call sends it at
//! once); a server at 3.71 never sees a 406. An operation that needs more than the server
//! has is `Error::Unsupported` naming both versions, and nothing is sent for it. A failed
//! version discovery is asked once, not by every call.

// Both fixture modules: httpmock's (`common`) and the simulated cloud's, which embeds it.
#![allow(clippy::duplicate_mod)]

mod common;
mod fake_common;

use std::time::Duration;

use common::assert::assert_unsupported;
use fake_common::{cinder, volumes_detail_path};
use httpmock::prelude::*;
use infomaniak_block_storage::{
    CreateVolumeOptions, DEFAULT_VOLUME_MICROVERSION, Error, InfomaniakVolumeClient,
};
use infomaniak_fake_cloud::{FakeCloud, Fault};
use serde_json::json;

fn cloud_serving(max: &str) -> FakeCloud {
    FakeCloud::builder()
        .transition_delay(Duration::from_millis(10))
        .volume_microversion_range("3.0", max)
        .start()
}

/// The `OpenStack-API-Version` header of every request to `path` (exact, without query).
fn versions_sent(cloud: &FakeCloud, method: &str, path: &str) -> Vec<String> {
    cloud
        .request_log()
        .iter()
        .filter(|r| r.method == method && r.path == path)
        .map(|r| r.header("openstack-api-version").unwrap_or("").to_string())
        .collect()
}

/// Default client (volume 3.67, no negotiation) against a cloud at `max`: the first listing
/// meets a 406 and is sent again at `max`; the second is sent at `max` directly.
fn falls_back_once_and_remembers(max: &str) {
    assert_eq!(DEFAULT_VOLUME_MICROVERSION, "3.67");
    let cloud = cloud_serving(max);
    let client = fake_common::client(&cloud);
    assert!(!client.config().negotiate_microversion);
    assert_eq!(client.try_volume_microversion().unwrap(), "3.67");

    assert!(client.try_list_volumes().unwrap().is_empty());
    let wanted = format!("volume {max}");
    assert_eq!(
        versions_sent(&cloud, "GET", &volumes_detail_path()),
        vec!["volume 3.67".to_string(), wanted.clone()]
    );
    assert_eq!(client.try_volume_microversion().unwrap(), max);

    assert!(client.try_list_volumes().unwrap().is_empty());
    fake_common::available_volume(&client, 1, "old-cloud", &CreateVolumeOptions::default());
    assert_eq!(
        versions_sent(&cloud, "GET", &volumes_detail_path()),
        vec!["volume 3.67".to_string(), wanted.clone(), wanted.clone()]
    );
    assert_eq!(
        versions_sent(&cloud, "POST", &fake_common::volumes_path()),
        vec![wanted.clone()]
    );
    // Every Cinder request after the first 406 went at the server's maximum.
    let log = cloud.request_log();
    let cinder_requests: Vec<_> = log
        .iter()
        .filter(|r| r.path.starts_with(&cinder()))
        .collect();
    assert!(cinder_requests.len() >= 4);
    for r in &cinder_requests[1..] {
        assert_eq!(
            r.header("openstack-api-version"),
            Some(wanted.as_str()),
            "{} {}",
            r.method,
            r.path
        );
    }
    // No version document was asked for: the 406 said it all.
    assert!(
        !log.iter()
            .any(|r| r.path == "/volume/v3/" || r.path == "/volume/"),
        "a version document was read"
    );
}

#[test]
fn cloud_at_3_0_falls_back_once_and_remembers() {
    falls_back_once_and_remembers("3.0");
}

#[test]
fn cloud_at_3_60_falls_back_once_and_remembers() {
    falls_back_once_and_remembers("3.60");
}

#[test]
fn cloud_at_3_71_never_answers_406() {
    let cloud = cloud_serving("3.71");
    let client = fake_common::client(&cloud);
    client.try_list_volumes().unwrap();
    client.try_list_volumes().unwrap();
    assert_eq!(
        versions_sent(&cloud, "GET", &volumes_detail_path()),
        vec!["volume 3.67".to_string(), "volume 3.67".to_string()]
    );
    assert_eq!(client.try_volume_microversion().unwrap(), "3.67");
}

/// After falling back to 3.0, a revert (3.40) and a create from a backup (3.47) are refused
/// before anything is sent.
#[test]
fn operations_above_the_fallen_back_version_are_unsupported_and_send_nothing() {
    let cloud = cloud_serving("3.0");
    let client = fake_common::client(&cloud);
    let v = fake_common::available_volume(&client, 1, "v", &CreateVolumeOptions::default());
    assert_eq!(client.try_volume_microversion().unwrap(), "3.0");

    let before = cloud.requests();
    assert_unsupported(
        client.try_revert_volume_to_snapshot(&v.id, "5d0f4a3e-1111-4222-8333-944455556666"),
        "Cinder",
        None,
        "3.40",
        "3.0",
    );
    assert_unsupported(
        client.try_create_volume(
            1,
            "from-backup",
            &CreateVolumeOptions::default().backup_id("0c1d2e3f-1111-4222-8333-944455556666"),
        ),
        "Cinder",
        None,
        "3.47",
        "3.0",
    );
    assert_eq!(cloud.requests(), before, "nothing was sent");
}

/// The very first call of a client needs 3.47 and meets a 3.0 server: the 406 tells the
/// client its range, and the operation is then refused as unsupported rather than resent
/// without what it needs.
#[test]
fn a_first_call_needing_more_than_the_server_has_is_unsupported() {
    let cloud = cloud_serving("3.0");
    let client = fake_common::client(&cloud);
    client.try_authenticate().unwrap();
    let result = client.try_create_volume(
        1,
        "from-backup",
        &CreateVolumeOptions::default().backup_id("0c1d2e3f-1111-4222-8333-944455556666"),
    );
    assert_unsupported(result, "Cinder", None, "3.47", "3.0");
    assert_eq!(
        versions_sent(&cloud, "POST", &fake_common::volumes_path()),
        vec!["volume 3.67".to_string()],
        "sent once at 3.67, never resent at 3.0"
    );
    assert!(cloud.volume_ids().is_empty());
}

/// The server's minimum is above what is configured: there is no common version, so the
/// 406 is an error and nothing is resent.
#[test]
fn no_common_version_is_the_406_itself() {
    let cloud = FakeCloud::builder()
        .volume_microversion_range("3.70", "3.71")
        .start();
    let client = fake_common::client(&cloud);
    let err = client.try_list_volumes().unwrap_err();
    let Error::Api {
        status, message, ..
    } = &err
    else {
        panic!("expected Api 406, got {err:?}")
    };
    assert_eq!(*status, 406);
    assert!(
        message.contains("Minimum is 3.70 and maximum is 3.71"),
        "{message}"
    );
    assert_eq!(cloud.requests_matching("GET", &volumes_detail_path()), 1);
}

/// Nova answers 406 the same way: attachment calls fall back too.
#[test]
fn compute_falls_back_once_as_well() {
    let cloud = FakeCloud::builder()
        .compute_microversion_range("2.1", "2.60")
        .start();
    let client = fake_common::client(&cloud);
    assert_eq!(client.config().compute_microversion, "2.79");
    let server = cloud.server_id();
    assert!(
        client
            .try_list_server_attachments(&server)
            .unwrap()
            .is_empty()
    );
    assert!(
        client
            .try_list_server_attachments(&server)
            .unwrap()
            .is_empty()
    );
    let path = format!("/compute/v2.1/servers/{server}/os-volume_attachments");
    assert_eq!(
        versions_sent(&cloud, "GET", &path),
        vec!["compute 2.79", "compute 2.60", "compute 2.60"]
    );
}

// ----- discovery (negotiate_microversion) ---------------------------------------------------

/// The version document is unreachable: the configured version is sent, and discovery is
/// not asked again by each of the following calls.
#[test]
fn failed_discovery_on_the_fake_cloud_is_asked_once() {
    let cloud = cloud_serving("3.71");
    let mut config = fake_common::config(&cloud);
    config.negotiate_microversion = true;
    config.retry = infomaniak_block_storage::RetryPolicy::none();
    let client = InfomaniakVolumeClient::new(config).unwrap();
    client.try_authenticate().unwrap();
    // The first GET below /volume/v3/ is the version document.
    cloud.inject_fault("GET", "/volume/v3/", 1, Fault::DropConnection);
    for _ in 0..5 {
        assert!(client.try_list_volumes().unwrap().is_empty());
    }
    assert_eq!(
        cloud
            .request_log()
            .iter()
            .filter(|r| r.path == "/volume/v3/")
            .count(),
        1
    );
    assert_eq!(
        versions_sent(&cloud, "GET", &volumes_detail_path()),
        vec!["volume 3.67"; 5]
    );
}

#[test]
fn failed_discovery_on_httpmock_is_asked_once() {
    let server = common::server();
    let doc = server.mock(|when, then| {
        when.method(GET).path("/volume/v3/");
        then.status(500).body("<html>Internal Server Error</html>");
    });
    let list = server.mock(|when, then| {
        when.method(GET)
            .path(format!("{}/volumes/detail", common::CINDER))
            .header("OpenStack-API-Version", common::MICROVERSION);
        then.status(200).json_body(json!({"volumes": []}));
    });
    let mut config = common::config(&server);
    config.negotiate_microversion = true;
    let client = InfomaniakVolumeClient::new(config).unwrap();
    for _ in 0..10 {
        assert!(client.try_list_volumes().unwrap().is_empty());
    }
    assert_eq!(client.try_volume_microversion().unwrap(), "3.67");
    doc.assert_calls(1);
    list.assert_calls(10);
}

/// A 406 from httpmock in Cinder's words: one fallback, remembered.
#[test]
fn httpmock_406_in_cinders_words_falls_back_once() {
    let server = common::server();
    let refused = server.mock(|when, then| {
        when.method(GET)
            .path(format!("{}/volumes/detail", common::CINDER))
            .header("OpenStack-API-Version", "volume 3.67");
        then.status(406).json_body(json!({"computeFault": {"code": 406,
            "message": "Version 3.67 is not supported by the API. Minimum is 3.0 and maximum is 3.59."}}));
    });
    let accepted = server.mock(|when, then| {
        when.method(GET)
            .path(format!("{}/volumes/detail", common::CINDER))
            .header("OpenStack-API-Version", "volume 3.59");
        then.status(200).json_body(json!({"volumes": []}));
    });
    let client = common::client(&server);
    for _ in 0..3 {
        assert!(client.try_list_volumes().unwrap().is_empty());
    }
    refused.assert_calls(1);
    accepted.assert_calls(3);
}

/// The same for a backup with metadata (3.43) as a client's first Cinder call on a 3.0
/// cloud, and an attach with a tag (Nova 2.49) as its first Nova call on a 2.48 cloud: sent
/// once at the configured version, refused with 406, then Unsupported instead of resent
/// without what was asked.
#[test]
fn first_calls_needing_more_than_old_servers_have_are_unsupported() {
    let cloud = FakeCloud::builder()
        .volume_microversion_range("3.0", "3.0")
        .compute_microversion_range("2.1", "2.48")
        .start();
    let client = fake_common::client(&cloud);
    client.try_authenticate().unwrap();
    let volume = "0c1d2e3f-1111-4222-8333-944455556666";

    let backup = client.try_create_backup(
        volume,
        "b",
        &infomaniak_block_storage::CreateBackupOptions::default().metadata("k", "v"),
    );
    assert_unsupported(backup, "Cinder", None, "3.43", "3.0");
    assert_eq!(
        versions_sent(&cloud, "POST", &format!("{}/backups", cinder())),
        vec!["volume 3.67".to_string()]
    );

    let server = cloud.server_id();
    let attach = client.try_attach_volume(
        volume,
        &server,
        &infomaniak_block_storage::AttachOptions::default().tag("data"),
    );
    assert_unsupported(attach, "Nova", None, "2.49", "2.48");
    assert_eq!(
        versions_sent(
            &cloud,
            "POST",
            &format!("/compute/v2.1/servers/{server}/os-volume_attachments")
        ),
        vec!["compute 2.79".to_string()]
    );
}
