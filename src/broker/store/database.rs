//! Store: the SQLite database, its connections (one writer, a few readers: WAL lets them
//! read while it writes) and the two ways in, a write transaction and a read.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};

use super::error::StoreError;
use super::schema;

/// The database file in a store directory.
pub const FILE_NAME: &str = "broker.sqlite";

/// How many read connections a store keeps (WAL readers run beside the writer).
const READERS: usize = 4;

/// How long a write waits for another process holding the database's write lock.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// The broker's store: one SQLite database. Writes are serialised through one connection
/// (and, across processes, by SQLite's lock); reads use a small pool.
pub struct Store {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Vec<Mutex<Connection>>,
    next: AtomicUsize,
    /// A connection that only asks `PRAGMA data_version`, which changes whenever any other
    /// connection (this process's writer, or another process) commits.
    watcher: Mutex<Connection>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

impl Store {
    /// Opens (creating when needed) the store in `dir` (`dir/broker.sqlite`).
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        std::fs::create_dir_all(dir).map_err(|source| StoreError::Directory {
            path: dir.display().to_string(),
            source,
        })?;
        Store::open_file(&dir.join(FILE_NAME))
    }

    /// Opens (creating when needed) the database file `path`.
    pub fn open_file(path: &Path) -> Result<Store, StoreError> {
        let mut writer = connect(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE,
        )?;
        writer.pragma_update(None, "journal_mode", "WAL")?;
        schema::migrate(&mut writer)?;
        let readers = (0..READERS)
            .map(|_| connect(path, OpenFlags::SQLITE_OPEN_READ_ONLY).map(Mutex::new))
            .collect::<Result<Vec<_>, _>>()?;
        let watcher = Mutex::new(connect(path, OpenFlags::SQLITE_OPEN_READ_ONLY)?);
        Ok(Store {
            path: path.to_path_buf(),
            writer: Mutex::new(writer),
            readers,
            next: AtomicUsize::new(0),
            watcher,
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` in one write transaction (`BEGIN IMMEDIATE`): committed (and on disk) when
    /// `f` succeeds, rolled back when it fails.
    pub(crate) fn write<T>(
        &self,
        f: impl FnOnce(&Transaction<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut conn = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let value = f(&tx)?;
        tx.commit()?;
        Ok(value)
    }

    /// Runs `f` on a read connection, in one read transaction (a consistent snapshot).
    pub(crate) fn read<T>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        let mut guard = None;
        for i in 0..self.readers.len() {
            if let Ok(g) = self.readers[(start + i) % self.readers.len()].try_lock() {
                guard = Some(g);
                break;
            }
        }
        let mut conn = match guard {
            Some(g) => g,
            None => self.readers[start % self.readers.len()]
                .lock()
                .unwrap_or_else(|e| e.into_inner()),
        };
        let tx = conn.transaction_with_behavior(TransactionBehavior::Deferred)?;
        let value = f(&tx)?;
        tx.finish()?;
        Ok(value)
    }

    /// The store's generation: a number that changes whenever anything is committed (by
    /// this process or another one), so what was read at one generation may be reused while
    /// it stays the same.
    pub fn generation(&self) -> Result<i64, StoreError> {
        let conn = self.watcher.lock().unwrap_or_else(|e| e.into_inner());
        Ok(conn.query_row("PRAGMA data_version", [], |r| r.get(0))?)
    }

    /// Deletes everything (the broker's test mode, before each provider state).
    pub fn wipe(&self) -> Result<(), StoreError> {
        self.write(|tx| {
            for table in schema::WIPE_ORDER {
                tx.execute(&format!("DELETE FROM {table}"), [])?;
            }
            Ok(())
        })
    }
}

fn connect(path: &Path, flags: OpenFlags) -> Result<Connection, StoreError> {
    let conn = Connection::open_with_flags(path, flags | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(conn)
}
