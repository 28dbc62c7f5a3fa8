//! Statements written as whole SQL with named parameters, and their bound values.
//!
//! Every statement lives in a `.sql` file under `crates/store/sql/`, one folder per operation,
//! and is written once for both databases unless their semantics differ (then the file names
//! end in `.sqlite.sql` and `.postgres.sql`). A [`Query`] is such a file, read once:
//!
//! - `:name` is a parameter. The same name may appear several times; it is bound once, with
//!   [`Stmt::bind`], and sent to PostgreSQL as one `$n` placeholder, to SQLite as a `?` at each
//!   place with the value repeated ([`Placeholders`]).
//! - `{fragment}` is replaced by one of the shared [`FRAGMENTS`] (column lists and conditions
//!   several statements need to agree on).
//! - `{rows: (:a, :b)}` marks the row of a multi-row `VALUES` list: [`Query::rows`] repeats it
//!   for each row it is given (as many statements as the rows need), numbering each row's
//!   parameters after the statement's own.
//!
//! Binding by name means no caller counts placeholders. A name bound that the statement does
//! not have, or one left unbound, is reported as an error when the statement runs, naming the
//! file and the parameter; the conformance suite runs every statement.

use std::fmt::Write as _;

use sqlx::{AssertSqlSafe, SqlSafeStr, SqlStr};
use uuid::Uuid;

/// One bound value. Only the types both drivers encode the same way.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    /// `BIGINT` (and `INTEGER` on SQLite).
    Int(i64),
    /// Nullable `BIGINT`.
    OptInt(Option<i64>),
    /// `TEXT`.
    Text(String),
    /// Nullable `TEXT`.
    OptText(Option<String>),
    /// `BOOLEAN`.
    Bool(bool),
    /// `UUID` on PostgreSQL, a 16-byte `BLOB` on SQLite.
    Uuid(Uuid),
    /// Nullable `UUID` (`BLOB` on SQLite).
    OptUuid(Option<Uuid>),
}

impl From<i64> for Arg {
    fn from(v: i64) -> Self {
        Arg::Int(v)
    }
}

impl From<Option<i64>> for Arg {
    fn from(v: Option<i64>) -> Self {
        Arg::OptInt(v)
    }
}

impl From<String> for Arg {
    fn from(v: String) -> Self {
        Arg::Text(v)
    }
}

impl From<&str> for Arg {
    fn from(v: &str) -> Self {
        Arg::Text(v.to_owned())
    }
}

impl From<Option<String>> for Arg {
    fn from(v: Option<String>) -> Self {
        Arg::OptText(v)
    }
}

impl From<bool> for Arg {
    fn from(v: bool) -> Self {
        Arg::Bool(v)
    }
}

impl From<Uuid> for Arg {
    fn from(v: Uuid) -> Self {
        Arg::Uuid(v)
    }
}

impl From<Option<Uuid>> for Arg {
    fn from(v: Option<Uuid>) -> Self {
        Arg::OptUuid(v)
    }
}

/// The `scheduled_tasks` columns `rows::TaskRow` reads, with `$running_since` as when the task's
/// latest running run started.
macro_rules! task_columns {
    ($running_since:literal) => {
        concat!(
            "id, uuid, tenant_id, name, code, description, type, \
             trigger_type, trigger_config, task_config, inngest_function_id, is_active, ",
            $running_since,
            " AS running_since, \
             last_run_at, last_run_status, last_error, last_run_duration_ms, recent_outcomes, \
             created_at, updated_at, next_run_at, retry_policy, timeout_seconds, overlap_policy, \
             misfire_policy, misfire_grace_seconds, version, created_by, updated_by, schedule_notice"
        )
    };
}

/// The `scheduled_tasks` columns `rows::TaskRow` reads (`{task_columns}`), and when its
/// latest running run started (`running_since`, none when nothing runs): whether a task is
/// running is read from the ledger, where the claim and the finisher write it anyway, so an
/// execution writes its task's row once (its outcome) besides the firing's advance.
pub(crate) const TASK_COLUMNS: &str = task_columns!(
    "(SELECT MAX(rr.started_at) FROM task_runs rr \
     WHERE rr.task_id = scheduled_tasks.id AND rr.status = 'running')"
);

/// [`TASK_COLUMNS`] for the engine's own reads (`{engine_task_columns}`: the tasks its task
/// cache lacks, for a firing or a claim: claiming/task_rows.sql), without the latest running
/// run: the engine never reads what it gives (`is_running`, the `last_run_at` of a run still
/// going), which only the API shows, and it cost an index probe per task on the writer.
/// Tasks read this way say they are not running.
pub(crate) const ENGINE_TASK_COLUMNS: &str = task_columns!("CAST(NULL AS BIGINT)");

/// The `task_runs` columns `rows::RunRow` reads, from runs `r` joined to their task `t`
/// (`{run_columns}`).
pub(crate) const RUN_COLUMNS: &str = "r.id, r.uuid, t.uuid AS task_uuid, r.task_version, \
     r.trigger, r.scheduled_for, r.occurrences, r.status, r.skip_reason, r.attempt, \
     r.max_attempts, r.rescues, r.requeues, r.queued_at, r.started_at, r.finished_at, \
     r.duration_ms, r.result, r.error, r.logs_pruned_at, r.args, r.parent, \
     CASE WHEN r.status = 'queued' AND r.attempt > 1 THEN r.not_before END AS next_attempt_at";

/// Text shared by several statements, spliced where a statement says `{name}`.
const FRAGMENTS: &[(&str, &str)] = &[
    ("task_columns", TASK_COLUMNS),
    ("engine_task_columns", ENGINE_TASK_COLUMNS),
    ("run_columns", RUN_COLUMNS),
    // A queued run `q` of a `queue_one` or `replace` task waits while another run of the task
    // is running, so those policies never run two at once (for `replace`, the running one has
    // been asked to stop). The running run is looked for first (`CROSS JOIN` keeps SQLite's
    // planner to that order): mostly there is none, and the task's row is read only when there
    // is (bench/README.md, session 18).
    (
        "q_not_waiting",
        "NOT EXISTS (SELECT 1 FROM task_runs x CROSS JOIN scheduled_tasks s \
         WHERE x.task_id = q.task_id AND x.status = 'running' AND s.id = x.task_id \
         AND s.overlap_policy IN ('queue_one', 'replace'))",
    ),
    // `WITH RECURSIVE` items: the tenants with queued runs a claim considers, found by
    // skipping through `ix_task_runs_queued_tenant` one tenant at a time (a NULL row ends a
    // list): at most :window of them, in a round that starts after tenant :after and wraps
    // around, so a claim costs what it takes, not the number of tenants waiting, and with more
    // tenants waiting than the window each gets its turn (claiming::claim_runs moves :after).
    // `n` numbers them in round order.
    (
        "queued_tenants",
        "upper(tenant_id, n) AS ( \
         SELECT (SELECT MIN(tenant_id) FROM task_runs \
         WHERE status = 'queued' AND tenant_id > :after), CAST(1 AS BIGINT) \
         UNION ALL \
         SELECT (SELECT MIN(n.tenant_id) FROM task_runs n \
         WHERE n.status = 'queued' AND n.tenant_id > p.tenant_id), p.n + 1 \
         FROM upper p WHERE p.tenant_id IS NOT NULL AND p.n < :window), \
         wrapped(tenant_id, n) AS ( \
         SELECT (SELECT MIN(tenant_id) FROM task_runs \
         WHERE status = 'queued' AND tenant_id <= :after), \
         (SELECT COUNT(tenant_id) FROM upper) + 1 \
         UNION ALL \
         SELECT (SELECT MIN(n.tenant_id) FROM task_runs n \
         WHERE n.status = 'queued' AND n.tenant_id > p.tenant_id AND n.tenant_id <= :after), \
         p.n + 1 \
         FROM wrapped p WHERE p.tenant_id IS NOT NULL AND p.n < :window), \
         tenants(tenant_id, n) AS ( \
         SELECT tenant_id, n FROM upper WHERE tenant_id IS NOT NULL \
         UNION ALL SELECT tenant_id, n FROM wrapped WHERE tenant_id IS NOT NULL)",
    ),
    // A `WITH` item: per tenant of the claim's round with runs running (on any node), how
    // many and how many of them are python runs (each holding a sandbox). Only the round's
    // tenants: the others' running runs are no concern of this claim.
    (
        "busy_tenants",
        "busy(tenant_id, busy, busy_sandboxed) AS ( \
         SELECT r.tenant_id, COUNT(*), \
         SUM(CASE WHEN rs.type = 'python_script' THEN 1 ELSE 0 END) \
         FROM task_runs r JOIN scheduled_tasks rs ON rs.id = r.task_id \
         WHERE r.status = 'running' AND r.tenant_id IN (SELECT tenant_id FROM tenants) \
         GROUP BY r.tenant_id)",
    ),
];

/// Parameters in one multi-row statement: below the 999 older SQLite builds allow, and enough
/// rows per statement that a batch of hundreds takes a few statements.
const PARAMS_PER_STATEMENT: usize = 800;

/// A piece of a statement's text: literal SQL or the parameter at an index.
#[derive(Debug, Clone)]
enum Piece {
    Text(String),
    Param(usize),
}

/// The repeated row of a multi-row `VALUES` list.
#[derive(Debug)]
struct RowTemplate {
    /// The row's text, its parameters indexing `names`.
    pieces: Vec<Piece>,
    /// Its parameter names.
    names: Vec<String>,
}

/// A statement read from its `.sql` file: its text with `$n` placeholders and the names they
/// stand for.
#[derive(Debug)]
pub struct Query {
    /// The file, for errors.
    file: &'static str,
    /// The statement's own parameters, `$1` first.
    names: Vec<String>,
    /// The text before the `VALUES` rows (all of it for a single-row statement).
    head: String,
    /// The text after the rows.
    tail: String,
    /// The row of a multi-row statement.
    row: Option<RowTemplate>,
    /// Whether PostgreSQL keeps the prepared statement and its plan (see [`Query::replanned`]).
    cached: bool,
    /// A single-row statement's text with `?` placeholders, and the value each takes.
    positional: Positional,
}

/// How a database reads a statement's placeholders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Placeholders {
    /// `$1`, `$2`, … (PostgreSQL): a value used twice is sent once.
    Numbered,
    /// `?` (SQLite), each taking the next value. SQLite's driver binds a numbered placeholder
    /// by looking its name up in a list, a cost that grows with the square of a statement's
    /// placeholders (a fifth of the engine's CPU in a burst, most of it in multi-row
    /// statements); anonymous ones it binds in order.
    Positional,
}

/// A statement's text with `?` placeholders and, for each, the index of its value among the
/// numbered ones.
#[derive(Debug, Clone, Default)]
struct Positional {
    text: String,
    order: Vec<usize>,
}

impl Positional {
    /// `numbered` with each `$n` as `?`. Quoted strings are left alone (the text has no
    /// comments: parsing dropped them).
    fn of(numbered: &str) -> Self {
        let mut text = String::with_capacity(numbered.len());
        let mut order = Vec::new();
        let mut quoted = false;
        let mut chars = numbered.char_indices();
        while let Some((i, c)) = chars.next() {
            if c == '\'' {
                quoted = !quoted;
            }
            if c == '$' && !quoted {
                let digits = numbered[i + 1..]
                    .bytes()
                    .take_while(u8::is_ascii_digit)
                    .count();
                let index = numbered[i + 1..i + 1 + digits]
                    .parse::<usize>()
                    .ok()
                    .and_then(|n| n.checked_sub(1));
                if let Some(index) = index {
                    order.push(index);
                    text.push('?');
                    for _ in 0..digits {
                        chars.next();
                    }
                    continue;
                }
            }
            text.push(c);
        }
        Self { text, order }
    }

    /// `args` (in numbered order) in the order of the `?` placeholders; a value used twice is
    /// sent twice.
    fn arrange(&self, args: Vec<Arg>) -> Vec<Arg> {
        let mut uses = vec![0_usize; args.len()];
        for &i in &self.order {
            uses[i] += 1;
        }
        let mut args: Vec<Option<Arg>> = args.into_iter().map(Some).collect();
        self.order
            .iter()
            .filter_map(|&i| {
                uses[i] -= 1;
                if uses[i] == 0 {
                    args[i].take()
                } else {
                    args[i].clone()
                }
            })
            .collect()
    }
}

impl Query {
    /// Reads the statement `text` of `file` (see the module documentation for its syntax).
    ///
    /// # Panics
    /// On a malformed file (an unknown fragment, an unclosed `{`): the text is a constant of
    /// this crate, read when first used, so every test that runs the statement catches it.
    pub fn parse(file: &'static str, text: &str) -> Self {
        let text = expand_fragments(file, text);
        let (before, row, after) = match text.split_once("{rows:") {
            Some((before, rest)) => {
                let (row, after) = rest
                    .split_once('}')
                    .unwrap_or_else(|| panic!("{file}: `{{rows:` is not closed"));
                (
                    before.to_owned(),
                    Some(row.trim().to_owned()),
                    after.to_owned(),
                )
            }
            None => (text, None, String::new()),
        };
        let mut names = Vec::new();
        let head = number_params(&before, &mut names);
        let tail = number_params(&after, &mut names);
        let row = row.map(|row| {
            let mut row_names = Vec::new();
            // Collapsed once here, so rendering a row is only concatenation.
            let pieces = split_params(&row, &mut row_names)
                .into_iter()
                .map(|piece| match piece {
                    Piece::Text(text) => Piece::Text(collapse_whitespace(&text)),
                    param => param,
                })
                .collect();
            RowTemplate {
                pieces,
                names: row_names,
            }
        });
        let head = head.trim().to_owned();
        let positional = if row.is_none() {
            Positional::of(&head)
        } else {
            Positional::default()
        };
        Self {
            file,
            names,
            head,
            tail: tail.trim_end().to_owned(),
            row,
            cached: true,
            positional,
        }
    }

    /// Prepared and planned on every execution on PostgreSQL. For statements whose best plan
    /// depends on how many rows the queue holds: PostgreSQL keeps the plan of a cached
    /// statement until the table is next analyzed, so a plan made on an empty table would
    /// otherwise survive a burst of thousands of runs.
    pub fn replanned(mut self) -> Self {
        self.cached = false;
        self
    }

    /// The statement's text with `$n` placeholders (of a multi-row statement, with one row).
    #[cfg(any(test, feature = "test-support"))]
    pub fn text(&self) -> String {
        match &self.row {
            None => self.head.clone(),
            Some(row) => {
                let mut text = format!("{} ", self.head);
                render_row(&mut text, row, self.names.len());
                text + &self.tail
            }
        }
    }

    /// A statement to bind values to by name. A multi-row statement is run through
    /// [`Query::rows`] instead.
    pub fn stmt(&'static self) -> Stmt {
        let error = self
            .row
            .as_ref()
            .map(|_| format!("{}: a multi-row statement runs through rows()", self.file));
        Stmt {
            origin: self.file,
            query: Some(self),
            built: None,
            slots: vec![None; self.names.len()],
            error,
            cached: self.cached,
        }
    }

    /// The statements of a multi-row `VALUES` list: each with the statement's own values
    /// (`fixed`, bound by name) and as many of `rows` as fit, each row's values bound by the
    /// names in its `{rows: …}` template. No statement when there are no rows.
    pub fn rows(&'static self, fixed: &Binds, rows: Vec<Binds>) -> Vec<Stmt> {
        let Some(template) = &self.row else {
            let mut stmt = self.stmt();
            stmt.error = Some(format!("{}: has no `{{rows: …}}` to repeat", self.file));
            return vec![stmt];
        };
        let per = self.rows_per_statement();
        let mut stmts = Vec::new();
        let mut rows = rows.into_iter().peekable();
        while rows.peek().is_some() {
            let chunk: Vec<Binds> = rows.by_ref().take(per).collect();
            let mut stmt = Stmt {
                origin: self.file,
                query: Some(self),
                built: None,
                slots: vec![None; self.names.len()],
                error: None,
                // Text built per call: keeping each length's statement prepared would only
                // churn the server's prepared statements.
                cached: false,
            };
            for (name, value) in &fixed.0 {
                stmt = stmt.bind(name, value.clone());
            }
            let mut text = format!("{} ", self.head);
            for (i, row) in chunk.into_iter().enumerate() {
                if i > 0 {
                    text.push_str(", ");
                }
                render_row(&mut text, template, stmt.slots.len());
                let mut values = vec![None; template.names.len()];
                for (name, value) in row.0 {
                    match template.names.iter().position(|n| n == name) {
                        Some(at) => values[at] = Some(value),
                        None => stmt.unknown(name),
                    }
                }
                stmt.slots.extend(values);
            }
            text.push_str(&self.tail);
            stmt.built = Some(AssertSqlSafe(text).into_sql_str());
            stmts.push(stmt);
        }
        stmts
    }

    /// How many rows one statement of [`Query::rows`] takes.
    pub fn rows_per_statement(&self) -> usize {
        let width = self.row.as_ref().map_or(1, |row| row.names.len());
        (PARAMS_PER_STATEMENT / width.max(1)).max(1)
    }

    /// The name of the `i`th placeholder of a statement of this query (row parameters repeat).
    fn param_name(&self, i: usize) -> &str {
        if let Some(name) = self.names.get(i) {
            return name;
        }
        self.row
            .as_ref()
            .and_then(|row| {
                let width = row.names.len().max(1);
                row.names.get((i - self.names.len()) % width)
            })
            .map_or("?", String::as_str)
    }
}

/// Values bound by name, for the rows of [`Query::rows`].
#[derive(Debug, Clone, Default)]
pub struct Binds(Vec<(&'static str, Arg)>);

impl Binds {
    /// These values and `name` bound to `value`.
    pub fn bind(mut self, name: &'static str, value: impl Into<Arg>) -> Self {
        self.0.push((name, value.into()));
        self
    }
}

/// A statement and its values.
#[derive(Debug, Clone)]
pub struct Stmt {
    /// The file (or builder) the text comes from, for errors.
    origin: &'static str,
    /// The statement as written, whose names [`Stmt::bind`] looks up.
    query: Option<&'static Query>,
    /// Text assembled at run time; `None`: the query's own text.
    built: Option<SqlStr>,
    /// The values in placeholder order (`$1` first).
    slots: Vec<Option<Arg>>,
    /// A binding mistake, reported when the statement runs.
    error: Option<String>,
    /// Whether the connection keeps the prepared statement (and on PostgreSQL its plan).
    cached: bool,
}

impl Stmt {
    /// Text assembled at run time by `origin` (a list builder), with its values in placeholder
    /// order (`$1` first). Only ever built from this crate's constant fragments: values travel
    /// as bound arguments.
    pub(crate) fn built(origin: &'static str, text: String, args: Vec<Arg>) -> Self {
        Self {
            origin,
            query: None,
            built: Some(AssertSqlSafe(text).into_sql_str()),
            slots: args.into_iter().map(Some).collect(),
            error: None,
            cached: true,
        }
    }

    /// Planned for its values on every execution on PostgreSQL, as [`Query::replanned`]: for
    /// lists, whose best plan depends on the keyword and on the tenant's size. A kept generic
    /// plan cannot see a `LIKE` pattern: measured at a million tasks it walked a big tenant's
    /// whole index (485 ms) where the plan for the values takes the trigram index (30 ms).
    pub(crate) fn replanned(mut self) -> Self {
        self.cached = false;
        self
    }

    /// Binds `value` to every `:name` of the statement.
    pub fn bind(mut self, name: &str, value: impl Into<Arg>) -> Self {
        match self
            .query
            .and_then(|q| q.names.iter().position(|n| n == name))
        {
            Some(at) => self.slots[at] = Some(value.into()),
            None => self.unknown(name),
        }
        self
    }

    fn unknown(&mut self, name: &str) {
        let origin = self.origin;
        self.error
            .get_or_insert_with(|| format!("{origin}: no parameter :{name}"));
    }

    /// The text with `placeholders`, whether the connection keeps it prepared, and the values
    /// in placeholder order; an error naming the file for a parameter left unbound or bound by
    /// mistake.
    pub(crate) fn into_parts(
        self,
        placeholders: Placeholders,
    ) -> Result<(SqlStr, bool, Vec<Arg>), sqlx::Error> {
        if let Some(error) = self.error {
            return Err(sqlx::Error::Protocol(error));
        }
        let mut args = Vec::with_capacity(self.slots.len());
        for (i, slot) in self.slots.into_iter().enumerate() {
            let Some(arg) = slot else {
                let name = self.query.map_or("?", |q| q.param_name(i));
                return Err(sqlx::Error::Protocol(format!(
                    "{}: parameter :{name} is not bound",
                    self.origin
                )));
            };
            args.push(arg);
        }
        let parts = match (placeholders, self.built, self.query) {
            (Placeholders::Numbered, Some(sql), _) => (sql, args),
            (Placeholders::Numbered, None, Some(query)) => {
                (SqlStr::from_static(query.head.as_str()), args)
            }
            (Placeholders::Positional, Some(sql), _) => {
                let positional = Positional::of(sql.as_str());
                let args = positional.arrange(args);
                (AssertSqlSafe(positional.text).into_sql_str(), args)
            }
            (Placeholders::Positional, None, Some(query)) => (
                SqlStr::from_static(query.positional.text.as_str()),
                query.positional.arrange(args),
            ),
            (_, None, None) => {
                return Err(sqlx::Error::Protocol(format!("{}: no text", self.origin)));
            }
        };
        Ok((parts.0, self.cached, parts.1))
    }

    /// The text as it runs.
    #[cfg(any(test, feature = "test-support"))]
    pub(crate) fn text(&self) -> String {
        match (&self.built, self.query) {
            (Some(sql), _) => sql.as_str().to_owned(),
            (None, Some(query)) => query.text(),
            (None, None) => String::new(),
        }
    }

    /// How many values it has.
    #[cfg(test)]
    pub(crate) fn arg_count(&self) -> usize {
        self.slots.len()
    }

    /// The same statement with `prefix` before its text (`EXPLAIN …`), for plan checks.
    #[cfg(feature = "test-support")]
    pub(crate) fn prefixed(mut self, prefix: &str) -> Self {
        let text = self.text();
        self.built = Some(AssertSqlSafe(format!("{prefix} {text}")).into_sql_str());
        self
    }
}

/// `text` with every `{fragment}` spliced in; a `{rows: …}` marker is left for the parser.
fn expand_fragments(file: &str, text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let close = after
            .find('}')
            .unwrap_or_else(|| panic!("{file}: `{{` is not closed"));
        let name = &after[..close];
        if name.starts_with("rows:") {
            out.push('{');
            out.push_str(name);
            out.push('}');
        } else {
            let (_, fragment) = FRAGMENTS
                .iter()
                .find(|(n, _)| *n == name)
                .unwrap_or_else(|| panic!("{file}: unknown fragment {{{name}}}"));
            out.push_str(fragment);
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    out
}

/// `text` split into literal SQL and `:name` parameters, each name added to `names` once.
/// Quoted strings, `--` comments and PostgreSQL's `::` casts are left alone.
fn split_params(text: &str, names: &mut Vec<String>) -> Vec<Piece> {
    let bytes = text.as_bytes();
    let mut pieces = Vec::new();
    let mut literal = String::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c == b'\'' {
            let end = text[i + 1..]
                .find('\'')
                .map_or(bytes.len(), |e| i + 1 + e + 1);
            literal.push_str(&text[i..end]);
            i = end;
        } else if c == b'-' && bytes.get(i + 1) == Some(&b'-') {
            // A comment runs to the end of its line; it is dropped from the text sent.
            i = text[i..].find('\n').map_or(bytes.len(), |e| i + e);
        } else if c == b':' && bytes.get(i + 1) == Some(&b':') {
            literal.push_str("::");
            i += 2;
        } else if c == b':'
            && bytes
                .get(i + 1)
                .is_some_and(|b| b.is_ascii_lowercase() || *b == b'_')
        {
            let start = i + 1;
            let mut end = start;
            while end < bytes.len() && (bytes[end].is_ascii_alphanumeric() || bytes[end] == b'_') {
                end += 1;
            }
            let name = &text[start..end];
            let at = names.iter().position(|n| n == name).unwrap_or_else(|| {
                names.push(name.to_owned());
                names.len() - 1
            });
            pieces.push(Piece::Text(std::mem::take(&mut literal)));
            pieces.push(Piece::Param(at));
            i = end;
        } else {
            let ch = text[i..].chars().next().unwrap_or(' ');
            literal.push(ch);
            i += ch.len_utf8();
        }
    }
    pieces.push(Piece::Text(literal));
    pieces
}

/// `text` with each `:name` replaced by its `$n`, `n` being its place in `names`.
fn number_params(text: &str, names: &mut Vec<String>) -> String {
    let mut out = String::new();
    for piece in split_params(text, names) {
        match piece {
            Piece::Text(t) => out.push_str(&t),
            Piece::Param(at) => {
                let _ = write!(out, "${}", at + 1);
            }
        }
    }
    collapse_whitespace(&out)
}

/// Appends one row of a multi-row statement to `out`, its parameters numbered after the
/// `before` already used.
fn render_row(out: &mut String, row: &RowTemplate, before: usize) {
    for piece in &row.pieces {
        match piece {
            Piece::Text(t) => out.push_str(t),
            Piece::Param(at) => {
                let _ = write!(out, "${}", before + at + 1);
            }
        }
    }
}

/// Runs of whitespace (the files' line breaks and indentation) as one space, so statements
/// read well in logs and `pg_stat_statements`. Quoted strings keep theirs; leading and trailing
/// whitespace stays one space, so the parts around a `{rows: …}` keep their separation.
fn collapse_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut quoted = false;
    let mut space = false;
    for c in text.chars() {
        if c == '\'' {
            quoted = !quoted;
        }
        if !quoted && c.is_whitespace() {
            space = true;
            continue;
        }
        if space {
            out.push(' ');
        }
        space = false;
        out.push(c);
    }
    if space {
        out.push(' ');
    }
    out
}

/// A [`Query`] from a file under `crates/store/sql/`, read the first time it is used.
macro_rules! sql_file {
    ($path:expr) => {
        std::sync::LazyLock::new(|| {
            $crate::query::Query::parse(
                $path,
                include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/sql/", $path)),
            )
        })
    };
    ($path:expr, replanned) => {
        std::sync::LazyLock::new(|| {
            $crate::query::Query::parse(
                $path,
                include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/sql/", $path)),
            )
            .replanned()
        })
    };
}
pub(crate) use sql_file;

#[cfg(test)]
mod tests {
    use super::*;

    fn leak(query: Query) -> &'static Query {
        Box::leak(Box::new(query))
    }

    #[test]
    fn names_become_numbered_placeholders_once_each() {
        let q = Query::parse(
            "t.sql",
            "UPDATE t SET a = :a, b = :b -- why :c\n WHERE a = :a AND x::text = ':z'",
        );
        assert_eq!(
            q.text(),
            "UPDATE t SET a = $1, b = $2 WHERE a = $1 AND x::text = ':z'"
        );
        assert_eq!(q.names, ["a", "b"]);
    }

    #[test]
    fn fragments_are_spliced() {
        let q = Query::parse("t.sql", "SELECT {task_columns} FROM scheduled_tasks");
        assert!(q.text().starts_with("SELECT id, uuid, tenant_id, name"));
    }

    #[test]
    fn rows_number_after_the_statements_own_parameters() {
        let q = leak(Query::parse(
            "t.sql",
            "UPDATE t SET x = v.column2 FROM (VALUES {rows: (:id, :x)}) v WHERE owner = :owner",
        ));
        let stmts = q.rows(
            &Binds::default().bind("owner", "me"),
            vec![
                Binds::default().bind("id", 1_i64).bind("x", "a"),
                Binds::default().bind("x", "b").bind("id", 2_i64),
            ],
        );
        let [stmt] = stmts.as_slice() else {
            panic!("one statement expected")
        };
        let (sql, _, args) = stmt
            .clone()
            .into_parts(Placeholders::Numbered)
            .expect("bound");
        assert_eq!(
            sql.as_str(),
            "UPDATE t SET x = v.column2 FROM (VALUES ($2, $3), ($4, $5)) v WHERE owner = $1"
        );
        assert_eq!(
            args,
            [
                Arg::from("me"),
                Arg::Int(1),
                Arg::from("a"),
                Arg::Int(2),
                Arg::from("b")
            ]
        );
    }

    #[test]
    fn positional_placeholders_take_their_values_in_text_order() {
        let q = leak(Query::parse(
            "t.sql",
            "UPDATE t SET a = :a, b = ':b $1' WHERE a = :a AND c = :c",
        ));
        let stmt = q.stmt().bind("c", 3_i64).bind("a", 1_i64);
        let (sql, _, args) = stmt.into_parts(Placeholders::Positional).expect("bound");
        assert_eq!(
            sql.as_str(),
            "UPDATE t SET a = ?, b = ':b $1' WHERE a = ? AND c = ?"
        );
        assert_eq!(args, [Arg::Int(1), Arg::Int(1), Arg::Int(3)]);

        let rows = leak(Query::parse(
            "t.sql",
            "UPDATE t SET x = v.column2 FROM (VALUES {rows: (:id, :x)}) v WHERE owner = :owner",
        ));
        let stmts = rows.rows(
            &Binds::default().bind("owner", "me"),
            vec![
                Binds::default().bind("id", 1_i64).bind("x", "a"),
                Binds::default().bind("x", "b").bind("id", 2_i64),
            ],
        );
        let (sql, _, args) = stmts[0]
            .clone()
            .into_parts(Placeholders::Positional)
            .expect("bound");
        assert_eq!(
            sql.as_str(),
            "UPDATE t SET x = v.column2 FROM (VALUES (?, ?), (?, ?)) v WHERE owner = ?"
        );
        assert_eq!(
            args,
            [
                Arg::Int(1),
                Arg::from("a"),
                Arg::Int(2),
                Arg::from("b"),
                Arg::from("me")
            ]
        );
    }

    #[test]
    fn many_rows_take_several_statements() {
        let q = leak(Query::parse(
            "t.sql",
            "INSERT INTO t VALUES {rows: (:a, :b)}",
        ));
        let rows = (0..1000_i64)
            .map(|i| Binds::default().bind("a", i).bind("b", i))
            .collect();
        let stmts = q.rows(&Binds::default(), rows);
        assert_eq!(stmts.len(), 3);
        assert!(
            stmts
                .iter()
                .all(|s| s.clone().into_parts(Placeholders::Numbered).is_ok())
        );
    }

    #[test]
    fn binding_mistakes_name_the_file_and_parameter() {
        let q = leak(Query::parse("t.sql", "SELECT :a, :b"));
        let unbound = q
            .stmt()
            .bind("a", 1_i64)
            .into_parts(Placeholders::Numbered)
            .expect_err("b unbound");
        assert!(
            unbound
                .to_string()
                .contains("t.sql: parameter :b is not bound"),
            "{unbound}"
        );
        let unknown = q
            .stmt()
            .bind("a", 1_i64)
            .bind("b", 2_i64)
            .bind("c", 3_i64)
            .into_parts(Placeholders::Numbered);
        let unknown = unknown.expect_err("c unknown");
        assert!(
            unknown.to_string().contains("t.sql: no parameter :c"),
            "{unknown}"
        );
    }
}
