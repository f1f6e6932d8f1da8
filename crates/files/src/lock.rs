//! Exclusive locks on the directories a set of files is written into, so
//! two writers of the same set (cron's `renew` and an admin's `json
//! -bare`) cannot interleave their renames and leave a certificate beside
//! another run's key. The lock is `flock(2)` on the directory itself: no
//! lock file to leave behind, and `flock DIR COMMAND` joins in from a
//! shell. A second writer waits up to `CERTKIT_LOCK_WAIT` seconds
//! (default 60), then fails naming the directory.

use certkit_core::error::{Error, Result};
use std::cell::RefCell;
use std::fs::File;
use std::os::fd::AsRawFd;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How long a writer waits for another one by default.
pub const DEFAULT_WAIT: Duration = Duration::from_secs(60);

thread_local! {
    /// Directories this thread holds (device, inode), so a set written
    /// while another is being committed (cluster init's --cfssl-out into
    /// the same parent) does not wait for itself.
    static HELD: RefCell<Vec<(u64, u64)>> = const { RefCell::new(Vec::new()) };
}

/// Locks held until dropped.
pub struct DirLocks(Vec<((u64, u64), File)>);

impl Drop for DirLocks {
    fn drop(&mut self) {
        HELD.with(|held| {
            let mut held = held.borrow_mut();
            for (id, _) in &self.0 {
                if let Some(i) = held.iter().position(|h| h == id) {
                    held.swap_remove(i);
                }
            }
        });
        // Closing each file releases its flock.
    }
}

fn wait_limit() -> Duration {
    std::env::var("CERTKIT_LOCK_WAIT")
        .ok()
        .and_then(|s| s.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map(Duration::from_secs_f64)
        .unwrap_or(DEFAULT_WAIT)
}

/// Locks every existing directory of `dirs` (each once, in inode order
/// so two writers never wait for each other crosswise). A directory that
/// does not exist is left to the write itself to report.
pub fn lock_dirs<'a>(dirs: impl IntoIterator<Item = &'a Path>) -> Result<DirLocks> {
    let mut opened: Vec<((u64, u64), PathBuf, File)> = Vec::new();
    for dir in dirs {
        let Ok(file) = File::open(dir) else { continue };
        let Ok(meta) = file.metadata() else { continue };
        let id = (meta.dev(), meta.ino());
        let held = HELD.with(|h| h.borrow().contains(&id));
        if !held && !opened.iter().any(|(o, _, _)| *o == id) {
            opened.push((id, dir.to_path_buf(), file));
        }
    }
    opened.sort_by_key(|(id, _, _)| *id);
    let limit = wait_limit();
    let mut locks = DirLocks(Vec::new());
    for (id, dir, file) in opened {
        acquire(&file, &dir, limit)?;
        HELD.with(|h| h.borrow_mut().push(id));
        locks.0.push((id, file));
    }
    Ok(locks)
}

fn acquire(file: &File, dir: &Path, limit: Duration) -> Result<()> {
    let start = Instant::now();
    let mut told = false;
    loop {
        // SAFETY: flock on a file descriptor this function borrows.
        if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } == 0 {
            return Ok(());
        }
        let err = std::io::Error::last_os_error();
        match err.raw_os_error() {
            Some(libc::EWOULDBLOCK) => {}
            Some(libc::EINTR) => continue,
            // Filesystems without flock: the write goes ahead unlocked.
            _ => return Ok(()),
        }
        if start.elapsed() >= limit {
            return Err(Error::Refused(format!(
                "{}: another process has been writing files here for {:.0}s (it holds the directory's lock); try again when it is done, or set CERTKIT_LOCK_WAIT=SECONDS to wait longer",
                dir.display(),
                limit.as_secs_f64()
            )));
        }
        if !told {
            log::info!(
                "{}: another process is writing files here; waiting for it",
                dir.display()
            );
            told = true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_waits_then_fails_naming_the_directory() {
        let dir = tempfile::tempdir().unwrap();
        let first = lock_dirs([dir.path()]).unwrap();
        // The same thread again: already held, no wait.
        drop(lock_dirs([dir.path()]).unwrap());
        let path = dir.path().to_path_buf();
        let other = std::thread::spawn(move || {
            std::env::set_var("CERTKIT_LOCK_WAIT", "0.2");
            lock_dirs([path.as_path()]).map(drop)
        })
        .join()
        .unwrap();
        let err = other.unwrap_err().to_string();
        assert!(err.contains("another process"), "{err}");
        drop(first);
        let path = dir.path().to_path_buf();
        std::thread::spawn(move || lock_dirs([path.as_path()]).map(drop))
            .join()
            .unwrap()
            .unwrap();
    }
}
