//! The tasks this node fired or claimed lately, by id and version, so a firing or a claim
//! reads a task's row from the database only when it has not seen that version of it.
//!
//! A firing plans each due task from its definition, and a claim hands each run's task to its
//! worker. Reading every such task's row (every column, the definition's JSON parsed again)
//! was the largest statement of a sustained load on SQLite (`due_tasks`, a fifth of the
//! writer's statement time in W1 10,000, bench/README.md session 17) and a fifth of what a
//! claim cost, for definitions that had not changed. A task's definition changes only with its
//! `version` (every edit, start, stop, delete or restore bumps it), and the firing and the
//! claim read the version of each task they handle, so a cached task of that version has the
//! definition in force. Its other fields (`next_run_at`, the latest outcome) may be older: the
//! firing reads `next_run_at` itself, and workers use the definition and the ids alone.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, LazyLock, Mutex, PoisonError};

use domain::Task;

use crate::Result;
use crate::backend::Exec;
use crate::query::{Binds, Query, sql_file};
use crate::rows::TaskRow;

pub(crate) static TASK_ROWS: LazyLock<Query> = sql_file!("claiming/task_rows.sql");

/// Tasks kept in each of the two generations: a node firing every second more tasks than this
/// reads the others again, and memory stays bounded (a task is about a kilobyte).
const GENERATION: usize = 16_384;

/// Recently seen tasks by internal id: a new generation starts when the current one is full,
/// and the one before it is dropped, so what is used keeps being found and the rest ages out.
#[derive(Debug, Default)]
pub struct TaskCache {
    generations: Mutex<Generations>,
}

#[derive(Debug, Default)]
struct Generations {
    current: HashMap<i64, Arc<Task>>,
    previous: HashMap<i64, Arc<Task>>,
}

impl TaskCache {
    /// The task `id` at `version`, if seen lately.
    pub(crate) fn get(&self, id: i64, version: i64) -> Option<Arc<Task>> {
        let mut g = self.lock();
        if let Some(task) = g.current.get(&id).filter(|t| t.version == version) {
            return Some(Arc::clone(task));
        }
        let task = g.previous.remove(&id).filter(|t| t.version == version)?;
        g.insert(id, Arc::clone(&task));
        Some(task)
    }

    /// Remembers `task`, the row of `id` as just read.
    pub(crate) fn put(&self, id: i64, task: Arc<Task>) {
        self.lock().insert(id, task);
    }

    /// The tasks `wanted` names by id and version: from the cache where it holds that
    /// version, read in the caller's transaction (and remembered) otherwise. A row that is no
    /// valid task is its id's error, so the caller decides what one damaged row stops.
    pub(crate) async fn tasks<E: Exec + ?Sized>(
        &self,
        tx: &mut E,
        wanted: impl IntoIterator<Item = (i64, i64)>,
    ) -> Result<HashMap<i64, Result<Arc<Task>>>> {
        let mut tasks = HashMap::new();
        let mut unseen = BTreeSet::new();
        for (id, version) in wanted {
            match self.get(id, version) {
                Some(task) => {
                    tasks.insert(id, Ok(task));
                }
                None => {
                    unseen.insert(id);
                }
            }
        }
        let ids = unseen
            .into_iter()
            .map(|id| Binds::default().bind("id", id))
            .collect();
        for stmt in TASK_ROWS.rows(&Binds::default(), ids) {
            for row in tx.fetch_all::<TaskRow>(stmt).await? {
                let id = row.id;
                let task = row.into_task().map(Arc::new);
                if let Ok(task) = &task {
                    self.put(id, Arc::clone(task));
                }
                tasks.insert(id, task);
            }
        }
        Ok(tasks)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Generations> {
        // The maps hold no invariant a panic could break halfway.
        self.generations
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

impl Generations {
    fn insert(&mut self, id: i64, task: Arc<Task>) {
        if self.current.len() >= GENERATION && !self.current.contains_key(&id) {
            self.previous = std::mem::take(&mut self.current);
        }
        self.current.insert(id, task);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(version: i64) -> Arc<Task> {
        let mut task = crate::rows::sample_task_for_tests();
        task.version = version;
        Arc::new(task)
    }

    #[test]
    fn a_task_is_found_only_at_the_version_it_was_seen_at() {
        let cache = TaskCache::default();
        cache.put(1, task(3));
        assert_eq!(cache.get(1, 3).map(|t| t.version), Some(3));
        assert!(cache.get(1, 4).is_none(), "an edited task is read again");
        assert!(cache.get(2, 3).is_none());
        cache.put(1, task(4));
        assert_eq!(cache.get(1, 4).map(|t| t.version), Some(4));
    }

    #[test]
    fn what_is_used_stays_and_the_rest_ages_out_within_two_generations() {
        let cache = TaskCache::default();
        let n = i64::try_from(GENERATION).unwrap();
        for id in 0..n {
            cache.put(id, task(1));
        }
        // A new generation starts with the next task; the full one becomes the previous.
        cache.put(n, task(1));
        assert!(
            cache.get(0, 1).is_some(),
            "moved into the current generation"
        );
        for id in n + 1..2 * n {
            cache.put(id, task(1));
        }
        // Another generation's worth later, the one holding the unused tasks is dropped.
        cache.put(2 * n, task(1));
        assert!(cache.get(0, 1).is_some(), "used, so kept");
        assert!(cache.get(1, 1).is_none(), "unused for two generations");
        let g = cache.lock();
        assert!(g.current.len() + g.previous.len() <= 2 * GENERATION);
    }
}
