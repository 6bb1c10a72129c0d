//! Store errors. Database errors are mapped once, here.

use helpdeck_core::DomainError;

/// What can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A domain rule refused the change (validation, status machine, permission).
    #[error(transparent)]
    Domain(#[from] DomainError),
    /// The referenced thing does not exist.
    #[error("{0}")]
    NotFound(String),
    /// The data dir holds no workspace yet.
    #[error("no workspace in {0}: run `helpdeck init` first")]
    NoWorkspace(String),
    /// `init` on a data dir that already has a workspace.
    #[error("a workspace already exists in {0}; refusing to overwrite it")]
    WorkspaceExists(String),
    /// An import file is malformed; nothing was imported.
    #[error("import: {0}; nothing was imported")]
    Import(String),
    /// A uniqueness or foreign-key rule of the database was violated.
    #[error("conflict: {0}")]
    Conflict(String),
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// Anything else from SQLite.
    #[error("database error: {0}")]
    Database(sqlx::Error),
    /// The OS keyring could not be used.
    #[error("{0}")]
    Keyring(String),
    /// The workspace is encrypted and its key is not in this computer's keyring.
    #[error(
        "the workspace in {0} is encrypted and its key is not in this computer's keyring \
         (the key was deleted, or the folder was copied from another computer); nothing was changed. \
         To recover: `helpdeck restore BACKUP-FILE` into a new data dir (asks the backup's passphrase), \
         or, for a workspace that syncs with a server, `helpdeck login` into a new data dir to fetch it again"
    )]
    KeyMissing(String),
    /// The key does not open the database (damaged, or not Helpdeck's).
    #[error(
        "{0} does not open with the workspace's key: the file is damaged or belongs to another workspace; nothing was changed"
    )]
    WrongKey(String),
    /// A migration failed.
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::RowNotFound => StoreError::NotFound("not found".into()),
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                StoreError::Conflict(db.message().to_string())
            }
            sqlx::Error::Database(db) if db.is_foreign_key_violation() => {
                StoreError::Conflict(db.message().to_string())
            }
            _ => StoreError::Database(e),
        }
    }
}

/// Result alias for the store.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;
