//! The store against real files: round trips, persistence, migrations.

use loophole_store::{NewDesign, Saved, Store, StoreError};

fn design(reward: &str, seed: u64) -> NewDesign {
    NewDesign {
        level: "side-effects-sokoban".into(),
        reward: reward.into(),
        agent: "value-iteration".into(),
        power: 100,
        seed,
    }
}

#[test]
fn a_saved_design_loads_back_with_every_field() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("t.db")).unwrap();
    let new = design("50*goal - step - 10*pushed", u64::MAX);
    let id = store.save_design(&new).unwrap();
    let got = store.load_design(&id).unwrap().expect("saved");
    assert_eq!(got.id, id);
    assert_eq!(
        (got.level, got.reward, got.agent, got.power, got.seed),
        (new.level, new.reward, new.agent, new.power, u64::MAX)
    );
    // `YYYY-MM-DDTHH:MM:SSZ`
    assert_eq!(got.created.len(), 20, "{}", got.created);
    assert!(got.created.ends_with('Z') && got.created.as_bytes()[10] == b'T');
}

#[test]
fn each_design_gets_its_own_id_and_the_same_design_the_same() {
    let store = Store::open_in_memory().unwrap();
    let a = store.save(&design("step", 0)).unwrap();
    assert!(a.new);
    let again = store.save(&design("step", 0)).unwrap();
    assert_eq!(
        again,
        Saved {
            id: a.id.clone(),
            new: false
        }
    );
    // Any one input different is another design.
    let mut ids = vec![a.id.clone()];
    let mut other_agent = design("step", 0);
    other_agent.agent = "mcts".into();
    let mut other_power = design("step", 0);
    other_power.power = 99;
    let mut other_level = design("step", 0);
    other_level.level = "boat-race".into();
    for d in [
        design("step ", 0),
        design("step", 1),
        other_agent,
        other_power,
        other_level,
    ] {
        let saved = store.save(&d).unwrap();
        assert!(saved.new, "{d:?}");
        ids.push(saved.id);
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 6);
    assert_eq!(store.load_design(&a.id).unwrap().unwrap().reward, "step");
}

#[test]
fn a_database_of_the_first_schema_is_migrated_and_its_designs_deduplicated() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v1.db");
    {
        // As the first version left it: one table, two copies of one design.
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "CREATE TABLE designs (id TEXT PRIMARY KEY, level TEXT NOT NULL, reward TEXT NOT NULL,
                agent TEXT NOT NULL, power INTEGER NOT NULL, seed INTEGER NOT NULL,
                created TEXT NOT NULL);
             INSERT INTO designs VALUES ('oldfirst23', 'side-effects-sokoban', 'step',
                'value-iteration', 100, -1, '2025-01-01T00:00:00Z');
             INSERT INTO designs VALUES ('oldcopy234', 'side-effects-sokoban', 'step',
                'value-iteration', 100, -1, '2025-06-01T00:00:00Z');
             PRAGMA user_version = 1;",
        )
        .unwrap();
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), 2);
    for id in ["oldfirst23", "oldcopy234"] {
        assert_eq!(
            store.load_design(id).unwrap().unwrap().seed,
            u64::MAX,
            "{id} still opens"
        );
    }
    let saved = store.save(&design("step", u64::MAX)).unwrap();
    assert_eq!(
        saved,
        Saved {
            id: "oldfirst23".into(),
            new: false
        },
        "the oldest copy"
    );
    let conn = rusqlite::Connection::open(&path).unwrap();
    let unhashed: i64 = conn
        .query_row(
            "SELECT count(*) FROM designs WHERE content IS NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(unhashed, 0);
}

/// Bytes of the database's files on disk: the file, its log and its index.
fn disk_bytes(path: &std::path::Path) -> u64 {
    ["", "-wal", "-shm"]
        .iter()
        .map(|ext| {
            let mut p = path.as_os_str().to_owned();
            p.push(ext);
            std::fs::metadata(p).map_or(0, |m| m.len())
        })
        .sum()
}

#[test]
fn a_full_database_refuses_new_designs_and_stays_under_its_limit() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("small.db");
    let store = Store::open(&path).unwrap();
    let limit = 512 * 1024;
    store.set_max_bytes(limit).unwrap();
    let long = "step + ".repeat(400);
    let mut saved = Vec::new();
    let refusal = loop {
        match store.save(&design(&long, saved.len() as u64)) {
            Ok(s) => saved.push(s.id),
            Err(e) => break e,
        }
        assert!(saved.len() < 10_000, "never full");
        let on_disk = disk_bytes(&path);
        assert!(
            on_disk <= limit,
            "{on_disk} bytes on disk after {} saves",
            saved.len()
        );
    };
    assert!(
        matches!(refusal, StoreError::Full { max_bytes } if max_bytes == limit),
        "{refusal}"
    );
    assert!(
        refusal
            .to_string()
            .contains("is full (its limit is 512 KiB)"),
        "{refusal}"
    );
    // Full, yet the designs saved open, and saving one again finds it.
    assert!(
        saved.len() > 50,
        "only {} saves fit in {limit} bytes",
        saved.len()
    );
    assert_eq!(store.save(&design(&long, 0)).unwrap().id, saved[0]);
    assert!(store.size_bytes().unwrap() <= limit);
    println!(
        "{} designs of {} bytes in {limit} bytes, {} on disk",
        saved.len(),
        long.len(),
        disk_bytes(&path)
    );
    drop(store);
    assert!(disk_bytes(&path) <= limit, "{}", disk_bytes(&path));
}

#[test]
fn a_record_is_only_ever_raised_and_persists() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    {
        let store = Store::open(&path).unwrap();
        assert_eq!(store.records().unwrap(), vec![]);
        store.raise_record("tomato-watering", 14.5).unwrap();
        store.raise_record("tomato-watering", 15.25).unwrap();
        store.raise_record("tomato-watering", 3.0).unwrap();
        store.raise_record("tomato-watering", f64::NAN).unwrap();
        store.raise_record("rocks-diamonds", -2.0).unwrap();
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(
        store.records().unwrap(),
        vec![
            ("rocks-diamonds".to_string(), -2.0),
            ("tomato-watering".to_string(), 15.25)
        ]
    );
}

#[test]
fn an_unknown_id_is_none() {
    let store = Store::open_in_memory().unwrap();
    assert_eq!(store.load_design("abcdefghij").unwrap(), None);
    assert_eq!(store.load_design("").unwrap(), None);
    assert_eq!(
        store.load_design("'; DROP TABLE designs; --").unwrap(),
        None
    );
    store.save_design(&design("step", 1)).unwrap();
}

#[test]
fn designs_persist_after_the_store_is_dropped_and_reopened() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    let id = {
        let store = Store::open(&path).unwrap();
        store.save_design(&design("3*goal", 7)).unwrap()
    };
    let store = Store::open(&path).unwrap();
    let got = store.load_design(&id).unwrap().expect("persisted");
    assert_eq!((got.reward.as_str(), got.seed), ("3*goal", 7));
}

#[test]
fn migrating_twice_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    let first = Store::open(&path).unwrap();
    let version = first.schema_version().unwrap();
    assert!(version >= 1);
    let id = first.save_design(&design("step", 3)).unwrap();
    drop(first);
    for _ in 0..2 {
        let again = Store::open(&path).unwrap();
        assert_eq!(again.schema_version().unwrap(), version);
        assert!(again.load_design(&id).unwrap().is_some());
    }
}

#[test]
fn a_database_from_a_newer_version_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    drop(Store::open(&path).unwrap());
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.pragma_update(None, "user_version", 999).unwrap();
    drop(conn);
    let err = Store::open(&path).unwrap_err();
    assert!(
        matches!(err, StoreError::NewerSchema { found: 999, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("newer Loophole"));
}

#[test]
fn the_file_uses_write_ahead_logging() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    let store = Store::open(&path).unwrap();
    store.save_design(&design("step", 0)).unwrap();
    let conn = rusqlite::Connection::open(&path).unwrap();
    let mode: String = conn
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn the_store_is_shared_between_threads() {
    let store = std::sync::Arc::new(Store::open_in_memory().unwrap());
    let handles: Vec<_> = (0..4)
        .map(|i| {
            let store = store.clone();
            std::thread::spawn(move || store.save_design(&design("step", i)).unwrap())
        })
        .collect();
    for h in handles {
        let id = h.join().unwrap();
        assert!(store.load_design(&id).unwrap().is_some());
    }
}

#[test]
fn another_programs_database_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.db");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch("CREATE TABLE invoices (n INTEGER); INSERT INTO invoices VALUES (7);")
            .unwrap();
    }
    let e = Store::open(&path).unwrap_err();
    assert!(
        matches!(e, StoreError::Foreign { ref tables } if tables == &["invoices"]),
        "{e}"
    );
    assert!(e.to_string().contains("not a Loophole database"), "{e}");
    let conn = rusqlite::Connection::open(&path).unwrap();
    let tables: i64 = conn
        .query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))
        .unwrap();
    assert_eq!(tables, 1, "nothing was added to it");
}

#[test]
fn a_database_from_before_the_application_id_is_still_ours() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    let id = {
        let store = Store::open(&path).unwrap();
        store.save_design(&design("step", 1)).unwrap()
    };
    // As an older Loophole left it: the schema, no application id.
    rusqlite::Connection::open(&path)
        .unwrap()
        .pragma_update(None, "application_id", 0)
        .unwrap();
    let store = Store::open(&path).unwrap();
    assert_eq!(store.load_design(&id).unwrap().unwrap().reward, "step");
}

/// Makes `path` impossible to write, even for root; false where the
/// machine cannot (then the test says so rather than passing).
fn make_unwritable(path: &std::path::Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o444)).unwrap();
    let writable = std::fs::OpenOptions::new().append(true).open(path).is_ok();
    if !writable {
        return true;
    }
    // Root ignores permissions; an immutable file it cannot write either.
    std::process::Command::new("chattr")
        .arg("+i")
        .arg(path)
        .status()
        .is_ok_and(|s| s.success())
}

#[test]
fn a_database_that_cannot_be_written_is_refused_at_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ro.db");
    drop(Store::open(&path).unwrap());
    assert!(
        make_unwritable(&path),
        "cannot make {} read-only here (no chattr?)",
        path.display()
    );
    let result = Store::open(&path);
    let _ = std::process::Command::new("chattr")
        .arg("-i")
        .arg(&path)
        .status();
    let e = result.unwrap_err();
    assert!(matches!(e, StoreError::ReadOnly), "{e}");
    assert!(e.to_string().contains("can be read but not written"), "{e}");
}
