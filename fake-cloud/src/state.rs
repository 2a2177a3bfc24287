//! The simulated cloud's resources and their lazily applied status transitions.

use std::collections::HashMap;
use std::time::Instant;

use serde_json::{Map, Value};

use crate::util::{Rng, now_cinder};

/// An issued Keystone token.
#[derive(Debug, Clone)]
pub(crate) struct Token {
    pub(crate) expires: Instant,
    pub(crate) expires_at: String,
    pub(crate) issued_at: String,
    pub(crate) methods: Vec<String>,
    pub(crate) project_scoped: bool,
    pub(crate) app_cred: bool,
    pub(crate) revoked: bool,
}

/// What happens to a volume when its pending transition completes.
#[derive(Debug, Clone)]
pub(crate) enum VolumeNext {
    /// Switch to this status.
    Status(String),
    /// Switch to this status with a new size (extend).
    Resize(String, u64),
    /// Attachment completes: `in-use`, attachment marked attached.
    Attached,
    /// Detach completes: `available`, attachments removed.
    Detached,
    /// The volume disappears (delete).
    Remove,
}

/// What happens to a snapshot/backup when its transition completes.
#[derive(Debug, Clone)]
pub(crate) enum SimpleNext {
    Status(String),
    Remove,
}

/// A volume attachment (one per server).
#[derive(Debug, Clone)]
pub(crate) struct Attachment {
    pub(crate) attachment_id: String,
    pub(crate) bdm_uuid: String,
    pub(crate) server_id: String,
    pub(crate) device: String,
    pub(crate) attached_at: String,
    /// False while the volume is still `attaching`.
    pub(crate) attached: bool,
    pub(crate) tag: Option<String>,
    pub(crate) delete_on_termination: bool,
}

/// A Cinder volume.
#[derive(Debug, Clone)]
pub(crate) struct Volume {
    pub(crate) seq: u64,
    pub(crate) id: String,
    pub(crate) name: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) size: u64,
    pub(crate) status: String,
    pub(crate) pending: Option<(Instant, VolumeNext)>,
    pub(crate) volume_type: String,
    pub(crate) availability_zone: String,
    pub(crate) bootable: bool,
    pub(crate) readonly: bool,
    pub(crate) multiattach: bool,
    pub(crate) snapshot_id: Option<String>,
    pub(crate) source_volid: Option<String>,
    pub(crate) metadata: Map<String, Value>,
    pub(crate) attachments: Vec<Attachment>,
    pub(crate) created_at: String,
    pub(crate) updated_at: Option<String>,
}

/// A Cinder snapshot.
#[derive(Debug, Clone)]
pub(crate) struct Snapshot {
    pub(crate) seq: u64,
    pub(crate) id: String,
    pub(crate) name: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) size: u64,
    pub(crate) status: String,
    pub(crate) pending: Option<(Instant, SimpleNext)>,
    pub(crate) volume_id: String,
    pub(crate) metadata: Map<String, Value>,
    pub(crate) created_at: String,
    pub(crate) updated_at: Option<String>,
}

/// A Cinder backup.
#[derive(Debug, Clone)]
pub(crate) struct Backup {
    pub(crate) seq: u64,
    pub(crate) id: String,
    pub(crate) name: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) size: u64,
    pub(crate) status: String,
    pub(crate) pending: Option<(Instant, SimpleNext)>,
    pub(crate) volume_id: String,
    pub(crate) snapshot_id: Option<String>,
    pub(crate) container: Option<String>,
    pub(crate) parent_id: Option<String>,
    pub(crate) metadata: Map<String, Value>,
    pub(crate) object_count: u64,
    pub(crate) created_at: String,
    pub(crate) updated_at: Option<String>,
    pub(crate) data_timestamp: String,
}

/// A Nova server (only what attachments need).
#[derive(Debug, Clone)]
pub(crate) struct Server {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) created: String,
}

/// Everything the cloud knows.
#[derive(Debug)]
pub(crate) struct State {
    pub(crate) tokens: HashMap<String, Token>,
    pub(crate) volumes: Vec<Volume>,
    pub(crate) snapshots: Vec<Snapshot>,
    pub(crate) backups: Vec<Backup>,
    pub(crate) servers: Vec<Server>,
    pub(crate) quota_volumes: Option<u64>,
    pub(crate) quota_gigabytes: Option<u64>,
    seq: u64,
    instance_tag: u32,
    pub(crate) token_counter: u64,
}

impl State {
    pub(crate) fn new(rng: &Rng) -> State {
        let mut st = State {
            tokens: HashMap::new(),
            volumes: Vec::new(),
            snapshots: Vec::new(),
            backups: Vec::new(),
            servers: Vec::new(),
            quota_volumes: None,
            quota_gigabytes: None,
            seq: 0,
            instance_tag: (rng.next_u64() >> 32) as u32,
            token_counter: 0,
        };
        st.add_server("fake-server");
        st
    }

    /// A fresh UUID-like id; `kind` ends up in the second group.
    pub(crate) fn new_id(&mut self, kind: u16) -> (u64, String) {
        self.seq += 1;
        (
            self.seq,
            format!(
                "{:08x}-{:04x}-4000-8000-{:012x}",
                self.instance_tag, kind, self.seq
            ),
        )
    }

    pub(crate) fn add_server(&mut self, name: &str) -> String {
        let (_, id) = self.new_id(4);
        self.servers.push(Server {
            id: id.clone(),
            name: name.to_string(),
            created: now_cinder(),
        });
        id
    }

    pub(crate) fn expire_all_tokens(&mut self) {
        for t in self.tokens.values_mut() {
            t.revoked = true;
        }
    }

    pub(crate) fn volume(&self, id: &str) -> Option<&Volume> {
        self.volumes.iter().find(|v| v.id == id)
    }

    pub(crate) fn volume_mut(&mut self, id: &str) -> Option<&mut Volume> {
        self.volumes.iter_mut().find(|v| v.id == id)
    }

    pub(crate) fn snapshot(&self, id: &str) -> Option<&Snapshot> {
        self.snapshots.iter().find(|s| s.id == id)
    }

    pub(crate) fn backup(&self, id: &str) -> Option<&Backup> {
        self.backups.iter().find(|b| b.id == id)
    }

    /// Volumes count and gigabytes in use.
    pub(crate) fn usage(&self) -> (u64, u64) {
        (
            self.volumes.len() as u64,
            self.volumes
                .iter()
                .fold(0u64, |acc, v| acc.saturating_add(v.size)),
        )
    }

    /// Gigabytes held by backups.
    pub(crate) fn backup_gigabytes(&self) -> u64 {
        self.backups
            .iter()
            .fold(0u64, |acc, b| acc.saturating_add(b.size))
    }

    /// Checks quota for `new_volumes` more volumes and `new_gb` more gigabytes.
    pub(crate) fn check_quota(&self, new_volumes: u64, new_gb: u64) -> Result<(), String> {
        let (count, gb) = self.usage();
        if let Some(q) = self.quota_volumes {
            if new_volumes > 0 && count.saturating_add(new_volumes) > q {
                return Err(format!(
                    "VolumeLimitExceeded: Maximum number of volumes allowed ({q}) exceeded for quota 'volumes'."
                ));
            }
        }
        if let Some(q) = self.quota_gigabytes {
            if new_gb > 0 && gb.saturating_add(new_gb) > q {
                return Err(format!(
                    "VolumeSizeExceedsAvailableQuota: Requested volume or snapshot exceeds allowed gigabytes quota. Requested {new_gb}G, quota is {q}G and {gb}G has been consumed."
                ));
            }
        }
        Ok(())
    }

    /// Applies every transition due at `now`.
    pub(crate) fn tick(&mut self, now: Instant) {
        let mut removed_volumes = false;
        for v in &mut self.volumes {
            let due = matches!(&v.pending, Some((t, _)) if *t <= now);
            if !due {
                continue;
            }
            let Some((_, next)) = v.pending.take() else {
                continue;
            };
            v.updated_at = Some(now_cinder());
            match next {
                VolumeNext::Status(s) => v.status = s,
                VolumeNext::Resize(s, size) => {
                    v.status = s;
                    v.size = size;
                }
                VolumeNext::Attached => {
                    v.status = "in-use".into();
                    for a in &mut v.attachments {
                        a.attached = true;
                    }
                }
                VolumeNext::Detached => {
                    v.attachments.clear();
                    v.status = "available".into();
                }
                VolumeNext::Remove => {
                    v.status = "deleted".into();
                    removed_volumes = true;
                }
            }
        }
        if removed_volumes {
            self.volumes.retain(|v| v.status != "deleted");
        }
        let mut removed = false;
        for s in &mut self.snapshots {
            if matches!(&s.pending, Some((t, _)) if *t <= now) {
                if let Some((_, next)) = s.pending.take() {
                    s.updated_at = Some(now_cinder());
                    match next {
                        SimpleNext::Status(st) => s.status = st,
                        SimpleNext::Remove => {
                            s.status = "deleted".into();
                            removed = true;
                        }
                    }
                }
            }
        }
        if removed {
            self.snapshots.retain(|s| s.status != "deleted");
        }
        let mut removed = false;
        for b in &mut self.backups {
            if matches!(&b.pending, Some((t, _)) if *t <= now) {
                if let Some((_, next)) = b.pending.take() {
                    b.updated_at = Some(now_cinder());
                    match next {
                        SimpleNext::Status(st) => {
                            if st == "available" && b.object_count == 0 {
                                b.object_count = b.size.max(1);
                            }
                            b.status = st;
                        }
                        SimpleNext::Remove => {
                            b.status = "deleted".into();
                            removed = true;
                        }
                    }
                }
            }
        }
        if removed {
            self.backups.retain(|b| b.status != "deleted");
        }
    }
}
