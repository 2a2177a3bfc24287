//! Issue 11, item 5: uploading a volume to an image (`POST /volumes/{id}/action` with
//! `os-volume_upload_image`: `image_name`, `force`, `disk_format`, `container_format` from
//! Cinder 3.0, `visibility` and `protected` from 3.1), returning the image id; the volume goes
//! `uploading` → back to its status, and the waiter follows it. Against httpmock and the
//! simulated cloud.

// Both fixture modules: httpmock's (`common`, shared with `ops_common`) and the simulated
// cloud's, which embeds its own copy; the log capture used here is `common`'s.
#![allow(clippy::duplicate_mod)]

mod common;
mod fake_common;
mod ops_common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use common::{client_at, server};
use httpmock::prelude::*;
use infomaniak_block_storage::{AttachOptions, UploadImageOptions, VolumeStatus};
use infomaniak_fake_cloud::Operation;
use ops_common::*;
use serde_json::json;

const IMAGE: &str = "de75b74e-7f0d-4b59-a263-bd87bfc313bd";

/// The api-ref's reply (`volume-upload-to-image-response.json`, 3.1).
fn upload_reply() -> serde_json::Value {
    json!({"os-volume_upload_image": {
        "container_format": "bare",
        "disk_format": "qcow2",
        "display_description": null,
        "id": VOL,
        "image_id": IMAGE,
        "image_name": "golden",
        "protected": true,
        "size": 1,
        "status": "uploading",
        "updated_at": "2017-06-05T08:44:28.000000",
        "visibility": "private",
        "volume_type": null
    }})
}

#[test]
fn every_option_goes_in_the_action_body_and_the_image_id_comes_back() {
    let server = server();
    let upload = server.mock(|when, then| {
        json_request(
            no_query(cinder_call(
                when.method(POST)
                    .path(cinder(&format!("/volumes/{VOL}/action"))),
            )),
            json!({"os-volume_upload_image": {
                "image_name": "golden",
                "force": true,
                "disk_format": "qcow2",
                "container_format": "bare",
                "visibility": "private",
                "protected": true
            }}),
        );
        reply_json(then, 202, upload_reply());
    });
    let client = common::client(&server);
    let options = UploadImageOptions::default()
        .force(true)
        .disk_format("qcow2")
        .container_format("bare")
        .visibility("private")
        .protected(true);
    let uploaded = client
        .try_upload_volume_to_image(VOL, "golden", &options)
        .unwrap();
    assert_eq!(uploaded.image_id, IMAGE);
    assert_eq!(uploaded.image_name.as_deref(), Some("golden"));
    assert_eq!(uploaded.status.as_deref(), Some("uploading"));
    assert_eq!(uploaded.disk_format.as_deref(), Some("qcow2"));
    assert_eq!(uploaded.container_format.as_deref(), Some("bare"));
    assert_eq!(uploaded.extra["visibility"], "private");
    assert_eq!(uploaded.extra["protected"], true);
    assert_eq!(uploaded.extra["id"], VOL);
    assert_eq!(
        client
            .upload_volume_to_image(VOL, "golden", &options)
            .unwrap()
            .image_id,
        IMAGE
    );
    upload.assert_calls(2);
}

/// Only the name and `force: false` without options: Cinder picks the formats; and at 3.0
/// that is all it takes.
#[test]
fn the_minimal_body_works_at_3_0() {
    let server = server();
    let upload = server.mock(|when, then| {
        json_request(
            when.method(POST)
                .path(cinder(&format!("/volumes/{VOL}/action")))
                .header("OpenStack-API-Version", "volume 3.0"),
            json!({"os-volume_upload_image": {"image_name": "plain", "force": false}}),
        );
        reply_json(
            then,
            202,
            json!({"os-volume_upload_image": {"id": VOL, "image_id": IMAGE, "status": "uploading"}}),
        );
    });
    let client = client_at(&server, "3.0");
    let uploaded = client
        .try_upload_volume_to_image(VOL, "plain", &UploadImageOptions::default())
        .unwrap();
    assert_eq!(uploaded.image_id, IMAGE);
    assert_eq!(uploaded.disk_format, None);
    upload.assert_calls(1);
}

/// `visibility` and `protected` need 3.1: refused before sending below it.
#[test]
fn visibility_and_protected_below_3_1_are_unsupported() {
    let server = server();
    let any = server.mock(|when, then| {
        when.path_includes("/volume/");
        reply_accepted(then);
    });
    let client = client_at(&server, "3.0");
    for options in [
        UploadImageOptions::default().visibility("public"),
        UploadImageOptions::default().protected(false),
    ] {
        let result = client.try_upload_volume_to_image(VOL, "image", &options);
        assert_unsupported(result, "Cinder", None, "3.1", "3.0");
    }
    any.assert_calls(0);
}

#[test]
fn bad_arguments_are_refused_before_sending() {
    let server = server();
    let any = server.mock(|when, then| {
        when.path_includes("/volume/");
        reply_accepted(then);
    });
    let client = common::client(&server);
    let cases = [
        (VOL, "", UploadImageOptions::default(), "image_name"),
        ("a/b", "image", UploadImageOptions::default(), "volume_id"),
        (
            VOL,
            "image",
            UploadImageOptions::default().disk_format("raw\n"),
            "disk_format",
        ),
    ];
    for (volume, name, options, argument) in cases {
        let result = client.try_upload_volume_to_image(volume, name, &options);
        assert_invalid_argument(&result, argument);
    }
    any.assert_calls(0);
}

/// The failures: an `in-use` volume without force (400), a missing volume (`NotFound` naming
/// it), a bad format (400); the plain face logs one line.
#[test]
fn upload_failures() {
    common::capture_logs();
    let server = server();
    let in_use = format!(
        "Invalid volume: Volume {VOL} status must be available, or in-use with force to upload \
         to an image, but the current status is: in-use."
    );
    let refused = mock_fault(
        &server,
        POST,
        cinder(&format!("/volumes/{VOL}/action")),
        400,
        "badRequest",
        &in_use,
    );
    let missing = mock_fault(
        &server,
        POST,
        cinder(&format!("/volumes/{VOL2}/action")),
        404,
        "itemNotFound",
        &format!("Volume {VOL2} could not be found."),
    );
    let client = common::client(&server);
    assert_api(
        client.try_upload_volume_to_image(VOL, "img", &UploadImageOptions::default()),
        400,
        Some("badRequest"),
        &in_use,
        Some(common::REQUEST_ID),
        None,
    );
    assert_not_found(
        client.try_upload_volume_to_image(VOL2, "img", &UploadImageOptions::default()),
        "volume",
        VOL2,
        &format!("Volume {VOL2} could not be found."),
        Some(common::REQUEST_ID),
    );
    plain_face_fails(
        || {
            client
                .upload_volume_to_image(VOL, "img", &UploadImageOptions::default())
                .is_none()
        },
        &[
            "upload_volume_to_image",
            VOL,
            "img",
            "400",
            common::REQUEST_ID,
        ],
    );
    refused.assert_calls(2);
    missing.assert_calls(1);
}

/// The waiter knows `uploading`: it keeps polling through it until `available`.
#[test]
fn the_waiter_follows_uploading_back_to_available() {
    let server = server();
    let polls = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&polls);
    let get = server.mock(move |when, then| {
        cinder_call(when.method(GET).path(cinder(&format!("/volumes/{VOL}"))));
        then.respond_with(move |_| {
            let status = if counter.fetch_add(1, Ordering::SeqCst) < 2 {
                "uploading"
            } else {
                "available"
            };
            dynamic_json(
                200,
                &json!({"volume": {"id": VOL, "status": status, "size": 1}}),
            )
        });
    });
    let client = common::client(&server);
    let seen = Mutex::new(Vec::new());
    let volume = client
        .try_wait_for_volume_status_with(
            VOL,
            VolumeStatus::Available,
            std::time::Duration::from_secs(5),
            |status, _| seen.lock().unwrap().push(status.to_string()),
        )
        .unwrap();
    assert_eq!(volume.status, VolumeStatus::Available);
    assert_eq!(
        *seen.lock().unwrap(),
        ["uploading", "uploading", "available"]
    );
    assert_eq!(
        "uploading".parse::<VolumeStatus>().unwrap(),
        VolumeStatus::Uploading
    );
    assert!(!VolumeStatus::Uploading.is_error());
    get.assert_calls(3);
}

// ----- against the simulated cloud -----------------------------------------------------------

#[test]
fn fake_cloud_upload_goes_uploading_then_back_to_available() {
    let cloud = fake_common::quick_cloud();
    let client = fake_common::client(&cloud);
    let volume = fake_common::available_volume(&client, 1, "golden", &Default::default());
    let uploaded = client
        .try_upload_volume_to_image(
            &volume.id,
            "golden-image",
            &UploadImageOptions::default()
                .disk_format("qcow2")
                .visibility("shared")
                .protected(true),
        )
        .unwrap();
    assert!(!uploaded.image_id.is_empty());
    assert_eq!(uploaded.image_name.as_deref(), Some("golden-image"));
    assert_eq!(uploaded.disk_format.as_deref(), Some("qcow2"));
    assert_eq!(uploaded.container_format.as_deref(), Some("bare"));
    assert_eq!(uploaded.extra["visibility"], "shared");
    assert_eq!(uploaded.extra["protected"], true);
    assert_eq!(
        cloud.volume_status(&volume.id).as_deref(),
        Some("uploading")
    );
    let mut seen = Vec::new();
    client
        .try_wait_for_volume_status_with(
            &volume.id,
            VolumeStatus::Available,
            fake_common::LONG,
            |status, _| seen.push(status.to_string()),
        )
        .unwrap();
    assert_eq!(seen.first().map(String::as_str), Some("uploading"));
    assert_eq!(seen.last().map(String::as_str), Some("available"));
    let sent = cloud
        .request_log()
        .into_iter()
        .find(|r| r.path.ends_with("/action"))
        .unwrap();
    assert_eq!(
        sent.body_json().unwrap(),
        json!({"os-volume_upload_image": {"image_name": "golden-image", "force": false,
            "disk_format": "qcow2", "visibility": "shared", "protected": true}})
    );
}

/// An `in-use` volume needs `force`; with it the upload starts and the volume comes back to
/// `in-use`.
#[test]
fn fake_cloud_an_attached_volume_needs_force() {
    let cloud = fake_common::quick_cloud();
    let client = fake_common::client(&cloud);
    let volume = fake_common::available_volume(&client, 1, "attached", &Default::default());
    client
        .try_attach_volume_and_wait(
            &volume.id,
            &cloud.server_id(),
            &AttachOptions::default(),
            fake_common::LONG,
        )
        .unwrap();
    let refused = client
        .try_upload_volume_to_image(&volume.id, "img", &UploadImageOptions::default())
        .unwrap_err();
    assert_eq!(refused.status(), Some(400), "{refused}");
    client
        .try_upload_volume_to_image(
            &volume.id,
            "img",
            &UploadImageOptions::default().force(true),
        )
        .unwrap();
    client
        .try_wait_for_volume_status(&volume.id, VolumeStatus::InUse, fake_common::LONG)
        .unwrap();
}

/// A failed upload leaves the volume as it was and a user message saying why.
#[test]
fn fake_cloud_a_failed_upload_leaves_a_user_message() {
    let cloud = fake_common::quick_cloud();
    let client = fake_common::client(&cloud);
    let volume = fake_common::available_volume(&client, 1, "v", &Default::default());
    cloud.fail_next(Operation::UploadImage, "");
    client
        .try_upload_volume_to_image(&volume.id, "img", &UploadImageOptions::default())
        .unwrap();
    client
        .try_wait_for_volume_status(&volume.id, VolumeStatus::Available, fake_common::LONG)
        .unwrap();
    let messages = client.try_list_user_messages(Some(&volume.id)).unwrap();
    assert_eq!(messages.len(), 1);
    assert_eq!(
        messages[0].user_message,
        "copy volume to image: Failed to upload volume to image at image service."
    );
}

/// A Cinder without microversions (3.0 only), met first by an upload with a visibility
/// (3.1): the 406 teaches the client 3.0, and the upload is `Unsupported` instead of being
/// sent again at 3.0 without the visibility being honoured.
#[test]
fn fake_cloud_a_406_fallback_does_not_resend_a_visibility() {
    let cloud = infomaniak_fake_cloud::FakeCloud::builder()
        .transition_delay(std::time::Duration::from_millis(20))
        .volume_microversion_range("3.0", "3.0")
        .start();
    let client = fake_common::client(&cloud);
    let result = client.try_upload_volume_to_image(
        VOL,
        "img",
        &UploadImageOptions::default().visibility("public"),
    );
    assert_unsupported(result, "Cinder", None, "3.1", "3.0");
    let posts = cloud
        .request_log()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path.ends_with("/action"))
        .count();
    assert_eq!(posts, 1, "only the refused attempt was sent");
}
