//! The two list queries (tasks and runs), assembled from constant fragments and the filters a
//! caller sets. Every value is bound, never spliced into the text; placeholders are numbered
//! as the filters are added.

use domain::TenantId;

use crate::backend::Dialect;
use crate::query::{Arg, RUN_COLUMNS, Stmt, TASK_COLUMNS};
use crate::{RunQuery, TaskQuery, TaskSortField};

/// The run list's columns and joins (see the `{run_columns}` fragment).
fn run_columns_from() -> String {
    format!("SELECT {RUN_COLUMNS} FROM task_runs r JOIN scheduled_tasks t ON t.id = r.task_id")
}

/// `%keyword%` for `LIKE … ESCAPE '\'`: lower-cased the way `search_text` is, with the
/// pattern characters taken literally.
pub(crate) fn contains_pattern(needle: &str) -> String {
    let mut pattern = String::with_capacity(needle.len() + 2);
    pattern.push('%');
    for c in needle.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// `search_text` without the trailing `' ' || lower(code)`: the lower-cased name. Codes are
/// ASCII, so `LENGTH(code)` counts the same characters in the code and in its lower-cased copy,
/// and both databases count characters, not bytes.
const NAME_PART: &str = "SUBSTR(search_text, 1, LENGTH(search_text) - LENGTH(code) - 1)";

/// Backslash escapes `%`, `_` and itself in [`contains_pattern`]'s output.
const LIKE_ESCAPE: &str = " ESCAPE '\\'";

/// The shortest needle `pg_trgm` can look up: a shorter one is matched by the scan alone.
const TRIGRAM: usize = 3;

/// Offset and limit of a page; page 0 is read as page 1.
pub(crate) fn page_window(page: u32, page_size: u32) -> (u32, i64, i64) {
    let page = page.max(1);
    let offset = u64::from(page - 1) * u64::from(page_size);
    (
        page,
        i64::from(page_size),
        i64::try_from(offset).unwrap_or(i64::MAX),
    )
}

/// A `WHERE` clause assembled from constant fragments, with its bound values.
pub(crate) struct Filter {
    sql: String,
    args: Vec<Arg>,
}

impl Filter {
    pub(crate) fn new(base: &'static str, args: Vec<Arg>) -> Self {
        Self {
            sql: base.to_owned(),
            args,
        }
    }

    /// Appends `AND {before}$n{after}` with `$n` bound to `value`.
    pub(crate) fn and(&mut self, before: &str, value: Arg, after: &str) {
        self.args.push(value);
        self.sql
            .push_str(&format!(" AND {before}${}{after}", self.args.len()));
    }

    /// Narrows a `search_text` substring match on `needle` through PostgreSQL's `pg_trgm`
    /// index with a `search_text LIKE` it can serve (the name filter's expression has none).
    /// The caller keeps its exact `LIKE`, so this never changes which rows match. SQLite has no
    /// such index: its list-order indexes carry `search_text`, and the scan of the tenant's
    /// entries was faster than an FTS5 trigram table that cannot be limited to one tenant.
    fn indexed_contains(&mut self, dialect: Dialect, needle: &str) {
        if dialect == Dialect::Postgres && needle.chars().count() >= TRIGRAM {
            self.and(
                "search_text LIKE ",
                Arg::Text(contains_pattern(needle)),
                LIKE_ESCAPE,
            );
        }
    }

    /// Appends `AND ({column} IN ($n, …) OR {column} IS NULL)` with each placeholder bound to
    /// one of the `Some` values, the `IS NULL` only when `None` is among them; no values match
    /// no row.
    fn any_of(&mut self, column: &str, values: impl IntoIterator<Item = Option<Arg>>) {
        let mut placeholders = Vec::new();
        let mut null = false;
        for value in values {
            match value {
                Some(value) => {
                    self.args.push(value);
                    placeholders.push(format!("${}", self.args.len()));
                }
                None => null = true,
            }
        }
        let mut alternatives = Vec::new();
        if !placeholders.is_empty() {
            alternatives.push(format!("{column} IN ({})", placeholders.join(", ")));
        }
        if null {
            alternatives.push(format!("{column} IS NULL"));
        }
        if alternatives.is_empty() {
            self.sql.push_str(" AND 1 = 0");
        } else {
            self.sql
                .push_str(&format!(" AND ({})", alternatives.join(" OR ")));
        }
    }

    /// The `COUNT(*)` query and the page query ordered by `order_by`.
    pub(crate) fn into_queries(
        self,
        select: &str,
        count: &str,
        order_by: &str,
        page: u32,
        page_size: u32,
    ) -> (Stmt, Stmt) {
        let (_, limit, offset) = page_window(page, page_size);
        let n = self.args.len();
        // `select`, `count`, `order_by` and every fragment of `self.sql` are constants of this
        // module; values only ever travel as bound arguments.
        let count = Stmt::built(
            "list count",
            format!("{count}{}", self.sql),
            self.args.clone(),
        )
        .replanned();
        let mut args = self.args;
        args.extend([Arg::Int(limit), Arg::Int(offset)]);
        let page = Stmt::built(
            "list page",
            format!(
                "{select}{} ORDER BY {order_by} LIMIT ${} OFFSET ${}",
                self.sql,
                n + 1,
                n + 2
            ),
            args,
        )
        .replanned();
        (count, page)
    }
}

/// The `COUNT(*)` and the page query of a task list, with the same filters.
pub(crate) fn task_list(dialect: Dialect, tenant: TenantId, query: &TaskQuery) -> (Stmt, Stmt) {
    let mut filter = Filter::new(
        " FROM scheduled_tasks WHERE tenant_id = $1 AND deleted_at IS NULL",
        vec![Arg::Int(tenant.get())],
    );
    if let Some(keyword) = &query.keyword {
        // No code contains a space, so a keyword with one can only match inside the name;
        // matching the whole search_text would let it straddle the name/code separator.
        let in_name = keyword.contains(' ');
        let column = if in_name { NAME_PART } else { "search_text" };
        if in_name {
            filter.indexed_contains(dialect, keyword);
        }
        filter.and(
            &format!("{column} LIKE "),
            Arg::Text(contains_pattern(keyword)),
            LIKE_ESCAPE,
        );
    }
    if let Some(name) = &query.name {
        filter.indexed_contains(dialect, name);
        filter.and(
            &format!("{NAME_PART} LIKE "),
            Arg::Text(contains_pattern(name)),
            LIKE_ESCAPE,
        );
    }
    if let Some(code) = &query.code {
        filter.and("code = ", Arg::Text(code.clone()), "");
    }
    if let Some(task_type) = query.task_type {
        filter.and("type = ", Arg::Text(task_type.as_str().to_owned()), "");
    }
    if let Some(trigger_type) = query.trigger_type {
        filter.and(
            "trigger_type = ",
            Arg::Text(trigger_type.as_str().to_owned()),
            "",
        );
    }
    if let Some(is_active) = query.is_active {
        filter.and("is_active = ", Arg::Bool(is_active), "");
    }
    if let Some(statuses) = &query.last_run_status {
        filter.any_of(
            "last_run_status",
            statuses
                .iter()
                .map(|s| s.map(|s| Arg::Text(s.as_str().to_owned()))),
        );
    }

    // The field's name is its column's.
    let column = query.sort.field.as_str();
    let direction = if query.sort.descending { "DESC" } else { "ASC" };
    // SQLite puts NULLs first ascending and PostgreSQL last; saying it makes both agree. Only
    // the nullable columns get it, so the others keep a plain order any index can serve.
    let nulls = match query.sort.field {
        TaskSortField::NextRunAt | TaskSortField::LastRunAt => " NULLS LAST",
        _ => "",
    };
    // Qualified: a bare name would sort by the select list's column of that name, and
    // `last_run_at` there is computed (`query::TASK_COLUMNS`), which no index serves.
    let order_by =
        format!("scheduled_tasks.{column} {direction}{nulls}, scheduled_tasks.id {direction}");
    filter.into_queries(
        &format!("SELECT {TASK_COLUMNS}"),
        "SELECT COUNT(*)",
        &order_by,
        query.page,
        query.page_size,
    )
}

/// The `COUNT(*)` and the page query of a task's run list, newest occurrence first.
pub(crate) fn run_list(task_id: i64, query: &RunQuery) -> (Stmt, Stmt) {
    let mut filter = Filter::new(" WHERE r.task_id = $1", vec![Arg::Int(task_id)]);
    if let Some(status) = query.status {
        filter.and("r.status = ", Arg::Text(status.as_str().to_owned()), "");
    }
    if let Some(run) = query.run_uuid {
        filter.and("r.uuid = ", Arg::Uuid(run.0), "");
    }
    filter.into_queries(
        &run_columns_from(),
        "SELECT COUNT(*) FROM task_runs r",
        "r.scheduled_for DESC, r.id DESC",
        query.page,
        query.page_size,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_are_lower_cased_and_literal() {
        assert_eq!(contains_pattern("Über"), "%über%");
        assert_eq!(contains_pattern("50%_off\\"), "%50\\%\\_off\\\\%");
    }

    #[test]
    fn pages_start_at_one_and_do_not_overflow() {
        assert_eq!(page_window(0, 20), (1, 20, 0));
        assert_eq!(page_window(3, 20), (3, 20, 40));
        assert_eq!(page_window(u32::MAX, u32::MAX).2, i64::MAX);
    }

    #[test]
    fn list_placeholders_match_their_arguments() {
        let query = TaskQuery {
            keyword: Some("a b".into()),
            name: Some("x".into()),
            code: Some("c".into()),
            is_active: Some(true),
            page: 2,
            page_size: 10,
            ..TaskQuery::default()
        };
        let (count, page) = task_list(
            Dialect::Postgres,
            TenantId::new(1).expect("positive"),
            &query,
        );
        // The keyword "a b" is long enough for the trigram index ($2), the name "x" is not.
        assert_eq!(count.arg_count(), 6);
        assert!(count.text().contains("is_active = $6"), "{}", count.text());
        assert!(
            page.text().ends_with("LIMIT $7 OFFSET $8"),
            "{}",
            page.text()
        );
        assert_eq!(page.arg_count(), 8);
        assert!(page.text().contains("search_text LIKE $2 ESCAPE"));
        assert!(
            page.text()
                .contains("SUBSTR(search_text, 1, LENGTH(search_text) - LENGTH(code) - 1) LIKE $3")
        );
    }
}
