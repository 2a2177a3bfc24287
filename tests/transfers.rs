//! Issue 11, item 4: volume transfers between projects. Cinder serves them at
//! `/volume-transfers` from microversion 3.55 (with `no_snapshots`) and at
//! `/os-volume-transfer` below; create returns the id and the `auth_key`, list (`/detail`),
//! show, accept (`POST .../{id}/accept` with `{"accept": {"auth_key": ...}}`, in the receiving
//! project) and delete. The `auth_key` is a secret: it never shows in `Debug`, in any log line
//! (of any crate, at trace level) or in an error. Against httpmock and the simulated cloud,
//! where the accepting project is a second application credential.

// Both fixture modules: httpmock's (`common`, shared with `ops_common`) and the simulated
// cloud's, which embeds its own copy; the log capture used here is `common`'s.
#![allow(clippy::duplicate_mod)]

mod common;
mod fake_common;
mod ops_common;

use common::{client_at, server};
use httpmock::prelude::*;
use infomaniak_block_storage::{
    Config, CreateSnapshotOptions, CreateTransferOptions, Error, InfomaniakVolumeClient, Secret,
    VolumeStatus,
};
use infomaniak_fake_cloud::FakeCloud;
use ops_common::*;
use serde_json::{Value, json};

const TRANSFER: &str = "1a7059f5-8ed7-45b7-8d05-2811e5d09f24";
const KEY: &str = "52fafc4c9a6e7f3b";

/// The api-ref's create reply (`volume-transfer-create-response.json`, 3.55).
fn created_body() -> Value {
    json!({"transfer": {
        "id": TRANSFER,
        "created_at": "2019-03-20T09:29:01.000000",
        "name": "to-staging",
        "volume_id": VOL,
        "auth_key": KEY,
        "links": [{"href": "http://x/v3/p/volume-transfers/1a70", "rel": "self"}]
    }})
}

fn transfer_body() -> Value {
    json!({"transfer": {
        "id": TRANSFER,
        "created_at": "2019-03-20T09:29:01.000000",
        "name": "to-staging",
        "volume_id": VOL,
        "links": []
    }})
}

/// Every log line of this thread (all crates, every level) and the given texts: none may
/// hold the key.
#[track_caller]
fn assert_key_never_shown(texts: &[String]) {
    assert!(
        !common::logs_of_this_thread().is_empty(),
        "the capture must see the requests"
    );
    for line in common::logs_of_this_thread() {
        assert!(
            !line.1.contains(KEY),
            "log line shows the auth key: {line:?}"
        );
    }
    for text in texts {
        assert!(!text.contains(KEY), "shows the auth key: {text}");
    }
}

#[test]
fn create_at_3_55_and_later_posts_to_volume_transfers_and_keeps_the_key_secret() {
    common::capture_logs();
    let server = server();
    let create = server.mock(|when, then| {
        json_request(
            cinder_call(when.method(POST).path(cinder("/volume-transfers"))),
            json!({"transfer": {"volume_id": VOL, "name": "to-staging", "no_snapshots": true}}),
        );
        reply_json(then, 202, created_body());
    });
    let client = common::client(&server);
    let created = client
        .try_create_volume_transfer(
            VOL,
            &CreateTransferOptions::default()
                .name("to-staging")
                .no_snapshots(true),
        )
        .unwrap();
    assert_eq!(created.transfer.id, TRANSFER);
    assert_eq!(created.transfer.volume_id, VOL);
    assert_eq!(created.transfer.name.as_deref(), Some("to-staging"));
    assert_eq!(
        created.transfer.created_at.as_deref(),
        Some("2019-03-20T09:29:01.000000")
    );
    assert!(created.transfer.extra.contains_key("links"));
    assert!(!created.transfer.extra.contains_key("auth_key"));
    assert_eq!(created.auth_key.expose(), KEY);
    let debug = format!("{created:?} {:?} {:#?}", created.auth_key, created);
    assert!(debug.contains("<redacted>"), "{debug}");
    assert_key_never_shown(&[debug]);
    create.assert_calls(1);
}

/// The minimal body: the volume id alone (no name, no `no_snapshots: false`).
#[test]
fn create_without_options_sends_only_the_volume_id() {
    let server = server();
    let create = server.mock(|when, then| {
        json_request(
            cinder_call(when.method(POST).path(cinder("/volume-transfers"))),
            json!({"transfer": {"volume_id": VOL}}),
        );
        reply_json(then, 202, created_body());
    });
    let client = common::client(&server);
    let created = client
        .create_volume_transfer(VOL, &CreateTransferOptions::default())
        .unwrap();
    assert_eq!(created.auth_key.expose(), KEY);
    create.assert_calls(1);
}

/// Below 3.55 every operation uses `/os-volume-transfer`, and `no_snapshots` is refused
/// before sending.
#[test]
fn below_3_55_the_old_os_volume_transfer_paths_are_used() {
    let server = server();
    let create = server.mock(|when, then| {
        json_request(
            when.method(POST)
                .path(cinder("/os-volume-transfer"))
                .header("OpenStack-API-Version", "volume 3.54"),
            json!({"transfer": {"volume_id": VOL, "name": "old"}}),
        );
        reply_json(then, 202, created_body());
    });
    let list = server.mock(|when, then| {
        no_query(when.method(GET).path(cinder("/os-volume-transfer/detail")));
        reply_json(
            then,
            200,
            json!({"transfers": [transfer_body()["transfer"]]}),
        );
    });
    let show = server.mock(|when, then| {
        when.method(GET)
            .path(cinder(&format!("/os-volume-transfer/{TRANSFER}")));
        reply_json(then, 200, transfer_body());
    });
    let accept = server.mock(|when, then| {
        json_request(
            when.method(POST)
                .path(cinder(&format!("/os-volume-transfer/{TRANSFER}/accept"))),
            json!({"accept": {"auth_key": KEY}}),
        );
        reply_json(then, 202, transfer_body());
    });
    let delete = server.mock(|when, then| {
        when.method(DELETE)
            .path(cinder(&format!("/os-volume-transfer/{TRANSFER}")));
        reply_accepted(then);
    });
    let new_paths = server.mock(|when, then| {
        when.path_includes("/volume-transfers");
        then.status(500);
    });
    let client = client_at(&server, "3.54");
    let result = client
        .try_create_volume_transfer(VOL, &CreateTransferOptions::default().no_snapshots(true));
    assert_unsupported(result, "Cinder", None, "3.55", "3.54");
    create.assert_calls(0);

    let created = client
        .try_create_volume_transfer(VOL, &CreateTransferOptions::default().name("old"))
        .unwrap();
    assert_eq!(created.transfer.id, TRANSFER);
    assert_eq!(client.try_list_volume_transfers().unwrap().len(), 1);
    assert_eq!(
        client.try_get_volume_transfer(TRANSFER).unwrap().volume_id,
        VOL
    );
    let accepted = client
        .try_accept_volume_transfer(TRANSFER, &Secret::new(KEY))
        .unwrap();
    assert_eq!(accepted.id, TRANSFER);
    client.try_delete_volume_transfer(TRANSFER).unwrap();
    for mock in [&create, &list, &show, &accept, &delete] {
        mock.assert_calls(1);
    }
    new_paths.assert_calls(0);
}

#[test]
fn list_show_accept_and_delete_at_3_55_and_later() {
    let server = server();
    let list = server.mock(|when, then| {
        no_query(cinder_call(
            when.method(GET).path(cinder("/volume-transfers/detail")),
        ));
        reply_json(
            then,
            200,
            json!({"transfers": [transfer_body()["transfer"],
                {"id": "t2", "name": null, "volume_id": VOL2, "created_at": null}]}),
        );
    });
    let show = server.mock(|when, then| {
        cinder_call(
            when.method(GET)
                .path(cinder(&format!("/volume-transfers/{TRANSFER}"))),
        );
        reply_json(then, 200, transfer_body());
    });
    let accept = server.mock(|when, then| {
        json_request(
            cinder_call(
                when.method(POST)
                    .path(cinder(&format!("/volume-transfers/{TRANSFER}/accept"))),
            ),
            json!({"accept": {"auth_key": KEY}}),
        );
        reply_json(
            then,
            202,
            json!({"transfer": {"id": TRANSFER, "name": "to-staging", "volume_id": VOL,
                                "links": []}}),
        );
    });
    let delete = server.mock(|when, then| {
        cinder_call(
            when.method(DELETE)
                .path(cinder(&format!("/volume-transfers/{TRANSFER}"))),
        )
        .is_true(|req| req.body().is_empty());
        reply_accepted(then);
    });
    let client = common::client(&server);
    let all = client.try_list_volume_transfers().unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].id, TRANSFER);
    assert_eq!(all[0].name.as_deref(), Some("to-staging"));
    assert_eq!(all[1].id, "t2");
    assert_eq!(all[1].name, None);
    assert_eq!(all[1].volume_id, VOL2);
    assert_eq!(client.list_volume_transfers().len(), 2);
    let one = client.try_get_volume_transfer(TRANSFER).unwrap();
    assert_eq!(one, all[0]);
    assert_eq!(client.get_volume_transfer(TRANSFER).unwrap(), one);
    let accepted = client
        .try_accept_volume_transfer(TRANSFER, &Secret::new(KEY))
        .unwrap();
    assert_eq!(accepted.volume_id, VOL);
    assert!(client.delete_volume_transfer(TRANSFER));
    list.assert_calls(2);
    show.assert_calls(2);
    accept.assert_calls(1);
    delete.assert_calls(1);
}

/// Accepting with a wrong key: Cinder's 400, whose error (Display and Debug) and log line
/// never hold the key that was sent; an empty key is refused before sending.
#[test]
fn accept_with_a_wrong_key_fails_without_showing_the_key() {
    common::capture_logs();
    let server = server();
    let message =
        format!("Invalid auth key: Attempt to transfer {TRANSFER} with invalid auth key.");
    let accept = mock_fault(
        &server,
        POST,
        cinder(&format!("/volume-transfers/{TRANSFER}/accept")),
        400,
        "badRequest",
        &message,
    );
    let client = common::client(&server);
    let result = client.try_accept_volume_transfer(TRANSFER, &Secret::new(KEY));
    let texts = match &result {
        Err(e) => vec![e.to_string(), format!("{e:?}")],
        Ok(_) => panic!("{result:?}"),
    };
    assert_api(
        result,
        400,
        Some("badRequest"),
        &message,
        Some(common::REQUEST_ID),
        None,
    );
    let line = plain_face_fails(
        || {
            client
                .accept_volume_transfer(TRANSFER, &Secret::new(KEY))
                .is_none()
        },
        &[
            "accept_volume_transfer",
            TRANSFER,
            "400",
            common::REQUEST_ID,
        ],
    );
    assert_key_never_shown(&[texts, vec![line]].concat());
    accept.assert_calls(2);

    let empty = client.try_accept_volume_transfer(TRANSFER, &Secret::new(""));
    assert_invalid_argument(&empty, "auth_key");
    accept.assert_calls(2);
}

/// Accepting over quota: 413 `overLimit`; a transfer that is gone: `NotFound` naming it.
#[test]
fn accept_over_quota_or_of_a_missing_transfer() {
    let server = server();
    let over = server.mock(|when, then| {
        when.method(POST)
            .path(cinder(&format!("/volume-transfers/{TRANSFER}/accept")));
        reply_json(
            then,
            413,
            fault(
                "overLimit",
                413,
                "VolumeLimitExceeded: Maximum number of volumes allowed (10) exceeded for quota 'volumes'.",
            ),
        )
        .header("Retry-After", "0");
    });
    let gone = mock_fault(
        &server,
        POST,
        cinder("/volume-transfers/gone/accept"),
        404,
        "itemNotFound",
        "Transfer gone could not be found.",
    );
    let client = common::client(&server);
    let result = client.try_accept_volume_transfer(TRANSFER, &Secret::new(KEY));
    assert_eq!(result.as_ref().unwrap_err().status(), Some(413));
    assert!(!result.unwrap_err().to_string().contains(KEY));
    assert_not_found(
        client.try_accept_volume_transfer("gone", &Secret::new(KEY)),
        "volume transfer",
        "gone",
        "Transfer gone could not be found.",
        Some(common::REQUEST_ID),
    );
    over.assert_calls(1);
    gone.assert_calls(1);
}

#[test]
fn failures_of_create_show_and_delete() {
    common::capture_logs();
    let server = server();
    let missing_volume = server.mock(|when, then| {
        when.method(POST)
            .path(cinder("/volume-transfers"))
            .json_body_includes(format!(r#"{{"transfer": {{"volume_id": "{VOL2}"}}}}"#));
        reply_json(
            then,
            404,
            fault(
                "itemNotFound",
                404,
                &format!("Volume {VOL2} could not be found."),
            ),
        );
    });
    let busy = "Invalid volume: Status of volume must be available, but current status is: in-use.";
    let not_available = server.mock(|when, then| {
        when.method(POST)
            .path(cinder("/volume-transfers"))
            .json_body_includes(format!(r#"{{"transfer": {{"volume_id": "{VOL}"}}}}"#));
        reply_json(then, 400, fault("badRequest", 400, busy));
    });
    let show = mock_fault(
        &server,
        GET,
        cinder("/volume-transfers/nope"),
        404,
        "itemNotFound",
        "Transfer nope could not be found.",
    );
    let delete = mock_fault(
        &server,
        DELETE,
        cinder("/volume-transfers/nope"),
        404,
        "itemNotFound",
        "Transfer nope could not be found.",
    );
    let client = common::client(&server);
    assert_not_found(
        client.try_create_volume_transfer(VOL2, &Default::default()),
        "volume",
        VOL2,
        &format!("Volume {VOL2} could not be found."),
        Some(common::REQUEST_ID),
    );
    assert_api(
        client.try_create_volume_transfer(VOL, &Default::default()),
        400,
        Some("badRequest"),
        busy,
        Some(common::REQUEST_ID),
        None,
    );
    assert_not_found(
        client.try_get_volume_transfer("nope"),
        "volume transfer",
        "nope",
        "Transfer nope could not be found.",
        Some(common::REQUEST_ID),
    );
    assert_not_found(
        client.try_delete_volume_transfer("nope"),
        "volume transfer",
        "nope",
        "Transfer nope could not be found.",
        Some(common::REQUEST_ID),
    );
    for (name, ok) in [
        (
            "create_volume_transfer",
            client
                .create_volume_transfer(VOL, &Default::default())
                .is_some(),
        ),
        (
            "get_volume_transfer",
            client.get_volume_transfer("nope").is_some(),
        ),
        (
            "delete_volume_transfer",
            client.delete_volume_transfer("nope"),
        ),
    ] {
        assert!(!ok, "{name}");
    }
    let lines = common::crate_logs(log::Level::Error);
    for name in [
        "create_volume_transfer",
        "get_volume_transfer",
        "delete_volume_transfer",
    ] {
        assert_eq!(
            lines
                .iter()
                .filter(|l| l.contains(&format!("{name}(")))
                .count(),
            1,
            "{name}: {lines:#?}"
        );
    }
    missing_volume.assert_calls(1);
    not_available.assert_calls(2);
    show.assert_calls(2);
    delete.assert_calls(2);
    // Bad ids never leave.
    for result in [
        client.try_get_volume_transfer("a/b").map(|_| ()),
        client.try_delete_volume_transfer("").map(|_| ()),
        client
            .try_accept_volume_transfer("../x", &Secret::new(KEY))
            .map(|_| ()),
        client
            .try_create_volume_transfer("a?b", &Default::default())
            .map(|_| ()),
    ] {
        assert!(
            matches!(result, Err(Error::InvalidArgument { .. })),
            "{result:?}"
        );
    }
}

// ----- against the simulated cloud -----------------------------------------------------------

fn other_project_client(cloud: &FakeCloud, volume_microversion: &str) -> InfomaniakVolumeClient {
    let mut config: Config = fake_common::config(cloud);
    config.auth = Config::application_credential(
        FakeCloud::OTHER_APP_CREDENTIAL_ID,
        FakeCloud::OTHER_APP_CREDENTIAL_SECRET,
    )
    .auth;
    config.volume_microversion = volume_microversion.into();
    InfomaniakVolumeClient::new(config).unwrap()
}

fn client_at_version(cloud: &FakeCloud, volume_microversion: &str) -> InfomaniakVolumeClient {
    let mut config = fake_common::config(cloud);
    config.volume_microversion = volume_microversion.into();
    InfomaniakVolumeClient::new(config).unwrap()
}

/// The whole flow in both API generations: offered (`awaiting-transfer`), listed and shown in
/// the giving project, a wrong key refused, accepted by the other project, which now owns the
/// volume (the giver gets 404).
#[test]
fn fake_cloud_transfer_moves_the_volume_to_the_accepting_project() {
    common::capture_logs();
    for (version, collection) in [
        ("3.67", "/volume-transfers"),
        ("3.54", "/os-volume-transfer"),
    ] {
        let cloud = fake_common::quick_cloud();
        let giver = client_at_version(&cloud, version);
        let taker = other_project_client(&cloud, version);
        let volume = fake_common::available_volume(&giver, 1, "moving", &Default::default());
        let created = giver
            .try_create_volume_transfer(&volume.id, &CreateTransferOptions::default().name("t"))
            .unwrap();
        let key = created.auth_key.expose().to_string();
        assert!(!key.is_empty());
        assert_eq!(
            giver.try_get_volume(&volume.id).unwrap().status,
            VolumeStatus::AwaitingTransfer
        );
        let listed = giver.try_list_volume_transfers().unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].id, created.transfer.id);
        assert_eq!(
            giver
                .try_get_volume_transfer(&created.transfer.id)
                .unwrap()
                .volume_id,
            volume.id
        );
        // The other project does not see the transfer in its list, but may accept it.
        assert!(taker.try_list_volume_transfers().unwrap().is_empty());
        let wrong = taker.try_accept_volume_transfer(&created.transfer.id, &Secret::new("0000"));
        let wrong = wrong.unwrap_err();
        assert_eq!(wrong.status(), Some(400), "{wrong}");
        assert_eq!(
            cloud.volume_project(&volume.id).as_deref(),
            Some(FakeCloud::PROJECT_ID)
        );

        let accepted = taker
            .try_accept_volume_transfer(&created.transfer.id, &created.auth_key)
            .unwrap();
        assert_eq!(accepted.volume_id, volume.id);
        assert_eq!(
            cloud.volume_project(&volume.id).as_deref(),
            Some(FakeCloud::OTHER_PROJECT_ID)
        );
        assert_eq!(
            taker.try_get_volume(&volume.id).unwrap().status,
            VolumeStatus::Available
        );
        assert!(giver.try_get_volume(&volume.id).unwrap_err().is_not_found());
        assert!(giver.try_list_volume_transfers().unwrap().is_empty());

        // Every transfer request went to the collection of this generation.
        let transfer_requests: Vec<_> = cloud
            .request_log()
            .into_iter()
            .filter(|r| r.path.contains("transfer"))
            .collect();
        assert_eq!(transfer_requests.len(), 7, "{version}");
        for r in &transfer_requests {
            assert!(r.path.contains(collection), "{version}: {}", r.path);
        }
        let accept = transfer_requests
            .iter()
            .rfind(|r| r.path.ends_with("/accept"))
            .unwrap();
        assert_eq!(
            accept.path,
            format!(
                "/volume/v3/{}{collection}/{}/accept",
                FakeCloud::OTHER_PROJECT_ID,
                created.transfer.id
            )
        );
        assert_eq!(
            accept.body_json().unwrap(),
            json!({"accept": {"auth_key": key}})
        );
        assert!(!wrong.to_string().contains(&key));
        for line in common::logs_of_this_thread() {
            assert!(!line.1.contains(&key), "{line:?}");
        }
    }
}

#[test]
fn fake_cloud_deleting_a_transfer_gives_the_volume_back() {
    let cloud = fake_common::quick_cloud();
    let client = fake_common::client(&cloud);
    let volume = fake_common::available_volume(&client, 1, "stays", &Default::default());
    let created = client
        .try_create_volume_transfer(&volume.id, &Default::default())
        .unwrap();
    // A volume awaiting transfer cannot be offered twice.
    assert_eq!(
        client
            .try_create_volume_transfer(&volume.id, &Default::default())
            .unwrap_err()
            .status(),
        Some(400)
    );
    client
        .try_delete_volume_transfer(&created.transfer.id)
        .unwrap();
    assert_eq!(
        cloud.volume_status(&volume.id).as_deref(),
        Some("available")
    );
    assert!(
        client
            .try_get_volume_transfer(&created.transfer.id)
            .unwrap_err()
            .is_not_found()
    );
    let taker = other_project_client(&cloud, "3.67");
    assert!(
        taker
            .try_accept_volume_transfer(&created.transfer.id, &created.auth_key)
            .unwrap_err()
            .is_not_found()
    );
    assert_eq!(
        cloud.volume_project(&volume.id).as_deref(),
        Some(FakeCloud::PROJECT_ID)
    );
}

/// `no_snapshots` (3.55): the volume moves, its snapshots stay with the giver.
#[test]
fn fake_cloud_no_snapshots_leaves_the_snapshots_behind() {
    let cloud = fake_common::quick_cloud();
    let client = fake_common::client(&cloud);
    let volume = fake_common::available_volume(&client, 1, "v", &Default::default());
    let snapshot = fake_common::available_snapshot(
        &client,
        &volume.id,
        "s",
        &CreateSnapshotOptions::default(),
    );
    let created = client
        .try_create_volume_transfer(
            &volume.id,
            &CreateTransferOptions::default().no_snapshots(true),
        )
        .unwrap();
    let sent = cloud
        .request_log()
        .into_iter()
        .rfind(|r| r.method == "POST" && r.path.ends_with("/volume-transfers"))
        .unwrap();
    assert_eq!(
        sent.body_json().unwrap(),
        json!({"transfer": {"volume_id": volume.id, "no_snapshots": true}})
    );
    let taker = other_project_client(&cloud, "3.67");
    taker
        .try_accept_volume_transfer(&created.transfer.id, &created.auth_key)
        .unwrap();
    assert_eq!(
        cloud.volume_project(&volume.id).as_deref(),
        Some(FakeCloud::OTHER_PROJECT_ID)
    );
    assert!(client.try_get_snapshot(&snapshot.id).is_ok());
    assert!(
        taker
            .try_get_snapshot(&snapshot.id)
            .unwrap_err()
            .is_not_found()
    );
}

/// A Cinder that stops at 3.54, met first by a transfer call: the 406 teaches the client
/// 3.54 and the transfer goes to `/os-volume-transfer`; `no_snapshots` (3.55) is then
/// `Unsupported` instead of being resent where Cinder does not have it.
#[test]
fn fake_cloud_a_406_fallback_to_3_54_uses_the_old_collection() {
    let cloud = FakeCloud::builder()
        .transition_delay(std::time::Duration::from_millis(20))
        .volume_microversion_range("3.0", "3.54")
        .start();
    let client = fake_common::client(&cloud);
    // The first Cinder call of this client is the transfer itself.
    let no_snapshots = client
        .try_create_volume_transfer(VOL, &CreateTransferOptions::default().no_snapshots(true));
    assert_unsupported(no_snapshots, "Cinder", None, "3.55", "3.54");
    let volume = fake_common::available_volume(&client, 1, "old", &Default::default());
    let created = client
        .try_create_volume_transfer(&volume.id, &Default::default())
        .unwrap();
    assert_eq!(client.try_list_volume_transfers().unwrap().len(), 1);
    let taker = other_project_client(&cloud, "3.54");
    taker
        .try_accept_volume_transfer(&created.transfer.id, &created.auth_key)
        .unwrap();
    assert_eq!(
        cloud.volume_project(&volume.id).as_deref(),
        Some(FakeCloud::OTHER_PROJECT_ID)
    );
    let transfer_posts: Vec<(String, String)> = cloud
        .request_log()
        .into_iter()
        .filter(|r| r.path.contains("transfer"))
        .map(|r| {
            let collection = if r.path.contains("/os-volume-transfer") {
                "os-volume-transfer"
            } else {
                "volume-transfers"
            };
            (
                collection.to_string(),
                r.header("openstack-api-version").unwrap_or("").to_string(),
            )
        })
        .collect();
    // Only the very first attempt (answered 406) went to the new collection.
    assert_eq!(
        transfer_posts
            .first()
            .map(|(c, v)| (c.as_str(), v.as_str())),
        Some(("volume-transfers", "volume 3.67"))
    );
    assert!(
        transfer_posts[1..]
            .iter()
            .all(|(c, v)| c == "os-volume-transfer" && v == "volume 3.54"),
        "{transfer_posts:?}"
    );
}
