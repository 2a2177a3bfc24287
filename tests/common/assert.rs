//! Asserts for the (non-exhaustive) error variants, shared by every test binary: each checks
//! every field it is given. The `*_err` forms take the error itself and a context for the
//! failure message; the others take the operation's result.
#![allow(dead_code)]

use infomaniak_block_storage::Error;

/// Asserts that `err` is `Error::Api` with exactly these fields; `context` prefixes failures.
#[track_caller]
pub fn assert_api_err(
    err: &Error,
    status: u16,
    code: Option<&str>,
    message: &str,
    request_id: Option<&str>,
    retry_after: Option<u64>,
    context: &str,
) {
    let Error::Api {
        status: got_status,
        code: got_code,
        message: got_message,
        request_id: got_request_id,
        retry_after: got_retry_after,
        ..
    } = err
    else {
        panic!("{context}: expected Error::Api, got {err:?}")
    };
    assert_eq!(*got_status, status, "{context}: status: {err:?}");
    assert_eq!(got_code.as_deref(), code, "{context}: code: {err:?}");
    assert_eq!(got_message, message, "{context}: message: {err:?}");
    assert_eq!(
        got_request_id.as_deref(),
        request_id,
        "{context}: request_id: {err:?}"
    );
    assert_eq!(
        *got_retry_after, retry_after,
        "{context}: retry_after: {err:?}"
    );
}

/// Asserts that `result` is `Error::Api` with exactly these fields.
#[track_caller]
pub fn assert_api<T: std::fmt::Debug>(
    result: Result<T, Error>,
    status: u16,
    code: Option<&str>,
    message: &str,
    request_id: Option<&str>,
    retry_after: Option<u64>,
) {
    match result {
        Err(err) => assert_api_err(&err, status, code, message, request_id, retry_after, "api"),
        Ok(v) => panic!("expected Error::Api, got Ok({v:?})"),
    }
}

/// Asserts that `err` is `Error::NotFound` with exactly these fields; `context` prefixes
/// failures.
#[track_caller]
pub fn assert_not_found_err(
    err: &Error,
    resource: &str,
    id: &str,
    message: &str,
    request_id: Option<&str>,
    context: &str,
) {
    let Error::NotFound {
        resource: got_resource,
        id: got_id,
        message: got_message,
        request_id: got_request_id,
        ..
    } = err
    else {
        panic!("{context}: expected Error::NotFound, got {err:?}")
    };
    assert_eq!(*got_resource, resource, "{context}: resource: {err:?}");
    assert_eq!(got_id, id, "{context}: id: {err:?}");
    assert_eq!(got_message, message, "{context}: message: {err:?}");
    assert_eq!(
        got_request_id.as_deref(),
        request_id,
        "{context}: request_id: {err:?}"
    );
}

/// Asserts that `result` is `Error::NotFound` with exactly these fields.
#[track_caller]
pub fn assert_not_found<T: std::fmt::Debug>(
    result: Result<T, Error>,
    resource: &str,
    id: &str,
    message: &str,
    request_id: Option<&str>,
) {
    match result {
        Err(err) => assert_not_found_err(&err, resource, id, message, request_id, "not found"),
        Ok(v) => panic!("expected Error::NotFound, got Ok({v:?})"),
    }
}

/// Asserts that `result` is `Error::ResourceFailed` with exactly these fields.
#[track_caller]
pub fn assert_resource_failed<T: std::fmt::Debug>(
    result: Result<T, Error>,
    resource: &str,
    id: &str,
    status: &str,
    reason: Option<&str>,
) {
    let Err(Error::ResourceFailed {
        resource: got_resource,
        id: got_id,
        status: got_status,
        reason: got_reason,
        ..
    }) = result
    else {
        panic!("expected Error::ResourceFailed, got {result:?}")
    };
    assert_eq!(got_resource, resource, "resource");
    assert_eq!(got_id, id, "id");
    assert_eq!(got_status, status, "status");
    assert_eq!(got_reason.as_deref(), reason, "reason");
}

/// Asserts that `result` is `Error::NotAttached` with exactly these fields.
#[track_caller]
pub fn assert_not_attached<T: std::fmt::Debug>(
    result: Result<T, Error>,
    volume_id: &str,
    instance_id: &str,
) {
    let Err(Error::NotAttached {
        volume_id: got_volume_id,
        instance_id: got_instance_id,
        ..
    }) = result
    else {
        panic!("expected Error::NotAttached, got {result:?}")
    };
    assert_eq!(got_volume_id, volume_id, "volume_id");
    assert_eq!(got_instance_id, instance_id, "instance_id");
}

/// Asserts that `result` is `Error::Unsupported` for `api` (`Cinder` or `Nova`) with these
/// versions, and `feature` when given, and that its text names both versions
/// ("it needs <api> microversion <required>, and <available> is in use").
#[track_caller]
pub fn assert_unsupported<T: std::fmt::Debug>(
    result: Result<T, Error>,
    api: &str,
    feature: Option<&str>,
    required: &str,
    available: &str,
) {
    let err = match result {
        Err(err) => err,
        Ok(v) => panic!("expected Error::Unsupported, got Ok({v:?})"),
    };
    let text = err.to_string();
    let Error::Unsupported {
        api: got_api,
        feature: got_feature,
        required: got_required,
        available: got_available,
        ..
    } = &err
    else {
        panic!("expected Error::Unsupported, got {err:?}")
    };
    assert_eq!(*got_api, api, "api");
    if let Some(feature) = feature {
        assert_eq!(got_feature, feature, "feature");
    }
    assert_eq!(got_required, required, "required");
    assert_eq!(got_available, available, "available");
    assert!(
        text.contains(&format!(
            "it needs {api} microversion {required}, and {available} is in use"
        )),
        "{text}"
    );
}

/// Asserts that `result` is `Error::Ambiguous` with these fields and that its text names every
/// id.
#[track_caller]
pub fn assert_ambiguous<T: std::fmt::Debug>(
    result: Result<T, Error>,
    resource: &str,
    name: &str,
    ids: &[&str],
) {
    let Err(Error::Ambiguous {
        resource: got_resource,
        name: got_name,
        ids: got_ids,
        ..
    }) = &result
    else {
        panic!("expected Error::Ambiguous, got {result:?}")
    };
    assert_eq!(*got_resource, resource);
    assert_eq!(got_name, name);
    assert_eq!(got_ids, ids);
    let text = result.unwrap_err().to_string();
    for id in ids {
        assert!(text.contains(id), "{text:?} lacks {id}");
    }
}

/// Asserts that `err` is `Error::InvalidArgument` naming `argument`; returns its message.
#[track_caller]
pub fn assert_invalid_argument_err<'e>(err: &'e Error, argument: &str) -> &'e str {
    let Error::InvalidArgument {
        argument: got_argument,
        message,
        ..
    } = err
    else {
        panic!("expected Error::InvalidArgument, got {err:?}")
    };
    assert_eq!(*got_argument, argument, "argument: {err:?}");
    message
}

/// Asserts that `result` is `Error::InvalidArgument` naming `argument`; returns its message.
#[track_caller]
pub fn assert_invalid_argument<'r, T: std::fmt::Debug>(
    result: &'r Result<T, Error>,
    argument: &str,
) -> &'r str {
    match result {
        Err(err) => assert_invalid_argument_err(err, argument),
        Ok(v) => panic!("expected Error::InvalidArgument, got Ok({v:?})"),
    }
}
