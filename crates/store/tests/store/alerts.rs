//! A task's alert configuration as a set (apply, export) and its audit, on both databases.

use std::sync::Arc;

use domain::{AuditAction, ChainLink, ChainOn, ChannelKind, Deadline, EventKind, TaskUuid};
use jiff::SignedDuration;
use serde_json::{Value, json};
use store::on_both_databases;
use store::test_support::TestStore;
use store::{
    AlertChange, AlertStep, ApplyStep, AuditQuery, NewChannel, NewRule, RuleSpec, StoreError,
};

use crate::common::{at, change, create, definition, new_task, tenant};

on_both_databases!(
    apply_sets_alerts_audits_them_and_again_changes_nothing,
    apply_refuses_cycles_and_foreign_channels_naming_the_field,
    route_changes_are_audited_without_a_new_version,
    deleting_a_channel_audits_each_task_that_loses_rules,
);

fn audit_of(task: TaskUuid) -> AuditQuery {
    AuditQuery {
        task: Some(task),
        page: 1,
        page_size: 100,
        ..AuditQuery::default()
    }
}

fn step(task: TaskUuid, field: &str, change: AlertChange) -> ApplyStep {
    ApplyStep::Alerts(AlertStep {
        task,
        field: field.into(),
        change,
    })
}

pub async fn apply_sets_alerts_audits_them_and_again_changes_nothing(store: Arc<dyn TestStore>) {
    let t = tenant(50);
    let config = json!({"url": "https://hooks.example.com/a"});
    let channel = store
        .create_channel(&NewChannel {
            tenant: t,
            name: "ops",
            kind: ChannelKind::Webhook,
            config: &config,
            secret: Some("s"),
            actor: "alice",
            at: at(0),
        })
        .await
        .unwrap();
    let child = create(&*store, t, "Child", "child", 0).await;
    // The parent is created by the same apply that links it to the child.
    let parent = new_task(t, definition("Parent", "parent"), None);
    let alerts = AlertChange {
        chains: Some(vec![ChainLink {
            task: child.uuid,
            on: ChainOn::Success,
        }]),
        deadlines: Some(Deadline::parse_list(&json!([{"every_seconds": 3600}])).unwrap()),
        rules: Some(vec![RuleSpec {
            channel: channel.uuid,
            event: EventKind::RunFailed,
            threshold: Some(2),
            throttle_seconds: 600,
        }]),
    };
    let steps = vec![
        ApplyStep::Create(parent.clone()),
        step(parent.uuid, "tasks[0]", alerts.clone()),
    ];
    store
        .apply_definitions(steps.clone(), change(t, "ci", 10))
        .await
        .expect("apply");

    let all = store.tenant_alerts(t).await.unwrap();
    let set = &all[&parent.uuid];
    assert_eq!(
        set.chains
            .iter()
            .map(|c| (c.code.as_str(), c.on))
            .collect::<Vec<_>>(),
        vec![("child", ChainOn::Success)]
    );
    assert_eq!(set.deadlines, alerts.deadlines.clone().unwrap());
    assert_eq!(set.rule_specs(), alerts.rules.clone().unwrap());
    assert_eq!(set.rules[0].channel_name, "ops");
    assert!(!all.contains_key(&child.uuid), "the child has no alerts");
    assert!(store.tenant_alerts(tenant(51)).await.unwrap().is_empty());

    let audit = store
        .audit_entries(t, &audit_of(parent.uuid))
        .await
        .unwrap();
    let entries: Vec<_> = audit
        .items
        .iter()
        .map(|e| (e.action, e.version, e.actor.as_str()))
        .collect();
    assert_eq!(
        entries,
        vec![
            (AuditAction::NotifyRules, 1, "ci"),
            (AuditAction::Deadlines, 1, "ci"),
            (AuditAction::Chains, 1, "ci"),
            (AuditAction::Create, 1, "ci"),
        ]
    );
    assert_eq!(
        audit.items[2].detail,
        Some(json!({"via": "apply", "from": [], "to": [{"task_code": "child", "on": "success"}]}))
    );
    assert_eq!(
        audit.items[0].detail,
        Some(json!({"via": "apply", "from": [], "to": [
            {"channel_name": "ops", "event": "run.failed", "threshold": 2, "throttle_seconds": 600}
        ]}))
    );

    // The same configuration again writes nothing.
    store
        .apply_definitions(
            vec![step(parent.uuid, "tasks[0]", alerts)],
            change(t, "ci", 20),
        )
        .await
        .unwrap();
    let again = store
        .audit_entries(t, &audit_of(parent.uuid))
        .await
        .unwrap();
    assert_eq!(again.total, 4);
    let task = store.get_task(t, parent.uuid).await.unwrap().unwrap();
    assert_eq!(task.version, 1, "alerts do not make versions");
}

pub async fn apply_refuses_cycles_and_foreign_channels_naming_the_field(store: Arc<dyn TestStore>) {
    let t = tenant(52);
    let a = create(&*store, t, "A", "a", 0).await;
    let b = create(&*store, t, "B", "b", 0).await;
    let c = create(&*store, t, "C", "c", 0).await;
    let to = |task: TaskUuid| {
        Some(vec![ChainLink {
            task,
            on: ChainOn::Completion,
        }])
    };
    store
        .set_chains(a.uuid, &to(b.uuid).unwrap(), change(t, "ci", 1))
        .await
        .unwrap();
    // b → c and c → a would close a → b → c → a.
    let closing = vec![
        step(
            b.uuid,
            "tasks[0]",
            AlertChange {
                chains: to(c.uuid),
                ..AlertChange::default()
            },
        ),
        step(
            c.uuid,
            "tasks[1]",
            AlertChange {
                chains: to(a.uuid),
                rules: Some(vec![RuleSpec {
                    channel: uuid::Uuid::now_v7(),
                    event: EventKind::RunRecovered,
                    threshold: None,
                    throttle_seconds: 900,
                }]),
                ..AlertChange::default()
            },
        ),
    ];
    let Err(StoreError::Invalid(errors)) =
        store.apply_definitions(closing, change(t, "ci", 2)).await
    else {
        panic!("a cycle and an unknown channel are refused");
    };
    let fields: Vec<_> = errors.0.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(
        fields,
        vec![
            "tasks[1].chains[0].task_code",
            "tasks[1].notify_rules[0].channel_name"
        ]
    );
    assert!(store.chains(t, b.uuid).await.unwrap().children.is_empty());

    // Replacing a → b by b → a in one apply is no cycle: the set is judged as it will be.
    let swap = vec![
        step(
            a.uuid,
            "tasks[0]",
            AlertChange {
                chains: Some(Vec::new()),
                ..AlertChange::default()
            },
        ),
        step(
            b.uuid,
            "tasks[1]",
            AlertChange {
                chains: to(a.uuid),
                ..AlertChange::default()
            },
        ),
    ];
    store
        .apply_definitions(swap, change(t, "ci", 3))
        .await
        .expect("no cycle once a's link is gone");
    assert_eq!(
        store.chains(t, b.uuid).await.unwrap().children[0].task,
        a.uuid
    );
}

pub async fn route_changes_are_audited_without_a_new_version(store: Arc<dyn TestStore>) {
    let t = tenant(53);
    let a = create(&*store, t, "A", "a", 0).await;
    let b = create(&*store, t, "B", "b", 0).await;
    let link = [ChainLink {
        task: b.uuid,
        on: ChainOn::Failure,
    }];
    store
        .set_chains(a.uuid, &link, change(t, "bob", 5))
        .await
        .unwrap();
    store
        .set_chains(a.uuid, &link, change(t, "bob", 6))
        .await
        .unwrap();
    let every = Deadline::parse_list(&json!([{"every_seconds": 600}])).unwrap();
    store
        .set_deadlines(a.uuid, &every, change(t, "carol", 7))
        .await
        .unwrap();
    store
        .set_deadlines(a.uuid, &every, change(t, "carol", 8))
        .await
        .unwrap();
    let config = json!({"url": "https://hooks.example.com/a"});
    let channel = store
        .create_channel(&NewChannel {
            tenant: t,
            name: "ops",
            kind: ChannelKind::Webhook,
            config: &config,
            secret: None,
            actor: "alice",
            at: at(0),
        })
        .await
        .unwrap();
    let rule = store
        .create_rule(&NewRule {
            tenant: t,
            task: Some(a.uuid),
            channel: channel.uuid,
            event: EventKind::RunRecovered,
            threshold: None,
            throttle: SignedDuration::from_secs(60),
            actor: "dave",
            at: at(9),
        })
        .await
        .unwrap();
    store
        .delete_rule(rule.uuid, change(t, "erin", 10))
        .await
        .unwrap();
    let recovered =
        json!([{"channel_name": "ops", "event": "run.recovered", "throttle_seconds": 60}]);
    let audit = store.audit_entries(t, &audit_of(a.uuid)).await.unwrap();
    let entries: Vec<_> = audit
        .items
        .iter()
        .map(|e| {
            (
                e.action,
                e.actor.as_str(),
                e.at,
                e.version,
                e.detail.clone(),
            )
        })
        .collect();
    assert_eq!(
        entries,
        vec![
            (
                AuditAction::NotifyRules,
                "erin",
                at(10),
                1,
                Some(json!({"from": recovered, "to": []}))
            ),
            (
                AuditAction::NotifyRules,
                "dave",
                at(9),
                1,
                Some(json!({"from": [], "to": recovered}))
            ),
            (
                AuditAction::Deadlines,
                "carol",
                at(7),
                1,
                Some(json!({"from": [], "to": [{"every_seconds": 600}]}))
            ),
            (
                AuditAction::Chains,
                "bob",
                at(5),
                1,
                Some(json!({"from": [], "to": [{"task_code": "b", "on": "failure"}]}))
            ),
            (AuditAction::Create, "alice", at(0), 1, None),
        ],
        "saving the same set again writes no entry"
    );
}

pub async fn deleting_a_channel_audits_each_task_that_loses_rules(store: Arc<dyn TestStore>) {
    let t = tenant(54);
    let config = json!({"url": "https://hooks.example.com/a"});
    let mut channels = Vec::new();
    for name in ["ops", "pager"] {
        let channel = NewChannel {
            tenant: t,
            name,
            kind: ChannelKind::Webhook,
            config: &config,
            secret: None,
            actor: "alice",
            at: at(0),
        };
        channels.push(store.create_channel(&channel).await.unwrap().uuid);
    }
    let [ops, pager] = channels[..] else {
        unreachable!()
    };
    let a = create(&*store, t, "A", "a", 0).await;
    let b = create(&*store, t, "B", "b", 0).await;
    let c = create(&*store, t, "C", "c", 0).await;
    let gone = create(&*store, t, "Gone", "gone", 0).await;
    for (task, channel, event) in [
        (Some(a.uuid), ops, EventKind::RunFailed),
        (Some(a.uuid), pager, EventKind::RunRecovered),
        (Some(b.uuid), ops, EventKind::RunRecovered),
        (Some(c.uuid), pager, EventKind::RunFailed),
        (Some(gone.uuid), ops, EventKind::RunFailed),
        (None, ops, EventKind::RunRecovered),
    ] {
        store
            .create_rule(&NewRule {
                tenant: t,
                task,
                channel,
                event,
                threshold: None,
                throttle: SignedDuration::from_secs(60),
                actor: "dave",
                at: at(1),
            })
            .await
            .unwrap();
    }
    // A deleted task keeps its rules (a restore brings them back), so it loses this one too.
    store
        .delete_task(gone.uuid, None, change(t, "carol", 2))
        .await
        .unwrap();
    let gone_version = store
        .audit_entries(t, &audit_of(gone.uuid))
        .await
        .unwrap()
        .items[0]
        .version;
    store
        .delete_channel(ops, change(t, "frank", 3))
        .await
        .unwrap();

    let by_frank = AuditQuery {
        actor: Some("frank".into()),
        page: 1,
        page_size: 100,
        ..AuditQuery::default()
    };
    let mut entries: Vec<_> = store
        .audit_entries(t, &by_frank)
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|e| (e.task_code, e.action, e.at, e.version, e.detail))
        .collect();
    entries.sort_by(|x, y| x.0.cmp(&y.0));
    let rule = |channel: &str, event: &str| json!({"channel_name": channel, "event": event, "throttle_seconds": 60});
    let lost =
        |from: Value, to: Value| Some(json!({"via": "delete_channel", "from": from, "to": to}));
    assert_eq!(
        entries,
        vec![
            (
                "a".to_owned(),
                AuditAction::NotifyRules,
                at(3),
                1,
                lost(
                    json!([rule("ops", "run.failed"), rule("pager", "run.recovered")]),
                    json!([rule("pager", "run.recovered")])
                )
            ),
            (
                "b".to_owned(),
                AuditAction::NotifyRules,
                at(3),
                1,
                lost(json!([rule("ops", "run.recovered")]), json!([]))
            ),
            (
                "gone".to_owned(),
                AuditAction::NotifyRules,
                at(3),
                gone_version,
                lost(json!([rule("ops", "run.failed")]), json!([]))
            ),
        ],
        "one entry per task that lost a rule; none for C, whose rule routes elsewhere"
    );
    assert_eq!(
        store
            .rules(t, Some(a.uuid))
            .await
            .unwrap()
            .iter()
            .map(|r| r.channel)
            .collect::<Vec<_>>(),
        vec![pager]
    );
    assert!(store.rules(t, None).await.unwrap().is_empty());
}
