//! The audit log: appended with one INSERT, read a page at a time through
//! the `(user_id, id DESC)` index. The table refuses updates and deletes
//! (a trigger in its migration).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use super::schema::audit_log;
use super::{PgRepository, map_err};
use crate::{AuditEntry, AuditRepository, NewAuditEntry, Page, RepoResult};

#[derive(Insertable)]
#[diesel(table_name = audit_log)]
struct AuditInsert<'a> {
    user_id: Uuid,
    api_key_id: Option<Uuid>,
    action: &'a str,
    target_type: &'a str,
    target_id: Option<Uuid>,
    target_name: Option<&'a str>,
    outcome: &'a str,
    error_code: Option<&'a str>,
    detail: Option<&'a serde_json::Value>,
    request_id: Option<&'a str>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = audit_log)]
struct AuditRow {
    id: i64,
    user_id: Uuid,
    action: String,
    target_type: String,
    target_id: Option<Uuid>,
    target_name: Option<String>,
    outcome: String,
    error_code: Option<String>,
    detail: Option<serde_json::Value>,
    request_id: Option<String>,
    api_key_id: Option<Uuid>,
    created_at: DateTime<Utc>,
}

impl From<AuditRow> for AuditEntry {
    fn from(r: AuditRow) -> Self {
        Self {
            id: r.id,
            user_id: r.user_id,
            api_key_id: r.api_key_id,
            action: r.action,
            target_type: r.target_type,
            target_id: r.target_id,
            target_name: r.target_name,
            outcome: r.outcome,
            error_code: r.error_code,
            detail: r.detail,
            request_id: r.request_id,
            at: r.created_at,
        }
    }
}

impl AuditRepository for PgRepository {
    fn append_audit(&self, e: NewAuditEntry) -> RepoResult<()> {
        let mut conn = self.conn()?;
        diesel::insert_into(audit_log::table)
            .values(AuditInsert {
                user_id: e.user_id,
                api_key_id: e.api_key_id,
                action: e.action,
                target_type: e.target_type,
                target_id: e.target_id,
                target_name: e.target_name.as_deref(),
                outcome: e.outcome.as_str(),
                error_code: e.error_code,
                detail: e.detail.as_ref(),
                request_id: e.request_id.as_deref(),
            })
            .execute(&mut *conn)
            .map_err(map_err)?;
        Ok(())
    }

    fn list_audit(&self, user: Uuid, offset: i64, limit: i64) -> RepoResult<Page<AuditEntry>> {
        let mut conn = self.conn()?;
        let total: i64 =
            audit_log::table.filter(audit_log::user_id.eq(user)).count().get_result(&mut *conn).map_err(map_err)?;
        let rows: Vec<AuditRow> = audit_log::table
            .filter(audit_log::user_id.eq(user))
            .order(audit_log::id.desc())
            .offset(offset)
            .limit(limit)
            .select(AuditRow::as_select())
            .load(&mut *conn)
            .map_err(map_err)?;
        Ok(Page { items: rows.into_iter().map(AuditEntry::from).collect(), total })
    }
}
