//! Injectable operation failures ([`Operation`]) and the Cinder user-message
//! fields they produce (`cinder/message/message_field.py`).

/// An asynchronous Cinder operation that [`FakeCloud::fail_next`] can make
/// fail, the way a backend failure does on a genuine cloud: the request is
/// accepted (202) as usual, then the resource ends in an error status and a
/// user message (`GET /messages`, microversion 3.3) explains why.
///
/// [`FakeCloud::fail_next`]: crate::FakeCloud::fail_next
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Operation {
    /// `POST /volumes`: the volume goes `creating` → `error`; message action
    /// `schedule allocate volume`, default detail `Could not find any
    /// available weighted backend.` (event `VOLUME_VOLUME_001_003`).
    CreateVolume,
    /// `os-extend`: the volume goes `extending` → `error_extending` and keeps
    /// its size; message action `extend volume`.
    ExtendVolume,
    /// `POST /snapshots`: the snapshot goes `creating` → `error`; message
    /// action `create snapshot` on a `VOLUME_SNAPSHOT`.
    CreateSnapshot,
    /// `POST /backups`: the backup goes `creating` → `error` with
    /// `fail_reason` set, the volume returns to its previous status; message
    /// action `create backup` on a `VOLUME_BACKUP`.
    CreateBackup,
    /// `POST /backups/{id}/restore`: the target volume goes
    /// `restoring-backup` → `error_restoring`, the backup back to
    /// `available`; message action `restore backup` on the `VOLUME_BACKUP`.
    RestoreBackup,
    /// `os-volume_upload_image`: the volume goes `uploading` → back to its
    /// previous status, no image is made; message action `copy volume to
    /// image`, default detail `Failed to upload volume to image at image
    /// service.`.
    UploadImage,
}

/// Cinder's `Detail` entries that a reason can name.
const DETAILS: [(&str, &str); 6] = [
    ("001", "An unknown error occurred."),
    ("002", "Driver is not initialized at present."),
    ("003", "Could not find any available weighted backend."),
    ("004", "Failed to upload volume to image at image service."),
    ("005", "Volume's attach mode is invalid."),
    ("006", "Not enough quota resource for operation."),
];

impl Operation {
    /// Cinder resource type, action id and action text.
    fn fields(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Operation::CreateVolume => ("VOLUME", "001", "schedule allocate volume"),
            Operation::ExtendVolume => ("VOLUME", "007", "extend volume"),
            Operation::CreateSnapshot => ("VOLUME_SNAPSHOT", "009", "create snapshot"),
            Operation::CreateBackup => ("VOLUME_BACKUP", "013", "create backup"),
            Operation::RestoreBackup => ("VOLUME_BACKUP", "015", "restore backup"),
            Operation::UploadImage => ("VOLUME", "003", "copy volume to image"),
        }
    }

    fn default_detail(self) -> &'static str {
        match self {
            Operation::CreateVolume => "003",
            Operation::UploadImage => "004",
            _ => "001",
        }
    }

    /// `(resource_type, event_id, user_message)` of the message posted when
    /// this operation fails for `reason` (empty = the default detail; a
    /// reason that is one of Cinder's detail texts gets that detail's id,
    /// any other text is shown as is under `001`).
    pub(crate) fn message(self, reason: &str) -> (&'static str, String, String) {
        let (resource, action_id, action) = self.fields();
        let (detail_id, text) = detail(reason, self.default_detail());
        (
            resource,
            format!("VOLUME_{resource}_{action_id}_{detail_id}"),
            format!("{action}: {text}"),
        )
    }

    /// The event id of a failed attach (`attach volume`, action 002).
    pub(crate) fn attach_event_id(reason: &str) -> String {
        let (detail_id, _) = detail(reason, "001");
        format!("VOLUME_VOLUME_002_{detail_id}")
    }

    /// The text a reason stands for (empty = the default detail's text).
    pub(crate) fn reason_text(self, reason: &str) -> String {
        detail(reason, self.default_detail()).1
    }
}

/// (detail id, text) for a reason.
fn detail(reason: &str, default_id: &str) -> (&'static str, String) {
    if reason.is_empty() {
        let (id, text) = DETAILS
            .iter()
            .find(|(id, _)| *id == default_id)
            .copied()
            .unwrap_or(DETAILS[0]);
        return (id, text.to_string());
    }
    match DETAILS.iter().find(|(_, text)| *text == reason) {
        Some((id, text)) => (id, text.to_string()),
        None => ("001", reason.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_fields() {
        let (r, e, m) = Operation::CreateVolume.message("");
        assert_eq!(r, "VOLUME");
        assert_eq!(e, "VOLUME_VOLUME_001_003");
        assert_eq!(
            m,
            "schedule allocate volume: Could not find any available weighted backend."
        );
        let (r, e, m) = Operation::CreateBackup.message("disk on fire");
        assert_eq!(
            (r, e.as_str()),
            ("VOLUME_BACKUP", "VOLUME_VOLUME_BACKUP_013_001")
        );
        assert_eq!(m, "create backup: disk on fire");
        assert_eq!(
            Operation::attach_event_id("Volume's attach mode is invalid."),
            "VOLUME_VOLUME_002_005"
        );
    }
}
