//! One conformance suite, run against both backends: the same calls must
//! give the same answers on the embedded SQLite store and on real etcd.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeMap;

use common::{Backend, assert_quiet, next_event};
use store::{KeyValue, MAX_VALUE_BYTES, RangeOptions, StoreError, WatchEvent};

/// Generates one test per backend for each conformance case.
macro_rules! conformance {
    ($($case:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $case() {
                    let backend = crate::common::Backend::sqlite();
                    super::$case(&backend).await;
                }
            )*
        }
        mod etcd {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $case() {
                    let backend = crate::common::Backend::etcd().await;
                    super::$case(&backend).await;
                }
            )*
        }
    };
}

conformance!(
    create_get_update_delete,
    create_existing_key_fails,
    update_is_compare_and_swap,
    delete_missing_and_conditional,
    pagination_at_fixed_revision_while_writes_continue,
    range_at_past_revision,
    watch_delivers_changes_in_order,
    watch_replays_from_past_revision,
    watch_and_range_after_compaction,
    concurrent_writers_lose_no_update,
    prefixes_are_isolated,
    large_and_unicode_values,
    bad_input_writes_nothing,
);

fn value(text: &str) -> Vec<u8> {
    text.as_bytes().to_vec()
}

async fn create_get_update_delete(backend: &Backend) {
    let store = &backend.store;
    let key = "/registry/configmaps/default/a";
    assert_eq!(store.get(key).await.unwrap(), None);

    let before = store.current_revision().await.unwrap();
    let created = store.create(key, value("one")).await.unwrap();
    assert!(created > before);
    assert_eq!(store.current_revision().await.unwrap(), created);
    let kv = store.get(key).await.unwrap().unwrap();
    assert_eq!(
        kv,
        KeyValue {
            key: key.into(),
            value: value("one"),
            create_revision: created,
            mod_revision: created
        }
    );

    let updated = store.update(key, value("two"), created).await.unwrap();
    assert!(updated > created);
    let kv = store.get(key).await.unwrap().unwrap();
    assert_eq!(kv.value, value("two"));
    assert_eq!(kv.create_revision, created);
    assert_eq!(kv.mod_revision, updated);

    let (deleted, prev) = store.delete(key, None).await.unwrap();
    assert!(deleted > updated);
    assert_eq!(prev.value, value("two"));
    assert_eq!(prev.mod_revision, updated);
    assert_eq!(store.get(key).await.unwrap(), None);
    assert_eq!(store.current_revision().await.unwrap(), deleted);
}

async fn create_existing_key_fails(backend: &Backend) {
    let store = &backend.store;
    let key = "/registry/namespaces/x";
    let first = store.create(key, value("a")).await.unwrap();
    let revision = store.current_revision().await.unwrap();
    assert_eq!(
        store.create(key, value("b")).await,
        Err(StoreError::AlreadyExists(key.into()))
    );
    assert_eq!(store.current_revision().await.unwrap(), revision);
    assert_eq!(store.get(key).await.unwrap().unwrap().value, value("a"));

    // After a delete the key can be created again, as a new incarnation.
    store.delete(key, Some(first)).await.unwrap();
    let again = store.create(key, value("c")).await.unwrap();
    let kv = store.get(key).await.unwrap().unwrap();
    assert_eq!(kv.create_revision, again);
    assert_ne!(kv.create_revision, first);
}

async fn update_is_compare_and_swap(backend: &Backend) {
    let store = &backend.store;
    let key = "/registry/pods/default/p";
    let created = store.create(key, value("v1")).await.unwrap();
    let updated = store.update(key, value("v2"), created).await.unwrap();

    // A writer still holding the first revision loses.
    assert_eq!(
        store.update(key, value("stale"), created).await,
        Err(StoreError::Conflict {
            key: key.into(),
            expected: created,
            actual: updated
        })
    );
    assert_eq!(store.get(key).await.unwrap().unwrap().value, value("v2"));

    // Updating a key that does not exist never creates it.
    let missing = "/registry/pods/default/missing";
    assert_eq!(
        store.update(missing, value("x"), 0).await,
        Err(StoreError::NotFound(missing.into()))
    );
    assert_eq!(
        store.update(missing, value("x"), updated).await,
        Err(StoreError::NotFound(missing.into()))
    );
    assert_eq!(store.get(missing).await.unwrap(), None);
}

async fn delete_missing_and_conditional(backend: &Backend) {
    let store = &backend.store;
    let key = "/registry/secrets/default/s";
    assert_eq!(
        store.delete(key, None).await,
        Err(StoreError::NotFound(key.into()))
    );
    let created = store.create(key, value("s")).await.unwrap();
    assert_eq!(
        store.delete(key, Some(created + 1000)).await,
        Err(StoreError::Conflict {
            key: key.into(),
            expected: created + 1000,
            actual: created
        })
    );
    assert!(store.get(key).await.unwrap().is_some());
    let (_, prev) = store.delete(key, Some(created)).await.unwrap();
    assert_eq!(prev.value, value("s"));
    assert_eq!(
        store.delete(key, Some(created)).await,
        Err(StoreError::NotFound(key.into()))
    );
}

fn names(kvs: &[KeyValue]) -> Vec<String> {
    kvs.iter().map(|kv| kv.key.clone()).collect()
}

async fn pagination_at_fixed_revision_while_writes_continue(backend: &Backend) {
    let store = &backend.store;
    let prefix = "/registry/pods/ns/";
    let mut expected = BTreeMap::new();
    for i in 0..25 {
        let key = format!("{prefix}pod-{i:02}");
        store.create(&key, value(&format!("v{i}"))).await.unwrap();
        expected.insert(key, value(&format!("v{i}")));
    }

    let first = store
        .range(
            prefix,
            RangeOptions {
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(first.kvs.len(), 10);
    assert!(first.more);
    assert_eq!(first.count, 25);
    let snapshot = first.revision;

    // The world moves on between pages.
    store
        .create(&format!("{prefix}pod-00a"), value("new"))
        .await
        .unwrap();
    store
        .delete(&format!("{prefix}pod-15"), None)
        .await
        .unwrap();
    let kv = store
        .get(&format!("{prefix}pod-20"))
        .await
        .unwrap()
        .unwrap();
    store
        .update(&kv.key, value("changed"), kv.mod_revision)
        .await
        .unwrap();

    let mut seen = first.kvs.clone();
    let mut next = first.continue_key();
    let mut pages = 1;
    while let Some(start) = next {
        let page = store
            .range(
                prefix,
                RangeOptions {
                    limit: 10,
                    start: Some(start),
                    revision: Some(snapshot),
                },
            )
            .await
            .unwrap();
        assert_eq!(page.revision, snapshot);
        seen.extend(page.kvs.iter().cloned());
        next = page.continue_key();
        pages += 1;
    }
    assert_eq!(pages, 3);
    let got: BTreeMap<String, Vec<u8>> = seen.into_iter().map(|kv| (kv.key, kv.value)).collect();
    assert_eq!(
        got, expected,
        "pages must show the snapshot, not later writes"
    );

    // The current state shows the writes.
    let now = store.range(prefix, RangeOptions::default()).await.unwrap();
    assert_eq!(now.kvs.len(), 25);
    assert!(!now.more);
    assert_eq!(now.count, 25);
    assert!(names(&now.kvs).contains(&format!("{prefix}pod-00a")));
    assert!(!names(&now.kvs).contains(&format!("{prefix}pod-15")));
    let mut sorted = names(&now.kvs);
    sorted.sort();
    assert_eq!(names(&now.kvs), sorted, "keys come in key order");
}

async fn range_at_past_revision(backend: &Backend) {
    let store = &backend.store;
    let a = "/registry/services/default/a";
    let b = "/registry/services/default/b";
    let r1 = store.create(a, value("a1")).await.unwrap();
    let r2 = store.create(b, value("b1")).await.unwrap();
    let r3 = store.update(a, value("a2"), r1).await.unwrap();
    store.delete(b, Some(r2)).await.unwrap();

    let at = |revision| RangeOptions {
        revision: Some(revision),
        ..Default::default()
    };
    let prefix = "/registry/services/";
    let old = store.range(prefix, at(r2)).await.unwrap();
    assert_eq!(old.revision, r2);
    assert_eq!(
        old.kvs
            .iter()
            .map(|kv| (kv.key.as_str(), kv.value.clone()))
            .collect::<Vec<_>>(),
        vec![(a, value("a1")), (b, value("b1"))]
    );
    let mid = store.range(prefix, at(r3)).await.unwrap();
    assert_eq!(mid.kvs.len(), 2);
    assert_eq!(mid.kvs[0].value, value("a2"));
    assert_eq!(mid.kvs[0].create_revision, r1);
    assert_eq!(mid.kvs[0].mod_revision, r3);
    let now = store.range(prefix, RangeOptions::default()).await.unwrap();
    assert_eq!(names(&now.kvs), vec![a.to_string()]);

    let current = store.current_revision().await.unwrap();
    assert!(matches!(
        store.range(prefix, at(current + 10)).await,
        Err(StoreError::FutureRevision { .. })
    ));
}

async fn watch_delivers_changes_in_order(backend: &Backend) {
    let store = backend.store.clone();
    let prefix = "/registry/deployments/";
    let mut watch = store.watch(prefix, 0).await.unwrap();

    let writers: Vec<_> = (0..4)
        .map(|w| {
            let store = store.clone();
            tokio::spawn(async move {
                for i in 0..25 {
                    let key = format!("/registry/deployments/w{w}/d{i}");
                    let rev = store.create(&key, value("x")).await.unwrap();
                    store.update(&key, value("y"), rev).await.unwrap();
                }
            })
        })
        .collect();
    for writer in writers {
        writer.await.unwrap();
    }

    let mut last = 0;
    let mut latest: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    for _ in 0..200 {
        let event = next_event(&mut watch).await;
        assert!(event.revision() > last, "revisions strictly increase");
        last = event.revision();
        match event {
            WatchEvent::Put { kv, prev } => {
                if kv.value == value("y") {
                    let prev = prev.expect("an update carries the previous value");
                    assert_eq!(prev.value, value("x"));
                    assert_eq!(prev.mod_revision, kv.create_revision);
                } else {
                    assert_eq!(prev, None);
                }
                latest.insert(kv.key, kv.value);
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(latest.len(), 100);
    assert!(latest.values().all(|v| v == &value("y")));
    assert_eq!(last, store.current_revision().await.unwrap());
    assert_quiet(&mut watch).await;
}

async fn watch_replays_from_past_revision(backend: &Backend) {
    let store = &backend.store;
    let key = "/registry/leases/kube-node-lease/n1";
    let r1 = store.create(key, value("1")).await.unwrap();
    let r2 = store.update(key, value("2"), r1).await.unwrap();
    let (r3, _) = store.delete(key, Some(r2)).await.unwrap();
    let r4 = store.create(key, value("3")).await.unwrap();

    // From r2: the update, the delete and the re-create, with previous values.
    let mut watch = store.watch("/registry/leases/", r2).await.unwrap();
    match next_event(&mut watch).await {
        WatchEvent::Put { kv, prev } => {
            assert_eq!((kv.mod_revision, kv.create_revision), (r2, r1));
            assert_eq!(kv.value, value("2"));
            assert_eq!(
                prev.map(|p| (p.value, p.mod_revision)),
                Some((value("1"), r1))
            );
        }
        other => panic!("unexpected {other:?}"),
    }
    match next_event(&mut watch).await {
        WatchEvent::Delete {
            key: deleted,
            revision,
            prev,
        } => {
            assert_eq!((deleted.as_str(), revision), (key, r3));
            assert_eq!((prev.value, prev.mod_revision), (value("2"), r2));
        }
        other => panic!("unexpected {other:?}"),
    }
    match next_event(&mut watch).await {
        WatchEvent::Put { kv, prev } => {
            assert_eq!((kv.mod_revision, kv.create_revision), (r4, r4));
            assert_eq!(prev, None);
        }
        other => panic!("unexpected {other:?}"),
    }
    // Then live changes follow the replay without a gap.
    let r5 = store.update(key, value("4"), r4).await.unwrap();
    assert_eq!(next_event(&mut watch).await.revision(), r5);
    assert_quiet(&mut watch).await;

    // Watching from "now" sees only later changes.
    let mut fresh = store.watch("/registry/leases/", 0).await.unwrap();
    assert_quiet(&mut fresh).await;
    let r6 = store.update(key, value("5"), r5).await.unwrap();
    assert_eq!(next_event(&mut fresh).await.revision(), r6);
}

async fn watch_and_range_after_compaction(backend: &Backend) {
    let store = &backend.store;
    let key = "/registry/events/default/e";
    let r1 = store.create(key, value("1")).await.unwrap();
    let r2 = store.update(key, value("2"), r1).await.unwrap();
    let r3 = store.update(key, value("3"), r2).await.unwrap();
    let other = store
        .create("/registry/events/default/f", value("f"))
        .await
        .unwrap();

    // A watcher that started before compaction keeps its stream.
    let mut early = store.watch("/registry/events/", r1).await.unwrap();
    for expected in [r1, r2, r3, other] {
        assert_eq!(next_event(&mut early).await.revision(), expected);
    }

    store.compact(r3).await.unwrap();

    match store.watch("/registry/events/", r2).await {
        Err(StoreError::Compacted {
            requested,
            compacted,
        }) => {
            assert_eq!(requested, r2);
            assert_eq!(compacted, r3);
        }
        Err(other) => panic!("expected Compacted, got {other}"),
        Ok(_) => panic!("expected Compacted, got a watch"),
    }
    let below = RangeOptions {
        revision: Some(r2),
        ..Default::default()
    };
    assert!(matches!(
        store.range("/registry/events/", below).await,
        Err(StoreError::Compacted { .. })
    ));
    // Compacting again at or below the floor is refused.
    assert!(matches!(
        store.compact(r2).await,
        Err(StoreError::Compacted { .. })
    ));

    // At the compaction revision itself, history is still whole.
    let at = store
        .range(
            "/registry/events/",
            RangeOptions {
                revision: Some(r3),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(at.kvs.len(), 1);
    assert_eq!(at.kvs[0].value, value("3"));
    let mut from_floor = store.watch("/registry/events/", r3).await.unwrap();
    assert_eq!(next_event(&mut from_floor).await.revision(), r3);
    assert_eq!(next_event(&mut from_floor).await.revision(), other);

    // Writes and the early watcher go on.
    let r5 = store.update(key, value("4"), r3).await.unwrap();
    assert_eq!(next_event(&mut early).await.revision(), r5);
    assert_eq!(store.get(key).await.unwrap().unwrap().value, value("4"));
}

async fn concurrent_writers_lose_no_update(backend: &Backend) {
    let store = backend.store.clone();
    let key = "/registry/counters/c";
    store.create(key, value("0")).await.unwrap();
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move {
                let mut conflicts = 0;
                for _ in 0..25 {
                    loop {
                        let kv = store.get(key).await.unwrap().unwrap();
                        let n: u64 = String::from_utf8(kv.value).unwrap().parse().unwrap();
                        match store
                            .update(key, value(&(n + 1).to_string()), kv.mod_revision)
                            .await
                        {
                            Ok(_) => break,
                            Err(StoreError::Conflict { .. }) => conflicts += 1,
                            Err(err) => panic!("update failed: {err}"),
                        }
                    }
                }
                conflicts
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    let kv = store.get(key).await.unwrap().unwrap();
    assert_eq!(kv.value, value("200"));
}

async fn prefixes_are_isolated(backend: &Backend) {
    let store = &backend.store;
    let mut pods = store.watch("/registry/pods/", 0).await.unwrap();
    store
        .create("/registry/podsecuritypolicies/restricted", value("psp"))
        .await
        .unwrap();
    store
        .create("/registry/pods0", value("sibling"))
        .await
        .unwrap();
    let pod = store
        .create("/registry/pods/default/web", value("pod"))
        .await
        .unwrap();

    let range = store
        .range("/registry/pods/", RangeOptions::default())
        .await
        .unwrap();
    assert_eq!(
        names(&range.kvs),
        vec!["/registry/pods/default/web".to_string()]
    );
    assert_eq!(store.count("/registry/pods/").await.unwrap(), 1);
    assert_eq!(store.count("/registry/pods").await.unwrap(), 3);
    assert_eq!(store.count("/registry/").await.unwrap(), 3);
    assert_eq!(next_event(&mut pods).await.revision(), pod);
    assert_quiet(&mut pods).await;
}

async fn large_and_unicode_values(backend: &Backend) {
    let store = &backend.store;
    let key = "/registry/configmaps/default/ünïcödé-名前-🚀";
    let text = "データ — ümlaut — emoji 🦀 — \u{10FFFF}";
    let r = store.create(key, value(text)).await.unwrap();
    let kv = store.get(key).await.unwrap().unwrap();
    assert_eq!(String::from_utf8(kv.value).unwrap(), text);
    let range = store
        .range("/registry/configmaps/default/", RangeOptions::default())
        .await
        .unwrap();
    assert_eq!(range.kvs[0].key, key);

    // One MiB of arbitrary bytes round-trips exactly.
    let big: Vec<u8> = (0..1024 * 1024).map(|i| (i * 7 % 251) as u8).collect();
    let big_key = "/registry/secrets/default/big";
    store.create(big_key, big.clone()).await.unwrap();
    assert_eq!(store.get(big_key).await.unwrap().unwrap().value, big);
    let mut watch = store.watch("/registry/secrets/", 0).await.unwrap();
    let kv = store.get(big_key).await.unwrap().unwrap();
    store
        .update(
            big_key,
            big.iter().rev().copied().collect(),
            kv.mod_revision,
        )
        .await
        .unwrap();
    match next_event(&mut watch).await {
        WatchEvent::Put { kv, prev } => {
            assert_eq!(prev.unwrap().value, big);
            assert_eq!(kv.value.len(), big.len());
        }
        other => panic!("unexpected {other:?}"),
    }

    // An empty value is a value.
    let empty = "/registry/configmaps/default/empty";
    store.create(empty, Vec::new()).await.unwrap();
    assert_eq!(
        store.get(empty).await.unwrap().unwrap().value,
        Vec::<u8>::new()
    );
    assert!(store.get(key).await.unwrap().unwrap().mod_revision == r);
}

async fn bad_input_writes_nothing(backend: &Backend) {
    let store = &backend.store;
    let before = store.current_revision().await.unwrap();
    for key in ["", "registry/pods/x", "/a\0b", "/trailing/"] {
        assert!(
            matches!(
                store.create(key, value("v")).await,
                Err(StoreError::InvalidKey { .. })
            ),
            "key {key:?} must be refused"
        );
    }
    let too_big = vec![b'x'; MAX_VALUE_BYTES + 1];
    match store
        .create("/registry/configmaps/default/huge", too_big.clone())
        .await
    {
        Err(StoreError::ValueTooLarge { size, limit, .. }) => {
            assert_eq!((size, limit), (MAX_VALUE_BYTES + 1, MAX_VALUE_BYTES));
        }
        other => panic!("expected ValueTooLarge, got {other:?}"),
    }
    let key = "/registry/configmaps/default/small";
    let r = store.create(key, value("ok")).await.unwrap();
    assert!(matches!(
        store.update(key, too_big, r).await,
        Err(StoreError::ValueTooLarge { .. })
    ));
    assert!(matches!(
        store
            .range(
                "/registry/a/",
                RangeOptions {
                    start: Some("/registry/b/x".into()),
                    ..Default::default()
                }
            )
            .await,
        Err(StoreError::InvalidArgument(_))
    ));
    assert!(matches!(
        store.watch("relative/", 0).await,
        Err(StoreError::InvalidKey { .. })
    ));
    assert_eq!(store.current_revision().await.unwrap(), r);
    assert_eq!(r, before + 1, "only the valid write took a revision");
    assert_eq!(store.get(key).await.unwrap().unwrap().value, value("ok"));
}
