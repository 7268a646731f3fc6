//go:build unix

package publish

import "syscall"

// errDiskQuota is the error of a write past the user's disk quota.
var errDiskQuota error = syscall.EDQUOT
