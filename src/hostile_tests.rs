//! Property tests: every decoder of server replies and every parser of user input meets
//! arbitrary bytes and arbitrary JSON without panicking, and validation holds its promises.

use proptest::prelude::*;
use serde_json::{Map, Value};

use crate::transport::decode_fault;
use crate::transport::identity;
use crate::{pagination, validate};

/// Arbitrary JSON, nested a few levels, biased towards the keys OpenStack replies use.
fn json() -> impl Strategy<Value = Value> {
    let key = prop_oneof![
        Just("volume".to_string()),
        Just("volumes".to_string()),
        Just("volumes_links".to_string()),
        Just("backup_links".to_string()),
        Just("token".to_string()),
        Just("catalog".to_string()),
        Just("endpoints".to_string()),
        Just("expires_at".to_string()),
        Just("size".to_string()),
        Just("bootable".to_string()),
        Just("attachments".to_string()),
        Just("metadata".to_string()),
        Just("message".to_string()),
        Just("href".to_string()),
        Just("rel".to_string()),
        Just("versions".to_string()),
        Just("version".to_string()),
        "[a-z_]{0,12}",
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        ".{0,24}".prop_map(Value::String),
        Just(Value::String("2026-11-29T12:00:00.000000Z".into())),
        Just(Value::String("next".into())),
    ];
    leaf.prop_recursive(4, 64, 8, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key.clone(), inner), 0..6)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

fn decode_everything(bytes: &[u8]) {
    let _ = serde_json::from_slice::<crate::Volume>(bytes);
    let _ = serde_json::from_slice::<crate::Snapshot>(bytes);
    let _ = serde_json::from_slice::<crate::Backup>(bytes);
    let _ = serde_json::from_slice::<crate::BackupRestore>(bytes);
    let _ = serde_json::from_slice::<crate::ServerAttachment>(bytes);
    let _ = serde_json::from_slice::<crate::VolumeType>(bytes);
    let _ = serde_json::from_slice::<crate::AbsoluteLimits>(bytes);
    let _ = serde_json::from_slice::<crate::volumes::wire::VolumePage>(bytes);
    let _ = serde_json::from_slice::<crate::backups::wire::BackupPage>(bytes);
    let _ = serde_json::from_slice::<crate::snapshots::wire::SnapshotPage>(bytes);
    let _ = serde_json::from_slice::<crate::attachments::wire::AttachmentList>(bytes);
    let _ = serde_json::from_slice::<crate::project::QuotaReply>(bytes)
        .map(|q| crate::project::decode_quota_set(q.quota_set));
    let _ = decode_fault(bytes);
    let _ = crate::microversion::parse_version_document(bytes);
    if let Ok(info) = identity::parse_token_reply(bytes, Some("req-x")) {
        let _ = info.endpoint(
            crate::transport::Service::BlockStorage.catalog_types(),
            "dc3-a",
            crate::Interface::Public,
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn decoders_survive_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        decode_everything(&bytes);
    }

    #[test]
    fn decoders_survive_arbitrary_json(value in json()) {
        let bytes = serde_json::to_vec(&value).unwrap();
        decode_everything(&bytes);
        // Wrapped the way replies wrap them, so the inner decoders are reached too.
        for key in ["volume", "snapshot", "backup", "token", "itemNotFound", "error"] {
            let wrapped = serde_json::to_vec(&serde_json::json!({ key: value.clone() })).unwrap();
            decode_everything(&wrapped);
        }
    }

    #[test]
    fn text_parsers_survive_arbitrary_strings(text in ".{0,64}") {
        let _ = identity::parse_iso8601(&text);
        let _ = identity::parse_http_date(&text);
        let _ = crate::Microversion::parse(&text);
        let _ = crate::Interface::parse(&text);
        let links = [pagination::Link { href: text.clone(), rel: "next".into() }];
        let _ = pagination::next_query(&links);
        let _ = crate::microversion::parse_not_acceptable(&text);
        let _ = crate::listing::encode(&text);
    }

    #[test]
    fn time_parsers_survive_number_soup(text in "[0-9]{0,20}[-+:TZ. ,]{0,3}[0-9]{0,20}[-+:TZ.]{0,3}[0-9]{0,20}[-+:Z]{0,2}[0-9]{0,20}") {
        let _ = identity::parse_iso8601(&text);
        let _ = identity::parse_http_date(&format!("Sun, 06 Nov {text} GMT"));
        let _ = identity::parse_http_date(&format!("Sun, {text} Nov 1994 08:49:37 GMT"));
    }

    #[test]
    fn accepted_ids_are_single_safe_path_segments(id in "\\PC{0,40}") {
        if validate::id("volume_id", &id).is_ok() {
            prop_assert!(!id.is_empty() && id != "." && id != "..");
            prop_assert!(id.bytes().all(|b| b.is_ascii_graphic()));
            for bad in ['/', '\\', '?', '#', '%'] {
                prop_assert!(!id.contains(bad));
            }
        }
    }

    #[test]
    fn sizes_never_overflow(size in any::<u64>()) {
        let ok = validate::size("size", size).is_ok();
        prop_assert_eq!(ok, (1..=i32::MAX as u64).contains(&size));
        if ok {
            let body = crate::volumes::wire::extend_body(size);
            prop_assert_eq!(body["os-extend"]["new_size"].as_u64(), Some(size));
        }
    }

    #[test]
    fn encoded_query_values_are_plain_ascii(text in ".{0,32}") {
        let encoded = crate::listing::encode(&text);
        prop_assert!(encoded.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.~%".contains(&b)));
    }
}
