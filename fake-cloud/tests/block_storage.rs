//! Cinder features: cascade/force delete, snapshot metadata, backup options,
//! user messages and injected failures, upload to image.

mod common;

use common::*;
use infomaniak_fake_cloud::{FakeCloud, Operation};
use serde_json::{Value, json};

fn create_snapshot(c: &Client, volume: &str, metadata: Value) -> String {
    let r = c.post(
        "/snapshots",
        json!({"snapshot": {"volume_id": volume, "name": "s", "metadata": metadata}}),
    );
    assert_eq!(r.status, 202, "{}", r.body);
    let id = r.json()["snapshot"]["id"].as_str().unwrap().to_string();
    wait_status(c, &format!("/snapshots/{id}"), "snapshot", "available");
    id
}

fn ready_volume(c: &Client, name: &str) -> String {
    let id = c.create_volume(1, name);
    wait_status(c, &format!("/volumes/{id}"), "volume", "available");
    id
}

#[test]
fn cascade_and_force_delete() {
    let cloud = instant_cloud();
    let c = Client::new(&cloud);
    let vol = ready_volume(&c, "with-snaps");
    let snap = create_snapshot(&c, &vol, json!({}));
    let c30 = c.at("3.0");
    assert_eq!(
        c30.call("DELETE", &format!("/volumes/{vol}"), None).status,
        400
    );
    let r = c30.call("DELETE", &format!("/volumes/{vol}?cascade=true"), None);
    assert_eq!(r.status, 202, "{}", r.body);
    wait_until(&c, &format!("/volumes/{vol}"), |v| {
        v.get("itemNotFound").is_some()
    });
    assert_eq!(
        c.call("GET", &format!("/snapshots/{snap}"), None).status,
        404
    );
    assert!(cloud.snapshot_status(&snap).is_none());

    // force=true: admin-only from 3.23, ignored before.
    let vol = ready_volume(&c, "forced");
    let r = c
        .at("3.23")
        .call("DELETE", &format!("/volumes/{vol}?force=true"), None);
    assert_eq!(r.status, 403);
    assert!(r.json()["forbidden"]["message"].is_string());
    let r = c
        .at("3.22")
        .call("DELETE", &format!("/volumes/{vol}?force=true"), None);
    assert_eq!(r.status, 202);
}

#[test]
fn snapshot_metadata_endpoints() {
    let cloud = instant_cloud();
    let c = Client::new(&cloud);
    let vol = ready_volume(&c, "v");
    let snap = create_snapshot(&c, &vol, json!({"a": "1"}));
    let base = format!("/snapshots/{snap}/metadata");
    let r = c.call("GET", &base, None);
    assert_eq!((r.status, r.json()), (200, json!({"metadata": {"a": "1"}})));
    let r = c.post(&base, json!({"metadata": {"b": "2"}}));
    assert_eq!(r.json(), json!({"metadata": {"a": "1", "b": "2"}}));
    let r = c.call("PUT", &base, Some(json!({"metadata": {"c": "3"}})));
    assert_eq!(r.json(), json!({"metadata": {"c": "3"}}));
    let r = c.call("GET", &format!("{base}/c"), None);
    assert_eq!((r.status, r.json()), (200, json!({"meta": {"c": "3"}})));
    let r = c.call(
        "PUT",
        &format!("{base}/d"),
        Some(json!({"meta": {"d": "4"}})),
    );
    assert_eq!((r.status, r.json()), (200, json!({"meta": {"d": "4"}})));
    assert_eq!(
        c.call(
            "PUT",
            &format!("{base}/d"),
            Some(json!({"meta": {"e": "4"}}))
        )
        .status,
        400
    );
    assert_eq!(c.call("DELETE", &format!("{base}/c"), None).status, 200);
    assert_eq!(c.call("GET", &format!("{base}/c"), None).status, 404);
    let s = c.call("GET", &format!("/snapshots/{snap}"), None).json();
    assert_eq!(s["snapshot"]["metadata"], json!({"d": "4"}));
    assert_eq!(c.call("GET", "/snapshots/nope/metadata", None).status, 404);
}

#[test]
fn backup_metadata_update_snapshot_and_zone() {
    let cloud = instant_cloud();
    let c = Client::new(&cloud);
    let vol = ready_volume(&c, "v");
    let c43 = c.at("3.43");
    let r = c43.call(
        "POST",
        "/backups",
        Some(
            json!({"backup": {"volume_id": vol, "name": "b1", "container": "bk",
                               "metadata": {"k": "v"}}}),
        ),
    );
    assert_eq!(r.status, 202, "{}", r.body);
    let b = r.json()["backup"]["id"].as_str().unwrap().to_string();
    let shown = wait_status(&c43, &format!("/backups/{b}"), "backup", "available");
    assert_eq!(shown["backup"]["metadata"], json!({"k": "v"}));
    assert_eq!(shown["backup"]["container"], "bk");
    let old = c
        .at("3.42")
        .call("GET", &format!("/backups/{b}"), None)
        .json();
    assert!(old["backup"].get("metadata").is_none());

    // Update: 404 before 3.9; name/description from 3.9, metadata from 3.43.
    let upd = json!({"backup": {"name": "renamed", "description": "d"}});
    assert_eq!(
        c.at("3.8")
            .call("PUT", &format!("/backups/{b}"), Some(upd.clone()))
            .status,
        404
    );
    let r = c.at("3.9").call("PUT", &format!("/backups/{b}"), Some(upd));
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["backup"]["name"], "renamed");
    assert_eq!(r.json()["backup"]["id"], b.as_str());
    let r = c.at("3.42").call(
        "PUT",
        &format!("/backups/{b}"),
        Some(json!({"backup": {"metadata": {"x": "y"}}})),
    );
    assert_eq!(r.status, 400);
    let r = c43.call(
        "PUT",
        &format!("/backups/{b}"),
        Some(json!({"backup": {"metadata": {"x": "y"}}})),
    );
    assert_eq!(r.status, 200);
    let shown = c43.call("GET", &format!("/backups/{b}"), None).json();
    assert_eq!(shown["backup"]["metadata"], json!({"x": "y"}));
    assert_eq!(shown["backup"]["description"], "d");

    // snapshot_id must belong to the volume.
    let other = ready_volume(&c, "other");
    let snap = create_snapshot(&c, &other, json!({}));
    let r = c.post(
        "/backups",
        json!({"backup": {"volume_id": vol, "snapshot_id": snap}}),
    );
    assert_eq!(r.status, 400);
    let r = c.post(
        "/backups",
        json!({"backup": {"volume_id": other, "snapshot_id": snap}}),
    );
    assert_eq!(r.status, 202, "{}", r.body);
    let from_snap = r.json()["backup"]["id"].as_str().unwrap().to_string();
    let shown = wait_status(&c, &format!("/backups/{from_snap}"), "backup", "available");
    assert_eq!(shown["backup"]["snapshot_id"], snap.as_str());

    // availability_zone from 3.51; unknown zone -> 400.
    let az = |version: &str, zone: &str| {
        c.at(version).call(
            "POST",
            "/backups",
            Some(json!({"backup": {"volume_id": vol, "availability_zone": zone}})),
        )
    };
    assert_eq!(az("3.50", "nova").status, 400);
    assert_eq!(az("3.51", "mars").status, 400);
    let r = az("3.51", "nova");
    assert_eq!(r.status, 202, "{}", r.body);
    let id = r.json()["backup"]["id"].as_str().unwrap().to_string();
    let shown = wait_status(&c, &format!("/backups/{id}"), "backup", "available");
    assert_eq!(shown["backup"]["availability_zone"], "nova");
}

#[test]
fn failures_post_user_messages() {
    let cloud = instant_cloud();
    let c = Client::new(&cloud);
    let m = c.at("3.3");
    cloud.fail_next(Operation::CreateVolume, "");
    let vol = c.create_volume(1, "unlucky");
    wait_status(&c, &format!("/volumes/{vol}"), "volume", "error");
    let r = m.call("GET", "/messages", None);
    assert_eq!(r.status, 200, "{}", r.body);
    let msgs = r.json()["messages"].as_array().unwrap().clone();
    assert_eq!(msgs.len(), 1);
    let msg = &msgs[0];
    assert_eq!(
        msg["user_message"],
        "schedule allocate volume: Could not find any available weighted backend."
    );
    assert_eq!(msg["resource_type"], "VOLUME");
    assert_eq!(msg["resource_uuid"], vol.as_str());
    assert_eq!(msg["event_id"], "VOLUME_VOLUME_001_003");
    assert_eq!(msg["message_level"], "ERROR");
    for k in ["created_at", "guaranteed_until", "request_id", "id"] {
        assert!(msg[k].is_string(), "{k} in {msg}");
    }
    // Not a resource below 3.3.
    assert_eq!(c.at("3.2").call("GET", "/messages", None).status, 404);
    let id = msg["id"].as_str().unwrap();
    let r = m.call("GET", &format!("/messages/{id}"), None);
    assert_eq!(r.json()["message"]["id"], id);

    // Backup and extend failures.
    let ok = ready_volume(&c, "fine");
    cloud.fail_next(Operation::CreateBackup, "disk on fire");
    let r = c.post("/backups", json!({"backup": {"volume_id": ok}}));
    let b = r.json()["backup"]["id"].as_str().unwrap().to_string();
    let shown = wait_status(&c, &format!("/backups/{b}"), "backup", "error");
    assert_eq!(shown["backup"]["fail_reason"], "disk on fire");
    wait_status(&c, &format!("/volumes/{ok}"), "volume", "available");
    cloud.fail_next(Operation::ExtendVolume, "");
    let r = c.post(
        &format!("/volumes/{ok}/action"),
        json!({"os-extend": {"new_size": 5}}),
    );
    assert_eq!(r.status, 202);
    let v = wait_status(&c, &format!("/volumes/{ok}"), "volume", "error_extending");
    assert_eq!(v["volume"]["size"], 1);

    // Filters, sort, limit and marker.
    let all = m.call("GET", "/messages", None).json()["messages"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(all.len(), 3);
    let by_type = m
        .call("GET", "/messages?resource_type=VOLUME_BACKUP", None)
        .json();
    assert_eq!(
        by_type["messages"][0]["user_message"],
        "create backup: disk on fire"
    );
    assert_eq!(by_type["messages"].as_array().unwrap().len(), 1);
    let by_uuid = m
        .call("GET", &format!("/messages?resource_uuid={ok}"), None)
        .json();
    assert_eq!(by_uuid["messages"].as_array().unwrap().len(), 1);
    assert_eq!(
        by_uuid["messages"][0]["user_message"],
        "extend volume: An unknown error occurred."
    );
    let asc = m.call("GET", "/messages?sort=created_at:asc", None).json();
    assert_eq!(asc["messages"][0]["resource_uuid"], vol.as_str());
    let page = m.call("GET", "/messages?limit=2", None).json();
    assert_eq!(page["messages"].as_array().unwrap().len(), 2);
    assert!(page["messages_links"][0]["href"].is_string());
    let last = page["messages"][1]["id"].as_str().unwrap();
    let rest = m
        .call("GET", &format!("/messages?limit=2&marker={last}"), None)
        .json();
    assert_eq!(rest["messages"].as_array().unwrap().len(), 1);
    assert_eq!(rest["messages"][0]["id"], all[2]["id"]);

    // Delete.
    assert_eq!(
        m.call("DELETE", &format!("/messages/{id}"), None).status,
        204
    );
    assert_eq!(m.call("GET", &format!("/messages/{id}"), None).status, 404);
    assert_eq!(
        m.call("DELETE", &format!("/messages/{id}"), None).status,
        404
    );
}

#[test]
fn snapshot_and_restore_failures() {
    let cloud = instant_cloud();
    let c = Client::new(&cloud);
    let vol = ready_volume(&c, "v");
    cloud.fail_next(Operation::CreateSnapshot, "");
    let r = c.post("/snapshots", json!({"snapshot": {"volume_id": vol}}));
    let s = r.json()["snapshot"]["id"].as_str().unwrap().to_string();
    wait_status(&c, &format!("/snapshots/{s}"), "snapshot", "error");
    let r = c.post("/backups", json!({"backup": {"volume_id": vol}}));
    let b = r.json()["backup"]["id"].as_str().unwrap().to_string();
    wait_status(&c, &format!("/backups/{b}"), "backup", "available");
    cloud.fail_next(Operation::RestoreBackup, "");
    let r = c.post(
        &format!("/backups/{b}/restore"),
        json!({"restore": {"name": "restored"}}),
    );
    assert_eq!(r.status, 202);
    let target = r.json()["restore"]["volume_id"]
        .as_str()
        .unwrap()
        .to_string();
    wait_status(
        &c,
        &format!("/volumes/{target}"),
        "volume",
        "error_restoring",
    );
    wait_status(&c, &format!("/backups/{b}"), "backup", "available");
    let types: Vec<String> = c.at("3.3").call("GET", "/messages", None).json()["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["resource_type"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(types, ["VOLUME_BACKUP", "VOLUME_SNAPSHOT"]);
}

#[test]
fn upload_to_image() {
    let cloud = instant_cloud();
    let c = Client::new(&cloud);
    let vol = ready_volume(&c, "to-image");
    let action = |c: &Client, body: Value| {
        c.post(
            &format!("/volumes/{vol}/action"),
            json!({ "os-volume_upload_image": body }),
        )
    };
    let r = action(
        &c.at("3.1"),
        json!({"image_name": "img", "disk_format": "qcow2", "visibility": "public"}),
    );
    assert_eq!(r.status, 202, "{}", r.body);
    let up = r.json()["os-volume_upload_image"].clone();
    assert_eq!(up["status"], "uploading");
    assert_eq!(up["image_name"], "img");
    assert_eq!(up["disk_format"], "qcow2");
    assert_eq!(up["container_format"], "bare");
    assert_eq!(up["visibility"], "public");
    assert_eq!(up["protected"], false);
    assert_eq!(up["id"], vol.as_str());
    assert_eq!(up["size"], 1);
    assert_eq!(up["volume_type"]["name"], "CEPH_1_perf1");
    assert!(up["image_id"].is_string());
    wait_status(&c, &format!("/volumes/{vol}"), "volume", "available");
    // 3.0: no visibility/protected in the reply.
    let r = action(&c.at("3.0"), json!({"image_name": "img2"}));
    assert_eq!(r.status, 202);
    assert!(
        r.json()["os-volume_upload_image"]
            .get("visibility")
            .is_none()
    );
    wait_status(&c, &format!("/volumes/{vol}"), "volume", "available");
    assert_eq!(action(&c, json!({})).status, 400);
    assert_eq!(
        action(&c, json!({"image_name": "x", "disk_format": "exe"})).status,
        400
    );

    // in-use needs force; it goes back to in-use.
    let r = c.nova(
        "POST",
        &format!("/servers/{}/os-volume_attachments", cloud.server_id()),
        Some(json!({"volumeAttachment": {"volumeId": vol}})),
        None,
    );
    assert_eq!(r.status, 200);
    wait_volume(&cloud, &vol, "in-use");
    assert_eq!(action(&c, json!({"image_name": "busy"})).status, 400);
    assert_eq!(
        action(&c, json!({"image_name": "busy", "force": true})).status,
        202
    );
    wait_volume(&cloud, &vol, "in-use");
}

#[test]
fn second_project_is_separate() {
    let cloud = instant_cloud();
    let c = Client::new(&cloud);
    let o = Client::other(&cloud);
    let vol = ready_volume(&c, "mine");
    assert_eq!(o.call("GET", &format!("/volumes/{vol}"), None).status, 404);
    assert!(
        o.call("GET", "/volumes", None).json()["volumes"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    // Its catalog carries its own project id.
    let r = app_cred_auth(
        &cloud,
        FakeCloud::OTHER_APP_CREDENTIAL_ID,
        FakeCloud::OTHER_APP_CREDENTIAL_SECRET,
    );
    let t = r.json();
    assert_eq!(t["token"]["project"]["id"], FakeCloud::OTHER_PROJECT_ID);
    assert_eq!(t["token"]["project"]["name"], FakeCloud::OTHER_PROJECT_NAME);
    assert!(t.to_string().contains(&cloud.other_block_storage_url()));
    // A wrong secret is refused.
    let r = app_cred_auth(
        &cloud,
        FakeCloud::OTHER_APP_CREDENTIAL_ID,
        FakeCloud::APP_CREDENTIAL_SECRET,
    );
    assert_eq!(r.status, 401);
    // A URL naming the other project than the token's: 400.
    let url = format!("{}/volumes", cloud.other_block_storage_url());
    let r = c.call("GET", &url, None);
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["badRequest"]["message"], "Malformed request url");
}

#[test]
fn volume_transfers_between_projects() {
    let cloud = instant_cloud();
    let c = Client::new(&cloud);
    let o = Client::other(&cloud);
    let vol = ready_volume(&c, "gift");
    let snap = create_snapshot(&c, &vol, json!({}));
    let c55 = c.at("3.55");
    assert_eq!(
        c.at("3.54").call("GET", "/volume-transfers", None).status,
        404
    );
    let r = c55.post(
        "/volume-transfers",
        json!({"transfer": {"volume_id": vol, "name": "t1", "no_snapshots": false}}),
    );
    assert_eq!(r.status, 202, "{}", r.body);
    let t = r.json()["transfer"].clone();
    let mut keys: Vec<&String> = t.as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(
        keys,
        ["auth_key", "created_at", "id", "links", "name", "volume_id"]
    );
    let tid = t["id"].as_str().unwrap().to_string();
    let key = t["auth_key"].as_str().unwrap().to_string();
    assert_eq!(cloud.volume_status(&vol).unwrap(), "awaiting-transfer");
    // A volume awaiting transfer cannot be transferred again or deleted.
    assert_eq!(
        c55.post("/volume-transfers", json!({"transfer": {"volume_id": vol}}))
            .status,
        400
    );
    assert_eq!(
        c.call("DELETE", &format!("/volumes/{vol}"), None).status,
        400
    );

    let list = c55.call("GET", "/volume-transfers", None).json();
    assert_eq!(list["transfers"][0]["id"], tid.as_str());
    assert!(list["transfers"][0].get("created_at").is_none());
    let detail = c55.call("GET", "/volume-transfers/detail", None).json();
    assert!(detail["transfers"][0]["created_at"].is_string());
    let shown = c55
        .call("GET", &format!("/volume-transfers/{tid}"), None)
        .json();
    assert_eq!(shown["transfer"]["name"], "t1");
    assert!(shown["transfer"].get("auth_key").is_none());
    // The other project does not see it, but may accept it with the key.
    let o55 = o.at("3.55");
    assert_eq!(
        o55.call("GET", &format!("/volume-transfers/{tid}"), None)
            .status,
        404
    );
    let accept = |key: &str| {
        o55.post(
            &format!("/volume-transfers/{tid}/accept"),
            json!({"accept": {"auth_key": key}}),
        )
    };
    assert_eq!(accept("wrong").status, 400);
    let r = accept(&key);
    assert_eq!(r.status, 202, "{}", r.body);
    let acc = r.json()["transfer"].clone();
    let mut keys: Vec<&String> = acc.as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(keys, ["id", "links", "name", "volume_id"]);
    assert_eq!(
        cloud.volume_project(&vol).unwrap(),
        FakeCloud::OTHER_PROJECT_ID
    );
    assert_eq!(cloud.volume_status(&vol).unwrap(), "available");
    assert_eq!(c.call("GET", &format!("/volumes/{vol}"), None).status, 404);
    let theirs = o.call("GET", "/volumes/detail", None).json();
    assert_eq!(theirs["volumes"][0]["id"], vol.as_str());
    assert_eq!(
        theirs["volumes"][0]["os-vol-tenant-attr:tenant_id"],
        FakeCloud::OTHER_PROJECT_ID
    );
    // The snapshot went along.
    assert_eq!(
        o.call("GET", &format!("/snapshots/{snap}"), None).status,
        200
    );
    assert_eq!(
        c.call("GET", &format!("/snapshots/{snap}"), None).status,
        404
    );
    assert_eq!(
        c55.call("GET", &format!("/volume-transfers/{tid}"), None)
            .status,
        404
    );

    // The older API: no no_snapshots, delete gives the volume back.
    let vol2 = ready_volume(&c, "kept");
    let c30 = c.at("3.0");
    let r = c30.post(
        "/os-volume-transfer",
        json!({"transfer": {"volume_id": vol2, "no_snapshots": true}}),
    );
    assert_eq!(r.status, 400);
    let r = c30.post(
        "/os-volume-transfer",
        json!({"transfer": {"volume_id": vol2, "name": "old"}}),
    );
    assert_eq!(r.status, 202, "{}", r.body);
    let tid = r.json()["transfer"]["id"].as_str().unwrap().to_string();
    assert_eq!(cloud.volume_status(&vol2).unwrap(), "awaiting-transfer");
    assert_eq!(
        c30.call("DELETE", &format!("/os-volume-transfer/{tid}"), None)
            .status,
        202
    );
    assert_eq!(cloud.volume_status(&vol2).unwrap(), "available");
    assert_eq!(cloud.volume_project(&vol2).unwrap(), FakeCloud::PROJECT_ID);
}

/// Like genuine Cinder 29 with its default `resource_filters.json`: a filter a member may not
/// use is a 400 naming it; allowed ones and paging parameters pass. Metadata-key 404s and the
/// `already attached` wording follow the genuine services too.
#[test]
fn genuine_cinder_filter_rules_and_wordings() {
    let cloud = instant_cloud();
    let c = Client::new(&cloud);
    let r = c.call("GET", "/backups/detail?metadata=%7B%7D", None);
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(
        r.body
            .contains("Invalid filters metadata are found in query options."),
        "{}",
        r.body
    );
    let r = c.call("GET", "/volumes/detail?volume_id=x&bogus=1", None);
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(
        r.body.contains("Invalid filters volume_id,bogus"),
        "{}",
        r.body
    );
    for ok in [
        "/volumes/detail?name=a&status=available&limit=2&sort=name:asc",
        "/snapshots/detail?volume_id=x&metadata=%7B%7D",
        "/backups/detail?name=a&volume_id=x&not_a_filter=1",
    ] {
        let status = c.call("GET", ok, None).status;
        if ok.contains("not_a_filter") {
            assert_eq!(status, 400, "{ok}");
        } else {
            assert_eq!(status, 200, "{ok}");
        }
    }

    let vol = ready_volume(&c, "meta");
    let r = c.call("DELETE", &format!("/volumes/{vol}/metadata/nokey"), None);
    assert_eq!(r.status, 404, "{}", r.body);
    assert!(
        r.body
            .contains(&format!("Volume {vol} has no metadata with key nokey.")),
        "{}",
        r.body
    );
    // Cinder's replies carry the compute request-id header too, with the same id.
    let r = c.call("GET", &format!("/volumes/{vol}"), None);
    assert_eq!(
        r.header("x-compute-request-id"),
        r.header("x-openstack-request-id")
    );
    assert!(r.header("x-compute-request-id").is_some());
}
