//! Microversion ranges for negotiation tests, and 429/Retry-After faults.

mod common;

use std::time::Duration;

use common::*;
use infomaniak_fake_cloud::{FakeCloud, Fault};

fn version_doc(cloud: &FakeCloud, path: &str) -> (u16, serde_json::Value) {
    let r = send("GET", &format!("{}{path}", cloud.base_url()), &[], None);
    (r.status, r.json())
}

#[test]
fn default_ranges() {
    let cloud = instant_cloud();
    let c = Client::new(&cloud);
    let r = c.at("3.99").call("GET", "/volumes", None);
    assert_eq!(r.status, 406);
    assert_eq!(
        r.json(),
        serde_json::json!({"computeFault": {"code": 406,
            "message": "Version 3.99 is not supported by the API. Minimum is 3.0 and maximum is 3.71."}})
    );
    let r = c.at("latest").call("GET", "/volumes", None);
    assert_eq!(r.header("openstack-api-version"), Some("volume 3.71"));
    let (s, v) = version_doc(&cloud, "/volume/");
    assert_eq!(
        (s, v["versions"][0]["version"].as_str()),
        (300, Some("3.71"))
    );
    let (_, v) = version_doc(&cloud, "/compute/");
    assert_eq!(v["versions"][0]["version"], "2.101");
    let r = c.nova("GET", "/servers", None, Some("compute 2.102"));
    assert_eq!(r.status, 406);
    assert_eq!(
        r.json()["computeFault"]["message"],
        "Version 2.102 is not supported by the API. Minimum is 2.1 and maximum is 2.101."
    );
}

#[test]
fn configured_ranges() {
    for (max, above) in [("3.0", "3.1"), ("3.60", "3.61"), ("3.71", "3.72")] {
        let cloud = FakeCloud::builder()
            .transition_delay(Duration::ZERO)
            .volume_microversion_range("3.0", max)
            .compute_microversion_range("2.1", "2.88")
            .start();
        let c = Client::new(&cloud);
        let r = c.at(above).call("GET", "/volumes", None);
        assert_eq!(r.status, 406);
        assert_eq!(
            r.json()["computeFault"]["message"],
            format!(
                "Version {above} is not supported by the API. Minimum is 3.0 and maximum is {max}."
            )
        );
        assert_eq!(r.json()["computeFault"]["code"], 406);
        let r = c.at("latest").call("GET", "/volumes", None);
        assert_eq!(r.status, 200);
        assert_eq!(
            r.header("openstack-api-version").unwrap(),
            format!("volume {max}")
        );
        assert_eq!(c.at(max).call("GET", "/volumes", None).status, 200);
        for path in ["/volume/", "/volume/v3/"] {
            let (_, v) = version_doc(&cloud, path);
            assert_eq!(v["versions"][0]["version"], max, "{path}");
            assert_eq!(v["versions"][0]["min_version"], "3.0", "{path}");
        }
        let r = c.nova("GET", "/servers", None, Some("compute 2.89"));
        assert_eq!(r.status, 406);
        assert_eq!(
            r.json()["computeFault"]["message"],
            "Version 2.89 is not supported by the API. Minimum is 2.1 and maximum is 2.88."
        );
        let (_, v) = version_doc(&cloud, "/compute/v2.1");
        assert_eq!(v["version"]["version"], "2.88");
    }
    // A raised minimum rejects older requests too.
    let cloud = FakeCloud::builder()
        .volume_microversion_range("3.40", "3.50")
        .start();
    let c = Client::new(&cloud);
    let r = c.at("3.39").call("GET", "/volumes", None);
    assert_eq!(
        r.json()["computeFault"]["message"],
        "Version 3.39 is not supported by the API. Minimum is 3.40 and maximum is 3.50."
    );
    // No header: the minimum.
    let r = send(
        "GET",
        &format!("{}/volumes", cloud.block_storage_url()),
        &[("X-Auth-Token", &c.token)],
        None,
    );
    assert_eq!(r.header("openstack-api-version"), Some("volume 3.40"));
}

#[test]
#[should_panic(expected = "not of the form 3.N")]
fn bad_range_panics() {
    let _ = FakeCloud::builder().volume_microversion_range("2.1", "3.5");
}

#[test]
fn too_many_requests_faults() {
    let cloud = instant_cloud();
    let c = Client::new(&cloud);
    cloud.inject_fault("GET", "/volume/", 1, Fault::Status(429));
    let r = c.call("GET", "/volumes", None);
    assert_eq!(r.status, 429);
    assert_eq!(r.header("retry-after"), Some("0"));
    let v = r.json();
    assert_eq!(v["overLimit"]["code"], 429);
    assert_eq!(v["overLimit"]["retryAfter"], "0");
    assert!(v["overLimit"]["message"].is_string());

    cloud.inject_fault("GET", "/volume/", 1, Fault::StatusWithRetryAfter(429, 7));
    let r = c.call("GET", "/volumes", None);
    assert_eq!(r.status, 429);
    assert_eq!(r.header("retry-after"), Some("7"));
    assert_eq!(r.json()["overLimit"]["retryAfter"], "7");

    cloud.inject_fault("*", "/compute/", 1, Fault::StatusWithRetryAfter(503, 3));
    let r = c.nova("GET", "/servers", None, None);
    assert_eq!(r.status, 503);
    assert_eq!(r.header("retry-after"), Some("3"));
    assert_eq!(r.json()["serviceUnavailable"]["code"], 503);

    cloud.inject_fault("POST", "/identity/", 1, Fault::StatusWithRetryAfter(429, 2));
    let r = send(
        "POST",
        &format!("{}/auth/tokens", cloud.auth_url()),
        &[],
        Some("{}"),
    );
    assert_eq!(r.status, 429);
    assert_eq!(r.header("retry-after"), Some("2"));
    assert_eq!(r.json()["error"]["code"], 429);
    // Plain 503 has no Retry-After.
    cloud.inject_fault("GET", "/volume/", 1, Fault::Status(503));
    assert_eq!(c.call("GET", "/volumes", None).header("retry-after"), None);
}
