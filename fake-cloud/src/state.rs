//! The simulated cloud's resources and their lazily applied status transitions.

use std::collections::HashMap;
use std::time::{Duration, Instant, SystemTime};

use serde_json::{Map, Value};

use crate::util::{Rng, cinder_time, now_cinder};
use crate::{FakeCloud, Operation};

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
    /// The project the token is scoped to.
    pub(crate) project_id: String,
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
    /// Detach from this server completes: its attachment is removed; the
    /// volume is `in-use` if others remain, else `available`.
    Detached(String),
    /// The volume disappears (delete).
    Remove,
    /// Switch to this status now, then continue with the next step after
    /// the duration (multi-step transitions such as reserved → attaching).
    Step(String, Duration, Box<VolumeNext>),
    /// The compute host could not connect the volume to `server_id`.
    AttachFailed(AttachFailure),
    /// The operation failed: switch to this (error) status and post the
    /// user message, if any.
    Fail(String, Option<NewMessage>),
}

/// A failed attachment, see [`VolumeNext::AttachFailed`].
#[derive(Debug, Clone)]
pub(crate) struct AttachFailure {
    pub(crate) server_id: String,
    /// Request id of the attach call (the instance action's key).
    pub(crate) request_id: String,
    pub(crate) reason: String,
    /// End in `error_attaching` (with a user message) instead of rolling
    /// back to the previous status.
    pub(crate) error_state: bool,
}

/// What happens to a snapshot/backup when its transition completes.
#[derive(Debug, Clone)]
pub(crate) enum SimpleNext {
    Status(String),
    Remove,
    /// Switch to this (error) status with a `fail_reason` and a user message.
    Fail(String, String, NewMessage),
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
    pub(crate) project_id: String,
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

impl Volume {
    /// A new volume of `project` with default attributes (type
    /// `CEPH_1_perf1`, zone `nova`, no metadata, not bootable).
    pub(crate) fn new(
        (seq, id): (u64, String),
        project_id: &str,
        size: u64,
        status: &str,
        pending: Option<(Instant, VolumeNext)>,
    ) -> Volume {
        Volume {
            seq,
            id,
            project_id: project_id.to_string(),
            name: None,
            description: None,
            size,
            status: status.to_string(),
            pending,
            volume_type: "CEPH_1_perf1".into(),
            availability_zone: "nova".into(),
            bootable: false,
            readonly: false,
            multiattach: false,
            snapshot_id: None,
            source_volid: None,
            metadata: Map::new(),
            attachments: Vec::new(),
            created_at: now_cinder(),
            updated_at: None,
        }
    }
}

/// A Cinder snapshot.
#[derive(Debug, Clone)]
pub(crate) struct Snapshot {
    pub(crate) seq: u64,
    pub(crate) id: String,
    pub(crate) project_id: String,
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
    pub(crate) project_id: String,
    pub(crate) availability_zone: Option<String>,
    pub(crate) fail_reason: Option<String>,
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
    pub(crate) project_id: String,
    /// `os-instance-actions`, oldest first.
    pub(crate) actions: Vec<InstanceAction>,
}

/// One Nova instance action (`attach_volume`, `detach_volume`).
#[derive(Debug, Clone)]
pub(crate) struct InstanceAction {
    pub(crate) action: &'static str,
    pub(crate) request_id: String,
    pub(crate) start_time: String,
    pub(crate) updated_at: String,
    /// `None` while fine, `"Error"` once an event failed.
    pub(crate) message: Option<String>,
    pub(crate) events: Vec<ActionEvent>,
}

/// An event of an [`InstanceAction`] (`compute_attach_volume`, …).
#[derive(Debug, Clone)]
pub(crate) struct ActionEvent {
    pub(crate) event: &'static str,
    pub(crate) start_time: String,
    pub(crate) finish_time: Option<String>,
    /// `"Success"`, `"Error"`, or `None` while running.
    pub(crate) result: Option<String>,
    /// The failure, shown as `details` from compute 2.84.
    pub(crate) details: Option<String>,
}

/// A Cinder user message about to be posted (see [`Message`]).
#[derive(Debug, Clone)]
pub(crate) struct NewMessage {
    pub(crate) project_id: String,
    pub(crate) request_id: String,
    /// `VOLUME`, `VOLUME_SNAPSHOT`, `VOLUME_BACKUP`.
    pub(crate) resource_type: &'static str,
    pub(crate) resource_uuid: String,
    pub(crate) event_id: String,
    pub(crate) user_message: String,
}

/// A Cinder user message (`/messages`, 3.3).
#[derive(Debug, Clone)]
pub(crate) struct Message {
    pub(crate) seq: u64,
    pub(crate) id: String,
    pub(crate) body: NewMessage,
    pub(crate) created_at: String,
    pub(crate) guaranteed_until: String,
}

/// A pending volume transfer.
#[derive(Debug, Clone)]
pub(crate) struct Transfer {
    pub(crate) seq: u64,
    pub(crate) id: String,
    pub(crate) project_id: String,
    pub(crate) name: Option<String>,
    pub(crate) volume_id: String,
    pub(crate) auth_key: String,
    pub(crate) no_snapshots: bool,
    pub(crate) created_at: String,
}

/// Everything the cloud knows.
#[derive(Debug)]
pub(crate) struct State {
    pub(crate) tokens: HashMap<String, Token>,
    pub(crate) volumes: Vec<Volume>,
    pub(crate) snapshots: Vec<Snapshot>,
    pub(crate) backups: Vec<Backup>,
    pub(crate) servers: Vec<Server>,
    pub(crate) messages: Vec<Message>,
    pub(crate) transfers: Vec<Transfer>,
    pub(crate) quota_volumes: Option<u64>,
    pub(crate) quota_gigabytes: Option<u64>,
    /// Injected failures for the next operation of a kind: (operation, reason).
    pub(crate) failures: Vec<(Operation, String)>,
    /// Injected failures for the next attach of a volume: (volume id, reason,
    /// end in `error_attaching`).
    pub(crate) attach_failures: Vec<(String, String, bool)>,
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
            messages: Vec::new(),
            transfers: Vec::new(),
            quota_volumes: None,
            quota_gigabytes: None,
            failures: Vec::new(),
            attach_failures: Vec::new(),
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
            project_id: FakeCloud::PROJECT_ID.to_string(),
            actions: Vec::new(),
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

    pub(crate) fn snapshot_mut(&mut self, id: &str) -> Option<&mut Snapshot> {
        self.snapshots.iter_mut().find(|s| s.id == id)
    }

    pub(crate) fn backup(&self, id: &str) -> Option<&Backup> {
        self.backups.iter().find(|b| b.id == id)
    }

    pub(crate) fn backup_mut(&mut self, id: &str) -> Option<&mut Backup> {
        self.backups.iter_mut().find(|b| b.id == id)
    }

    pub(crate) fn server_mut(&mut self, id: &str) -> Option<&mut Server> {
        self.servers.iter_mut().find(|s| s.id == id)
    }

    /// Takes the injected failure for the next `op`, if any.
    pub(crate) fn take_failure(&mut self, op: Operation) -> Option<String> {
        let i = self.failures.iter().position(|(o, _)| *o == op)?;
        Some(self.failures.remove(i).1)
    }

    /// Takes the injected failure for the next attach of `volume_id`:
    /// (reason, end in `error_attaching`).
    pub(crate) fn take_attach_failure(&mut self, volume_id: &str) -> Option<(String, bool)> {
        let i = self
            .attach_failures
            .iter()
            .position(|(v, _, _)| v == volume_id)?;
        let (_, reason, error_state) = self.attach_failures.remove(i);
        Some((reason, error_state))
    }

    /// Posts a user message now.
    pub(crate) fn post_message(&mut self, body: NewMessage) {
        let (seq, id) = self.new_id(6);
        let now = SystemTime::now();
        // Cinder's message_ttl default: 30 days.
        let until = now + Duration::from_secs(30 * 86_400);
        self.messages.push(Message {
            seq,
            id,
            body,
            created_at: cinder_time(now),
            guaranteed_until: cinder_time(until),
        });
    }

    /// Volumes count and gigabytes in use by `project`.
    pub(crate) fn usage(&self, project: &str) -> (u64, u64) {
        let mine = self.volumes.iter().filter(|v| v.project_id == project);
        (
            mine.clone().count() as u64,
            mine.fold(0u64, |acc, v| acc.saturating_add(v.size)),
        )
    }

    /// Gigabytes held by the backups of `project`.
    pub(crate) fn backup_gigabytes(&self, project: &str) -> u64 {
        self.backups
            .iter()
            .filter(|b| b.project_id == project)
            .fold(0u64, |acc, b| acc.saturating_add(b.size))
    }

    /// Checks `project`'s quota for `new_volumes` more volumes and `new_gb`
    /// more gigabytes (the quotas apply to each project alike).
    pub(crate) fn check_quota(
        &self,
        project: &str,
        new_volumes: u64,
        new_gb: u64,
    ) -> Result<(), String> {
        let (count, gb) = self.usage(project);
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
        let mut messages = Vec::new();
        let mut failed_attaches = Vec::new();
        for v in &mut self.volumes {
            while let Some((due, _)) = &v.pending {
                let due = *due;
                if due > now {
                    break;
                }
                let Some((_, next)) = v.pending.take() else {
                    break;
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
                    VolumeNext::Detached(server) => {
                        v.attachments.retain(|a| a.server_id != server);
                        v.status = after_detach(v);
                    }
                    VolumeNext::Remove => {
                        v.status = "deleted".into();
                        removed_volumes = true;
                    }
                    VolumeNext::Step(status, after, next) => {
                        v.status = status;
                        v.pending = Some((due.checked_add(after).unwrap_or(due), *next));
                    }
                    VolumeNext::AttachFailed(f) => {
                        v.attachments
                            .retain(|a| a.server_id != f.server_id || a.attached);
                        if f.error_state {
                            v.status = "error_attaching".into();
                            messages.push(NewMessage {
                                project_id: v.project_id.clone(),
                                request_id: f.request_id.clone(),
                                resource_type: "VOLUME",
                                resource_uuid: v.id.clone(),
                                event_id: crate::Operation::attach_event_id(&f.reason),
                                user_message: format!("attach volume: {}", f.reason),
                            });
                        } else {
                            v.status = after_detach(v);
                        }
                        failed_attaches.push(f);
                    }
                    VolumeNext::Fail(status, message) => {
                        v.status = status;
                        messages.extend(message);
                    }
                }
            }
        }
        if removed_volumes {
            self.volumes.retain(|v| v.status != "deleted");
        }
        for s in &mut self.snapshots {
            apply_simple(
                &mut s.pending,
                &mut s.status,
                &mut s.updated_at,
                now,
                &mut messages,
            );
        }
        self.snapshots.retain(|s| s.status != "deleted");
        for b in &mut self.backups {
            let was_pending = b.pending.is_some();
            let reason = apply_simple(
                &mut b.pending,
                &mut b.status,
                &mut b.updated_at,
                now,
                &mut messages,
            );
            if reason.is_some() {
                b.fail_reason = reason;
            }
            if was_pending && b.status == "available" && b.object_count == 0 {
                b.object_count = b.size.max(1);
            }
        }
        self.backups.retain(|b| b.status != "deleted");
        for m in messages {
            self.post_message(m);
        }
        for f in failed_attaches {
            let finish = now_cinder();
            let Some(server) = self.server_mut(&f.server_id) else {
                continue;
            };
            if let Some(a) = server
                .actions
                .iter_mut()
                .find(|a| a.request_id == f.request_id)
            {
                a.message = Some("Error".into());
                a.updated_at = finish.clone();
                for e in &mut a.events {
                    e.finish_time = Some(finish.clone());
                    e.result = Some("Error".into());
                    e.details = Some(f.reason.clone());
                }
            }
        }
    }
}

/// A volume's status once an attachment went away.
fn after_detach(v: &Volume) -> String {
    if v.attachments.iter().any(|a| a.attached) {
        "in-use".into()
    } else {
        "available".into()
    }
}

/// Applies a due snapshot/backup transition; returns the `fail_reason` of a
/// failure.
fn apply_simple(
    pending: &mut Option<(Instant, SimpleNext)>,
    status: &mut String,
    updated_at: &mut Option<String>,
    now: Instant,
    messages: &mut Vec<NewMessage>,
) -> Option<String> {
    if !matches!(pending, Some((t, _)) if *t <= now) {
        return None;
    }
    let (_, next) = pending.take()?;
    *updated_at = Some(now_cinder());
    match next {
        SimpleNext::Status(s) => *status = s,
        SimpleNext::Remove => *status = "deleted".into(),
        SimpleNext::Fail(s, reason, message) => {
            *status = s;
            messages.push(message);
            return Some(reason);
        }
    }
    None
}
