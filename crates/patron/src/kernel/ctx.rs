//! The context every use case receives: the application's parts, who is acting, and the
//! permission check (`ctx.require`).

use std::sync::Arc;

use chrono::{DateTime, Utc};
use patron_core::access::{self, Permission, Role};
use serde::Serialize;

use crate::kernel::audit::AuditEntry;
use crate::kernel::cache::Cache;
use crate::kernel::clock::Clock;
use crate::kernel::config::{Config, Secrets};
use crate::kernel::db::Db;
use crate::kernel::pii::Pii;

/// The parts of the running application, shared by every request.
#[derive(Clone)]
pub struct App {
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    pub config: Arc<Config>,
    pub secrets: Arc<Secrets>,
    /// Encrypts and hashes personal fields with `secrets.pii_key`.
    pub pii: Arc<Pii>,
    /// Loyalty settings, tiers and stores, read often and changed rarely.
    pub cache: Arc<Cache>,
}

impl App {
    pub fn new(db: Db, clock: Arc<dyn Clock>, config: Config, secrets: Secrets) -> App {
        App {
            db,
            clock,
            pii: Arc::new(Pii::new(&secrets.pii_key)),
            config: Arc::new(config),
            secrets: Arc::new(secrets),
            cache: Arc::new(Cache::default()),
        }
    }
}

/// A role held at one store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Grant {
    pub role: Role,
    pub store_id: i64,
}

/// A signed-in staff member as a use case sees them.
#[derive(Debug, Clone, Serialize)]
pub struct StaffActor {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub grants: Vec<Grant>,
}

/// Who is acting.
#[derive(Debug, Clone)]
pub enum Actor {
    /// A staff member in the console.
    Staff(StaffActor),
    /// A script with an API token, acting with its owner's roles.
    Token { token_id: i64, staff: StaffActor },
    /// A till, with its key.
    Till {
        key_id: i64,
        store_id: i64,
        till_id: String,
    },
    /// Someone at the server's command line (`patron …`): they hold the data directory and its
    /// keys already, so every permission.
    Cli { os_user: String },
    /// Patron itself (timed jobs).
    System,
}

impl Actor {
    pub fn kind(&self) -> &'static str {
        match self {
            Actor::Staff(_) => "staff",
            Actor::Token { .. } => "token",
            Actor::Till { .. } => "till",
            Actor::Cli { .. } => "cli",
            Actor::System => "system",
        }
    }

    /// The staff member behind this actor, if any.
    pub fn staff(&self) -> Option<&StaffActor> {
        match self {
            Actor::Staff(s) | Actor::Token { staff: s, .. } => Some(s),
            _ => None,
        }
    }

    /// The id recorded in the audit log.
    pub fn audit_id(&self) -> Option<i64> {
        match self {
            Actor::Staff(s) => Some(s.id),
            Actor::Token { token_id, .. } => Some(*token_id),
            Actor::Till { key_id, .. } => Some(*key_id),
            Actor::Cli { .. } | Actor::System => None,
        }
    }

    /// The name recorded in the audit log.
    pub fn audit_name(&self) -> String {
        match self {
            Actor::Staff(s) => s.username.clone(),
            Actor::Token { staff, token_id } => format!("{} (token #{token_id})", staff.username),
            Actor::Till {
                till_id, store_id, ..
            } => format!("till {till_id}@{store_id}"),
            Actor::Cli { os_user } => format!("cli:{os_user}"),
            Actor::System => "system".into(),
        }
    }
}

/// Refused for lack of a permission.
#[derive(Debug, Clone, thiserror::Error)]
#[error("permission {} is required", .0.code())]
pub struct Forbidden(pub Permission);

/// One request's context.
#[derive(Clone)]
pub struct Ctx {
    pub app: App,
    pub actor: Actor,
    pub request_id: Option<String>,
}

impl Ctx {
    pub fn new(app: App, actor: Actor, request_id: Option<String>) -> Ctx {
        Ctx {
            app,
            actor,
            request_id,
        }
    }

    pub fn db(&self) -> &Db {
        &self.app.db
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.app.clock.now()
    }

    /// Today's business date in the configured time zone.
    pub fn today(&self) -> chrono::NaiveDate {
        super::dates::business_date(self.now(), self.app.config.tz())
    }

    /// Today's business date at `store`.
    pub fn today_at(&self, store: &super::stores::StoreInfo) -> chrono::NaiveDate {
        super::dates::business_date(self.now(), store.tz)
    }

    /// Whether the actor holds `permission` at any store.
    pub fn can(&self, permission: Permission) -> bool {
        match &self.actor {
            Actor::Cli { .. } | Actor::System => true,
            Actor::Till { .. } => false,
            Actor::Staff(s) | Actor::Token { staff: s, .. } => {
                s.grants.iter().any(|g| access::allows(g.role, permission))
            }
        }
    }

    /// Whether the actor holds `permission` at `store_id`.
    pub fn can_at(&self, permission: Permission, store_id: i64) -> bool {
        match &self.actor {
            Actor::Cli { .. } | Actor::System => true,
            Actor::Till { .. } => false,
            Actor::Staff(s) | Actor::Token { staff: s, .. } => s
                .grants
                .iter()
                .any(|g| g.store_id == store_id && access::allows(g.role, permission)),
        }
    }

    /// The first line of every use case.
    pub fn require(&self, permission: Permission) -> Result<(), Forbidden> {
        if self.can(permission) {
            Ok(())
        } else {
            Err(Forbidden(permission))
        }
    }

    /// As `require`, for an action at one store.
    pub fn require_at(&self, permission: Permission, store_id: i64) -> Result<(), Forbidden> {
        if self.can_at(permission, store_id) {
            Ok(())
        } else {
            Err(Forbidden(permission))
        }
    }

    /// Starts an audit entry for an action by this actor, now.
    pub fn audit(&self, action: &str, entity_kind: &str, entity_id: impl ToString) -> AuditEntry {
        AuditEntry {
            at: self.now(),
            actor_kind: self.actor.kind().into(),
            actor_id: self.actor.audit_id(),
            actor_name: self.actor.audit_name(),
            action: action.into(),
            entity_kind: entity_kind.into(),
            entity_id: entity_id.to_string(),
            store_id: None,
            before: None,
            after: None,
            request_id: self.request_id.clone(),
        }
    }
}
