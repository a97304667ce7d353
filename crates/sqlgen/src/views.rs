//! Views and materialized views: CREATE, DROP, indexes and comments.

use schemaforge_domain::{IndexMethod, ViewIndexModel, ViewModel};

use crate::postgres::Postgres;
use crate::script::{Statement, StatementKind};

impl Postgres {
    /// The view's name, qualified outside `public`.
    pub(crate) fn view_name(&self, v: &ViewModel) -> String {
        self.qn(&v.namespace, v.name.as_str())
    }

    fn view_keyword(v: &ViewModel) -> &'static str {
        if v.materialized { "MATERIALIZED VIEW" } else { "VIEW" }
    }

    fn view_target(v: &ViewModel) -> String {
        format!("{} \"{}\"", v.kind(), v.name)
    }

    /// `CREATE [MATERIALIZED] VIEW name AS query`: the query as
    /// PostgreSQL's printer prints its parse tree.
    pub(crate) fn create_view(&self, v: &ViewModel) -> Statement {
        Statement {
            kind: StatementKind::CreateView,
            target: Self::view_target(v),
            sql: format!("CREATE {} {} AS {}", Self::view_keyword(v), self.view_name(v), v.sql),
        }
    }

    /// `DROP [MATERIALIZED] VIEW [IF EXISTS] name` (never `CASCADE`: the
    /// views over it are dropped first, by name).
    pub(crate) fn drop_view(&self, v: &ViewModel, if_exists: bool) -> Statement {
        let guard = if if_exists { "IF EXISTS " } else { "" };
        Statement {
            kind: StatementKind::DropView,
            target: Self::view_target(v),
            sql: format!("DROP {} {guard}{}", Self::view_keyword(v), self.view_name(v)),
        }
    }

    /// `ALTER [MATERIALIZED] VIEW name action` (a rename of a column).
    pub(crate) fn alter_view(&self, v: &ViewModel, action: &str) -> Statement {
        Statement {
            kind: StatementKind::Rename,
            target: Self::view_target(v),
            sql: format!("ALTER {} {} {action}", Self::view_keyword(v), self.view_name(v)),
        }
    }

    pub(crate) fn view_comment(&self, v: &ViewModel) -> Statement {
        self.comment(Self::view_keyword(v), self.view_name(v), Self::view_target(v), v.comment.as_deref())
    }

    /// `CREATE [UNIQUE] INDEX name ON matview [USING method] (columns)`.
    pub(crate) fn create_view_index(&self, v: &ViewModel, x: &ViewIndexModel) -> Statement {
        let method = match x.method {
            IndexMethod::Btree => String::new(),
            other => format!(" USING {}", other.sql()),
        };
        let columns: Vec<String> = x.columns.iter().map(|c| self.qi(c.as_str())).collect();
        Statement {
            kind: StatementKind::CreateIndex,
            target: format!("index \"{}\" on {}", x.name, Self::view_target(v)),
            sql: format!(
                "CREATE {}INDEX {} ON {}{method} ({})",
                if x.unique { "UNIQUE " } else { "" },
                self.qi(x.name.as_str()),
                self.view_name(v),
                columns.join(", ")
            ),
        }
    }

    pub(crate) fn view_index_name(&self, v: &ViewModel, x: &ViewIndexModel) -> String {
        self.qn(&v.namespace, x.name.as_str())
    }

    pub(crate) fn view_index_comment(&self, v: &ViewModel, x: &ViewIndexModel) -> Statement {
        self.comment(
            "INDEX",
            self.view_index_name(v, x),
            format!("index \"{}\" on {}", x.name, Self::view_target(v)),
            x.comment.as_deref(),
        )
    }
}
