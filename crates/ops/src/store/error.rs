//! What a certificate store refuses or fails at.

/// What the database refused or failed at.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The `-db-config` file is unreadable or invalid.
    #[error("{0}")]
    Config(String),
    /// A certificate with this serial and AKI is already recorded (another
    /// replica drew the same serial): sign again with a new serial.
    #[error("a certificate with serial {serial} and AKI {aki} is already recorded")]
    Duplicate { serial: String, aki: String },
    #[error("certificate not found (serial {serial}, AKI {aki})")]
    NotFound { serial: String, aki: String },
    #[error("certificate record: {0}")]
    Record(String),
    /// The driver's own error (connection, SQL), kept whole.
    #[error("certificate database: {0}")]
    Backend(Box<dyn std::error::Error + Send + Sync>),
}
