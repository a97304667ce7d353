//! Registered connections in the metadata database. Every query filters on
//! the owner; a delete while a job is pending or running on the connection
//! is refused by a trigger of the table (its migration).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use uuid::Uuid;

use super::schema::connections;
use super::{PgRepository, like_pattern, map_err};
use crate::{Conflict, Connection, ConnectionQuery, ConnectionRepository, Page, RepoError, RepoResult};

#[derive(Queryable, QueryableByName, Selectable)]
#[diesel(table_name = connections)]
struct ConnectionRow {
    id: Uuid,
    owner_id: Uuid,
    name: String,
    host: String,
    port: i32,
    database_name: String,
    username: String,
    password_ciphertext: Vec<u8>,
    sslmode: String,
    namespaces: Vec<String>,
    schema_id: Option<Uuid>,
    schema_version: Option<i32>,
    last_test: Option<serde_json::Value>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl ConnectionRow {
    fn into_connection(self) -> RepoResult<Connection> {
        let port = u16::try_from(self.port).map_err(|_| RepoError::Corrupt {
            table: "connections",
            id: self.id.to_string(),
            message: format!("port {} out of range", self.port),
        })?;
        Ok(Connection {
            id: self.id,
            provisioned: false,
            owner_id: self.owner_id,
            name: self.name,
            host: self.host,
            port,
            database: self.database_name,
            username: self.username,
            password_ciphertext: self.password_ciphertext,
            sslmode: self.sslmode,
            namespaces: self.namespaces,
            schema_id: self.schema_id,
            schema_version: self.schema_version,
            last_test: self.last_test,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = connections, treat_none_as_null = true)]
struct ConnectionWrite<'a> {
    name: &'a str,
    host: &'a str,
    port: i32,
    database_name: &'a str,
    username: &'a str,
    password_ciphertext: &'a [u8],
    sslmode: &'a str,
    namespaces: &'a [String],
    schema_id: Option<Uuid>,
    schema_version: Option<i32>,
    last_test: Option<&'a serde_json::Value>,
    updated_at: DateTime<Utc>,
}

fn write(c: &Connection) -> ConnectionWrite<'_> {
    ConnectionWrite {
        name: &c.name,
        host: &c.host,
        port: i32::from(c.port),
        database_name: &c.database,
        username: &c.username,
        password_ciphertext: &c.password_ciphertext,
        sslmode: &c.sslmode,
        namespaces: &c.namespaces,
        schema_id: c.schema_id,
        schema_version: c.schema_version,
        last_test: c.last_test.as_ref(),
        updated_at: Utc::now(),
    }
}

fn conflict(e: DieselError) -> RepoError {
    match e {
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info)
            if info.constraint_name() == Some("connections_owner_name_key") =>
        {
            RepoError::Conflict(Conflict::DuplicateConnection)
        }
        other => map_err(other),
    }
}

/// A row of the list: a registered connection, or a provisioned database
/// in the same shape.
#[derive(QueryableByName)]
struct ListedRow {
    #[diesel(sql_type = diesel::sql_types::Bool)]
    provisioned: bool,
    #[diesel(embed)]
    row: ConnectionRow,
}

#[derive(QueryableByName)]
struct Total {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    total: i64,
}

/// The owner's connections and provisioned databases (of live schemas),
/// filtered by `$2` (a LIKE pattern, or NULL).
const LISTED: &str = "SELECT * FROM (
        SELECT false AS provisioned, id, owner_id, name, host, port, database_name, username, password_ciphertext,
               sslmode, namespaces, schema_id, schema_version, last_test, created_at, updated_at
        FROM connections WHERE owner_id = $1
        UNION ALL
        SELECT true, d.schema_id, s.owner_id, s.name, '', 0, d.database_name, d.role_name, ''::bytea, 'prefer',
               '{}'::text[], d.schema_id, NULL::integer, NULL::jsonb, d.created_at, d.updated_at
        FROM schema_databases d JOIN schemas s ON s.id = d.schema_id
        WHERE s.owner_id = $1 AND s.deleted_at IS NULL
    ) c
    WHERE $2::text IS NULL OR c.name ILIKE $2 OR c.host ILIKE $2 OR c.database_name ILIKE $2";

impl ConnectionRepository for PgRepository {
    fn create_connection(&self, c: &Connection) -> RepoResult<Connection> {
        let mut conn = self.conn()?;
        diesel::insert_into(connections::table)
            .values((connections::id.eq(c.id), connections::owner_id.eq(c.owner_id), write(c)))
            .returning(ConnectionRow::as_returning())
            .get_result(&mut *conn)
            .map_err(conflict)?
            .into_connection()
    }

    fn get_connection(&self, owner: Uuid, id: Uuid) -> RepoResult<Option<Connection>> {
        let mut conn = self.conn()?;
        let row = connections::table
            .filter(connections::id.eq(id))
            .filter(connections::owner_id.eq(owner))
            .select(ConnectionRow::as_select())
            .first(&mut *conn)
            .optional()
            .map_err(map_err)?;
        row.map(ConnectionRow::into_connection).transpose()
    }

    fn list_connections(&self, owner: Uuid, query: &ConnectionQuery) -> RepoResult<Page<Connection>> {
        use diesel::sql_types::{BigInt, Nullable, Text};
        let mut conn = self.conn()?;
        let pattern = query.search.as_deref().filter(|s| !s.is_empty()).map(like_pattern);
        let total: Total = diesel::sql_query(format!("SELECT count(*) AS total FROM ({LISTED}) l"))
            .bind::<diesel::sql_types::Uuid, _>(owner)
            .bind::<Nullable<Text>, _>(pattern.clone())
            .get_result(&mut *conn)
            .map_err(map_err)?;
        let rows: Vec<ListedRow> = diesel::sql_query(format!("{LISTED} ORDER BY c.name, c.id OFFSET $3 LIMIT $4"))
            .bind::<diesel::sql_types::Uuid, _>(owner)
            .bind::<Nullable<Text>, _>(pattern)
            .bind::<BigInt, _>(query.offset)
            .bind::<BigInt, _>(query.limit)
            .load(&mut *conn)
            .map_err(map_err)?;
        let items = rows
            .into_iter()
            .map(|l| l.row.into_connection().map(|c| Connection { provisioned: l.provisioned, ..c }))
            .collect::<RepoResult<_>>()?;
        Ok(Page { items, total: total.total })
    }

    fn update_connection(&self, c: &Connection) -> RepoResult<Connection> {
        let mut conn = self.conn()?;
        diesel::update(connections::table.filter(connections::id.eq(c.id)).filter(connections::owner_id.eq(c.owner_id)))
            .set(write(c))
            .returning(ConnectionRow::as_returning())
            .get_result(&mut *conn)
            .optional()
            .map_err(conflict)?
            .ok_or(RepoError::NotFound)?
            .into_connection()
    }

    fn delete_connection(&self, owner: Uuid, id: Uuid) -> RepoResult<()> {
        let mut conn = self.conn()?;
        let deleted =
            diesel::delete(connections::table.filter(connections::id.eq(id)).filter(connections::owner_id.eq(owner)))
                .execute(&mut *conn);
        match deleted {
            Ok(0) => Err(RepoError::NotFound),
            Ok(_) => Ok(()),
            Err(DieselError::DatabaseError(_, info)) if info.constraint_name() == Some("connections_busy") => {
                let active = super::jobs::active_job(&mut conn, &format!("connection:{id}"))?;
                Err(RepoError::Conflict(Conflict::ActiveJob(active)))
            }
            Err(e) => Err(map_err(e)),
        }
    }
}
