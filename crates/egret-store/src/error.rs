use egret_domain::org::FieldError;
use egret_i18n::Msg;

/// Why a store operation did not happen. Nothing is written when one is
/// returned.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The entity does not exist, or the principal may not see it (the two
    /// are deliberately indistinguishable).
    #[error("{entity} `{id}` not found")]
    NotFound { entity: &'static str, id: String },
    /// The principal may see the entity but not do this to it.
    #[error("not allowed: {action}")]
    Forbidden { action: &'static str },
    /// The write conflicts with stored state (duplicate key, stale version).
    #[error("{}", .0.render(egret_i18n::Lang::En))]
    Conflict(Msg),
    /// The input failed validation; each error names its field.
    #[error("invalid input: {}", .0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<FieldError>),
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
}

impl StoreError {
    /// A message for the person who caused the error.
    pub fn msg(&self) -> Msg {
        match self {
            StoreError::NotFound { entity, id } => Msg::new("store-not-found")
                .arg("entity", entity)
                .arg("id", id),
            StoreError::Forbidden { action } => Msg::new("store-forbidden").arg("action", action),
            StoreError::Conflict(m) => m.clone(),
            StoreError::Invalid(errs) => Msg::new("store-invalid").arg("count", errs.len()),
            StoreError::Db(_) | StoreError::Migrate(_) | StoreError::Corrupt(_) => {
                Msg::new("store-internal")
            }
        }
    }
}

pub(crate) fn corrupt(what: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(what.to_string())
}
