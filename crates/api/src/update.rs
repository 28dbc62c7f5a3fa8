//! How an update body is laid over a stored task. `PUT` replaces the fields it sends (a
//! `trigger_config` of the same trigger type that does not mention `timezone` keeps the
//! stored zone); `PATCH` is a JSON Merge Patch (RFC 7396). Both take the representation `GET` returns: the
//! fields the server maintains are ignored. The result is a whole task body, read and
//! validated exactly like a create's.

use domain::{TaskDefinition, TaskUuid, TenantId, ValidationErrors};
use serde_json::{Map, Value};

use crate::error::UnknownField;

/// Fields of the representation `GET` returns that the server maintains; an update ignores
/// them (`tenant_id` and `uuid` only when they name the task's own).
pub(crate) const MAINTAINED: &[&str] = &[
    "uuid",
    "tenant_id",
    "timezone",
    "dst_policy",
    "inngest_function_id",
    "is_running",
    "next_run_at",
    "last_run_at",
    "last_run_status",
    "last_run_outcome",
    "last_error",
    "last_run_duration_ms",
    "recent_outcomes",
    "created_at",
    "updated_at",
    "created_by",
    "updated_by",
    "schedule_notice",
];

/// How an update's body is laid over the stored task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpdateKind {
    /// `PUT`: each field sent replaces the stored one, `null` resets it; a `trigger_config` of
    /// the stored trigger type without `timezone` keeps the stored zone.
    Replace,
    /// `PATCH`: a JSON Merge Patch; objects merge at every depth, `null` removes.
    MergePatch,
}

/// Whose task is updated: the values `tenant_id` and `uuid` may have in the body.
#[derive(Debug, Clone, Copy)]
pub struct Owner {
    /// The caller's tenant.
    pub tenant: TenantId,
    /// The task of the path.
    pub uuid: TaskUuid,
}

/// An update body laid over the stored task.
#[derive(Debug)]
pub struct Laid {
    /// The task as it would be after the update, in the shape a create takes.
    pub merged: Value,
    /// The version the body names (`None` when absent or null).
    pub version: Option<i64>,
    /// Maintained fields that name another tenant or task (a 400).
    pub refused: Vec<UnknownField>,
    /// Problems of the body itself: not an object, a `version` that is no integer (a 422).
    pub errors: ValidationErrors,
}

/// The stored definition as a request body, secrets unmasked: what an update is laid over.
pub fn base(definition: &TaskDefinition) -> Map<String, Value> {
    let Value::Object(mut object) = definition.to_json() else {
        unreachable!("a definition is a JSON object")
    };
    // Derived from `trigger_config.timezone`, which is where the zone is changed.
    object.remove("timezone");
    object
}

/// Lays `body` over `base` as `kind` says.
pub fn lay_over(kind: UpdateKind, body: Value, base: &Map<String, Value>, owner: Owner) -> Laid {
    let mut laid = Laid {
        merged: Value::Object(base.clone()),
        version: None,
        refused: Vec::new(),
        errors: ValidationErrors::default(),
    };
    let Value::Object(mut body) = body else {
        laid.errors.push("", "must be a JSON object");
        return laid;
    };
    match body.remove("version") {
        None | Some(Value::Null) => {}
        Some(version) => match version.as_i64() {
            Some(version) => laid.version = Some(version),
            None => laid.errors.push("version", "must be an integer"),
        },
    }
    for field in MAINTAINED {
        let Some(value) = body.remove(*field) else {
            continue;
        };
        let own = match *field {
            "tenant_id" => value.is_null() || value.as_i64() == Some(owner.tenant.get()),
            "uuid" => {
                value.is_null() || value.as_str().and_then(|s| s.parse().ok()) == Some(owner.uuid.0)
            }
            _ => true,
        };
        if !own {
            laid.refused.push(UnknownField {
                field: (*field).to_owned(),
                server_owned: true,
            });
        }
    }
    match kind {
        UpdateKind::MergePatch => merge_patch(&mut laid.merged, Value::Object(body), ""),
        UpdateKind::Replace => {
            let Value::Object(merged) = &mut laid.merged else {
                unreachable!("the base is an object")
            };
            let same_trigger_type = match body.get("trigger_type") {
                None | Some(Value::Null) => true,
                Some(sent) => base.get("trigger_type") == Some(sent),
            };
            for (key, mut value) in body {
                if key == "trigger_config" && same_trigger_type {
                    keep_timezone(&mut value, base.get("trigger_config"));
                }
                if value.is_null() {
                    merged.remove(&key);
                } else {
                    merged.insert(key, value);
                }
            }
        }
    }
    laid
}

/// Gives a `trigger_config` sent without `timezone` the stored one: replacing a cron
/// expression must not silently move the task to UTC. `"timezone": null` asks for the default.
fn keep_timezone(sent: &mut Value, stored: Option<&Value>) {
    let Value::Object(sent) = sent else {
        return;
    };
    match sent.get("timezone") {
        Some(Value::Null) => {
            sent.remove("timezone");
        }
        Some(_) => {}
        None => {
            if let Some(zone) = stored.and_then(|s| s.get("timezone")) {
                sent.insert("timezone".into(), zone.clone());
            }
        }
    }
}

/// Applies `patch` to `target` as RFC 7396 says; `at` is the dotted path of `target`. Header
/// names are case-insensitive (and stored lower-cased), so `X-A` patches the stored `x-a`.
fn merge_patch(target: &mut Value, patch: Value, at: &str) {
    let Value::Object(patch) = patch else {
        *target = patch;
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    let Value::Object(object) = target else {
        unreachable!("made an object above")
    };
    let headers = at == "task_config.headers";
    for (key, value) in patch {
        let existing = if headers {
            let same: Vec<String> = object
                .keys()
                .filter(|k| k.eq_ignore_ascii_case(&key))
                .cloned()
                .collect();
            same.iter().filter_map(|k| object.remove(k)).last()
        } else {
            object.remove(&key)
        };
        if value.is_null() {
            continue;
        }
        let mut merged = existing.unwrap_or(Value::Null);
        let path = if at.is_empty() {
            key.clone()
        } else {
            format!("{at}.{key}")
        };
        merge_patch(&mut merged, value, &path);
        object.insert(key, merged);
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn owner() -> Owner {
        Owner {
            tenant: TenantId::new(7).unwrap(),
            uuid: TaskUuid(uuid::Uuid::nil()),
        }
    }

    fn base() -> Map<String, Value> {
        let Value::Object(base) = json!({
            "name": "A", "description": "d", "trigger_type": "cron",
            "trigger_config": {"cron": "0 0 * * *", "timezone": "Asia/Shanghai"},
            "task_config": {"url": "https://x.example/", "headers": {"x-a": "1", "x-b": "2"}},
        }) else {
            unreachable!()
        };
        base
    }

    #[test]
    fn merge_patch_follows_rfc_7396_and_header_names_ignore_case() {
        let laid = lay_over(
            UpdateKind::MergePatch,
            json!({"description": null, "task_config": {"headers": {"X-A": null, "X-C": "3"}},
                   "trigger_config": {"cron": "0 9 * * *"}}),
            &base(),
            owner(),
        );
        assert_eq!(
            laid.merged,
            json!({"name": "A", "trigger_type": "cron",
                   "trigger_config": {"cron": "0 9 * * *", "timezone": "Asia/Shanghai"},
                   "task_config": {"url": "https://x.example/", "headers": {"x-b": "2", "X-C": "3"}}})
        );
    }

    #[test]
    fn replace_keeps_the_time_zone_of_a_trigger_config_of_the_same_type_only() {
        let same = lay_over(
            UpdateKind::Replace,
            json!({"trigger_config": {"cron": "0 9 * * *"}, "task_config": {"url": "https://y.example/"}}),
            &base(),
            owner(),
        );
        assert_eq!(
            same.merged["trigger_config"],
            json!({"cron": "0 9 * * *", "timezone": "Asia/Shanghai"})
        );
        assert_eq!(
            same.merged["task_config"],
            json!({"url": "https://y.example/"})
        );
        let other = lay_over(
            UpdateKind::Replace,
            json!({"trigger_type": "interval", "trigger_config": {"seconds": 60}}),
            &base(),
            owner(),
        );
        assert_eq!(other.merged["trigger_config"], json!({"seconds": 60}));
        let utc = lay_over(
            UpdateKind::Replace,
            json!({"trigger_config": {"cron": "0 9 * * *", "timezone": null}}),
            &base(),
            owner(),
        );
        assert_eq!(utc.merged["trigger_config"], json!({"cron": "0 9 * * *"}));
    }

    #[test]
    fn maintained_fields_are_ignored_unless_they_name_another_owner() {
        let laid = lay_over(
            UpdateKind::Replace,
            json!({"tenant_id": 7, "uuid": uuid::Uuid::nil(), "created_at": "x", "version": 3}),
            &base(),
            owner(),
        );
        assert_eq!(laid.merged, Value::Object(base()));
        assert_eq!(laid.version, Some(3));
        assert!(laid.refused.is_empty() && laid.errors.is_empty());
        let foreign = lay_over(
            UpdateKind::MergePatch,
            json!({"tenant_id": 8, "uuid": "0193a0c4-0000-7000-8000-000000000000", "version": "3"}),
            &base(),
            owner(),
        );
        let refused: Vec<&str> = foreign.refused.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(refused, ["uuid", "tenant_id"]);
        assert_eq!(foreign.errors.0[0].field, "version");
    }
}
