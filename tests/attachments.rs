//! Nova volume attachments: attach (200 with body, 202 without), list (2.79 and 2.89 shapes),
//! show, detach (list then DELETE) and detach of a volume that is not attached.

mod common;
mod ops_common;

use common::server;
use httpmock::prelude::*;
use infomaniak_block_storage::{AttachOptions, ServerAttachment};
use log::Level;
use ops_common::*;
use serde_json::json;

const A07: &str = "a07f71dc-8151-4e7d-a0cc-cd24a3f11113";

fn list_path(server_id: &str) -> String {
    nova(&format!("/servers/{server_id}/os-volume_attachments"))
}

#[test]
fn attach_with_a_device_and_a_200_reply_is_success() {
    let server = server();
    let attach = server.mock(|when, then| {
        json_request(
            nova_call(no_query(when.method(POST).path(list_path(SRV)))),
            // the 2.1 sample request
            common::sample("nova/attach-volume-to-server-req.json"),
        );
        reply_json(
            then,
            200,
            common::sample("nova/v2.79/attach-volume-to-server-resp.json"),
        );
    });
    let client = common::client(&server);
    let options = AttachOptions::default().device("/dev/sdb");
    assert_eq!(client.try_attach_volume(A07, SRV, &options), Ok(()));
    assert!(client.attach_volume(A07, SRV, &options));
    attach.assert_calls(2);
}

#[test]
fn attach_without_device_and_a_202_empty_reply_is_success() {
    let server = server();
    let attach = server.mock(|when, then| {
        json_request(
            nova_call(when.method(POST).path(list_path(SRV))),
            json!({"volumeAttachment": {"volumeId": VOL}}),
        );
        then.status(202)
            .header("x-compute-request-id", "req-nova-1");
    });
    let client = common::client(&server);
    let options = AttachOptions::default();
    assert_eq!(client.try_attach_volume(VOL, SRV, &options), Ok(()));
    assert!(client.attach_volume(VOL, SRV, &options));
    attach.assert_calls(2);
}

#[test]
fn attach_conflict_is_api_409_with_the_compute_request_id() {
    let server = server();
    server.mock(|when, then| {
        nova_call(when.method(POST).path(list_path(SRV)));
        then.status(409)
            .header("x-compute-request-id", "req-nova-409")
            .json_body(fault(
                "conflictingRequest",
                409,
                "volume is already attached",
            ));
    });
    let client = common::client(&server);
    assert_api(
        client.try_attach_volume(VOL, SRV, &AttachOptions::default()),
        409,
        Some("conflictingRequest"),
        "volume is already attached",
        Some("req-nova-409"),
        None,
    );
}

#[test]
fn list_server_attachments_decodes_the_2_79_sample() {
    let sample = common::sample("nova/v2.79/list-volume-attachments-resp.json");
    let server_id = "d5e4ae35-ac0e-4311-a8c5-0ee863e951d9";
    let server = server();
    let list = server.mock(|when, then| {
        nova_call(no_query(when.method(GET).path(list_path(server_id))));
        reply_json(then, 200, sample.clone());
    });
    let client = common::client(&server);
    let expected = vec![
        ExpectedAttachment {
            volume_id: "227cc671-f30b-4488-96fd-7d0bf13648d8".into(),
            server_id: Some(server_id.into()),
            device: Some("/dev/sdc".into()),
            id: Some("227cc671-f30b-4488-96fd-7d0bf13648d8".into()),
            attachment_id: None,
            tag: None,
            delete_on_termination: Some(false),
            extra: extra_of(&sample["volumeAttachments"][0], ATTACHMENT_FIELDS),
        },
        ExpectedAttachment {
            volume_id: A07.into(),
            server_id: Some(server_id.into()),
            device: Some("/dev/sdb".into()),
            id: Some(A07.into()),
            attachment_id: None,
            tag: Some("foo".into()),
            delete_on_termination: Some(true),
            extra: extra_of(&sample["volumeAttachments"][1], ATTACHMENT_FIELDS),
        },
    ];
    assert_eq!(
        client.try_list_server_attachments(server_id).unwrap(),
        expected
    );
    assert_eq!(client.list_server_attachments(server_id), expected);
    list.assert_calls(2);
}

#[test]
fn list_server_attachments_decodes_the_2_89_shape_without_id() {
    let sample = common::sample("nova/v2.89/list-volume-attachments-resp.json");
    let server_id = "7696780b-3f53-4688-ab25-019bfcbbd806";
    let server = server();
    server.mock(|when, then| {
        nova_call(when.method(GET).path(list_path(server_id)));
        reply_json(then, 200, sample.clone());
    });
    let client = common::client(&server);
    let got = client.try_list_server_attachments(server_id).unwrap();
    assert_eq!(got.len(), 2);
    assert_eq!(got[1].id, None);
    assert_eq!(
        got[1].attachment_id.as_deref(),
        Some("c5684109-0311-4fca-9814-350e46ab7d2a")
    );
    assert_eq!(got[1].volume_id, A07);
    assert_eq!(got[1].delete_on_termination, Some(true));
    let expected: Vec<ExpectedAttachment> = sample["volumeAttachments"]
        .as_array()
        .unwrap()
        .iter()
        .map(oracle_attachment)
        .collect();
    assert_eq!(got, expected);
}

#[test]
fn list_server_attachments_of_a_server_without_volumes_is_empty() {
    let server = server();
    server.mock(|when, then| {
        nova_call(when.method(GET).path(list_path(SRV)));
        reply_json(then, 200, json!({"volumeAttachments": []}));
    });
    let client = common::client(&server);
    assert_eq!(
        client.try_list_server_attachments(SRV).unwrap(),
        Vec::<ServerAttachment>::new()
    );
}

#[test]
fn get_server_attachment_decodes_the_detail_samples() {
    for (file, server_id) in [
        (
            "nova/v2.79/volume-attachment-detail-resp.json",
            "2aad99d3-7aa4-41e9-b4e6-3f960b115d68",
        ),
        (
            "nova/v2.89/volume-attachment-detail-resp.json",
            "7ebed2ce-85b3-40b5-84ae-8cc725c37ed2",
        ),
    ] {
        let sample = common::sample(file);
        let server = server();
        let show = server.mock(|when, then| {
            nova_call(no_query(
                when.method(GET)
                    .path(format!("{}/{A07}", list_path(server_id))),
            ));
            reply_json(then, 200, sample.clone());
        });
        let client = common::client(&server);
        let expected = oracle_attachment(&sample["volumeAttachment"]);
        assert_eq!(expected.server_id.as_deref(), Some(server_id));
        assert_eq!(
            client.try_get_server_attachment(A07, server_id).unwrap(),
            expected,
            "{file}"
        );
        assert_eq!(
            client.get_server_attachment(A07, server_id).unwrap(),
            expected,
            "{file}"
        );
        show.assert_calls(2);
    }
}

#[test]
fn detach_lists_then_deletes_the_attachment() {
    let sample = common::sample("nova/v2.79/list-volume-attachments-resp.json");
    let server_id = "d5e4ae35-ac0e-4311-a8c5-0ee863e951d9";
    let server = server();
    let list = server.mock(|when, then| {
        nova_call(no_query(when.method(GET).path(list_path(server_id))));
        reply_json(then, 200, sample.clone());
    });
    let delete = server.mock(|when, then| {
        nova_call(no_query(
            when.method(DELETE)
                .path(format!("{}/{A07}", list_path(server_id))),
        ));
        reply_accepted(then);
    });
    let client = common::client(&server);
    assert_eq!(client.try_detach_volume(A07, server_id), Ok(()));
    list.assert_calls(1);
    delete.assert_calls(1);
    assert!(client.detach_volume(A07, server_id));
    list.assert_calls(2);
    delete.assert_calls(2);
}

#[test]
fn detach_of_a_volume_that_is_not_attached_sends_no_delete_and_warns() {
    common::capture_logs();
    let sample = common::sample("nova/v2.89/list-volume-attachments-resp.json");
    let server_id = "7696780b-3f53-4688-ab25-019bfcbbd806";
    let server = server();
    let list = server.mock(|when, then| {
        nova_call(when.method(GET).path(list_path(server_id)));
        reply_json(then, 200, sample.clone());
    });
    let delete = server.mock(|when, then| {
        when.method(DELETE);
        reply_accepted(then);
    });
    let client = common::client(&server);
    assert_not_attached(client.try_detach_volume(VOL, server_id), VOL, server_id);
    let errors_before = log_mark(Level::Error);
    let warns_before = log_mark(Level::Warn);
    assert!(!client.detach_volume(VOL, server_id));
    one_line_with(
        Level::Warn,
        warns_before,
        &["detach_volume", VOL, server_id, "not attached"],
    );
    assert_eq!(
        logs_since(Level::Error, errors_before),
        Vec::<String>::new()
    );
    list.assert_calls(2);
    delete.assert_calls(0);
}

#[test]
fn detach_when_nova_lost_the_attachment_meanwhile_is_not_found() {
    let server = server();
    server.mock(|when, then| {
        nova_call(when.method(GET).path(list_path(SRV)));
        reply_json(then, 200, json!({"volumeAttachments": [{"volumeId": VOL, "serverId": SRV, "device": "/dev/vdb"}]}));
    });
    server.mock(|when, then| {
        nova_call(
            when.method(DELETE)
                .path(format!("{}/{VOL}", list_path(SRV))),
        );
        then.status(404)
            .header("x-compute-request-id", "req-nova-404")
            .json_body(fault("itemNotFound", 404, "Volume attachment not found."));
    });
    let client = common::client(&server);
    assert_not_found(
        client.try_detach_volume(VOL, SRV),
        "volume attachment",
        VOL,
        "Volume attachment not found.",
        Some("req-nova-404"),
    );
}
