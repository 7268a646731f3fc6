// Package publish writes outputs so that a reader sees either the previous
// version or the complete new one, never a mixture or a torn file, and so
// that two processes cannot write one output at once.
//
// Files. Create (or WriteFile) writes to a temporary file beside the final
// path; Commit flushes it to disk (fsync), renames it into place and
// flushes the directory, so neither a crash nor a power cut leaves a
// partial file under the final name. Files are created with mode 0644 and
// directories with 0755, both subject to the umask, so another user (a
// merge job in another container) can read them.
//
// Write errors are sticky: after the first failed write every later write
// fails with the same error, Commit refuses to publish, and Do turns a
// panic of the code writing (arrow-go's Parquet writer panics when the
// first bytes of a file cannot be written, and on a nil page buffer after
// a failed column write; its Close drops the error of the footer's write)
// into that first error. Errors name the final path, not the temporary
// one, and say what to do when the disk is full.
//
// Directories. Replace stages a whole output directory (a run's files and
// its report, a merged sweep, a report) in a temporary directory beside the
// target and Commit swaps it in: on Linux with one atomic
// renameat2(RENAME_EXCHANGE), elsewhere (or on a filesystem without it) by
// renaming the previous directory aside, the new one in, and removing the
// previous one. A process killed between those two renames leaves the
// previous directory aside; the next Replace of the target puts it back.
// Failing, Abort removes the staging directory and leaves the target as it
// was.
//
// Temporary names are recognisable and belong to one target:
// ".marginlab-tmp-<name>.<12 hex digits>" for a file or staging directory
// being written, ".marginlab-old-<name>.<12 hex digits>" for a previous
// directory set aside. Whoever holds a target's lock removes the ones a
// killed process left (Replace does it, CleanTemps on request); nothing
// else is ever removed.
//
// Locks. LockDir takes an exclusive advisory lock (flock(2), LOCK_EX |
// LOCK_NB) on the file ".marginlab.lock" inside a directory and writes the
// holder's process id, host and start time into it; a second process
// fails at once with an error naming the holder. The kernel releases the
// lock when its process dies, so a killed process never leaves a stale
// lock. Replace locks its target the same way and keeps the lock file in
// the new directory, held across the swap. Systems without flock (and
// filesystems that refuse it) get no locking.
package publish
