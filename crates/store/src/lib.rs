//! Persistence of Loophole: saved reward designs, in one SQLite file.
//!
//! This is the only crate that knows SQL. A [`Store`] owns one connection
//! behind a mutex, so it can be shared between threads (the server calls it
//! from `spawn_blocking`). Opening a store creates the file if needed,
//! switches it to write-ahead logging with full syncs (a saved design
//! survives a crash or a power cut once `save_design` has returned), and
//! brings its schema up to date.
//!
//! ```
//! use loophole_store::{NewDesign, Store};
//! let dir = tempfile::tempdir().unwrap();
//! let store = Store::open(dir.path().join("loophole.db")).unwrap();
//! let design = NewDesign {
//!     level: "boat-race".into(),
//!     reward: "3*arrow - step".into(),
//!     agent: "value-iteration".into(),
//!     power: 100,
//!     seed: 0,
//! };
//! let id = store.save_design(&design).unwrap();
//! let saved = store.load_design(&id).unwrap().unwrap();
//! assert_eq!(saved.reward, "3*arrow - step");
//! assert_eq!(store.load_design("no-such-id").unwrap(), None);
//! ```

use std::fmt;
use std::path::Path;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::{params, Connection, ErrorCode, OptionalExtension};

/// The schema, one migration per entry, applied in order. The database's
/// `PRAGMA user_version` is the number of migrations already applied, so an
/// entry must never change once released: add a new one instead.
const MIGRATIONS: &[&str] = &["CREATE TABLE designs (
        id      TEXT PRIMARY KEY,
        level   TEXT NOT NULL,
        reward  TEXT NOT NULL,
        agent   TEXT NOT NULL,
        power   INTEGER NOT NULL,
        seed    INTEGER NOT NULL,
        created TEXT NOT NULL
    );"];

/// Length of a design id.
pub const ID_LEN: usize = 10;
/// Lowercase letters and digits without the look-alikes (0/o, 1/l).
const ID_ALPHABET: &[u8; 32] = b"abcdefghijkmnpqrstuvwxyz23456789";

/// A design to save: a reward for a level and the optimizer to run on it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewDesign {
    pub level: String,
    pub reward: String,
    pub agent: String,
    pub power: u32,
    pub seed: u64,
}

/// A saved design.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Design {
    pub id: String,
    pub level: String,
    pub reward: String,
    pub agent: String,
    pub power: u32,
    pub seed: u64,
    /// When it was saved, UTC, as `YYYY-MM-DDTHH:MM:SSZ`.
    pub created: String,
}

/// Why the store failed.
#[derive(Debug)]
pub enum StoreError {
    Sqlite(rusqlite::Error),
    /// The file was written by a newer Loophole whose schema this one does not know.
    NewerSchema {
        found: i64,
        known: usize,
    },
    /// The system's random source failed while drawing an id.
    Random(String),
    /// The file can be read but not written (permissions, a read-only disk).
    ReadOnly,
    /// The file is some other program's SQLite database.
    Foreign {
        tables: Vec<String>,
    },
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::Sqlite(e) => write!(f, "database error: {e}"),
            StoreError::NewerSchema { found, known } => write!(
                f,
                "the database has schema version {found} but this program knows versions up to {known}: \
                 it was written by a newer Loophole"
            ),
            StoreError::Random(e) => write!(f, "could not draw a random id: {e}"),
            StoreError::ReadOnly => write!(
                f,
                "the database can be read but not written (check the file's permissions and \
                 the disk; --db picks another file)"
            ),
            StoreError::Foreign { tables } => write!(
                f,
                "the file is not a Loophole database: it holds the tables {} of another \
                 program, which Loophole leaves alone (--db picks another file)",
                tables.join(", ")
            ),
        }
    }
}

impl std::error::Error for StoreError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            StoreError::Sqlite(e) => Some(e),
            _ => None,
        }
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Sqlite(e)
    }
}

/// A SQLite database of saved designs.
pub struct Store {
    conn: Mutex<Connection>,
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Store").finish_non_exhaustive()
    }
}

impl Store {
    /// Opens (creating if needed) the database at `path` and migrates it.
    /// Refuses a file it cannot write and another program's database, so
    /// that a server never starts only to fail every save.
    pub fn open(path: impl AsRef<Path>) -> Result<Store, StoreError> {
        let conn = Connection::open(path)?;
        // SQLite falls back to reading a file it cannot open for writing.
        if conn.is_readonly(rusqlite::MAIN_DB)? {
            return Err(StoreError::ReadOnly);
        }
        conn.pragma_update(None, "journal_mode", "WAL")?;
        // NORMAL may lose the last transactions on power loss in WAL mode;
        // a design whose link was handed out must survive, so sync every commit.
        conn.pragma_update(None, "synchronous", "FULL")?;
        Store::setup(conn)
    }

    /// A store that lives in memory only (for tests and throwaway servers).
    pub fn open_in_memory() -> Result<Store, StoreError> {
        Store::setup(Connection::open_in_memory()?)
    }

    fn setup(mut conn: Connection) -> Result<Store, StoreError> {
        // Another process may hold the write lock for a moment.
        conn.busy_timeout(Duration::from_secs(5))?;
        migrate(&mut conn)?;
        Ok(Store {
            conn: Mutex::new(conn),
        })
    }

    /// The schema version of the database (the number of migrations applied).
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        Ok(user_version(&self.lock())?)
    }

    /// Saves a design and returns its new id.
    pub fn save_design(&self, design: &NewDesign) -> Result<String, StoreError> {
        let conn = self.lock();
        // 50 random bits: a collision is rare, and retried.
        let mut attempts = 0;
        loop {
            let id = new_id()?;
            let inserted = conn.execute(
                "INSERT INTO designs (id, level, reward, agent, power, seed, created)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
                params![
                    id,
                    design.level,
                    design.reward,
                    design.agent,
                    design.power,
                    // SQLite integers are signed: keep the seed's 64 bits as they are.
                    design.seed as i64,
                ],
            );
            match inserted {
                Ok(_) => return Ok(id),
                Err(rusqlite::Error::SqliteFailure(e, _))
                    if e.code == ErrorCode::ConstraintViolation && attempts < 5 =>
                {
                    attempts += 1;
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// Loads a design by id; `None` if there is none with that id.
    pub fn load_design(&self, id: &str) -> Result<Option<Design>, StoreError> {
        let conn = self.lock();
        let design = conn
            .query_row(
                "SELECT id, level, reward, agent, power, seed, created FROM designs WHERE id = ?1",
                [id],
                |row| {
                    Ok(Design {
                        id: row.get(0)?,
                        level: row.get(1)?,
                        reward: row.get(2)?,
                        agent: row.get(3)?,
                        power: row.get(4)?,
                        seed: row.get::<_, i64>(5)? as u64,
                        created: row.get(6)?,
                    })
                },
            )
            .optional()?;
        Ok(design)
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave a transaction half
        // applied (SQLite rolls it back), so a poisoned lock is still usable.
        self.conn.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn user_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.pragma_query_value(None, "user_version", |row| row.get(0))
}

/// `PRAGMA application_id` of a Loophole database: "LOOP".
const APPLICATION_ID: i64 = 0x4C4F_4F50;

/// Refuses a database that another program made: one with another
/// application id, or with tables but neither Loophole's id nor its schema.
fn check_owner(conn: &Connection) -> Result<(), StoreError> {
    let id: i64 = conn.pragma_query_value(None, "application_id", |row| row.get(0))?;
    if id == APPLICATION_ID {
        return Ok(());
    }
    let mut stmt =
        conn.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")?;
    let tables: Vec<String> = stmt
        .query_map([], |row| row.get(0))?
        .collect::<Result<_, _>>()?;
    // A new file, or one of ours from before the id was written.
    let ours =
        tables.is_empty() || (user_version(conn)? >= 1 && tables.iter().any(|t| t == "designs"));
    if id != 0 || !ours {
        return Err(StoreError::Foreign { tables });
    }
    Ok(())
}

/// Applies the migrations the database has not seen yet, each in its own
/// transaction together with the version bump.
fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    check_owner(conn)?;
    let found = user_version(conn)?;
    if found < 0 || found as usize > MIGRATIONS.len() {
        return Err(StoreError::NewerSchema {
            found,
            known: MIGRATIONS.len(),
        });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
    }
    if conn.pragma_query_value(None, "application_id", |row| row.get::<_, i64>(0))?
        != APPLICATION_ID
    {
        conn.pragma_update(None, "application_id", APPLICATION_ID)?;
    }
    Ok(())
}

/// A random id of [`ID_LEN`] characters: lowercase letters and digits
/// without the look-alikes (0/o, 1/l).
pub fn new_id() -> Result<String, StoreError> {
    let mut bytes = [0u8; ID_LEN];
    getrandom::fill(&mut bytes).map_err(|e| StoreError::Random(e.to_string()))?;
    Ok(bytes
        .iter()
        .map(|b| ID_ALPHABET[(*b & 31) as usize] as char)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_short_and_url_safe() {
        let id = new_id().unwrap();
        assert_eq!(id.len(), ID_LEN);
        assert!(id.bytes().all(|b| ID_ALPHABET.contains(&b)));
        assert_ne!(new_id().unwrap(), id);
    }
}
