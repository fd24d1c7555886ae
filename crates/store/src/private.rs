//! Files that hold the cluster's state are the owner's alone: the store's
//! directory 0700, its database, WAL, shared-memory file and snapshots
//! 0600 (Secrets are in them).

use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

/// Creates `dir` (and its parents) if need be; `dir` itself ends up 0700.
pub fn dir(dir: &Path) -> std::io::Result<()> {
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)?;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
}

/// Makes `file` 0600 if it exists.
pub fn restrict(file: &Path) -> std::io::Result<()> {
    match std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o600)) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        other => other,
    }
}

/// Creates `file` empty and 0600 if it does not exist, so that SQLite,
/// which gives its WAL and shared-memory files the database's mode, never
/// makes them readable by others.
pub fn create(file: &Path) -> std::io::Result<()> {
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(file)
    {
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => restrict(file),
        Err(e) => Err(e),
        Ok(_) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn state_is_the_owners_alone() {
        let root = tempfile::tempdir().unwrap();
        let store = root.path().join("a/store");
        dir(&store).unwrap();
        assert_eq!(mode(&store), 0o700);
        let file = store.join("state.db");
        std::fs::write(&file, b"").unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        create(&file).unwrap();
        assert_eq!(mode(&file), 0o600);
        let other = store.join("other");
        create(&other).unwrap();
        assert_eq!(mode(&other), 0o600);
        restrict(&store.join("missing")).unwrap();
    }
}
