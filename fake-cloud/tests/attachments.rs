//! Nova attachments: multi-attach, failed attaches and instance actions,
//! asynchronous attach at 2.101, `tag` / `delete_on_termination`.

mod common;

use std::time::{Duration, Instant};

use common::*;
use infomaniak_fake_cloud::FakeCloud;
use serde_json::{Value, json};

fn attach(c: &Client, server: &str, volume: &str, version: &str) -> Resp {
    c.nova(
        "POST",
        &format!("/servers/{server}/os-volume_attachments"),
        Some(json!({"volumeAttachment": {"volumeId": volume}})),
        Some(version),
    )
}

fn detach(c: &Client, server: &str, volume: &str) -> Resp {
    c.nova(
        "DELETE",
        &format!("/servers/{server}/os-volume_attachments/{volume}"),
        None,
        Some("compute 2.60"),
    )
}

fn server_volume_ids(c: &Client, server: &str) -> Vec<String> {
    let r = c.nova(
        "GET",
        &format!("/servers/{server}/os-volume_attachments"),
        None,
        Some("compute 2.60"),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()["volumeAttachments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["volumeId"].as_str().unwrap().to_string())
        .collect()
}

fn attachment_servers(c: &Client, volume: &str) -> Vec<String> {
    let v = c.call("GET", &format!("/volumes/{volume}"), None).json();
    let mut s: Vec<String> = v["volume"]["attachments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["server_id"].as_str().unwrap().to_string())
        .collect();
    s.sort();
    s
}

fn create_typed(c: &Client, volume_type: &str) -> String {
    let r = c.call(
        "POST",
        "/volumes",
        Some(json!({"volume": {"size": 1, "volume_type": volume_type}})),
    );
    assert_eq!(r.status, 202, "{}", r.body);
    let id = r.json()["volume"]["id"].as_str().unwrap().to_string();
    wait_status(c, &format!("/volumes/{id}"), "volume", "available");
    id
}

#[test]
fn multiattach_volumes_attach_to_several_servers() {
    let cloud = instant_cloud();
    let c = Client::new(&cloud);
    let types = c.call("GET", "/types", None).json();
    let multi = types["volume_types"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "CEPH_1_multiattach")
        .expect("multiattach type")
        .clone();
    assert_eq!(multi["extra_specs"]["multiattach"], "<is> True");

    let vol = create_typed(&c, "CEPH_1_multiattach");
    let v = c.call("GET", &format!("/volumes/{vol}"), None).json();
    assert_eq!(v["volume"]["multiattach"], true);
    let plain = create_typed(&c, "CEPH_1_perf1");
    let v = c.call("GET", &format!("/volumes/{plain}"), None).json();
    assert_eq!(v["volume"]["multiattach"], false);

    let s1 = cloud.server_id();
    let s2 = cloud.add_server("second");

    // Below 2.60 a multiattach volume cannot be attached at all.
    let r = attach(&c, &s1, &vol, "compute 2.59");
    assert_eq!(r.status, 400);
    assert_eq!(
        r.json()["badRequest"]["message"],
        "Multiattach volumes are only supported starting with compute API version 2.60."
    );

    assert_eq!(attach(&c, &s1, &vol, "compute 2.60").status, 200);
    wait_status(&c, &format!("/volumes/{vol}"), "volume", "in-use");
    // Twice to the same server: already attached.
    let r = attach(&c, &s1, &vol, "compute 2.60");
    assert_eq!(r.status, 400);
    assert!(r.body.contains("already attached"), "{}", r.body);

    assert_eq!(attach(&c, &s2, &vol, "compute 2.60").status, 200);
    wait_until(&c, &format!("/volumes/{vol}"), |v| {
        v["volume"]["status"] == "in-use"
            && v["volume"]["attachments"].as_array().unwrap().len() == 2
    });
    let mut both = vec![s1.clone(), s2.clone()];
    both.sort();
    assert_eq!(attachment_servers(&c, &vol), both);
    assert_eq!(server_volume_ids(&c, &s1), std::slice::from_ref(&vol));
    assert_eq!(server_volume_ids(&c, &s2), std::slice::from_ref(&vol));

    // Detach from one: still in-use with the other attachment.
    assert_eq!(detach(&c, &s1, &vol).status, 202);
    wait_until(&c, &format!("/volumes/{vol}"), |v| {
        v["volume"]["status"] == "in-use"
            && v["volume"]["attachments"].as_array().unwrap().len() == 1
    });
    assert_eq!(attachment_servers(&c, &vol), std::slice::from_ref(&s2));
    assert!(server_volume_ids(&c, &s1).is_empty());
    // Not attached there any more: 404.
    assert_eq!(detach(&c, &s1, &vol).status, 404);
    // Detach from the last one: available.
    assert_eq!(detach(&c, &s2, &vol).status, 202);
    wait_status(&c, &format!("/volumes/{vol}"), "volume", "available");
    assert!(attachment_servers(&c, &vol).is_empty());

    // A plain volume attached somewhere cannot be attached elsewhere.
    assert_eq!(attach(&c, &s1, &plain, "compute 2.60").status, 200);
    wait_status(&c, &format!("/volumes/{plain}"), "volume", "in-use");
    let r = attach(&c, &s2, &plain, "compute 2.60");
    assert_eq!(r.status, 400);
    assert!(r.body.contains("already attached"), "{}", r.body);
}

/// Samples the volume's status until it is `until` (or 5 s pass) and
/// returns the distinct statuses seen, in order.
fn watch(cloud: &FakeCloud, id: &str, until: &str) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut seen: Vec<String> = Vec::new();
    loop {
        let s = cloud.volume_status(id).unwrap();
        if seen.last() != Some(&s) {
            seen.push(s.clone());
        }
        if s == until || Instant::now() > deadline {
            return seen;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

#[test]
fn failed_attach_rolls_back_and_is_an_instance_action() {
    let cloud = FakeCloud::builder()
        .transition_delay(Duration::from_millis(120))
        .start();
    let c = Client::new(&cloud);
    let vol = c.create_volume(1, "doomed");
    wait_volume(&cloud, &vol, "available");
    let server = cloud.server_id();
    cloud.fail_next_attach(&vol, "Connection to the storage backend was refused.");
    let r = attach(&c, &server, &vol, "compute 2.100");
    assert_eq!(r.status, 200, "{}", r.body);
    let request_id = r.header("x-openstack-request-id").unwrap().to_string();
    let seen = watch(&cloud, &vol, "available");
    assert_eq!(seen, ["reserved", "attaching", "available"]);
    // Stays available, without attachment, never error_attaching.
    std::thread::sleep(Duration::from_millis(150));
    assert_eq!(cloud.volume_status(&vol).unwrap(), "available");
    assert!(attachment_servers(&c, &vol).is_empty());
    assert!(server_volume_ids(&c, &server).is_empty());

    let r = c.nova(
        "GET",
        &format!("/servers/{server}/os-instance-actions"),
        None,
        Some("compute 2.84"),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let actions = r.json()["instanceActions"].as_array().unwrap().clone();
    assert_eq!(actions.len(), 1);
    let a = &actions[0];
    assert_eq!(a["action"], "attach_volume");
    assert_eq!(a["message"], "Error");
    assert_eq!(a["request_id"], request_id.as_str());
    assert_eq!(a["instance_uuid"], server.as_str());
    assert!(a["start_time"].is_string());
    let r = c.nova(
        "GET",
        &format!("/servers/{server}/os-instance-actions/{request_id}"),
        None,
        Some("compute 2.84"),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let shown = r.json()["instanceAction"].clone();
    assert_eq!(shown["action"], "attach_volume");
    let events = shown["events"].as_array().unwrap();
    assert_eq!(events[0]["event"], "compute_attach_volume");
    assert_eq!(events[0]["result"], "Error");
    assert_eq!(
        events[0]["details"],
        "Connection to the storage backend was refused."
    );
    assert!(events[0]["finish_time"].is_string());
    // Unknown request id: 404.
    let r = c.nova(
        "GET",
        &format!("/servers/{server}/os-instance-actions/req-nope"),
        None,
        Some("compute 2.84"),
    );
    assert_eq!(r.status, 404);

    // The next attach works again and is recorded as a success.
    let r = attach(&c, &server, &vol, "compute 2.100");
    assert_eq!(r.status, 200);
    wait_volume(&cloud, &vol, "in-use");
    let r = c.nova(
        "GET",
        &format!("/servers/{server}/os-instance-actions"),
        None,
        Some("compute 2.84"),
    );
    let actions = r.json()["instanceActions"].as_array().unwrap().clone();
    assert_eq!(actions.len(), 2);
    assert_eq!(actions[0]["message"], Value::Null);
}

#[test]
fn failed_attach_can_end_in_error_attaching() {
    let cloud = instant_cloud();
    let c = Client::new(&cloud);
    let vol = c.create_volume(1, "old-style");
    wait_volume(&cloud, &vol, "available");
    cloud.fail_next_attach_with_error_state(&vol, "");
    let r = attach(&c, &cloud.server_id(), &vol, "compute 2.60");
    assert_eq!(r.status, 200);
    wait_volume(&cloud, &vol, "error_attaching");
    let m = c
        .at("3.3")
        .call("GET", &format!("/messages?resource_uuid={vol}"), None)
        .json();
    let msgs = m["messages"].as_array().unwrap();
    assert_eq!(msgs.len(), 1, "{m}");
    assert_eq!(msgs[0]["event_id"], "VOLUME_VOLUME_002_001");
    assert_eq!(msgs[0]["resource_type"], "VOLUME");
}

#[test]
fn attach_at_2_101_is_asynchronous() {
    let cloud = FakeCloud::builder()
        .transition_delay(Duration::from_millis(300))
        .start();
    let c = Client::new(&cloud);
    let vol = c.create_volume(1, "async");
    wait_volume(&cloud, &vol, "available");
    let r = attach(&c, &cloud.server_id(), &vol, "compute 2.101");
    assert_eq!(r.status, 202);
    assert!(r.body.is_empty());
    assert_eq!(cloud.volume_status(&vol).unwrap(), "available");
    let seen = watch(&cloud, &vol, "in-use");
    assert_eq!(seen, ["available", "attaching", "in-use"]);

    // Up to 2.100 the 2.79 attachment body comes back at once.
    let other = c.create_volume(1, "sync");
    wait_volume(&cloud, &other, "available");
    let r = attach(&c, &cloud.server_id(), &other, "compute 2.100");
    assert_eq!(r.status, 200);
    assert_eq!(cloud.volume_status(&other).unwrap(), "attaching");
    let body = r.json()["volumeAttachment"].clone();
    let mut keys: Vec<&String> = body.as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "delete_on_termination",
            "device",
            "id",
            "serverId",
            "tag",
            "volumeId"
        ]
    );
    assert_eq!(body["id"], other.as_str());
}

#[test]
fn attach_options_follow_their_microversions() {
    let cloud = instant_cloud();
    let c = Client::new(&cloud);
    let server = cloud.server_id();
    let vol = c.create_volume(1, "tagged");
    wait_volume(&cloud, &vol, "available");
    let post = |body: Value, version: &str| {
        c.nova(
            "POST",
            &format!("/servers/{server}/os-volume_attachments"),
            Some(json!({ "volumeAttachment": body })),
            Some(version),
        )
    };
    let r = post(json!({"volumeId": vol, "tag": "db"}), "compute 2.48");
    assert_eq!(r.status, 400);
    assert!(r.body.contains("'tag' was unexpected"), "{}", r.body);
    let r = post(
        json!({"volumeId": vol, "delete_on_termination": true}),
        "compute 2.78",
    );
    assert_eq!(r.status, 400);
    assert!(
        r.body.contains("'delete_on_termination' was unexpected"),
        "{}",
        r.body
    );
    let r = post(json!({"volumeId": vol, "tag": "a/b"}), "compute 2.79");
    assert_eq!(r.status, 400);
    let r = post(
        json!({"volumeId": vol, "tag": "db", "delete_on_termination": true}),
        "compute 2.79",
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["volumeAttachment"]["tag"], "db");
    assert_eq!(r.json()["volumeAttachment"]["delete_on_termination"], true);
    wait_volume(&cloud, &vol, "in-use");
    let show = |version: &str| {
        c.nova(
            "GET",
            &format!("/servers/{server}/os-volume_attachments/{vol}"),
            None,
            Some(version),
        )
        .json()["volumeAttachment"]
            .clone()
    };
    let a = show("compute 2.69");
    assert!(a.get("tag").is_none() && a.get("delete_on_termination").is_none());
    let a = show("compute 2.70");
    assert_eq!(a["tag"], "db");
    assert!(a.get("delete_on_termination").is_none());
    let a = show("compute 2.79");
    assert_eq!(
        (a["tag"].as_str(), a["delete_on_termination"].as_bool()),
        (Some("db"), Some(true))
    );
    let list = c.nova(
        "GET",
        &format!("/servers/{server}/os-volume_attachments"),
        None,
        Some("compute 2.89"),
    );
    let a = list.json()["volumeAttachments"][0].clone();
    assert_eq!(a["tag"], "db");
    assert_eq!(a["delete_on_termination"], true);
    assert!(a["attachment_id"].is_string() && a.get("id").is_none());
}
