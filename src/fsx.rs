//! Careful file access for the commands that write (`doc`, `init`, `ask --save`,
//! `probe --save-hop`): the way install(1), rsync and sponge do it.
//!
//! - Only regular files are read or replaced: a symbolic link, a FIFO, a device or
//!   a socket is refused before it is opened for writing, and files are opened
//!   with `O_NONBLOCK | O_NOFOLLOW` so a FIFO swapped in cannot hang the read.
//! - Reads are capped: a file over the limit is refused, and a file that grows
//!   while it is read is cut at the limit and refused too.
//! - A file is replaced through a temp file in the same folder, created with the
//!   final mode (never more open than the file it replaces), given the old file's
//!   owner and group (or the write is refused), fsynced, renamed over the old
//!   file, and the folder fsynced. The temp file is removed on every error path,
//!   and stale temp files of dead rtadvisor processes are removed before a write.
//! - Replacing a file needs write permission on it, not only on its folder.

use std::fmt;
use std::fs::{File, Metadata, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// The largest design doc `doc` reads (a design doc is a few dozen KiB).
pub const MAX_DOC_BYTES: u64 = 4 * 1024 * 1024;

/// Temp files are `.rtadvisor-PID-N.tmp`: short, so a long but valid file name
/// still has a valid temp name beside it.
const TEMP_PREFIX: &str = ".rtadvisor-";
const TEMP_SUFFIX: &str = ".tmp";

/// Why a file could not be read or written. Displayed after `NAME: `.
#[derive(Debug)]
pub enum FsError {
    /// A symbolic link (to this target).
    Symlink(PathBuf),
    /// Not a regular file: what it is.
    NotRegular(&'static str),
    /// Larger than the limit (bytes).
    TooLarge(u64),
    /// The folder it would be created in does not exist.
    NoFolder(PathBuf),
    /// The user may not write this file.
    NotWritable {
        uid: u32,
        mode: u32,
    },
    /// The new file could not get the old one's owner.
    Owner {
        uid: u32,
        gid: u32,
    },
    /// `write_new`: the file exists.
    Exists,
    Io(std::io::Error),
}

impl fmt::Display for FsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FsError::Symlink(to) => write!(
                f,
                "is a symbolic link (to {}); rtadvisor writes only the file you name, so pass the real path",
                crate::term::clean(&to.display().to_string())
            ),
            FsError::NotRegular(kind) => write!(
                f,
                "is {kind}, not a regular file; rtadvisor reads and writes only regular files"
            ),
            FsError::TooLarge(limit) => write!(
                f,
                "is larger than the {} KiB limit for a design doc; is this the right file?",
                limit / 1024
            ),
            FsError::NoFolder(dir) => write!(
                f,
                "cannot create it, the folder {} does not exist",
                crate::term::clean(&dir.display().to_string())
            ),
            FsError::NotWritable { uid, mode } => write!(
                f,
                "you may not write this file (owner uid {uid}, mode {:04o}); nothing was written",
                mode & 0o7777
            ),
            FsError::Owner { uid, gid } => write!(
                f,
                "the file belongs to uid {uid}, gid {gid}, and a rewritten copy could not keep that owner; nothing was written (run as its owner)"
            ),
            FsError::Exists => f.write_str("already exists"),
            FsError::Io(e) => write!(f, "{e}"),
        }
    }
}

impl From<std::io::Error> for FsError {
    fn from(e: std::io::Error) -> Self {
        FsError::Io(e)
    }
}

fn kind_of(m: &Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let t = m.file_type();
    if t.is_dir() {
        "a folder"
    } else if t.is_fifo() {
        "a FIFO (named pipe)"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else if t.is_socket() {
        "a socket"
    } else {
        "a special file"
    }
}

fn folder_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// What is at `path` for a command about to write it: `None` when nothing is
/// there yet (and its folder exists), the metadata of a regular file, or why it
/// must not be touched. Symbolic links are refused, not followed.
pub fn inspect(path: &Path) -> Result<Option<Metadata>, FsError> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => Err(FsError::Symlink(
            std::fs::read_link(path).unwrap_or_else(|_| PathBuf::from("?")),
        )),
        Ok(m) if m.file_type().is_file() => Ok(Some(m)),
        Ok(m) => Err(FsError::NotRegular(kind_of(&m))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let dir = folder_of(path);
            if dir.is_dir() {
                Ok(None)
            } else {
                Err(FsError::NoFolder(dir))
            }
        }
        Err(e) => Err(FsError::Io(e)),
    }
}

/// Opens `path` without following a symlink and without blocking on a FIFO,
/// and checks that what was opened is a regular file.
fn open_regular(path: &Path, write: bool, follow: bool) -> Result<(File, Metadata), FsError> {
    let mut flags = libc::O_NONBLOCK;
    if !follow {
        flags |= libc::O_NOFOLLOW;
    }
    let file = OpenOptions::new()
        .read(!write)
        .write(write)
        .custom_flags(flags)
        .open(path)
        .map_err(|e| match e.raw_os_error() {
            Some(libc::ELOOP) if !follow => {
                FsError::Symlink(std::fs::read_link(path).unwrap_or_else(|_| PathBuf::from("?")))
            }
            _ => FsError::Io(e),
        })?;
    let meta = file.metadata()?;
    if !meta.file_type().is_file() {
        return Err(FsError::NotRegular(kind_of(&meta)));
    }
    Ok((file, meta))
}

/// Reads a regular file of at most `limit` bytes. With `follow`, a symbolic link
/// to a regular file is read (reading writes nothing); without, it is refused.
pub fn read_regular(path: &Path, limit: u64, follow: bool) -> Result<Vec<u8>, FsError> {
    let (file, meta) = open_regular(path, false, follow)?;
    if meta.len() > limit {
        return Err(FsError::TooLarge(limit));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(FsError::TooLarge(limit));
    }
    Ok(bytes)
}

/// Checks that this user may write the existing file `path` (as the kernel
/// decides, ACLs included) by opening it for writing without truncating it.
pub fn check_writable(path: &Path, meta: &Metadata) -> Result<(), FsError> {
    match open_regular(path, true, false) {
        Ok(_) => Ok(()),
        Err(FsError::Io(e)) if e.kind() == std::io::ErrorKind::PermissionDenied => {
            Err(FsError::NotWritable {
                uid: meta.uid(),
                mode: meta.mode(),
            })
        }
        Err(e) => Err(e),
    }
}

/// A temp file in `dir`, created with `mode` (the umask may only tighten it).
fn create_temp(dir: &Path, mode: u32) -> Result<(PathBuf, File), FsError> {
    let pid = std::process::id();
    for attempt in 0..100u32 {
        let tmp = dir.join(format!("{TEMP_PREFIX}{pid}-{attempt}{TEMP_SUFFIX}"));
        match OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(mode)
            .custom_flags(libc::O_NOFOLLOW)
            .open(&tmp)
        {
            Ok(f) => return Ok((tmp, f)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(FsError::Io(e)),
        }
    }
    Err(FsError::Io(std::io::Error::new(
        std::io::ErrorKind::AlreadyExists,
        "could not create a temp file beside it",
    )))
}

/// Removes temp files left in `dir` by rtadvisor processes that no longer run
/// (killed mid-write). Only regular files owned by this user are removed.
pub fn remove_stale_temps(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    // SAFETY: geteuid has no preconditions and cannot fail.
    let me = unsafe { libc::geteuid() };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let Some(pid) = name
            .strip_prefix(TEMP_PREFIX)
            .and_then(|r| r.strip_suffix(TEMP_SUFFIX))
            .and_then(|r| r.split_once('-'))
            .and_then(|(pid, n)| n.parse::<u32>().ok().and(pid.parse::<i32>().ok()))
        else {
            continue;
        };
        if pid <= 0 || pid as u32 == std::process::id() || process_alive(pid) {
            continue;
        }
        let path = entry.path();
        if let Ok(m) = std::fs::symlink_metadata(&path) {
            if m.file_type().is_file() && m.uid() == me {
                let _ = std::fs::remove_file(&path);
            }
        }
    }
}

fn process_alive(pid: i32) -> bool {
    // SAFETY: kill with signal 0 only checks whether the process exists.
    let r = unsafe { libc::kill(pid, 0) };
    r == 0 || std::io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
}

/// Writes `bytes` into a new temp file beside `path` with `old`'s mode and
/// owner (or the default mode when there is no old file), synced to disk.
fn write_temp(path: &Path, bytes: &[u8], old: Option<&Metadata>) -> Result<PathBuf, FsError> {
    let dir = folder_of(path);
    remove_stale_temps(&dir);
    let mode = old.map_or(0o666, |m| m.mode() & 0o7777);
    // Created no more open than the final file (0600 stays 0600 from the start).
    let (tmp, mut file) = create_temp(&dir, mode & 0o777)?;
    let result = (|| -> Result<(), FsError> {
        if let Some(m) = old {
            let t = file.metadata()?;
            if (t.uid(), t.gid()) != (m.uid(), m.gid()) {
                std::os::unix::fs::fchown(&file, Some(m.uid()), Some(m.gid())).map_err(|_| {
                    FsError::Owner {
                        uid: m.uid(),
                        gid: m.gid(),
                    }
                })?;
            }
            // After chown, which may clear set-id bits; before any byte is written.
            file.set_permissions(std::fs::Permissions::from_mode(mode))?;
        }
        file.write_all(bytes)?;
        file.sync_all()?;
        Ok(())
    })();
    match result {
        Ok(()) => Ok(tmp),
        Err(e) => {
            drop(file);
            let _ = std::fs::remove_file(&tmp);
            Err(e)
        }
    }
}

fn sync_folder(path: &Path) {
    // Best effort: the rename is done; a folder that cannot be synced (some
    // file systems refuse) must not turn a finished write into an error.
    if let Ok(d) = File::open(folder_of(path)) {
        let _ = d.sync_all();
    }
}

/// Replaces (or creates) the regular file `path` with `bytes`, atomically: a
/// reader sees the old file or the new one, never a part. `old` is what
/// [`inspect`] found; an existing file keeps its mode, owner and group, and must
/// be writable by this user.
pub fn write_atomic(path: &Path, bytes: &[u8], old: Option<&Metadata>) -> Result<(), FsError> {
    if let Some(m) = old {
        check_writable(path, m)?;
    }
    let tmp = write_temp(path, bytes, old)?;
    if let Err(e) = std::fs::rename(&tmp, path) {
        let _ = std::fs::remove_file(&tmp);
        return Err(FsError::Io(e));
    }
    sync_folder(path);
    Ok(())
}

/// Creates `path` with `bytes` only if nothing is there (no clobber), atomically:
/// the file appears whole or not at all.
pub fn write_new(path: &Path, bytes: &[u8]) -> Result<(), FsError> {
    if inspect(path)?.is_some() {
        return Err(FsError::Exists);
    }
    let tmp = write_temp(path, bytes, None)?;
    // A hard link fails if the name exists, so a file created meanwhile is kept.
    let linked = std::fs::hard_link(&tmp, path);
    let _ = std::fs::remove_file(&tmp);
    match linked {
        Ok(()) => {
            sync_folder(path);
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(FsError::Exists),
        Err(e) => Err(FsError::Io(e)),
    }
}

/// Ignores SIGXFSZ so that going over a file-size limit (`ulimit -f`) is a write
/// error the commands clean up after, not a kill that leaves a temp file.
pub fn ignore_file_size_signal() {
    // SAFETY: setting a signal's disposition to SIG_IGN has no preconditions.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }
}

static STDOUT_CLOSED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Run first: a standard stream the process was started without (`>&-`) gets
/// `/dev/null`, so no file opened later can take its number and receive output
/// meant for the terminal. A closed stdout is remembered: writing the report
/// then fails (exit 2) instead of losing it silently.
///
/// Rust's runtime already reopens closed standard descriptors on `/dev/null`
/// before `main`, read-write; a shell's `>/dev/null` opens it write-only. So a
/// stdout that is `/dev/null` opened read-write is one the process was started
/// without.
pub fn guard_standard_fds() {
    if is_runtime_dev_null(1) {
        STDOUT_CLOSED.store(true, std::sync::atomic::Ordering::Relaxed);
    }
    for fd in 0..=2 {
        // SAFETY: F_GETFD only queries whether the descriptor is open.
        let closed = unsafe { libc::fcntl(fd, libc::F_GETFD) } == -1
            && std::io::Error::last_os_error().raw_os_error() == Some(libc::EBADF);
        if !closed {
            continue;
        }
        if fd == 1 {
            STDOUT_CLOSED.store(true, std::sync::atomic::Ordering::Relaxed);
        }
        let flags = if fd == 0 {
            libc::O_RDONLY
        } else {
            libc::O_WRONLY
        };
        // SAFETY: a NUL-terminated path literal; the result is checked.
        let null = unsafe { libc::open(c"/dev/null".as_ptr(), flags) };
        if null >= 0 && null != fd {
            // SAFETY: both descriptors are valid; dup2 onto the closed number.
            unsafe {
                libc::dup2(null, fd);
                libc::close(null);
            }
        }
    }
}

fn is_runtime_dev_null(fd: i32) -> bool {
    use std::os::unix::fs::FileTypeExt;
    // SAFETY: F_GETFL only reads the descriptor's flags.
    let flags = unsafe { libc::fcntl(fd, libc::F_GETFL) };
    if flags == -1 || flags & libc::O_ACCMODE != libc::O_RDWR {
        return false;
    }
    let (Ok(null), Ok(this)) = (
        std::fs::metadata("/dev/null"),
        std::fs::metadata(format!("/proc/self/fd/{fd}")),
    ) else {
        return false;
    };
    this.file_type().is_char_device() && this.rdev() == null.rdev()
}

/// Whether the process started with standard output closed.
pub fn stdout_was_closed() -> bool {
    STDOUT_CLOSED.load(std::sync::atomic::Ordering::Relaxed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temps(dir: &Path) -> Vec<String> {
        std::fs::read_dir(dir)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(TEMP_PREFIX))
            .collect()
    }

    #[test]
    fn replaces_keeping_the_mode_and_leaves_no_temp() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("doc.md");
        std::fs::write(&p, "old").unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
        let m = inspect(&p).unwrap();
        write_atomic(&p, b"new", m.as_ref()).unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "new");
        let mode = std::fs::metadata(&p).unwrap().mode() & 0o7777;
        assert_eq!(mode, 0o600);
        assert!(temps(d.path()).is_empty());
    }

    #[test]
    fn refuses_what_is_not_a_regular_file() {
        let d = tempfile::tempdir().unwrap();
        assert!(matches!(
            inspect(d.path()),
            Err(FsError::NotRegular("a folder"))
        ));
        assert!(matches!(
            inspect(Path::new("/dev/null")),
            Err(FsError::NotRegular("a character device"))
        ));
        assert!(matches!(
            read_regular(Path::new("/dev/zero"), 10, true),
            Err(FsError::NotRegular(_))
        ));
        let link = d.path().join("l");
        std::os::unix::fs::symlink("/etc/hostname", &link).unwrap();
        assert!(matches!(inspect(&link), Err(FsError::Symlink(_))));
        assert!(matches!(
            read_regular(&link, 1 << 20, false),
            Err(FsError::Symlink(_))
        ));
        assert!(matches!(
            inspect(&d.path().join("no/such")),
            Err(FsError::NoFolder(_))
        ));
    }

    #[test]
    fn caps_reads() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("big");
        std::fs::write(&p, vec![b'a'; 100]).unwrap();
        assert!(matches!(
            read_regular(&p, 99, false),
            Err(FsError::TooLarge(99))
        ));
        assert_eq!(read_regular(&p, 100, false).unwrap().len(), 100);
    }

    #[test]
    fn write_new_never_clobbers() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("new.yaml");
        write_new(&p, b"a").unwrap();
        assert!(matches!(write_new(&p, b"b"), Err(FsError::Exists)));
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "a");
        assert!(temps(d.path()).is_empty());
    }

    #[test]
    fn removes_stale_temps_of_dead_processes_only() {
        let d = tempfile::tempdir().unwrap();
        // A pid far above any pid_max is never alive.
        let stale = d
            .path()
            .join(format!("{TEMP_PREFIX}2147483600-0{TEMP_SUFFIX}"));
        let live = d.path().join(format!("{TEMP_PREFIX}1-0{TEMP_SUFFIX}"));
        let other = d.path().join(".rtadvisor-notes.tmp");
        for f in [&stale, &live, &other] {
            std::fs::write(f, "x").unwrap();
        }
        remove_stale_temps(d.path());
        assert!(!stale.exists());
        assert!(live.exists(), "pid 1 is alive");
        assert!(other.exists(), "not a temp name of ours");
    }
}
