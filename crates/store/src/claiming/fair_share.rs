//! Which of the queued runs a claim takes: the node's free worker slots and sandboxes are
//! shared between the tenants with due runs, weighted per tenant, and part of each pool is
//! kept for tenants running nothing, so a tenant's first run starts at once whatever the
//! others hold.
//!
//! Decided in the claiming transaction over candidates the database ranked and (on
//! PostgreSQL) locked, with the running counts of every node: the rules are the same on both
//! databases and are tested here without one.

use std::cmp::Ordering;
use std::collections::HashMap;

use domain::TenantId;

/// How a node's free capacity is shared between tenants.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FairShare {
    /// Most runs one tenant may have running at once, across all nodes (`None`: no cap).
    pub per_tenant: Option<u32>,
    /// Worker slots a claim leaves free for tenants running nothing.
    pub reserved_workers: u32,
    /// Sandboxes a claim leaves free for tenants running no python run.
    pub reserved_sandboxes: u32,
    /// Tenants' weights; a tenant not listed weighs 1. Where tenants want more than fits, a
    /// tenant of weight 2 is given runs until it runs twice as many as one of weight 1.
    pub weights: HashMap<TenantId, u32>,
}

impl FairShare {
    /// The defaults for a node of `workers` slots and `sandboxes` sandboxes: a tenant runs at
    /// most half the workers; 10 % of the workers (rounded up) and one sandbox are kept for
    /// tenants running nothing; every tenant weighs 1.
    pub fn defaults_for(workers: u32, sandboxes: u32) -> Self {
        Self {
            per_tenant: Some((workers / 2).max(1)),
            reserved_workers: workers.div_ceil(10),
            reserved_sandboxes: sandboxes.min(1),
            weights: HashMap::new(),
        }
        .within(workers, sandboxes)
    }

    /// These terms with the reserves below the pools' sizes: a busy tenant can always be
    /// given at least one slot and one sandbox.
    pub fn within(mut self, workers: u32, sandboxes: u32) -> Self {
        self.reserved_workers = self.reserved_workers.min(workers.saturating_sub(1));
        self.reserved_sandboxes = self.reserved_sandboxes.min(sandboxes.saturating_sub(1));
        self
    }

    fn weight(&self, tenant: i64) -> u64 {
        TenantId::new(tenant)
            .and_then(|t| self.weights.get(&t))
            .map_or(1, |w| u64::from((*w).max(1)))
    }
}

/// A queued run a claim may take, with its tenant's running runs (on every node).
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::FromRow)]
pub(crate) struct Candidate {
    pub(crate) id: i64,
    pub(crate) tenant_id: i64,
    pub(crate) not_before: i64,
    /// Whether it runs in a sandbox (a python run): it needs a sandbox as well as a worker.
    pub(crate) sandboxed: bool,
    /// Runs its tenant has running.
    pub(crate) busy: i64,
    /// Python runs its tenant has running.
    pub(crate) busy_sandboxed: i64,
    /// Its tenant's place in the claim's round of tenants.
    pub(crate) turn: i64,
}

/// The free capacity of the claiming node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Free {
    pub(crate) workers: u32,
    pub(crate) sandboxes: u32,
}

/// The ids of the runs to take from `candidates` with `free` capacity under `share`.
///
/// Sandboxes are shared first among the python runs, then workers among the runs left; each
/// pool the same way ([`share_out`]).
pub(crate) fn pick(mut candidates: Vec<Candidate>, free: Free, share: &FairShare) -> Vec<i64> {
    candidates.sort_by_key(|c| (c.tenant_id, c.not_before, c.id));
    let python = share_out(
        candidates.iter().filter(|c| c.sandboxed),
        |c| c.busy_sandboxed,
        Pool {
            free: free.sandboxes,
            reserved: share.reserved_sandboxes,
            cap: None,
        },
        share,
    );
    let runs = candidates
        .iter()
        .filter(|c| !c.sandboxed || python.contains(&c.id));
    share_out(
        runs,
        |c| c.busy,
        Pool {
            free: free.workers,
            reserved: share.reserved_workers,
            cap: share.per_tenant,
        },
        share,
    )
}

/// One pool being shared out.
struct Pool {
    free: u32,
    reserved: u32,
    cap: Option<u32>,
}

/// Takes from `queue` (each tenant's runs together, oldest first) at most `pool.free` runs.
/// A run that would be its tenant's only one running in this pool (`running` counts the
/// tenant's runs in it) goes first; the others go to the tenant with the fewest running per
/// weight, counting the ones this claim gives it, and only while more than `pool.reserved`
/// slots stay free. No tenant passes `pool.cap`.
fn share_out<'c>(
    queue: impl Iterator<Item = &'c Candidate>,
    running: impl Fn(&Candidate) -> i64,
    pool: Pool,
    share: &FairShare,
) -> Vec<i64> {
    struct Ranked<'c> {
        run: &'c Candidate,
        /// The tenant's runs in the pool once this one runs too.
        load: u64,
        weight: u64,
    }
    let mut ranked = Vec::new();
    let mut tenant = None;
    let mut rank = 0;
    for run in queue {
        if tenant != Some(run.tenant_id) {
            tenant = Some(run.tenant_id);
            rank = 0;
        }
        rank += 1;
        let load = u64::try_from(running(run)).unwrap_or(0) + rank;
        if pool.cap.is_some_and(|cap| load > u64::from(cap)) {
            continue;
        }
        ranked.push(Ranked {
            run,
            load,
            weight: share.weight(run.tenant_id),
        });
    }
    ranked.sort_by(|a, b| {
        let fresh = (b.load == 1).cmp(&(a.load == 1));
        // a.load / a.weight against b.load / b.weight, without division.
        let busier = (a.load * b.weight).cmp(&(b.load * a.weight));
        fresh
            .then(busier)
            .then(a.run.not_before.cmp(&b.run.not_before))
            .then(a.run.id.cmp(&b.run.id))
            .then(Ordering::Equal)
    });
    let mut taken = Vec::new();
    for r in ranked {
        let room = pool.free.saturating_sub(taken.len() as u32);
        if room == 0 {
            break;
        }
        if r.load == 1 || room > pool.reserved {
            taken.push(r.run.id);
        }
    }
    taken
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `n` queued runs of `tenant`, ids from `first`, with `busy` of its runs running.
    fn runs(tenant: i64, first: i64, n: i64, busy: i64, python: bool) -> Vec<Candidate> {
        (first..first + n)
            .map(|id| Candidate {
                id,
                tenant_id: tenant,
                not_before: id,
                sandboxed: python,
                busy,
                busy_sandboxed: if python { busy } else { 0 },
                turn: tenant,
            })
            .collect()
    }

    fn count(taken: &[i64], of: &[Candidate]) -> usize {
        taken
            .iter()
            .filter(|id| of.iter().any(|c| c.id == **id))
            .count()
    }

    const FREE: Free = Free {
        workers: 10,
        sandboxes: 0,
    };

    #[test]
    fn a_lone_tenant_gets_every_free_slot_but_the_reserve() {
        let hog = runs(7, 1, 100, 3, false);
        let share = FairShare {
            reserved_workers: 2,
            ..FairShare::default()
        };
        assert_eq!(pick(hog.clone(), FREE, &share).len(), 8);
        assert_eq!(pick(hog, FREE, &FairShare::default()).len(), 10);
    }

    #[test]
    fn a_tenant_running_nothing_gets_the_reserve_whatever_the_others_hold() {
        let share = FairShare {
            reserved_workers: 2,
            ..FairShare::default()
        };
        let hog = runs(7, 1, 100, 50, false);
        let newcomer = runs(8, 500, 5, 0, false);
        let free = Free {
            workers: 2,
            sandboxes: 0,
        };
        let all: Vec<_> = hog.iter().chain(&newcomer).copied().collect();
        let taken = pick(all, free, &share);
        // Its first run takes a reserved slot; its second would leave fewer than the reserve.
        assert_eq!(taken, vec![500]);
    }

    #[test]
    fn free_slots_go_to_the_tenant_running_fewest() {
        let busy = runs(7, 1, 20, 6, false);
        let quiet = runs(8, 100, 20, 1, false);
        let all: Vec<_> = busy.iter().chain(&quiet).copied().collect();
        let taken = pick(all, FREE, &FairShare::default());
        // The quiet one catches up first; then they alternate (ties go to the older run):
        // 6 + 3 against 1 + 7.
        assert_eq!((count(&taken, &busy), count(&taken, &quiet)), (3, 7));
    }

    #[test]
    fn weights_share_in_proportion() {
        let heavy = runs(7, 1, 50, 0, false);
        let light = runs(8, 100, 50, 0, false);
        let share = FairShare {
            weights: HashMap::from([(TenantId::new(7).unwrap(), 3)]),
            ..FairShare::default()
        };
        let all: Vec<_> = heavy.iter().chain(&light).copied().collect();
        let free = Free {
            workers: 12,
            sandboxes: 0,
        };
        let taken = pick(all, free, &share);
        assert_eq!((count(&taken, &heavy), count(&taken, &light)), (9, 3));
    }

    #[test]
    fn no_tenant_passes_its_cap() {
        let share = FairShare {
            per_tenant: Some(4),
            ..FairShare::default()
        };
        let capped = runs(7, 1, 20, 3, false);
        let other = runs(8, 100, 2, 0, false);
        let all: Vec<_> = capped.iter().chain(&other).copied().collect();
        let taken = pick(all, FREE, &share);
        assert_eq!((count(&taken, &capped), count(&taken, &other)), (1, 2));
    }

    #[test]
    fn python_runs_are_taken_only_against_free_sandboxes() {
        let scripts = runs(7, 1, 10, 0, true);
        let calls = runs(7, 100, 3, 0, false);
        let all: Vec<_> = scripts.iter().chain(&calls).copied().collect();
        let free = Free {
            workers: 10,
            sandboxes: 2,
        };
        let taken = pick(all.clone(), free, &FairShare::default());
        assert_eq!((count(&taken, &scripts), count(&taken, &calls)), (2, 3));
        let none = Free {
            workers: 10,
            sandboxes: 0,
        };
        let taken = pick(all, none, &FairShare::default());
        assert_eq!((count(&taken, &scripts), count(&taken, &calls)), (0, 3));
    }

    #[test]
    fn the_last_sandbox_waits_for_a_tenant_running_no_python() {
        let share = FairShare {
            reserved_sandboxes: 1,
            ..FairShare::default()
        };
        let hog = runs(7, 1, 10, 3, true);
        let free = Free {
            workers: 10,
            sandboxes: 1,
        };
        assert!(pick(hog.clone(), free, &share).is_empty());
        let mut newcomer = runs(8, 100, 2, 0, true);
        // Running api calls do not make it busy for sandboxes.
        newcomer.iter_mut().for_each(|c| c.busy = 5);
        let all: Vec<_> = hog.iter().chain(&newcomer).copied().collect();
        assert_eq!(pick(all, free, &share), vec![100]);
    }

    #[test]
    fn defaults_follow_the_pools() {
        let share = FairShare::defaults_for(64, 4);
        assert_eq!(
            (
                share.per_tenant,
                share.reserved_workers,
                share.reserved_sandboxes
            ),
            (Some(32), 7, 1)
        );
        let small = FairShare::defaults_for(1, 1);
        assert_eq!(
            (
                small.per_tenant,
                small.reserved_workers,
                small.reserved_sandboxes
            ),
            (Some(1), 0, 0)
        );
    }

    #[test]
    fn never_more_than_the_free_slots() {
        let all: Vec<_> = (1..=20)
            .flat_map(|t| runs(t, t * 100, 10, t % 3, t % 2 == 0))
            .collect();
        for workers in 0..15 {
            for sandboxes in 0..5 {
                let free = Free { workers, sandboxes };
                let taken = pick(all.clone(), free, &FairShare::default());
                let python = taken
                    .iter()
                    .filter(|id| all.iter().any(|c| c.id == **id && c.sandboxed))
                    .count();
                assert!(taken.len() <= workers as usize, "{free:?}");
                assert!(python <= sandboxes as usize, "{free:?}");
                // Work-conserving: as many as fit.
                assert_eq!(
                    taken.len(),
                    (workers as usize).min(10 * 10 + python),
                    "{free:?}"
                );
            }
        }
    }
}
