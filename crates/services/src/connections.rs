//! Registered connections: databases Schemaforge did not provision, that a
//! user compares with a design (drift, matched by name: there is no record
//! of catalog identities) and syncs. Each is tested when created or
//! changed, and the result stored with the time. The password is stored
//! AEAD-encrypted (bound to the connection's id), never shown again, never
//! logged; URLs are checked and connected to through the import's host
//! policy.

use chrono::Utc;
use schemaforge_drift::{Drift, assess_printed, managed_namespaces, read_managed};
use schemaforge_repository::{
    Connection, ConnectionQuery, ImportTarget, IntrospectError, IntrospectOptions, Page, RepoError, SSL_MODES,
};
use serde_json::json;
use uuid::Uuid;

use crate::audit::{Action, Recorded};
use crate::schemas::valid;
use crate::{App, Principal, ServiceError, ServiceResult, Store};

/// A connection as asked for (create: `name` and a URL or its parts;
/// update: any field, `None` leaves it as it is).
#[derive(Debug, Clone, Default)]
pub struct ConnectionInput {
    /// Its name, unique per user.
    pub name: Option<String>,
    /// `postgres://user:password@host:port/database[?sslmode=...]`.
    pub url: Option<String>,
    /// Host (instead of a URL).
    pub host: Option<String>,
    /// Port (default 5432).
    pub port: Option<u16>,
    /// Database name.
    pub database: Option<String>,
    /// User name.
    pub user: Option<String>,
    /// Password (required on create).
    pub password: Option<String>,
    /// libpq's `sslmode` (default `prefer`).
    pub sslmode: Option<String>,
    /// The namespaces compared (empty: the bound design's).
    pub namespaces: Option<Vec<String>>,
    /// The design it is bound to (`Some(None)`: unbind).
    pub schema_id: Option<Option<Uuid>>,
    /// The version of it (`Some(None)`: the current one).
    pub schema_version: Option<Option<i32>>,
}

/// One page of connections.
#[derive(Debug, Clone)]
pub struct ConnectionPage {
    /// The connections, by name.
    pub items: Vec<Connection>,
    /// The page number.
    pub page: u32,
    /// The page size used.
    pub limit: u32,
    /// Connections matching in all pages.
    pub total: i64,
}

fn invalid(field: &'static str, message: impl Into<String>) -> ServiceError {
    ServiceError::InvalidInput { field, message: message.into() }
}

/// The parts of a URL, checked as the import checks it.
fn parts_of(url: &str) -> ServiceResult<(String, u16, String, String, String, String)> {
    let t = ImportTarget::parse(url).map_err(ServiceError::ImportSource)?;
    Ok((t.host().to_string(), t.port(), t.database().to_string(), t.user(), t.password(), t.sslmode()))
}

/// The URL of `c` with `password`, checked (never logged: it holds the password).
fn target(c: &Connection, password: &str) -> ServiceResult<ImportTarget> {
    let host = if c.host.contains(':') { format!("[{}]", c.host) } else { c.host.clone() };
    let mut url = url::Url::parse(&format!("postgres://{host}:{}/", c.port))
        .map_err(|e| invalid("host", format!("is not a host name or address ({e})")))?;
    url.set_username(&c.username).map_err(|()| invalid("user", "cannot be put in a URL"))?;
    url.set_password(Some(password)).map_err(|()| invalid("password", "cannot be put in a URL"))?;
    url.path_segments_mut().map_err(|()| invalid("database", "cannot be put in a URL"))?.pop().push(&c.database);
    url.query_pairs_mut().append_pair("sslmode", &c.sslmode);
    ImportTarget::parse(url.as_str()).map_err(ServiceError::ImportSource)
}

fn not_found(e: RepoError) -> ServiceError {
    match e {
        RepoError::NotFound => ServiceError::ConnectionNotFound,
        other => other.into(),
    }
}

impl<S: Store> App<S> {
    /// Register a connection, tested before it is stored.
    #[tracing::instrument(skip_all, fields(user_id = %principal.user_id))]
    pub fn create_connection(&self, principal: Principal, input: ConnectionInput) -> ServiceResult<Connection> {
        let name = input.name.clone().ok_or_else(|| invalid("name", "is required"))?;
        let id = Uuid::new_v4();
        let mut c = Connection {
            id,
            provisioned: false,
            owner_id: principal.user_id,
            name,
            host: String::new(),
            port: 5432,
            database: String::new(),
            username: String::new(),
            password_ciphertext: Vec::new(),
            sslmode: "prefer".into(),
            namespaces: Vec::new(),
            schema_id: None,
            schema_version: None,
            last_test: None,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        };
        self.audited(
            principal,
            Action::ConnectionCreate,
            Some(id),
            || {
                if input.url.is_none() && input.password.is_none() {
                    return Err(invalid("password", "is required"));
                }
                let password = self.apply_input(principal, &mut c, input, None)?;
                self.test_into(&mut c, &password)?;
                Ok(self.store.create_connection(&c)?)
            },
            |c| Recorded {
                name: Some(c.name.clone()),
                detail: Some(json!({"host": c.host, "database": c.database})),
                ..Default::default()
            },
        )
    }

    /// The caller's connection: a registered one, or a schema's
    /// provisioned database (whose id is its schema's).
    pub fn get_connection(&self, principal: Principal, id: Uuid) -> ServiceResult<Connection> {
        if let Some(c) = self.store.get_connection(principal.user_id, id)? {
            return Ok(c);
        }
        let schema = self.get_schema(principal, id).map_err(|_| ServiceError::ConnectionNotFound)?;
        let record = self.store.get_database_record(principal.user_id, id)?.ok_or(ServiceError::ConnectionNotFound)?;
        Ok(self.with_address(Connection {
            id,
            provisioned: true,
            owner_id: principal.user_id,
            name: schema.name,
            host: String::new(),
            port: 0,
            database: record.database_name,
            username: record.role_name,
            password_ciphertext: Vec::new(),
            sslmode: "prefer".into(),
            namespaces: Vec::new(),
            schema_id: Some(id),
            schema_version: None,
            last_test: None,
            created_at: record.created_at,
            updated_at: record.updated_at,
        }))
    }

    /// A provisioned database's host and port, as clients reach it.
    fn with_address(&self, mut c: Connection) -> Connection {
        if c.provisioned {
            let address = self.admin.address();
            c.host = self.provisioning.public_host.clone().unwrap_or(address.host);
            c.port = self.provisioning.public_port.unwrap_or(address.port);
        }
        c
    }

    /// The caller's registered connection (`InvalidInput` for a
    /// provisioned database: it is managed under its schema).
    fn registered(&self, principal: Principal, id: Uuid) -> ServiceResult<Connection> {
        let c = self.get_connection(principal, id)?;
        if c.provisioned {
            return Err(invalid("id", "is a provisioned database: manage it under /schemas/{id}/database"));
        }
        Ok(c)
    }

    /// A page of the caller's connections, by name.
    pub fn list_connections(
        &self,
        principal: Principal,
        search: Option<String>,
        page: Option<u32>,
        limit: Option<u32>,
    ) -> ServiceResult<ConnectionPage> {
        let (page, limit, offset) = crate::schemas::page_window(page, limit);
        let query = ConnectionQuery {
            search: search.map(|s| s.trim().to_string()).filter(|s| !s.is_empty()),
            offset,
            limit: i64::from(limit),
        };
        let Page { items, total } = self.store.list_connections(principal.user_id, &query)?;
        let items = items.into_iter().map(|c| self.with_address(c)).collect();
        Ok(ConnectionPage { items, page, limit, total })
    }

    /// Change the caller's connection; tested again when where or how it
    /// connects changed (or `retest`).
    #[tracing::instrument(skip_all, fields(user_id = %principal.user_id, connection_id = %id))]
    pub fn update_connection(
        &self,
        principal: Principal,
        id: Uuid,
        input: ConnectionInput,
        retest: bool,
    ) -> ServiceResult<Connection> {
        self.audited(
            principal,
            Action::ConnectionUpdate,
            Some(id),
            || self.change_connection(principal, id, input, retest),
            |c| Recorded { name: Some(c.name.clone()), ..Default::default() },
        )
    }

    fn change_connection(
        &self,
        principal: Principal,
        id: Uuid,
        input: ConnectionInput,
        retest: bool,
    ) -> ServiceResult<Connection> {
        let mut c = self.registered(principal, id)?;
        let endpoint =
            |c: &Connection| (c.host.clone(), c.port, c.database.clone(), c.username.clone(), c.sslmode.clone());
        let before = endpoint(&c);
        let old = self.connection_password(&c)?;
        let password_given = input.password.is_some() || input.url.is_some();
        let password = self.apply_input(principal, &mut c, input, Some(old))?;
        if retest || password_given || before != endpoint(&c) {
            self.test_into(&mut c, &password)?;
        }
        self.store.update_connection(&c).map_err(not_found)
    }

    /// Forget the caller's connection (`JobInProgress` while a job runs on it).
    pub fn delete_connection(&self, principal: Principal, id: Uuid) -> ServiceResult<()> {
        self.audited(
            principal,
            Action::ConnectionDelete,
            Some(id),
            || {
                self.registered(principal, id)?;
                self.store.delete_connection(principal.user_id, id).map_err(not_found)
            },
            |()| Recorded::default(),
        )
    }

    /// Apply `input` to `c`; gives the password in clear (the new one, or `old`).
    fn apply_input(
        &self,
        principal: Principal,
        c: &mut Connection,
        input: ConnectionInput,
        old: Option<String>,
    ) -> ServiceResult<String> {
        let mut password = old;
        if let Some(name) = input.name {
            let name = name.trim().to_string();
            if name.is_empty() || name.chars().count() > 200 {
                return Err(invalid("name", "must be 1 to 200 characters long"));
            }
            c.name = name;
        }
        if let Some(url) = input.url {
            let (host, port, database, user, pass, sslmode) = parts_of(&url)?;
            (c.host, c.port, c.database, c.username, c.sslmode) = (host, port, database, user, sslmode);
            password = Some(pass);
        }
        if let Some(host) = input.host {
            c.host = host;
        }
        if let Some(port) = input.port {
            c.port = port;
        }
        if let Some(database) = input.database {
            c.database = database;
        }
        if let Some(user) = input.user {
            c.username = user;
        }
        if let Some(p) = input.password {
            password = Some(p);
        }
        if let Some(mode) = input.sslmode {
            if !SSL_MODES.contains(&mode.as_str()) {
                return Err(invalid("sslmode", format!("must be one of {}", SSL_MODES.join(", "))));
            }
            c.sslmode = mode;
        }
        if let Some(namespaces) = input.namespaces {
            if namespaces.iter().any(|n| n.is_empty() || n.len() > 63) || namespaces.len() > 100 {
                return Err(invalid("namespaces", "must be at most 100 names of 1 to 63 bytes"));
            }
            c.namespaces = namespaces;
        }
        if let Some(schema) = input.schema_id {
            if let Some(schema) = schema {
                self.get_schema(principal, schema)?;
            }
            c.schema_id = schema;
        }
        if let Some(version) = input.schema_version {
            c.schema_version = version;
        }
        if let (Some(schema), Some(version)) = (c.schema_id, c.schema_version) {
            self.get_version(principal, schema, version)?;
        } else if c.schema_id.is_none() && c.schema_version.is_some() {
            return Err(invalid("schemaVersion", "needs a schemaId"));
        }
        let password = password.filter(|p| !p.is_empty()).ok_or_else(|| invalid("password", "is required"))?;
        if c.host.is_empty() || c.database.is_empty() || c.username.is_empty() {
            return Err(invalid("url", "give a URL, or host, database and user"));
        }
        let plain = !c.host.chars().any(|ch| ch.is_whitespace() || "/@?#[]\\%,:".contains(ch));
        if !plain && c.host.parse::<std::net::Ipv6Addr>().is_err() {
            return Err(invalid("host", "must be a host name or an address"));
        }
        if c.port == 0 {
            return Err(invalid("port", "must be 1 to 65535"));
        }
        let texts = [&c.name, &c.host, &c.database, &c.username, &password];
        if texts.iter().any(|t| t.contains('\0')) || c.namespaces.iter().any(|n| n.contains('\0')) {
            return Err(invalid("url", "no part may hold a NUL character"));
        }
        // The whole URL is checked as the import checks one.
        target(c, &password)?;
        c.password_ciphertext = self
            .provisioning
            .encryption_key
            .seal(c.id, &password)
            .ok_or_else(|| ServiceError::Internal("cannot encrypt the password".into()))?;
        Ok(password)
    }

    /// Test `c` and store the result in it. A host the policy forbids is
    /// an error (nothing is stored); anything else is the test's result.
    fn test_into(&self, c: &mut Connection, password: &str) -> ServiceResult<()> {
        let target = target(c, password)?;
        let options = IntrospectOptions {
            namespaces: Vec::new(),
            statement_timeout_ms: self.imports.statement_timeout_ms,
            connect_timeout_secs: self.imports.connect_timeout_secs,
        };
        let at = Utc::now();
        c.last_test = Some(match self.reader.probe(&target, &options) {
            Ok(p) => json!({
                "ok": true, "testedAt": at, "serverVersion": p.server_version, "canRead": true,
                "canWrite": p.can_write, "relations": p.relations,
            }),
            Err(e @ (IntrospectError::Forbidden(_) | IntrospectError::InvalidUrl(_))) => {
                return Err(ServiceError::ImportSource(e));
            }
            Err(e) => {
                json!({"ok": false, "testedAt": at, "canRead": false, "canWrite": false, "message": e.to_string()})
            }
        });
        Ok(())
    }

    fn connection_password(&self, c: &Connection) -> ServiceResult<String> {
        self.provisioning.encryption_key.open(c.id, &c.password_ciphertext).ok_or_else(|| {
            ServiceError::Internal(
                "the stored connection password cannot be decrypted (was provisioning.encryption_key changed?)".into(),
            )
        })
    }

    /// The checked URL of the caller's connection.
    pub(crate) fn connection_target(&self, c: &Connection) -> ServiceResult<ImportTarget> {
        target(c, &self.connection_password(c)?)
    }

    /// The drift of a registered connection from version `version` of the
    /// caller's schema (default: the connection's bound version when bound
    /// to it, else the current one). Matched by name.
    #[tracing::instrument(skip_all, fields(schema_id = %id, connection_id = %connection))]
    pub fn connection_drift(
        &self,
        principal: Principal,
        id: Uuid,
        connection: Uuid,
        version: Option<i32>,
    ) -> ServiceResult<Drift> {
        let schema = self.get_schema(principal, id)?;
        let c = self.get_connection(principal, connection)?;
        if c.provisioned {
            if c.id != id {
                return Err(invalid("connection", "is a provisioned database: compare it with its own schema"));
            }
            return self.database_drift(principal, id, version);
        }
        let bound = c.schema_version.filter(|_| c.schema_id == Some(id));
        let version = version.or(bound).unwrap_or(schema.version);
        let desired = valid(self.get_version(principal, id, version)?.document)?;
        self.registered_drift(&c, id, version, &desired)
    }

    /// The drift of `c` from `desired`, version `version` of schema `id`.
    pub(crate) fn registered_drift(
        &self,
        c: &Connection,
        id: Uuid,
        version: i32,
        desired: &schemaforge_domain::ValidSchema,
    ) -> ServiceResult<Drift> {
        let target = self.connection_target(c)?;
        let printed = self.printed(id, version, desired)?;
        let managed =
            if c.namespaces.is_empty() { managed_namespaces(desired) } else { c.namespaces.iter().cloned().collect() };
        let (catalog, others) = read_managed(&managed, |namespaces| {
            self.reader.read_database(
                &target,
                &IntrospectOptions {
                    namespaces,
                    statement_timeout_ms: self.imports.statement_timeout_ms,
                    connect_timeout_secs: self.imports.connect_timeout_secs,
                },
            )
        })
        .map_err(ServiceError::ImportSource)?;
        Ok(assess_printed(desired, &printed, &catalog, others, None))
    }
}
