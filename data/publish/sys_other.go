//go:build !unix

package publish

import "errors"

// errDiskQuota stands for a quota error on systems without EDQUOT; no
// write returns it.
var errDiskQuota = errors.New("disk quota exceeded")
