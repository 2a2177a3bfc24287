//! Project-wide Cinder information: volume types, availability zones, quotas and limits, with
//! their wire shapes and operations (`ops`).

mod ops;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::de;

/// A volume type, e.g. Infomaniak's `CEPH_1_perf1`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct VolumeType {
    /// The type's id.
    #[serde(default, deserialize_with = "de::null_default")]
    pub id: String,
    /// Its name, as passed in `CreateVolumeOptions::volume_type`.
    #[serde(default, deserialize_with = "de::null_default")]
    pub name: String,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// Whether every project may use it.
    #[serde(default, deserialize_with = "de::flexible_bool")]
    pub is_public: bool,
    /// Backend hints (visible to admins).
    #[serde(default, deserialize_with = "de::metadata")]
    pub extra_specs: BTreeMap<String, String>,
    /// Every field of the reply that this type does not name, as sent.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, Value>,
}

/// An availability zone.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AvailabilityZone {
    /// The zone's name, e.g. `nova`.
    #[serde(rename = "zoneName", default, deserialize_with = "de::null_default")]
    pub name: String,
    /// Whether it accepts volumes.
    #[serde(rename = "zoneState", default, deserialize_with = "zone_available")]
    pub available: bool,
    /// Every field of the reply that this type does not name, as sent.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, Value>,
}

fn zone_available<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    let value = Value::deserialize(deserializer)?;
    Ok(value
        .get("available")
        .and_then(Value::as_bool)
        .unwrap_or(false))
}

/// The project's absolute limits and usage (`GET /limits`): what is allowed and what is used.
///
/// Fields are `None` when the cloud does not report them; a maximum of `-1` means unlimited.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AbsoluteLimits {
    /// Most volumes.
    #[serde(default)]
    pub max_total_volumes: Option<i64>,
    /// Volumes in use.
    #[serde(default)]
    pub total_volumes_used: Option<i64>,
    /// Most GiB of volumes and snapshots.
    #[serde(default)]
    pub max_total_volume_gigabytes: Option<i64>,
    /// GiB in use.
    #[serde(default)]
    pub total_gigabytes_used: Option<i64>,
    /// Most snapshots.
    #[serde(default)]
    pub max_total_snapshots: Option<i64>,
    /// Snapshots in use.
    #[serde(default)]
    pub total_snapshots_used: Option<i64>,
    /// Most backups.
    #[serde(default)]
    pub max_total_backups: Option<i64>,
    /// Backups in use.
    #[serde(default)]
    pub total_backups_used: Option<i64>,
    /// Most GiB of backups.
    #[serde(default)]
    pub max_total_backup_gigabytes: Option<i64>,
    /// Backup GiB in use.
    #[serde(default)]
    pub total_backup_gigabytes_used: Option<i64>,
    /// Every field of the reply that this type does not name, as sent.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, Value>,
}

fn left(max: Option<i64>, used: Option<i64>) -> Option<i64> {
    match max? {
        max if max < 0 => None,
        max => Some((max - used.unwrap_or(0)).max(0)),
    }
}

impl AbsoluteLimits {
    /// How many more volumes may be created; `None` when unlimited or unknown.
    pub fn volumes_left(&self) -> Option<i64> {
        left(self.max_total_volumes, self.total_volumes_used)
    }

    /// How many more GiB may be allocated; `None` when unlimited or unknown.
    pub fn gigabytes_left(&self) -> Option<i64> {
        left(self.max_total_volume_gigabytes, self.total_gigabytes_used)
    }

    /// How many more snapshots may be created; `None` when unlimited or unknown.
    pub fn snapshots_left(&self) -> Option<i64> {
        left(self.max_total_snapshots, self.total_snapshots_used)
    }

    /// How many more backups may be created; `None` when unlimited or unknown.
    pub fn backups_left(&self) -> Option<i64> {
        left(self.max_total_backups, self.total_backups_used)
    }
}

/// One quota with its usage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct QuotaUsage {
    /// The limit (`-1` = unlimited).
    #[serde(default, deserialize_with = "de::null_default")]
    pub limit: i64,
    /// How much is used.
    #[serde(default, deserialize_with = "de::null_default")]
    pub in_use: i64,
    /// How much is reserved by operations in progress.
    #[serde(default, deserialize_with = "de::null_default")]
    pub reserved: i64,
}

/// The project's quotas with usage (`GET /os-quota-sets/{project}?usage=true`), keyed by
/// resource: `volumes`, `gigabytes`, `snapshots`, `backups`, `backup_gigabytes`,
/// `per_volume_gigabytes`, and per-type keys such as `gigabytes_CEPH_1_perf1`.
pub type QuotaSet = BTreeMap<String, QuotaUsage>;

/// Keeps the entries of a quota-set reply that are quota objects (drops `id`).
pub(crate) fn decode_quota_set(raw: BTreeMap<String, Value>) -> QuotaSet {
    raw.into_iter()
        .filter_map(|(key, value)| {
            if value.is_object() {
                serde_json::from_value::<QuotaUsage>(value)
                    .ok()
                    .map(|usage| (key, usage))
            } else {
                None
            }
        })
        .collect()
}

#[derive(Deserialize)]
pub(crate) struct TypeList {
    #[serde(default, deserialize_with = "de::null_default")]
    pub volume_types: Vec<VolumeType>,
}

#[derive(Deserialize)]
pub(crate) struct ZoneList {
    #[serde(
        rename = "availabilityZoneInfo",
        default,
        deserialize_with = "de::null_default"
    )]
    pub zones: Vec<AvailabilityZone>,
}

#[derive(Deserialize)]
pub(crate) struct LimitsReply {
    pub limits: LimitsBody,
}

#[derive(Deserialize)]
pub(crate) struct LimitsBody {
    #[serde(default, deserialize_with = "de::null_default")]
    pub absolute: AbsoluteLimits,
}

#[derive(Deserialize)]
pub(crate) struct QuotaReply {
    pub quota_set: BTreeMap<String, Value>,
}
