//! Drives the fake cloud with raw HTTP over `std::net::TcpStream`.

mod common;

use std::io::{BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::*;
use infomaniak_fake_cloud::{FakeCloud, Fault};
use serde_json::{Value, json};

#[test]
fn auth_success_and_catalog() {
    let cloud = instant_cloud();
    let r = send(
        "POST",
        &format!("{}/auth/tokens", cloud.auth_url()),
        &[],
        Some(&app_cred_body()),
    );
    assert_eq!(r.status, 201);
    assert!(r.header("x-subject-token").unwrap().starts_with("gAAAA"));
    assert!(
        r.header("x-openstack-request-id")
            .unwrap()
            .starts_with("req-")
    );
    let v = r.json();
    let tok = &v["token"];
    assert_eq!(tok["project"]["id"], FakeCloud::PROJECT_ID);
    assert!(tok["expires_at"].as_str().unwrap().ends_with('Z'));
    let catalog = tok["catalog"].as_array().unwrap();
    for ty in ["block-storage", "volumev3", "compute", "identity"] {
        assert!(catalog.iter().any(|s| s["type"] == ty), "missing {ty}");
    }
    let bs = catalog
        .iter()
        .find(|s| s["type"] == "block-storage")
        .unwrap();
    let public_dc3 = bs["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["interface"] == "public" && e["region_id"] == "dc3-a")
        .unwrap();
    assert_eq!(public_dc3["url"], cloud.block_storage_url());
    assert_eq!(public_dc3["region"], "dc3-a");
    assert!(
        bs["endpoints"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["interface"] == "internal"
                && e["url"].as_str().unwrap().contains("/internal/"))
    );
    let compute = catalog.iter().find(|s| s["type"] == "compute").unwrap();
    assert!(
        compute["endpoints"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["url"] == cloud.compute_url())
    );

    // Password auth with project scope by name.
    let pw = json!({"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": FakeCloud::USERNAME, "domain": {"name": FakeCloud::USER_DOMAIN}, "password": FakeCloud::PASSWORD}}},
        "scope": {"project": {"name": FakeCloud::PROJECT_NAME, "domain": {"id": "default"}}}}});
    let r = send(
        "POST",
        &format!("{}/auth/tokens", cloud.auth_url()),
        &[],
        Some(&pw.to_string()),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let tok = r.header("x-subject-token").unwrap().to_string();

    // Token method.
    let tb = json!({"auth": {"identity": {"methods": ["token"], "token": {"id": tok}}}});
    let r = send(
        "POST",
        &format!("{}/auth/tokens", cloud.auth_url()),
        &[],
        Some(&tb.to_string()),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(cloud.auth_requests(), 3);
}

#[test]
fn auth_failures() {
    let cloud = instant_cloud();
    let url = format!("{}/auth/tokens", cloud.auth_url());
    let wrong = json!({"auth": {"identity": {"methods": ["application_credential"],
        "application_credential": {"id": FakeCloud::APP_CREDENTIAL_ID, "secret": "nope"}}}});
    let r = send("POST", &url, &[], Some(&wrong.to_string()));
    assert_eq!(r.status, 401);
    assert_eq!(
        r.json(),
        json!({"error": {"code": 401, "title": "Unauthorized",
            "message": "The request you have made requires authentication."}})
    );
    assert_eq!(
        r.header("www-authenticate").unwrap(),
        format!("Keystone uri=\"{}\"", cloud.auth_url())
    );
    // App credential + scope is refused.
    let scoped = json!({"auth": {"identity": {"methods": ["application_credential"],
        "application_credential": {"id": FakeCloud::APP_CREDENTIAL_ID, "secret": FakeCloud::APP_CREDENTIAL_SECRET}},
        "scope": {"project": {"id": FakeCloud::PROJECT_ID}}}});
    assert_eq!(
        send("POST", &url, &[], Some(&scoped.to_string())).status,
        401
    );
    // Wrong project.
    let pw = json!({"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "id": FakeCloud::USER_ID, "password": FakeCloud::PASSWORD}}},
        "scope": {"project": {"id": "other"}}}});
    assert_eq!(send("POST", &url, &[], Some(&pw.to_string())).status, 401);
    // Malformed.
    let r = send("POST", &url, &[], Some("{not json"));
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error"]["code"], 400);
    let r = send("POST", &url, &[], Some("{\"auth\":{}}"));
    assert_eq!(r.status, 400);
}

#[test]
fn requests_need_live_token() {
    let cloud = FakeCloud::builder()
        .transition_delay(Duration::ZERO)
        .token_lifetime(Duration::from_millis(200))
        .start();
    let url = format!("{}/volumes/detail", cloud.block_storage_url());
    let r = send("GET", &url, &[], None);
    assert_eq!(r.status, 401);
    assert_eq!(r.json()["error"]["code"], 401);
    assert_eq!(
        send("GET", &url, &[("X-Auth-Token", "bogus")], None).status,
        401
    );
    let t = token(&cloud);
    assert_eq!(send("GET", &url, &[("X-Auth-Token", &t)], None).status, 200);
    cloud.expire_all_tokens();
    assert_eq!(send("GET", &url, &[("X-Auth-Token", &t)], None).status, 401);
    let t2 = token(&cloud);
    assert_eq!(
        send("GET", &url, &[("X-Auth-Token", &t2)], None).status,
        200
    );
    std::thread::sleep(Duration::from_millis(250));
    assert_eq!(
        send("GET", &url, &[("X-Auth-Token", &t2)], None).status,
        401
    );
}

#[test]
fn volume_lifecycle_with_attach() {
    let cloud = FakeCloud::builder()
        .transition_delay(Duration::from_millis(40))
        .start();
    let c = Client::new(&cloud);
    let r = c.call(
        "POST",
        "/volumes",
        Some(json!({"volume": {"size": 10, "name": "data"}})),
    );
    assert_eq!(r.status, 202);
    assert_eq!(r.header("openstack-api-version"), Some("volume 3.60"));
    assert!(
        r.header("x-openstack-request-id")
            .unwrap()
            .starts_with("req-")
    );
    let v = r.json();
    assert_eq!(v["volume"]["status"], "creating");
    assert_eq!(v["volume"]["bootable"], "false");
    assert_eq!(v["volume"]["volume_type"], "CEPH_1_perf1");
    let id = v["volume"]["id"].as_str().unwrap().to_string();
    assert_eq!(cloud.volume_status(&id).as_deref(), Some("creating"));
    let shown = wait_status(&c, &format!("/volumes/{id}"), "volume", "available");
    let created = shown["volume"]["created_at"].as_str().unwrap();
    assert_eq!(created.len(), 26, "{created}");
    assert!(!created.ends_with('Z'));

    // Attach through Nova.
    let server = cloud.server_id();
    let r = c.nova(
        "POST",
        &format!("/servers/{server}/os-volume_attachments"),
        Some(json!({"volumeAttachment": {"volumeId": id}})),
        None,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["volumeAttachment"]["device"], "/dev/vdb");
    assert_eq!(cloud.volume_status(&id).as_deref(), Some("attaching"));
    let v = wait_status(&c, &format!("/volumes/{id}"), "volume", "in-use");
    let att = &v["volume"]["attachments"][0];
    assert_eq!(att["server_id"], server.as_str());
    assert_eq!(att["device"], "/dev/vdb");
    assert!(att["host_name"].is_null());
    let r = c.nova(
        "GET",
        &format!("/servers/{server}/os-volume_attachments"),
        None,
        None,
    );
    assert_eq!(r.json()["volumeAttachments"][0]["volumeId"], id.as_str());

    // Delete while attached is refused.
    let r = c.call("DELETE", &format!("/volumes/{id}"), None);
    assert_eq!(r.status, 400);
    assert!(
        r.json()["badRequest"]["message"]
            .as_str()
            .unwrap()
            .starts_with("Invalid volume: Volume status must be available")
    );

    // Detach.
    let r = c.nova(
        "DELETE",
        &format!("/servers/{server}/os-volume_attachments/{id}"),
        None,
        None,
    );
    assert_eq!(r.status, 202);
    let v = wait_status(&c, &format!("/volumes/{id}"), "volume", "available");
    assert_eq!(v["volume"]["attachments"], json!([]));
    let r = c.nova(
        "DELETE",
        &format!("/servers/{server}/os-volume_attachments/{id}"),
        None,
        None,
    );
    assert_eq!(r.status, 404);

    // 2.101 attach returns 202 with no body.
    let other = cloud.add_server("second");
    let r = c.nova(
        "POST",
        &format!("/servers/{other}/os-volume_attachments"),
        Some(json!({"volumeAttachment": {"volumeId": id}})),
        Some("compute 2.101"),
    );
    assert_eq!(r.status, 202);
    assert!(r.body.is_empty());
    wait_status(&c, &format!("/volumes/{id}"), "volume", "in-use");
    c.nova(
        "DELETE",
        &format!("/servers/{other}/os-volume_attachments/{id}"),
        None,
        None,
    );
    wait_status(&c, &format!("/volumes/{id}"), "volume", "available");

    // Delete.
    assert_eq!(
        c.call("DELETE", &format!("/volumes/{id}"), None).status,
        202
    );
    assert_eq!(cloud.volume_status(&id).as_deref(), Some("deleting"));
    std::thread::sleep(Duration::from_millis(60));
    let r = c.call("GET", &format!("/volumes/{id}"), None);
    assert_eq!(r.status, 404);
    assert_eq!(
        r.json(),
        json!({"itemNotFound": {"code": 404, "message": format!("Volume {id} could not be found.")}})
    );
    assert!(cloud.volume_status(&id).is_none());
}

#[test]
fn create_validation_errors() {
    let cloud = instant_cloud();
    let c = Client::new(&cloud);
    let r = c.call("POST", "/volumes", Some(json!({"volume": {"size": 0}})));
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["badRequest"]["code"], 400);
    let r = c.call(
        "POST",
        "/volumes",
        Some(json!({"volume": {"size": 1, "volume_type": "gold"}})),
    );
    assert_eq!(r.status, 404);
    assert!(
        r.json()["itemNotFound"]["message"]
            .as_str()
            .unwrap()
            .contains("gold")
    );
    let r = c.call(
        "POST",
        "/volumes",
        Some(json!({"volume": {"size": 1, "availability_zone": "dc9"}})),
    );
    assert_eq!(r.status, 400);
    let r = c.call("POST", "/volumes", Some(json!({"nope": {}})));
    assert_eq!(r.status, 400);
    let r = c.call("POST", "/volumes", None);
    assert_eq!(r.status, 400);
    // Without project id in path also works.
    let r = c.call(
        "GET",
        &format!("{}/volume/v3/types", cloud.base_url()),
        None,
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["volume_types"][0]["name"], "CEPH_1_perf1");
    // Admin actions are forbidden.
    let id = c.create_volume(1, "x");
    let r = c.call(
        "POST",
        &format!("/volumes/{id}/action"),
        Some(json!({"os-force_delete": {}})),
    );
    assert_eq!(r.status, 403);
    assert!(
        r.json()["forbidden"]["message"]
            .as_str()
            .unwrap()
            .contains("force_delete")
    );
    // Extend rules.
    let r = c.call(
        "POST",
        &format!("/volumes/{id}/action"),
        Some(json!({"os-extend": {"new_size": 1}})),
    );
    assert_eq!(r.status, 400);
    assert!(
        r.body
            .contains("New size for extend must be greater than current size.")
    );
    let r = c.call(
        "POST",
        &format!("/volumes/{id}/action"),
        Some(json!({"os-extend": {"new_size": "3"}})),
    );
    assert_eq!(r.status, 202);
    let v = c.call("GET", &format!("/volumes/{id}"), None).json();
    assert_eq!(v["volume"]["size"], 3);
    assert_eq!(v["volume"]["status"], "available");
    let r = c.call(
        "POST",
        &format!("/volumes/{id}/action"),
        Some(json!({"os-bogus": {}})),
    );
    assert_eq!(r.status, 400);
    let r = c.call(
        "POST",
        &format!("/volumes/{id}/action"),
        Some(json!({"os-set_bootable": {"bootable": true}})),
    );
    assert_eq!(r.status, 200);
    assert_eq!(
        c.call("GET", &format!("/volumes/{id}"), None).json()["volume"]["bootable"],
        "true"
    );
    // Metadata.
    let r = c.call(
        "POST",
        &format!("/volumes/{id}/metadata"),
        Some(json!({"metadata": {"a": "1"}})),
    );
    assert_eq!(r.json()["metadata"], json!({"a": "1"}));
    let r = c.call(
        "PUT",
        &format!("/volumes/{id}/metadata/b"),
        Some(json!({"meta": {"b": "2"}})),
    );
    assert_eq!(r.json(), json!({"meta": {"b": "2"}}));
    let r = c.call("GET", &format!("/volumes/{id}/metadata"), None);
    assert_eq!(r.json()["metadata"], json!({"a": "1", "b": "2"}));
    assert_eq!(
        c.call("DELETE", &format!("/volumes/{id}/metadata/a"), None)
            .status,
        200
    );
    assert_eq!(
        c.call("GET", &format!("/volumes/{id}/metadata/a"), None)
            .status,
        404
    );
    // Microversion bounds.
    let mut c2 = Client::new(&cloud);
    c2.version = "volume 3.99".into();
    let r = c2.call("GET", "/volumes", None);
    assert_eq!(r.status, 406);
    assert_eq!(
        r.json()["computeFault"]["message"],
        "Version 3.99 is not supported by the API. Minimum is 3.0 and maximum is 3.71."
    );
    // Version documents.
    let r = send(
        "GET",
        &format!("{}/volume/v3/", cloud.base_url()),
        &[],
        None,
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["versions"][0]["version"], "3.71");
}

#[test]
fn pagination_links_and_markers() {
    let cloud = FakeCloud::builder()
        .transition_delay(Duration::ZERO)
        .page_size(2)
        .start();
    let c = Client::new(&cloud);
    let mut ids: Vec<String> = (0..5)
        .map(|i| c.create_volume(1, &format!("v{i}")))
        .collect();
    ids.reverse(); // newest first
    let mut seen = Vec::new();
    let mut url = format!("{}/volumes/detail", cloud.block_storage_url());
    let mut pages = 0;
    loop {
        let v = c.call("GET", &url, None).json();
        pages += 1;
        let items = v["volumes"].as_array().unwrap();
        seen.extend(items.iter().map(|i| i["id"].as_str().unwrap().to_string()));
        match v.get("volumes_links") {
            Some(links) => {
                assert_eq!(items.len(), 2);
                url = links[0]["href"].as_str().unwrap().to_string();
                assert!(url.contains("/volumes/detail?"), "{url}");
            }
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, ids);
    // Explicit limit above page size is capped; filter params are preserved.
    let v = c.call("GET", "/volumes?limit=10&name=v1", None).json();
    assert_eq!(v["volumes"].as_array().unwrap().len(), 1);
    assert!(v.get("volumes_links").is_none());
    let v = c
        .call("GET", "/volumes?limit=1&status=available", None)
        .json();
    let href = v["volumes_links"][0]["href"].as_str().unwrap();
    assert!(
        href.contains("status=available") && href.contains("limit=1") && href.contains("marker="),
        "{href}"
    );
    // Marker works and unknown marker is 404.
    let v = c
        .call("GET", &format!("/volumes?marker={}", ids[3]), None)
        .json();
    assert_eq!(v["volumes"][0]["id"], ids[4].as_str());
    assert!(v.get("volumes_links").is_none());
    let r = c.call("GET", "/volumes?marker=nope", None);
    assert_eq!(r.status, 404);
    assert_eq!(
        r.json()["itemNotFound"]["message"],
        "Marker nope could not be found."
    );
    assert_eq!(c.call("GET", "/volumes?limit=abc", None).status, 400);
    assert_eq!(c.call("GET", "/volumes?limit=-1", None).status, 400);
}

#[test]
fn quota_exceeded_is_413() {
    let cloud = instant_cloud();
    let c = Client::new(&cloud);
    cloud.set_quota(Some(2), Some(20));
    c.create_volume(15, "big");
    let r = c.call("POST", "/volumes", Some(json!({"volume": {"size": 10}})));
    assert_eq!(r.status, 413);
    assert_eq!(r.header("retry-after"), Some("0"));
    let v = r.json();
    assert_eq!(v["overLimit"]["retryAfter"], "0");
    assert_eq!(
        v["overLimit"]["message"],
        "VolumeSizeExceedsAvailableQuota: Requested volume or snapshot exceeds allowed gigabytes quota. Requested 10G, quota is 20G and 15G has been consumed."
    );
    c.create_volume(5, "small");
    let r = c.call("POST", "/volumes", Some(json!({"volume": {"size": 1}})));
    assert_eq!(r.status, 413);
    assert!(
        r.body
            .contains("VolumeLimitExceeded: Maximum number of volumes allowed (2) exceeded")
    );
    let lim = c.call("GET", "/limits", None).json();
    assert_eq!(lim["limits"]["absolute"]["totalGigabytesUsed"], 20);
    assert_eq!(lim["limits"]["absolute"]["maxTotalVolumes"], 2);
    cloud.set_quota(None, None);
    c.create_volume(100, "huge");
}

#[test]
fn snapshots_and_backups() {
    let cloud = instant_cloud();
    let mut c = Client::new(&cloud);
    let vol = c.create_volume(4, "src");
    c.call("GET", "/volumes", None); // let it become available
    // Snapshot at 3.66 with force=false is a 400.
    c.version = "volume 3.66".into();
    let r = c.call(
        "POST",
        "/snapshots",
        Some(json!({"snapshot": {"volume_id": vol, "force": false}})),
    );
    assert_eq!(r.status, 400);
    let r = c.call(
        "POST",
        "/snapshots",
        Some(json!({"snapshot": {"volume_id": vol, "name": "s1"}})),
    );
    assert_eq!(r.status, 202);
    let snap = r.json()["snapshot"]["id"].as_str().unwrap().to_string();
    let r = c.call(
        "POST",
        "/snapshots",
        Some(json!({"snapshot": {"volume_id": "missing"}})),
    );
    assert_eq!(r.status, 404);
    // Volume with snapshots cannot be deleted.
    assert_eq!(
        c.call("DELETE", &format!("/volumes/{vol}"), None).status,
        400
    );
    let v = c
        .call("GET", &format!("/snapshots?volume_id={vol}"), None)
        .json();
    assert_eq!(v["snapshots"].as_array().unwrap().len(), 1);

    // Backups.
    c.version = "volume 3.60".into();
    let r = c.call(
        "POST",
        "/backups",
        Some(json!({"backup": {"volume_id": vol, "incremental": true}})),
    );
    assert_eq!(r.status, 400);
    assert!(
        r.body
            .contains("No backups available to do an incremental backup.")
    );
    let r = c.call(
        "POST",
        "/backups",
        Some(json!({"backup": {"volume_id": vol, "name": "full"}})),
    );
    assert_eq!(r.status, 202);
    let b = r.json();
    let keys: Vec<&String> = b["backup"].as_object().unwrap().keys().collect();
    assert_eq!(keys, ["id", "links", "name"]);
    let full = b["backup"]["id"].as_str().unwrap().to_string();
    let r = c.call(
        "POST",
        "/backups",
        Some(json!({"backup": {"volume_id": vol, "incremental": true}})),
    );
    assert_eq!(r.status, 202, "{}", r.body);
    let incr = r.json()["backup"]["id"].as_str().unwrap().to_string();
    let v = c.call("GET", &format!("/backups/{full}"), None).json();
    assert_eq!(v["backup"]["has_dependent_backups"], true);
    assert_eq!(v["backup"]["status"], "available");
    let v = c.call("GET", &format!("/backups/{incr}"), None).json();
    assert_eq!(v["backup"]["is_incremental"], true);
    let r = c.call("DELETE", &format!("/backups/{full}"), None);
    assert_eq!(r.status, 400);
    assert!(
        r.body
            .contains("Incremental backups exist for this backup.")
    );

    // Restore to a new volume and onto a too-small one.
    let r = c.call(
        "POST",
        &format!("/backups/{full}/restore"),
        Some(json!({"restore": {}})),
    );
    assert_eq!(r.status, 202);
    let rv = r.json();
    assert_eq!(
        rv["restore"]["volume_name"],
        format!("restore_backup_{full}")
    );
    let new_id = rv["restore"]["volume_id"].as_str().unwrap().to_string();
    assert_eq!(cloud.volume_status(&new_id).as_deref(), Some("available"));
    let small = c.create_volume(1, "small");
    c.call("GET", "/volumes", None);
    let r = c.call(
        "POST",
        &format!("/backups/{full}/restore"),
        Some(json!({"restore": {"volume_id": small}})),
    );
    assert_eq!(r.status, 400);
    assert!(r.body.contains("is smaller than backup size"));
    let r = c.call(
        "POST",
        &format!("/backups/{full}/action"),
        Some(json!({"os-force_delete": {}})),
    );
    assert_eq!(r.status, 403);

    // Clean-up order: incremental, full, snapshot, volume.
    assert_eq!(
        c.call("DELETE", &format!("/backups/{incr}"), None).status,
        202
    );
    assert_eq!(
        c.call("DELETE", &format!("/backups/{full}"), None).status,
        202
    );
    assert_eq!(
        c.call("DELETE", &format!("/snapshots/{snap}"), None).status,
        202
    );
    c.call("GET", "/snapshots", None);
    assert_eq!(
        c.call("DELETE", &format!("/volumes/{vol}"), None).status,
        202
    );
    assert!(cloud.volume_status(&vol).is_none());
}

#[test]
fn fault_injection_kinds() {
    let cloud = instant_cloud();
    let c = Client::new(&cloud);
    cloud.inject_fault("GET", "/volume/v3", 1, Fault::Status(503));
    let r = c.call("GET", "/volumes", None);
    assert_eq!(r.status, 503);
    assert_eq!(r.json()["serviceUnavailable"]["code"], 503);
    assert_eq!(c.call("GET", "/volumes", None).status, 200);

    cloud.inject_fault("*", "/volume", 1, Fault::Status(500));
    assert_eq!(
        c.call("GET", "/volumes", None).json()["computeFault"]["code"],
        500
    );

    cloud.inject_fault("POST", "/identity/v3/auth/tokens", 1, Fault::Status(500));
    let r = send(
        "POST",
        &format!("{}/auth/tokens", cloud.auth_url()),
        &[],
        Some(&app_cred_body()),
    );
    assert_eq!(r.status, 500);

    cloud.inject_fault("GET", "/volume", 1, Fault::MalformedJson);
    let r = c.call("GET", "/volumes", None);
    assert_eq!(r.status, 200);
    assert!(serde_json::from_str::<Value>(&r.body).is_err());

    cloud.inject_fault("GET", "/volume", 1, Fault::DropConnection);
    let url = format!("{}/volumes", cloud.block_storage_url());
    assert!(try_send("GET", &url, &[("X-Auth-Token", &c.token)], None).is_err());

    cloud.inject_fault(
        "GET",
        "/volume",
        1,
        Fault::Delay(Duration::from_millis(150)),
    );
    let start = Instant::now();
    assert_eq!(c.call("GET", "/volumes", None).status, 200);
    assert!(start.elapsed() >= Duration::from_millis(150));

    // Non-matching method/prefix is untouched.
    cloud.inject_fault("DELETE", "/volume", 1, Fault::Status(500));
    assert_eq!(c.call("GET", "/volumes", None).status, 200);
}

#[test]
fn counters_log_and_keep_alive() {
    let cloud = instant_cloud();
    let t = token(&cloud);
    assert_eq!(cloud.auth_requests(), 1);
    assert_eq!(cloud.requests(), 1);
    assert_eq!(cloud.connections(), 1);
    // Two requests on one keep-alive connection.
    let url = format!("{}/volumes?limit=5", cloud.block_storage_url());
    let mut s = connect(&url);
    let req = raw_request("GET", &url, &[("X-Auth-Token", &t)], None);
    s.write_all(req.as_bytes()).unwrap();
    let mut reader = BufReader::new(s.try_clone().unwrap());
    assert_eq!(read_response(&mut reader).unwrap().status, 200);
    s.write_all(req.as_bytes()).unwrap();
    assert_eq!(read_response(&mut reader).unwrap().status, 200);
    assert_eq!(cloud.connections(), 2);
    assert_eq!(cloud.requests(), 3);
    assert_eq!(cloud.requests_matching("GET", "/volume/v3/"), 2);
    assert_eq!(cloud.requests_matching("*", "/identity"), 1);
    let log = cloud.request_log();
    assert_eq!(log.len(), 3);
    assert_eq!(
        log[1].path,
        format!("/volume/v3/{}/volumes", FakeCloud::PROJECT_ID)
    );
    assert_eq!(log[1].query, "limit=5");
    assert_eq!(log[1].header("X-Auth-Token"), Some(t.as_str()));
    assert!(log[1].headers.iter().any(|(k, _)| k == "x-auth-token"));
    assert!(log[0].body_string().contains("application_credential"));

    // Chunked bodies are refused.
    let mut s = connect(&url);
    let host = cloud.base_url().trim_start_matches("http://").to_string();
    write!(
        s,
        "POST /identity/v3/auth/tokens HTTP/1.1\r\nHost: {host}\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{{}}\r\n0\r\n\r\n"
    )
    .unwrap();
    let mut reader = BufReader::new(s);
    assert_eq!(read_response(&mut reader).unwrap().status, 411);

    // Garbage never kills the server.
    let mut s = connect(&url);
    s.write_all(b"\x00\x01garbage\r\n\r\n").unwrap();
    let mut rest = Vec::new();
    let _ = s.read_to_end(&mut rest);
    assert_eq!(
        send("GET", &format!("{}/volume/", cloud.base_url()), &[], None).status,
        300
    );
}

#[test]
fn drop_stops_the_server() {
    let cloud = instant_cloud();
    let base = cloud.base_url();
    let addr = base.trim_start_matches("http://").to_string();
    assert!(TcpStream::connect(&addr).is_ok());
    drop(cloud);
    assert!(TcpStream::connect(&addr).is_err(), "port still accepting");
}

#[test]
fn odd_inputs_do_not_break_the_cloud() {
    let cloud = FakeCloud::builder()
        .transition_delay(Duration::MAX)
        .token_lifetime(Duration::MAX)
        .start();
    let c = Client::new(&cloud);
    let huge = json!({"volume": {"size": i64::MAX}});
    assert_eq!(c.call("POST", "/volumes", Some(huge.clone())).status, 202);
    assert_eq!(c.call("POST", "/volumes", Some(huge)).status, 202);
    cloud.set_quota(None, Some(10));
    assert_eq!(
        c.call("POST", "/volumes", Some(json!({"volume": {"size": 1}})))
            .status,
        413
    );
    let v = c.call("GET", "/volumes/detail", None).json();
    assert_eq!(v["volumes"][0]["status"], "creating");
    // Internal endpoint is served identically and shows up in the log.
    let internal = format!(
        "{}/internal/volume/v3/{}/volumes",
        cloud.base_url(),
        FakeCloud::PROJECT_ID
    );
    assert_eq!(c.call("GET", &internal, None).status, 200);
    assert_eq!(cloud.requests_matching("GET", "/internal/volume"), 1);
    // Unknown server / paths.
    let r = c.nova("GET", "/servers/nope/os-volume_attachments", None, None);
    assert_eq!(r.status, 404);
    assert_eq!(
        r.json()["itemNotFound"]["message"],
        "Instance nope could not be found."
    );
    assert_eq!(c.call("GET", "/nothing-here", None).status, 404);
    assert_eq!(c.call("PUT", "/volumes/x", Some(json!([1, 2]))).status, 400);
    assert_eq!(
        c.call("POST", "/volumes/x/action", Some(json!({"a": 1, "b": 2})))
            .status,
        404
    );
    let id = cloud.volume_ids()[0].clone();
    assert_eq!(
        c.call(
            "POST",
            &format!("/volumes/{id}/action"),
            Some(json!({"a": 1, "b": 2}))
        )
        .status,
        400
    );
    cloud.force_volume_status(&id, "error");
    assert_eq!(cloud.volume_status(&id).as_deref(), Some("error"));
    assert_eq!(
        c.call("DELETE", &format!("/volumes/{id}"), None).status,
        202
    );
}
