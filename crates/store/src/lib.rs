//! Persistence of Loophole: saved reward designs and the levels' best
//! scores found, in one SQLite file.
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
//! // The same design saved again is the same link.
//! assert_eq!(store.save_design(&design).unwrap(), id);
//! assert_eq!(store.load_design("no-such-id").unwrap(), None);
//! ```

use std::fmt;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::{params, Connection, ErrorCode, OptionalExtension};

/// The schema, one migration per entry, applied in order. The database's
/// `PRAGMA user_version` is the number of migrations already applied, so an
/// entry must never change once released: add a new one instead.
const MIGRATIONS: &[&str] = &[
    "CREATE TABLE designs (
        id      TEXT PRIMARY KEY,
        level   TEXT NOT NULL,
        reward  TEXT NOT NULL,
        agent   TEXT NOT NULL,
        power   INTEGER NOT NULL,
        seed    INTEGER NOT NULL,
        created TEXT NOT NULL
    );",
    // `content`: the hash of a design's inputs ([`content_hash`]), so that
    // saving the same design again finds it; rows saved before it are
    // hashed when the store opens. `records`: the best intent score a
    // design has reached on a level whose best is only found by search.
    "ALTER TABLE designs ADD COLUMN content INTEGER;
     CREATE INDEX designs_content ON designs (content);
     CREATE TABLE records (
        level       TEXT PRIMARY KEY,
        performance REAL NOT NULL,
        updated     TEXT NOT NULL
     );",
];

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
    /// A new design would take the database past its size limit
    /// ([`Store::set_max_bytes`]).
    Full {
        max_bytes: u64,
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
            StoreError::Full { max_bytes } => {
                let limit = if max_bytes % (1024 * 1024) == 0 {
                    format!("{} MiB", max_bytes / (1024 * 1024))
                } else {
                    format!("{} KiB", max_bytes.div_ceil(1024))
                };
                write!(
                    f,
                    "the database of saved designs is full (its limit is {limit}); designs \
                     saved before still open, and saving the same design again still gives its link"
                )
            }
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

/// A design as saved: its id, and whether this save made it or found it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Saved {
    pub id: String,
    /// False when the same design (level, reward, agent, power, seed) was
    /// already saved: `id` is then that design's.
    pub new: bool,
}

/// A SQLite database of saved designs.
pub struct Store {
    conn: Mutex<Connection>,
    /// Most bytes the file may take, its write-ahead log included (0: no limit).
    max_bytes: AtomicU64,
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
        hash_unhashed(&mut conn)?;
        Ok(Store {
            conn: Mutex::new(conn),
            max_bytes: AtomicU64::new(0),
        })
    }

    /// Limits the database to `max_bytes` on disk, its write-ahead log and
    /// shared-memory index included: a save that would go past it fails
    /// with [`StoreError::Full`]. The log is checkpointed and cut back
    /// whenever it reaches an eighth of the limit (from 64 KiB to 4 MiB, its
    /// usual size), and that much is kept free for it.
    pub fn set_max_bytes(&self, max_bytes: u64) -> Result<(), StoreError> {
        let conn = self.lock();
        let page = page_size(&conn)?;
        let log = wal_allowance(max_bytes);
        conn.pragma_update(None, "wal_autocheckpoint", (log / page).max(1) as i64)?;
        conn.pragma_update(None, "journal_size_limit", log as i64)?;
        self.max_bytes.store(max_bytes, Ordering::Relaxed);
        Ok(())
    }

    /// Bytes the database's pages take (`page_count * page_size`): the size
    /// of its file once the write-ahead log is checkpointed.
    pub fn size_bytes(&self) -> Result<u64, StoreError> {
        Ok(pages_bytes(&self.lock())?)
    }

    /// The schema version of the database (the number of migrations applied).
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        Ok(user_version(&self.lock())?)
    }

    /// Saves a design and returns its id ([`Store::save`]).
    pub fn save_design(&self, design: &NewDesign) -> Result<String, StoreError> {
        self.save(design).map(|saved| saved.id)
    }

    /// Saves a design, unless the same one (level, reward, agent, power,
    /// seed) is saved already: then its id is returned and nothing written.
    /// A new design that would take the file past [`Store::set_max_bytes`]
    /// is refused with [`StoreError::Full`].
    pub fn save(&self, design: &NewDesign) -> Result<Saved, StoreError> {
        let conn = self.lock();
        let content = content_hash(design);
        // SQLite integers are signed: keep the seed's 64 bits as they are.
        let seed = design.seed as i64;
        let existing: Option<String> = conn
            .query_row(
                "SELECT id FROM designs WHERE content = ?1 AND level = ?2 AND reward = ?3
                 AND agent = ?4 AND power = ?5 AND seed = ?6 ORDER BY created, id LIMIT 1",
                params![
                    content,
                    design.level,
                    design.reward,
                    design.agent,
                    design.power,
                    seed
                ],
                |row| row.get(0),
            )
            .optional()?;
        if let Some(id) = existing {
            return Ok(Saved { id, new: false });
        }
        let max_bytes = self.max_bytes.load(Ordering::Relaxed);
        if max_bytes > 0 {
            let page = page_size(&conn)?;
            // The row with room for its index entry and a page split or two.
            let row = 2 * (design.level.len() + design.reward.len() + design.agent.len()) as u64
                + 4 * page;
            let reserved = wal_allowance(max_bytes) + SHM_BYTES + 8 * page;
            if pages_bytes(&conn)? + row + reserved > max_bytes {
                return Err(StoreError::Full { max_bytes });
            }
        }
        // 50 random bits: a collision is rare, and retried.
        let mut attempts = 0;
        loop {
            let id = new_id()?;
            let inserted = conn.execute(
                "INSERT INTO designs (id, level, reward, agent, power, seed, created, content)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), ?7)",
                params![
                    id,
                    design.level,
                    design.reward,
                    design.agent,
                    design.power,
                    seed,
                    content,
                ],
            );
            match inserted {
                Ok(_) => return Ok(Saved { id, new: true }),
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

    /// The best intent score a design has reached on each level that has
    /// one recorded ([`Store::raise_record`]).
    pub fn records(&self) -> Result<Vec<(String, f64)>, StoreError> {
        let conn = self.lock();
        let mut stmt = conn.prepare("SELECT level, performance FROM records ORDER BY level")?;
        let rows = stmt
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    /// Records `performance` as the best reached on `level`, where it is
    /// more than the record so far (a number that is not finite is ignored).
    pub fn raise_record(&self, level: &str, performance: f64) -> Result<(), StoreError> {
        if !performance.is_finite() {
            return Ok(());
        }
        self.lock().execute(
            "INSERT INTO records (level, performance, updated)
             VALUES (?1, ?2, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
             ON CONFLICT (level) DO UPDATE SET
                performance = excluded.performance, updated = excluded.updated
             WHERE excluded.performance > records.performance",
            params![level, performance],
        )?;
        Ok(())
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

fn page_size(conn: &Connection) -> rusqlite::Result<u64> {
    conn.pragma_query_value(None, "page_size", |row| row.get::<_, i64>(0))
        .map(|n| n.max(512) as u64)
}

/// `page_count * page_size`: the pages of the database, those still in the
/// write-ahead log included.
fn pages_bytes(conn: &Connection) -> rusqlite::Result<u64> {
    let count: i64 = conn.pragma_query_value(None, "page_count", |row| row.get(0))?;
    Ok(count.max(0) as u64 * page_size(conn)?)
}

/// The shared-memory index of a database in write-ahead-log mode (`-shm`):
/// 32 KiB for a log of up to about 4,000 pages.
const SHM_BYTES: u64 = 32 * 1024;

/// The room kept for the write-ahead log under a limit of `max_bytes`.
fn wal_allowance(max_bytes: u64) -> u64 {
    (max_bytes / 8).clamp(64 * 1024, 4 * 1024 * 1024)
}

/// The hash of a design's inputs (64-bit FNV-1a over each field, its length
/// first): the same on every machine and in every version, as it is stored.
/// Designs with the same hash are still compared field by field.
pub fn content_hash(d: &NewDesign) -> i64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |bytes: &[u8]| {
        for b in (bytes.len() as u64).to_le_bytes().iter().chain(bytes) {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    };
    eat(d.level.as_bytes());
    eat(d.reward.as_bytes());
    eat(d.agent.as_bytes());
    eat(&d.power.to_le_bytes());
    eat(&d.seed.to_le_bytes());
    h as i64
}

/// Hashes the designs saved before designs had a content hash.
fn hash_unhashed(conn: &mut Connection) -> Result<(), StoreError> {
    let tx = conn.transaction()?;
    let designs: Vec<(String, NewDesign)> = {
        let mut stmt = tx.prepare(
            "SELECT id, level, reward, agent, power, seed FROM designs WHERE content IS NULL",
        )?;
        let rows = stmt.query_map([], |row| {
            Ok((
                row.get(0)?,
                NewDesign {
                    level: row.get(1)?,
                    reward: row.get(2)?,
                    agent: row.get(3)?,
                    power: row.get(4)?,
                    seed: row.get::<_, i64>(5)? as u64,
                },
            ))
        })?;
        rows.collect::<Result<_, _>>()?
    };
    for (id, design) in &designs {
        tx.execute(
            "UPDATE designs SET content = ?1 WHERE id = ?2",
            params![content_hash(design), id],
        )?;
    }
    tx.commit()?;
    Ok(())
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
