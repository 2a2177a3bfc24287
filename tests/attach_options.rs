//! Issue 11, item 8: Nova attachment options. `tag` needs compute microversion 2.49 and
//! `delete_on_termination` 2.79 (`POST /servers/{id}/os-volume_attachments` with
//! `{"volumeAttachment": {"volumeId", "device", "tag", "delete_on_termination"}}`); below
//! them the client answers `Error::Unsupported` before sending instead of Nova's 400. Nova
//! shows `tag` from 2.70 and `delete_on_termination` from 2.79. Against httpmock and the
//! simulated cloud.

// Both fixture modules: httpmock's (`common`, shared with `ops_common`) and the simulated
// cloud's, which embeds its own copy; the log capture used here is `common`'s.
#![allow(clippy::duplicate_mod)]

mod common;
mod fake_common;
mod ops_common;

use std::time::Duration;

use common::{nova_client_at, server};
use httpmock::prelude::*;
use infomaniak_block_storage::AttachOptions;
use infomaniak_fake_cloud::FakeCloud;
use ops_common::*;
use serde_json::json;

fn attachment_reply(tag: Option<&str>, delete: bool) -> serde_json::Value {
    json!({"volumeAttachment": {
        "device": "/dev/vdb", "id": VOL, "serverId": SRV, "volumeId": VOL,
        "tag": tag, "delete_on_termination": delete
    }})
}

/// At 2.79 (the default) both options go in the body, beside the device.
#[test]
fn tag_and_delete_on_termination_go_in_the_attach_body() {
    let server = server();
    let attach = server.mock(|when, then| {
        json_request(
            nova_call(
                when.method(POST)
                    .path(nova(&format!("/servers/{SRV}/os-volume_attachments"))),
            ),
            json!({"volumeAttachment": {"volumeId": VOL, "device": "/dev/vdb",
                                        "tag": "data", "delete_on_termination": true}}),
        );
        reply_json(then, 200, attachment_reply(Some("data"), true));
    });
    let client = common::client(&server);
    let options = AttachOptions::default()
        .device("/dev/vdb")
        .tag("data")
        .delete_on_termination(true);
    client.try_attach_volume(VOL, SRV, &options).unwrap();
    assert!(client.attach_volume(VOL, SRV, &options));
    attach.assert_calls(2);
}

/// `delete_on_termination: false` is sent as given (it is not the same as leaving it out on
/// every Nova version); without options only the volume id is sent.
#[test]
fn false_is_sent_and_nothing_is_sent_when_unset() {
    let server = server();
    let explicit_false = server.mock(|when, then| {
        json_request(
            when.method(POST)
                .path(nova(&format!("/servers/{SRV}/os-volume_attachments"))),
            json!({"volumeAttachment": {"volumeId": VOL, "delete_on_termination": false}}),
        );
        reply_json(then, 200, attachment_reply(None, false));
    });
    let bare = server.mock(|when, then| {
        json_request(
            when.method(POST)
                .path(nova(&format!("/servers/{SRV}/os-volume_attachments"))),
            json!({"volumeAttachment": {"volumeId": VOL2}}),
        );
        reply_json(then, 200, attachment_reply(None, false));
    });
    let client = common::client(&server);
    client
        .try_attach_volume(
            VOL,
            SRV,
            &AttachOptions::default().delete_on_termination(false),
        )
        .unwrap();
    client
        .try_attach_volume(VOL2, SRV, &AttachOptions::default())
        .unwrap();
    explicit_false.assert_calls(1);
    bare.assert_calls(1);
}

/// `tag` alone is fine from 2.49 (and sent with that version).
#[test]
fn tag_works_from_2_49() {
    let server = server();
    let attach = server.mock(|when, then| {
        json_request(
            when.method(POST)
                .path(nova(&format!("/servers/{SRV}/os-volume_attachments")))
                .header("OpenStack-API-Version", "compute 2.49"),
            json!({"volumeAttachment": {"volumeId": VOL, "tag": "logs"}}),
        );
        reply_json(then, 200, attachment_reply(None, false));
    });
    let client = nova_client_at(&server, "2.49");
    client
        .try_attach_volume(VOL, SRV, &AttachOptions::default().tag("logs"))
        .unwrap();
    attach.assert_calls(1);
}

/// Below their versions: `Error::Unsupported` naming Nova, before anything is sent; the plain
/// face logs it once.
#[test]
fn below_their_microversions_the_options_are_unsupported_before_sending() {
    common::capture_logs();
    let server = server();
    let any = server.mock(|when, then| {
        when.path_includes("/compute/");
        reply_json(then, 200, attachment_reply(None, false));
    });
    assert_unsupported(
        nova_client_at(&server, "2.48").try_attach_volume(
            VOL,
            SRV,
            &AttachOptions::default().tag("t"),
        ),
        "Nova",
        None,
        "2.49",
        "2.48",
    );
    let at_2_78 = nova_client_at(&server, "2.78");
    assert_unsupported(
        at_2_78.try_attach_volume(
            VOL,
            SRV,
            &AttachOptions::default().delete_on_termination(true),
        ),
        "Nova",
        None,
        "2.79",
        "2.78",
    );
    // The tag is fine at 2.78, but not with delete_on_termination.
    assert_unsupported(
        at_2_78.try_attach_volume(
            VOL,
            SRV,
            &AttachOptions::default()
                .tag("t")
                .delete_on_termination(false),
        ),
        "Nova",
        None,
        "2.79",
        "2.78",
    );
    // The waiter checks before attaching too.
    assert_unsupported(
        at_2_78.try_attach_volume_and_wait(
            VOL,
            SRV,
            &AttachOptions::default().delete_on_termination(true),
            Duration::from_secs(5),
        ),
        "Nova",
        None,
        "2.79",
        "2.78",
    );
    plain_face_fails(
        || {
            !at_2_78.attach_volume(
                VOL,
                SRV,
                &AttachOptions::default().delete_on_termination(true),
            )
        },
        &["attach_volume", VOL, SRV, "2.79", "2.78"],
    );
    any.assert_calls(0);
}

#[test]
fn an_empty_or_control_character_tag_is_refused_before_sending() {
    let server = server();
    let any = server.mock(|when, then| {
        when.path_includes("/compute/");
        reply_json(then, 200, attachment_reply(None, false));
    });
    let client = common::client(&server);
    for tag in ["", "a\nb"] {
        let result = client.try_attach_volume(VOL, SRV, &AttachOptions::default().tag(tag));
        assert_invalid_argument(&result, "tag");
    }
    any.assert_calls(0);
}

/// Nova's own refusal of a tag (e.g. a hypervisor without device tagging) stays Nova's 400.
#[test]
fn novas_400_for_a_tag_is_an_api_error() {
    let server = server();
    let message =
        "Invalid input for field/attribute tag. Value: x/y. 'x/y' does not match '^[^,/]*$'";
    mock_fault(
        &server,
        POST,
        nova(&format!("/servers/{SRV}/os-volume_attachments")),
        400,
        "badRequest",
        message,
    );
    let client = common::client(&server);
    assert_api(
        client.try_attach_volume(VOL, SRV, &AttachOptions::default().tag("x-y")),
        400,
        Some("badRequest"),
        message,
        Some(common::REQUEST_ID),
        None,
    );
}

// ----- against the simulated cloud -----------------------------------------------------------

/// The simulated Nova keeps both options and shows them at 2.79.
#[test]
fn fake_cloud_attach_with_tag_and_delete_on_termination() {
    let cloud = fake_common::quick_cloud();
    let client = fake_common::client(&cloud);
    let volume = fake_common::available_volume(&client, 1, "tagged", &Default::default());
    client
        .try_attach_volume_and_wait(
            &volume.id,
            &cloud.server_id(),
            &AttachOptions::default()
                .tag("data")
                .delete_on_termination(true),
            fake_common::LONG,
        )
        .unwrap();
    let attachment = client
        .try_get_server_attachment(&volume.id, &cloud.server_id())
        .unwrap();
    assert_eq!(attachment.tag.as_deref(), Some("data"));
    assert_eq!(attachment.delete_on_termination, Some(true));
    let listed = client
        .try_list_server_attachments(&cloud.server_id())
        .unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].tag.as_deref(), Some("data"));
    let sent = cloud
        .request_log()
        .into_iter()
        .find(|r| r.method == "POST" && r.path.ends_with("/os-volume_attachments"))
        .unwrap();
    assert_eq!(sent.header("openstack-api-version"), Some("compute 2.79"));
    assert_eq!(
        sent.body_json().unwrap(),
        json!({"volumeAttachment": {"volumeId": volume.id, "tag": "data",
                                    "delete_on_termination": true}})
    );
}

/// A cloud whose Nova stops at 2.48: once the client knows it (after the first 406
/// fallback), a tag is `Unsupported` before sending, not the cloud's 400.
#[test]
fn fake_cloud_an_older_nova_makes_a_tag_unsupported() {
    let cloud = FakeCloud::builder()
        .transition_delay(Duration::from_millis(20))
        .compute_microversion_range("2.1", "2.48")
        .start();
    let client = fake_common::client(&cloud);
    let volume = fake_common::available_volume(&client, 1, "v", &Default::default());
    // Learn Nova's range with a plain call (406, then 2.48).
    client
        .try_list_server_attachments(&cloud.server_id())
        .unwrap();
    let from = cloud.request_log().len();
    assert_unsupported(
        client.try_attach_volume(
            &volume.id,
            &cloud.server_id(),
            &AttachOptions::default().tag("t"),
        ),
        "Nova",
        None,
        "2.49",
        "2.48",
    );
    assert_eq!(cloud.request_log().len(), from, "nothing sent");
    client
        .try_attach_volume(&volume.id, &cloud.server_id(), &AttachOptions::default())
        .unwrap();
    let sent = cloud.request_log().pop().unwrap();
    assert_eq!(sent.header("openstack-api-version"), Some("compute 2.48"));
}

/// The same cloud, when the first Nova call of the client is an attach with a tag: the 406
/// teaches the client 2.48, and the attach is then `Unsupported` — it must not be sent again
/// at 2.48 with a field that version does not have.
#[test]
fn fake_cloud_a_406_fallback_does_not_resend_a_tag_the_older_version_lacks() {
    let cloud = FakeCloud::builder()
        .transition_delay(Duration::from_millis(20))
        .compute_microversion_range("2.1", "2.48")
        .start();
    let client = fake_common::client(&cloud);
    let volume = fake_common::available_volume(&client, 1, "v", &Default::default());
    let result = client.try_attach_volume(
        &volume.id,
        &cloud.server_id(),
        &AttachOptions::default().tag("t"),
    );
    assert_unsupported(result, "Nova", None, "2.49", "2.48");
    let attaches: Vec<_> = cloud
        .request_log()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path.ends_with("/os-volume_attachments"))
        .map(|r| r.header("openstack-api-version").unwrap_or("").to_string())
        .collect();
    assert_eq!(
        attaches,
        ["compute 2.79"],
        "only the refused attempt was sent"
    );
    assert_eq!(
        cloud.volume_status(&volume.id).as_deref(),
        Some("available")
    );
}
