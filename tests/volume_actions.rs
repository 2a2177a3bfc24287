//! The operations beyond the basic fourteen, against httpmock: exact requests (method, path,
//! query, headers, JSON body) and exact results, in both faces; microversion negotiation and
//! the `Unsupported` checks.

mod common;
mod ops_common;

use std::collections::BTreeMap;

use common::assert::{
    assert_api, assert_invalid_argument_err, assert_not_found, assert_unsupported,
};
use common::*;
use httpmock::Mock;
use httpmock::prelude::*;
use infomaniak_block_storage::{
    CreateVolumeOptions, Error, InfomaniakVolumeClient, MigrationPolicy, UpdateSnapshot,
    UpdateVolume,
};
use ops_common::{cinder, fault};
use serde_json::{Value, json};

fn volume_json(id: &str, name: &str, status: &str) -> Value {
    json!({"volume": {"id": id, "name": name, "status": status, "size": 10,
        "bootable": "false", "encrypted": false, "multiattach": false,
        "metadata": {}, "attachments": [], "links": []}})
}

/// Asserts `result` is Cinder's 404 for the volume `id`.
#[track_caller]
fn assert_not_found_volume<T: std::fmt::Debug>(result: Result<T, Error>, id: &str) {
    assert_not_found(
        result,
        "volume",
        id,
        &format!("Volume {id} could not be found."),
        Some(REQUEST_ID),
    );
}

/// Asserts `result` is Cinder's 400 `badRequest` with `message`.
#[track_caller]
fn assert_bad_request<T: std::fmt::Debug>(result: Result<T, Error>, message: &str) {
    assert_api(
        result,
        400,
        Some("badRequest"),
        message,
        Some(REQUEST_ID),
        None,
    );
}

/// A mock for `method path` with the token and the Cinder microversion header, answering
/// `status` with `body` (or an empty body).
fn cinder_mock<'a>(
    server: &'a MockServer,
    method: httpmock::Method,
    path: &str,
    request_body: Option<Value>,
    status: u16,
    reply: Option<Value>,
) -> Mock<'a> {
    let path = cinder(path);
    server.mock(move |when, then| {
        let mut when = when
            .method(method)
            .path(path.clone())
            .header("X-Auth-Token", TOKEN)
            .header("OpenStack-API-Version", MICROVERSION);
        if let Some(body) = request_body {
            when = when
                .header("Content-Type", "application/json")
                .json_body(body);
        }
        let _ = when;
        let then = then
            .status(status)
            .header("x-openstack-request-id", REQUEST_ID);
        if let Some(reply) = reply {
            then.header("Content-Type", "application/json")
                .json_body(reply);
        }
    })
}

// ----- update_volume ------------------------------------------------------------------------

#[test]
fn update_volume_sends_only_the_given_fields() {
    let (server, client) = setup();
    let name_only = cinder_mock(
        &server,
        PUT,
        "/volumes/v1",
        Some(json!({"volume": {"name": "renamed"}})),
        200,
        Some(volume_json("v1", "renamed", "available")),
    );
    let update = UpdateVolume::default().name("renamed");
    let volume = no_error_line(|| client.try_update_volume("v1", &update)).unwrap();
    assert_eq!(volume.id, "v1");
    assert_eq!(volume.name.as_deref(), Some("renamed"));
    assert_eq!(volume.status, "available");
    let plain = no_error_line(|| client.update_volume("v1", &update)).unwrap();
    assert_eq!(plain, volume);
    name_only.assert_calls(2);

    let mut metadata = BTreeMap::new();
    metadata.insert("env".to_string(), "prod".to_string());
    let all = cinder_mock(
        &server,
        PUT,
        "/volumes/v2",
        Some(json!({"volume": {"name": "n", "description": "d", "metadata": {"env": "prod"}}})),
        200,
        Some(volume_json("v2", "n", "available")),
    );
    let update = UpdateVolume::default()
        .name("n")
        .description("d")
        .metadata(metadata);
    assert_eq!(client.try_update_volume("v2", &update).unwrap().id, "v2");
    all.assert_calls(1);

    let empty = cinder_mock(
        &server,
        PUT,
        "/volumes/v3",
        Some(json!({"volume": {}})),
        200,
        Some(volume_json("v3", "x", "available")),
    );
    assert_eq!(
        client
            .try_update_volume("v3", &UpdateVolume::default())
            .unwrap()
            .id,
        "v3"
    );
    empty.assert_calls(1);
}

#[test]
fn update_volume_failure_both_faces() {
    let (server, client) = setup();
    let missing = cinder_mock(
        &server,
        PUT,
        "/volumes/gone",
        Some(json!({"volume": {"name": "x"}})),
        404,
        Some(fault(
            "itemNotFound",
            404,
            "Volume gone could not be found.",
        )),
    );
    let update = UpdateVolume::default().name("x");
    assert_not_found_volume(client.try_update_volume("gone", &update), "gone");
    let (plain, line) = one_error_line(|| client.update_volume("gone", &update));
    assert_eq!(plain, None);
    assert!(line.contains("update_volume(gone) failed"), "{line}");
    assert!(line.contains(REQUEST_ID), "{line}");
    missing.assert_calls(2);

    // Validation happens before any request.
    let err = client.try_update_volume("a/b", &update).unwrap_err();
    assert_invalid_argument_err(&err, "volume_id");
    missing.assert_calls(2);
}

// ----- metadata -----------------------------------------------------------------------------

#[test]
fn volume_metadata_get_set_delete() {
    let (server, client) = setup();
    let show = sample("cinder/volumes/volume-metadata-show-response.json");
    let get = cinder_mock(&server, GET, "/volumes/v1/metadata", None, 200, Some(show));
    assert_eq!(
        client.try_get_volume_metadata("v1").unwrap(),
        BTreeMap::new()
    );
    assert_eq!(
        no_error_line(|| client.get_volume_metadata("v1")),
        Some(BTreeMap::new())
    );
    get.assert_calls(2);

    let request = sample("cinder/volumes/volume-metadata-create-request.json");
    let reply = sample("cinder/volumes/volume-metadata-create-response.json");
    let set = cinder_mock(
        &server,
        POST,
        "/volumes/v1/metadata",
        Some(request),
        200,
        Some(reply),
    );
    let mut wanted = BTreeMap::new();
    wanted.insert("name".to_string(), "metadata0".to_string());
    assert_eq!(
        client.try_set_volume_metadata("v1", &wanted).unwrap(),
        wanted
    );
    assert_eq!(
        no_error_line(|| client.set_volume_metadata("v1", &wanted)),
        Some(wanted.clone())
    );
    set.assert_calls(2);

    // The key is percent-encoded in the path: "a b" → a%20b.
    let delete = server.mock(|when, then| {
        when.method(DELETE)
            .header("X-Auth-Token", TOKEN)
            .header("OpenStack-API-Version", MICROVERSION)
            .is_true(|req| req.uri().path() == "/volume/v3/proj-0123/volumes/v1/metadata/a%20b");
        then.status(200);
    });
    assert_eq!(client.try_delete_volume_metadata_key("v1", "a b"), Ok(()));
    assert!(no_error_line(
        || client.delete_volume_metadata_key("v1", "a b")
    ));
    delete.assert_calls(2);

    // Failure: unknown key → 404, both faces.
    let missing = server.mock(|when, then| {
        when.method(DELETE)
            .is_true(|req| req.uri().path() == "/volume/v3/proj-0123/volumes/v1/metadata/nokey");
        then.status(404)
            .header("x-openstack-request-id", REQUEST_ID)
            .json_body(fault("itemNotFound", 404, "Metadata item was not found."));
    });
    // The error names the key (and the volume): a 404 here is the key, or the volume.
    assert_not_found(
        client.try_delete_volume_metadata_key("v1", "nokey"),
        "metadata key",
        "`nokey` of volume v1",
        "Metadata item was not found.",
        Some(REQUEST_ID),
    );
    plain_face_fails(
        || !client.delete_volume_metadata_key("v1", "nokey"),
        &["delete_volume_metadata_key(v1, nokey) failed"],
    );
    missing.assert_calls(2);

    // Empty keys are refused before any request.
    let mut bad = BTreeMap::new();
    bad.insert(String::new(), "x".to_string());
    assert!(matches!(
        client.try_set_volume_metadata("v1", &bad),
        Err(Error::InvalidArgument {
            argument: "key",
            ..
        })
    ));
    assert!(matches!(
        client.try_delete_volume_metadata_key("v1", ""),
        Err(Error::InvalidArgument {
            argument: "key",
            ..
        })
    ));
    let (none, _) = one_error_line(|| client.set_volume_metadata("v1", &bad));
    assert_eq!(none, None);
    set.assert_calls(2);
    delete.assert_calls(2);
}

#[test]
fn volume_metadata_failures() {
    let (server, client) = setup();
    let get = cinder_mock(
        &server,
        GET,
        "/volumes/gone/metadata",
        None,
        404,
        Some(fault(
            "itemNotFound",
            404,
            "Volume gone could not be found.",
        )),
    );
    assert_not_found_volume(client.try_get_volume_metadata("gone"), "gone");
    let (plain, line) = one_error_line(|| client.get_volume_metadata("gone"));
    assert_eq!(plain, None);
    assert!(line.contains("get_volume_metadata(gone) failed"), "{line}");
    get.assert_calls(2);

    let mut md = BTreeMap::new();
    md.insert("k".to_string(), "v".to_string());
    let set = cinder_mock(
        &server,
        POST,
        "/volumes/v1/metadata",
        Some(json!({"metadata": {"k": "v"}})),
        400,
        Some(fault("badRequest", 400, "Invalid metadata.")),
    );
    assert_bad_request(
        client.try_set_volume_metadata("v1", &md),
        "Invalid metadata.",
    );
    let (plain, line) = one_error_line(|| client.set_volume_metadata("v1", &md));
    assert_eq!(plain, None);
    assert!(line.contains("set_volume_metadata(v1) failed"), "{line}");
    set.assert_calls(2);
}

// ----- volume actions -----------------------------------------------------------------------

#[test]
fn retype_sends_the_policy() {
    let (server, client) = setup();
    let sample_body = sample("cinder/volume-os-retype-request.json");
    let never = cinder_mock(
        &server,
        POST,
        "/volumes/v1/action",
        Some(sample_body),
        202,
        None,
    );
    assert_eq!(
        client.try_retype_volume("v1", "dedup-tier-replicaton", MigrationPolicy::Never),
        Ok(())
    );
    assert!(no_error_line(|| client.retype_volume(
        "v1",
        "dedup-tier-replicaton",
        MigrationPolicy::default()
    )));
    never.assert_calls(2);

    let on_demand = cinder_mock(
        &server,
        POST,
        "/volumes/v2/action",
        Some(json!({"os-retype": {"new_type": "CEPH_1_perf2", "migration_policy": "on-demand"}})),
        202,
        None,
    );
    assert_eq!(
        client.try_retype_volume("v2", "CEPH_1_perf2", MigrationPolicy::OnDemand),
        Ok(())
    );
    on_demand.assert_calls(1);

    let refused = cinder_mock(
        &server,
        POST,
        "/volumes/v3/action",
        Some(json!({"os-retype": {"new_type": "CEPH_1_perf1", "migration_policy": "never"}})),
        400,
        Some(fault(
            "badRequest",
            400,
            "Retype requires a different volume type.",
        )),
    );
    assert_bad_request(
        client.try_retype_volume("v3", "CEPH_1_perf1", MigrationPolicy::Never),
        "Retype requires a different volume type.",
    );
    let (ok, line) =
        one_error_line(|| client.retype_volume("v3", "CEPH_1_perf1", MigrationPolicy::Never));
    assert!(!ok);
    assert!(
        line.contains("retype_volume(v3 to CEPH_1_perf1) failed"),
        "{line}"
    );
    refused.assert_calls(2);

    assert!(matches!(
        client.try_retype_volume("v1", "", MigrationPolicy::Never),
        Err(Error::InvalidArgument {
            argument: "new_type",
            ..
        })
    ));
    never.assert_calls(2);
}

#[test]
fn set_bootable_sends_a_json_boolean_and_accepts_200() {
    let (server, client) = setup();
    let on = cinder_mock(
        &server,
        POST,
        "/volumes/v1/action",
        Some(json!({"os-set_bootable": {"bootable": true}})),
        200,
        None,
    );
    let off = cinder_mock(
        &server,
        POST,
        "/volumes/v1/action",
        Some(json!({"os-set_bootable": {"bootable": false}})),
        200,
        None,
    );
    assert_eq!(client.try_set_volume_bootable("v1", true), Ok(()));
    assert!(no_error_line(|| client.set_volume_bootable("v1", false)));
    on.assert_calls(1);
    off.assert_calls(1);
    // The sample sends the string "True"; we send a real boolean.
    let sample_body = sample("cinder/volume-bootable-status-update-request.json");
    assert_eq!(sample_body["os-set_bootable"]["bootable"], json!("True"));

    let missing = cinder_mock(
        &server,
        POST,
        "/volumes/gone/action",
        Some(json!({"os-set_bootable": {"bootable": true}})),
        404,
        Some(fault(
            "itemNotFound",
            404,
            "Volume gone could not be found.",
        )),
    );
    assert_not_found_volume(client.try_set_volume_bootable("gone", true), "gone");
    plain_face_fails(
        || !client.set_volume_bootable("gone", true),
        &["set_volume_bootable(gone) failed"],
    );
    missing.assert_calls(2);
}

#[test]
fn set_readonly_both_faces() {
    let (server, client) = setup();
    let on = cinder_mock(
        &server,
        POST,
        "/volumes/v1/action",
        Some(json!({"os-update_readonly_flag": {"readonly": true}})),
        202,
        None,
    );
    let off = cinder_mock(
        &server,
        POST,
        "/volumes/v1/action",
        Some(json!({"os-update_readonly_flag": {"readonly": false}})),
        202,
        None,
    );
    assert_eq!(client.try_set_volume_readonly("v1", true), Ok(()));
    assert!(no_error_line(|| client.set_volume_readonly("v1", false)));
    on.assert_calls(1);
    off.assert_calls(1);

    let refused = cinder_mock(
        &server,
        POST,
        "/volumes/v2/action",
        Some(json!({"os-update_readonly_flag": {"readonly": true}})),
        400,
        Some(fault("badRequest", 400, "Volume status must be available.")),
    );
    assert_bad_request(
        client.try_set_volume_readonly("v2", true),
        "Volume status must be available.",
    );
    plain_face_fails(
        || !client.set_volume_readonly("v2", true),
        &["set_volume_readonly(v2) failed"],
    );
    refused.assert_calls(2);
}

#[test]
fn revert_to_snapshot_both_faces() {
    let (server, client) = setup();
    let ok = cinder_mock(
        &server,
        POST,
        "/volumes/v1/action",
        Some(json!({"revert": {"snapshot_id": "s1"}})),
        202,
        None,
    );
    assert_eq!(client.try_revert_volume_to_snapshot("v1", "s1"), Ok(()));
    assert!(no_error_line(
        || client.revert_volume_to_snapshot("v1", "s1")
    ));
    ok.assert_calls(2);

    let not_latest = cinder_mock(
        &server,
        POST,
        "/volumes/v1/action",
        Some(json!({"revert": {"snapshot_id": "s0"}})),
        400,
        Some(fault(
            "badRequest",
            400,
            "Invalid snapshot: not the latest.",
        )),
    );
    assert_bad_request(
        client.try_revert_volume_to_snapshot("v1", "s0"),
        "Invalid snapshot: not the latest.",
    );
    let (done, line) = one_error_line(|| client.revert_volume_to_snapshot("v1", "s0"));
    assert!(!done);
    assert!(
        line.contains("revert_volume_to_snapshot(v1 to s0) failed"),
        "{line}"
    );
    not_latest.assert_calls(2);

    assert!(matches!(
        client.try_revert_volume_to_snapshot("v1", "s/1"),
        Err(Error::InvalidArgument {
            argument: "snapshot_id",
            ..
        })
    ));
}

// ----- snapshots ----------------------------------------------------------------------------

#[test]
fn update_snapshot_both_faces() {
    let (server, client) = setup();
    let snapshot = json!({"snapshot": {"id": "s1", "name": "new", "description": "d",
        "status": "available", "size": 10, "volume_id": "v1", "metadata": {}}});
    let name_only = cinder_mock(
        &server,
        PUT,
        "/snapshots/s1",
        Some(json!({"snapshot": {"name": "new"}})),
        200,
        Some(snapshot.clone()),
    );
    let both = cinder_mock(
        &server,
        PUT,
        "/snapshots/s1",
        Some(json!({"snapshot": {"name": "new", "description": "d"}})),
        200,
        Some(snapshot),
    );
    let s = client
        .try_update_snapshot("s1", &UpdateSnapshot::default().name("new"))
        .unwrap();
    assert_eq!(s.id, "s1");
    assert_eq!(s.name.as_deref(), Some("new"));
    assert_eq!(s.volume_id, "v1");
    let plain = no_error_line(|| {
        client.update_snapshot(
            "s1",
            &UpdateSnapshot::default().name("new").description("d"),
        )
    })
    .unwrap();
    assert_eq!(plain, s);
    name_only.assert_calls(1);
    both.assert_calls(1);

    let missing = cinder_mock(
        &server,
        PUT,
        "/snapshots/gone",
        Some(json!({"snapshot": {"description": "x"}})),
        404,
        Some(fault(
            "itemNotFound",
            404,
            "Snapshot gone could not be found.",
        )),
    );
    let update = UpdateSnapshot::default().description("x");
    assert_not_found(
        client.try_update_snapshot("gone", &update),
        "snapshot",
        "gone",
        "Snapshot gone could not be found.",
        Some(REQUEST_ID),
    );
    let (plain, line) = one_error_line(|| client.update_snapshot("gone", &update));
    assert_eq!(plain, None);
    assert!(line.contains("update_snapshot(gone) failed"), "{line}");
    missing.assert_calls(2);
}

// ----- project information ------------------------------------------------------------------

#[test]
fn volume_types_and_availability_zones() {
    let (server, client) = setup();
    let types = cinder_mock(
        &server,
        GET,
        "/types",
        None,
        200,
        Some(json!({"volume_types": [
            {"id": "t1", "name": "CEPH_1_perf1", "description": null, "is_public": true,
             "extra_specs": {"volume_backend_name": "ceph"}},
            {"id": "t2", "name": "CEPH_1_perf2", "is_public": false, "extra_specs": {}}
        ]})),
    );
    let mut specs = BTreeMap::new();
    specs.insert("volume_backend_name".to_string(), "ceph".to_string());
    let got = client.try_list_volume_types().unwrap();
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].id, "t1");
    assert_eq!(got[0].name, "CEPH_1_perf1");
    assert_eq!(got[0].description, None);
    assert!(got[0].is_public);
    assert_eq!(got[0].extra_specs, specs);
    assert_eq!(got[1].id, "t2");
    assert_eq!(got[1].name, "CEPH_1_perf2");
    assert_eq!(got[1].description, None);
    assert!(!got[1].is_public);
    assert_eq!(got[1].extra_specs, BTreeMap::new());
    assert_eq!(no_error_line(|| client.list_volume_types()), got);
    types.assert_calls(2);

    let zones = cinder_mock(
        &server,
        GET,
        "/os-availability-zone",
        None,
        200,
        Some(json!({"availabilityZoneInfo": [
            {"zoneName": "nova", "zoneState": {"available": true}},
            {"zoneName": "dc3-a-09", "zoneState": {"available": false}}
        ]})),
    );
    let got = client.try_list_availability_zones().unwrap();
    assert_eq!(
        got.iter()
            .map(|z| (z.name.as_str(), z.available))
            .collect::<Vec<_>>(),
        [("nova", true), ("dc3-a-09", false)]
    );
    assert_eq!(no_error_line(|| client.list_availability_zones()), got);
    zones.assert_calls(2);
}

#[test]
fn project_information_failures() {
    let (server, client) = setup();
    for path in ["/types", "/os-availability-zone", "/limits"] {
        cinder_mock(
            &server,
            GET,
            path,
            None,
            403,
            Some(fault("forbidden", 403, "Policy doesn't allow it.")),
        );
    }
    let forbidden = "Policy doesn't allow it.";
    assert_api(
        client.try_list_volume_types(),
        403,
        Some("forbidden"),
        forbidden,
        Some(REQUEST_ID),
        None,
    );
    assert_api(
        client.try_list_availability_zones(),
        403,
        Some("forbidden"),
        forbidden,
        Some(REQUEST_ID),
        None,
    );
    assert_api(
        client.try_get_limits(),
        403,
        Some("forbidden"),
        forbidden,
        Some(REQUEST_ID),
        None,
    );
    let (types, line) = one_error_line(|| client.list_volume_types());
    assert!(types.is_empty());
    assert!(line.contains("list_volume_types() failed"), "{line}");
    let (zones, line) = one_error_line(|| client.list_availability_zones());
    assert!(zones.is_empty());
    assert!(line.contains("list_availability_zones() failed"), "{line}");
    let (limits, line) = one_error_line(|| client.get_limits());
    assert_eq!(limits, None);
    assert!(line.contains("get_limits() failed"), "{line}");
}

#[test]
fn limits_from_the_sample() {
    let (server, client) = setup();
    let limits = cinder_mock(
        &server,
        GET,
        "/limits",
        None,
        200,
        Some(sample("cinder/limits/limits-show-response.json")),
    );
    let got = client.try_get_limits().unwrap();
    assert_eq!(got.max_total_volumes, Some(10));
    assert_eq!(got.total_volumes_used, Some(0));
    assert_eq!(got.max_total_volume_gigabytes, Some(1000));
    assert_eq!(got.total_gigabytes_used, Some(0));
    assert_eq!(got.max_total_snapshots, Some(10));
    assert_eq!(got.total_snapshots_used, Some(0));
    assert_eq!(got.max_total_backups, Some(10));
    assert_eq!(got.total_backups_used, Some(0));
    assert_eq!(got.max_total_backup_gigabytes, Some(1000));
    assert_eq!(got.total_backup_gigabytes_used, Some(0));
    let expected = got.clone();
    assert_eq!(got.volumes_left(), Some(10));
    assert_eq!(got.gigabytes_left(), Some(1000));
    assert_eq!(got.snapshots_left(), Some(10));
    assert_eq!(got.backups_left(), Some(10));
    assert_eq!(no_error_line(|| client.get_limits()), Some(expected));
    limits.assert_calls(2);
}

#[test]
fn limits_unlimited_and_used() {
    let server = common::server();
    let client = client(&server);
    cinder_mock(
        &server,
        GET,
        "/limits",
        None,
        200,
        Some(json!({"limits": {"rate": [], "absolute": {
            "maxTotalVolumes": -1, "totalVolumesUsed": 7,
            "maxTotalVolumeGigabytes": 100, "totalGigabytesUsed": 130,
            "maxTotalSnapshots": 10, "totalSnapshotsUsed": 3
        }}})),
    );
    let limits = client.try_get_limits().unwrap();
    assert_eq!(limits.max_total_volumes, Some(-1));
    assert_eq!(limits.volumes_left(), None, "-1 means unlimited");
    assert_eq!(
        limits.gigabytes_left(),
        Some(0),
        "over quota never goes negative"
    );
    assert_eq!(limits.snapshots_left(), Some(7));
    assert_eq!(limits.max_total_backups, None);
    assert_eq!(limits.backups_left(), None, "unknown");
}

#[test]
fn quotas_use_the_token_project_and_drop_id() {
    let (server, client) = setup();
    let quotas = server.mock(|when, then| {
        when.method(GET)
            .path(format!("{CINDER}/os-quota-sets/{PROJECT}"))
            .query_param("usage", "true")
            .header("X-Auth-Token", TOKEN)
            .header("OpenStack-API-Version", MICROVERSION)
            .is_true(|req| req.uri().query() == Some("usage=true"));
        then.status(200)
            .json_body(sample("cinder/quota_sets/quotas-show-usage-response.json"));
    });
    let got = client.try_get_quotas().unwrap();
    // (name, limit, in_use, reserved)
    let expected = [
        ("backup_gigabytes", 1000, 0, 0),
        ("backups", 10, 0, 0),
        ("gigabytes", 1000, 0, 0),
        ("gigabytes___DEFAULT__", -1, 0, 0),
        ("groups", 10, 0, 0),
        ("per_volume_gigabytes", -1, 0, 0),
        ("snapshots", 10, 0, 0),
        ("snapshots___DEFAULT__", -1, 0, 0),
        ("volumes", 10, 0, 0),
        ("volumes___DEFAULT__", -1, 0, 0),
    ];
    assert_eq!(
        got.iter()
            .map(|(k, u)| (k.as_str(), u.limit, u.in_use, u.reserved))
            .collect::<Vec<_>>(),
        expected
    );
    let expected = got.clone();
    assert!(!got.contains_key("id"));
    assert_eq!(no_error_line(|| client.get_quotas()), Some(expected));
    quotas.assert_calls(2);
}

#[test]
fn quotas_failure_both_faces() {
    let (server, client) = setup();
    let quotas = server.mock(|when, then| {
        when.method(GET)
            .path(format!("{CINDER}/os-quota-sets/{PROJECT}"));
        then.status(403)
            .header("x-openstack-request-id", REQUEST_ID)
            .json_body(fault("forbidden", 403, "Not allowed."));
    });
    assert_api(
        client.try_get_quotas(),
        403,
        Some("forbidden"),
        "Not allowed.",
        Some(REQUEST_ID),
        None,
    );
    let (plain, line) = one_error_line(|| client.get_quotas());
    assert_eq!(plain, None);
    assert!(line.contains("get_quotas() failed"), "{line}");
    quotas.assert_calls(2);
}

// ----- microversion negotiation -------------------------------------------------------------

fn version_document(max: &str) -> Value {
    json!({"versions": [
        {"id": "v2.0", "status": "DEPRECATED", "version": "", "min_version": ""},
        {"id": "v3.0", "status": "CURRENT", "version": max, "min_version": "3.0",
         "links": [{"href": "http://127.0.0.1/volume/v3/", "rel": "self"}]}
    ]})
}

fn mock_versions<'a>(server: &'a MockServer, max: &str) -> Mock<'a> {
    let body = version_document(max);
    server.mock(move |when, then| {
        when.method(GET)
            .path("/volume/v3/")
            .header("X-Auth-Token", TOKEN);
        then.status(200).json_body(body);
    })
}

fn negotiating_client(server: &MockServer, configured: &str) -> InfomaniakVolumeClient {
    let mut config = config(server);
    config.negotiate_microversion = true;
    config.volume_microversion = configured.to_string();
    InfomaniakVolumeClient::new(config).unwrap()
}

fn mock_list_with_header<'a>(server: &'a MockServer, header: &str) -> Mock<'a> {
    let header = header.to_string();
    server.mock(move |when, then| {
        when.method(GET)
            .path(cinder("/volumes/detail"))
            .header("OpenStack-API-Version", header);
        then.status(200).json_body(json!({"volumes": []}));
    })
}

#[test]
fn negotiation_lowers_to_the_server_maximum_once() {
    let server = MockServer::start();
    let keystone = mock_keystone(&server);
    let versions = mock_versions(&server, "3.60");
    let list = mock_list_with_header(&server, "volume 3.60");
    let client = negotiating_client(&server, "3.67");
    for _ in 0..3 {
        assert_eq!(client.try_list_volumes(), Ok(vec![]));
    }
    assert_eq!(client.try_volume_microversion(), Ok("3.60".to_string()));
    assert_eq!(client.volume_microversion(), Some("3.60".to_string()));
    list.assert_calls(3);
    versions.assert_calls(1);
    keystone.assert_calls(1);
}

#[test]
fn negotiation_keeps_the_configured_version_below_the_server_maximum() {
    let server = common::server();
    let versions = mock_versions(&server, "3.71");
    let list = mock_list_with_header(&server, "volume 3.67");
    let client = negotiating_client(&server, "3.67");
    assert_eq!(client.try_volume_microversion(), Ok("3.67".to_string()));
    assert_eq!(client.try_list_volumes(), Ok(vec![]));
    assert_eq!(client.try_list_volumes(), Ok(vec![]));
    list.assert_calls(2);
    versions.assert_calls(1);
}

/// A version document without a usable v3 entry is not an error any more: the configured
/// version is sent, and the failed discovery is remembered (not fetched again at once).
#[test]
fn negotiation_failure_falls_back_to_the_configured_version() {
    capture_logs();
    let server = common::server();
    let versions = server.mock(|when, then| {
        when.method(GET).path("/volume/v3/");
        then.status(200)
            .json_body(json!({"versions": [{"id": "v2.0", "version": ""}]}));
    });
    let list = mock_list_with_header(&server, "volume 3.67");
    let client = negotiating_client(&server, "3.67");
    assert_eq!(client.try_volume_microversion(), Ok("3.67".to_string()));
    let plain = no_error_line(|| client.volume_microversion());
    assert_eq!(plain, Some("3.67".to_string()));
    assert_eq!(no_error_line(|| client.try_list_volumes()), Ok(vec![]));
    list.assert_calls(1);
    assert_eq!(versions.calls(), 1, "a failure is remembered for a while");
}

#[test]
fn without_negotiation_no_version_document_is_fetched() {
    let server = common::server();
    let versions = mock_versions(&server, "3.60");
    let list = mock_list_with_header(&server, MICROVERSION);
    let client = client(&server);
    assert_eq!(client.try_list_volumes(), Ok(vec![]));
    assert_eq!(client.try_volume_microversion(), Ok("3.67".to_string()));
    list.assert_calls(1);
    versions.assert_calls(0);
}

// ----- Unsupported --------------------------------------------------------------------------

#[test]
fn create_from_backup_needs_3_47() {
    capture_logs();
    let server = common::server();
    let versions = mock_versions(&server, "3.40");
    let mut create = server.mock(|when, then| {
        when.method(POST).path(cinder("/volumes"));
        then.status(202)
            .json_body(volume_json("v1", "r", "creating"));
    });
    let client = negotiating_client(&server, "3.67");
    let options = CreateVolumeOptions::default().backup_id("b1");
    assert_unsupported(
        client.try_create_volume(10, "restored", &options),
        "Cinder",
        Some("create a volume from a backup"),
        "3.47",
        "3.40",
    );
    let (plain, line) = one_error_line(|| client.create_volume(10, "restored", &options));
    assert_eq!(plain, None);
    assert!(line.contains("create_volume(restored) failed"), "{line}");
    assert!(line.contains("3.47"), "{line}");
    create.assert_calls(0);
    versions.assert_calls(1);

    // Without a backup the same client creates at 3.40.
    let plain_create = server.mock(|when, then| {
        when.method(POST)
            .path(cinder("/volumes"))
            .header("OpenStack-API-Version", "volume 3.40")
            .json_body(json!({"volume": {"size": 10, "name": "fresh"}}));
        then.status(202)
            .json_body(volume_json("v2", "fresh", "creating"));
    });
    create.delete();
    let v = client
        .try_create_volume(10, "fresh", &CreateVolumeOptions::default())
        .unwrap();
    assert_eq!(v.id, "v2");
    plain_create.assert_calls(1);
}

#[test]
fn extend_in_use_at_3_41_is_unsupported_without_a_post() {
    capture_logs();
    let server = common::server();
    let get = server.mock(|when, then| {
        when.method(GET)
            .path(cinder("/volumes/v1"))
            .header("OpenStack-API-Version", "volume 3.41");
        then.status(200)
            .json_body(volume_json("v1", "busy", "in-use"));
    });
    let action = server.mock(|when, then| {
        when.method(POST).path(cinder("/volumes/v1/action"));
        then.status(202);
    });
    let versions = mock_versions(&server, "3.70");
    let client = client_at(&server, "3.41");
    assert_unsupported(
        client.try_extend_volume("v1", 20),
        "Cinder",
        Some("extend an in-use volume"),
        "3.42",
        "3.41",
    );
    plain_face_fails(
        || !client.extend_volume("v1", 20),
        &["extend_volume(v1, 20 GiB) failed"],
    );
    get.assert_calls(2);
    action.assert_calls(0);
    versions.assert_calls(0);
}

#[test]
fn extend_available_at_3_41_sends_the_post() {
    let server = common::server();
    let get = server.mock(|when, then| {
        when.method(GET)
            .path(cinder("/volumes/v1"))
            .header("OpenStack-API-Version", "volume 3.41");
        then.status(200)
            .json_body(volume_json("v1", "idle", "available"));
    });
    let action = server.mock(|when, then| {
        when.method(POST)
            .path(cinder("/volumes/v1/action"))
            .header("OpenStack-API-Version", "volume 3.41")
            .json_body(json!({"os-extend": {"new_size": 20}}));
        then.status(202);
    });
    let client = client_at(&server, "3.41");
    assert_eq!(client.try_extend_volume("v1", 20), Ok(()));
    get.assert_calls(1);
    action.assert_calls(1);
}

#[test]
fn extend_at_3_42_or_more_skips_the_status_check() {
    let server = common::server();
    let get = server.mock(|when, then| {
        when.method(GET).path(cinder("/volumes/v1"));
        then.status(200)
            .json_body(volume_json("v1", "busy", "in-use"));
    });
    let action = server.mock(|when, then| {
        when.method(POST)
            .path(cinder("/volumes/v1/action"))
            .header("OpenStack-API-Version", "volume 3.42")
            .json_body(json!({"os-extend": {"new_size": 30}}));
        then.status(202);
    });
    let client = client_at(&server, "3.42");
    assert_eq!(client.try_extend_volume("v1", 30), Ok(()));
    get.assert_calls(0);
    action.assert_calls(1);
}

#[test]
fn revert_at_3_39_is_unsupported() {
    capture_logs();
    let server = MockServer::start();
    let keystone = mock_keystone(&server);
    let action = server.mock(|when, then| {
        when.method(POST).path(cinder("/volumes/v1/action"));
        then.status(202);
    });
    let client = client_at(&server, "3.39");
    assert_unsupported(
        client.try_revert_volume_to_snapshot("v1", "s1"),
        "Cinder",
        Some("revert a volume to a snapshot"),
        "3.40",
        "3.39",
    );
    plain_face_fails(
        || !client.revert_volume_to_snapshot("v1", "s1"),
        &["revert_volume_to_snapshot(v1 to s1) failed"],
    );
    action.assert_calls(0);
    // A pinned microversion needs no network to be checked.
    keystone.assert_calls(0);

    // At exactly 3.40 the action is sent.
    let ok_server = common::server();
    let sent = ok_server.mock(|when, then| {
        when.method(POST)
            .path(cinder("/volumes/v1/action"))
            .header("OpenStack-API-Version", "volume 3.40")
            .json_body(json!({"revert": {"snapshot_id": "s1"}}));
        then.status(202);
    });
    let client = client_at(&ok_server, "3.40");
    assert_eq!(client.try_revert_volume_to_snapshot("v1", "s1"), Ok(()));
    sent.assert_calls(1);
}

#[test]
fn latest_lets_the_server_decide() {
    let server = common::server();
    let action = server.mock(|when, then| {
        when.method(POST)
            .path(cinder("/volumes/v1/action"))
            .header("OpenStack-API-Version", "volume latest")
            .json_body(json!({"revert": {"snapshot_id": "s1"}}));
        then.status(202);
    });
    let client = client_at(&server, "latest");
    assert_eq!(client.try_revert_volume_to_snapshot("v1", "s1"), Ok(()));
    action.assert_calls(1);
}

#[test]
fn negotiation_finds_the_v3_segment_not_the_first_v3_substring() {
    // An endpoint whose path has "/v3" earlier than the version segment (a gateway prefix):
    // the version document is the one at `.../volume/v3/`, not at `/v3/`.
    let server = common::server();
    let versions = server.mock(|when, then| {
        when.method(GET).path("/v3-gateway/volume/v3/");
        then.status(200).json_body(version_document("3.60"));
    });
    let wrong = server.mock(|when, then| {
        when.method(GET).path("/v3/");
        then.status(200).json_body(version_document("3.10"));
    });
    let list = server.mock(|when, then| {
        when.method(GET)
            .path(format!("/v3-gateway{CINDER}/volumes/detail"))
            .header("OpenStack-API-Version", "volume 3.60");
        then.status(200).json_body(json!({"volumes": []}));
    });
    let mut config = config(&server);
    config.negotiate_microversion = true;
    config.block_storage_endpoint = Some(server.url(format!("/v3-gateway{CINDER}")));
    let client = InfomaniakVolumeClient::new(config).unwrap();
    assert_eq!(client.try_volume_microversion(), Ok("3.60".to_string()));
    assert_eq!(client.try_list_volumes(), Ok(vec![]));
    versions.assert_calls(1);
    wrong.assert_calls(0);
    list.assert_calls(1);
}
