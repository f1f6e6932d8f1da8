//! The ACME objects as stored (JSON bodies of `AcmeRow`s) and their
//! loading and saving; what clients see is built from them by the
//! resource handlers, with this server's URLs.

use super::problem::Problem;
use certkit_ops::store::acme::{AcmeKind, AcmeRow, AcmeStore};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Account {
    pub status: String,
    pub contact: Vec<String>,
    pub terms_of_service_agreed: bool,
    /// The account key as the client sent it (a JWK).
    pub key: serde_json::Value,
    /// The External Account Binding key id it was created with.
    #[serde(default)]
    pub eab_kid: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identifier {
    #[serde(rename = "type")]
    pub kind: String,
    pub value: String,
}

/// The issued certificate's key in the certificates table.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CertRef {
    pub serial: String,
    pub aki: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Order {
    pub status: String,
    pub expires: i64,
    pub identifiers: Vec<Identifier>,
    pub authorizations: Vec<String>,
    pub error: Option<serde_json::Value>,
    pub certificate: Option<CertRef>,
    /// The notAfter the order asked for (unix seconds), within the profile.
    #[serde(default)]
    pub not_after: Option<i64>,
    /// The profile of the directory the order came through.
    #[serde(default)]
    pub profile: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Challenge {
    #[serde(rename = "type")]
    pub kind: String,
    pub token: String,
    pub status: String,
    pub validated: Option<i64>,
    pub error: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Authorization {
    pub status: String,
    pub expires: i64,
    pub identifier: Identifier,
    pub challenges: Vec<Challenge>,
    /// For `*.NAME` in the order (identifier NAME, dns-01 only).
    #[serde(default)]
    pub wildcard: bool,
}

/// An object with the row around it.
pub struct Stored<T> {
    pub id: String,
    pub parent: String,
    pub object: T,
    /// The status stored now: what a compare-and-set update expects.
    pub stored_status: String,
}

/// What every stored object has.
pub trait Object: Serialize + DeserializeOwned {
    const KIND: AcmeKind;
    fn status(&self) -> &str;
    fn expires(&self) -> i64;
}

impl Object for Account {
    const KIND: AcmeKind = AcmeKind::Account;
    fn status(&self) -> &str {
        &self.status
    }
    fn expires(&self) -> i64 {
        0
    }
}

impl Object for Order {
    const KIND: AcmeKind = AcmeKind::Order;
    fn status(&self) -> &str {
        &self.status
    }
    fn expires(&self) -> i64 {
        self.expires
    }
}

impl Object for Authorization {
    const KIND: AcmeKind = AcmeKind::Authorization;
    fn status(&self) -> &str {
        &self.status
    }
    fn expires(&self) -> i64 {
        self.expires
    }
}

fn to_row<T: Object>(id: &str, parent: &str, object: &T) -> Result<AcmeRow, Problem> {
    Ok(AcmeRow {
        id: id.to_string(),
        parent: parent.to_string(),
        status: object.status().to_string(),
        expires: object.expires(),
        body: serde_json::to_string(object).map_err(|e| Problem::server_internal(e.to_string()))?,
    })
}

fn from_row<T: Object>(row: AcmeRow) -> Result<Stored<T>, Problem> {
    let object = serde_json::from_str(&row.body).map_err(|e| {
        log::error!("acme: stored {} {}: {e}", T::KIND.table(), row.id);
        Problem::server_internal("a stored object is unreadable")
    })?;
    Ok(Stored {
        id: row.id,
        parent: row.parent,
        object,
        stored_status: row.status,
    })
}

pub async fn insert<T: Object>(
    store: &dyn AcmeStore,
    id: &str,
    parent: &str,
    object: &T,
) -> Result<(), Problem> {
    store.insert(T::KIND, &to_row(id, parent, object)?).await?;
    Ok(())
}

pub async fn load<T: Object>(store: &dyn AcmeStore, id: &str) -> Result<Stored<T>, Problem> {
    match store.get(T::KIND, id).await? {
        Some(row) => from_row(row),
        None => Err(Problem::not_found(match T::KIND {
            AcmeKind::Account => "account",
            AcmeKind::Order => "order",
            AcmeKind::Authorization => "authorization",
        })),
    }
}

pub async fn children<T: Object>(
    store: &dyn AcmeStore,
    parent: &str,
    limit: i64,
) -> Result<Vec<Stored<T>>, Problem> {
    store
        .children(T::KIND, parent, limit)
        .await?
        .into_iter()
        .map(from_row)
        .collect()
}

/// Saves `stored` unless another request changed its status since it
/// was loaded (then false, and the caller reloads or gives up).
pub async fn save<T: Object>(
    store: &dyn AcmeStore,
    stored: &mut Stored<T>,
) -> Result<bool, Problem> {
    let row = to_row(&stored.id, &stored.parent, &stored.object)?;
    let saved = store.update(T::KIND, &row, &stored.stored_status).await?;
    if saved {
        stored.stored_status = row.status;
    }
    Ok(saved)
}
