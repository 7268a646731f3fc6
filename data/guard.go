package data

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
	"sync"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet/metadata"
)

// arrow-go trusts the lengths written in a file's metadata: a corrupt length
// makes it allocate that many bytes, and a Go allocation too large for the
// machine is a fatal error no recover can catch. These guards turn such files
// into ErrCorrupt errors instead.

// allocLimitError is the panic value of a refused allocation; Load's
// recover turns it into an ErrCorrupt InputError.
type allocLimitError struct{ size, limit int }

func (e allocLimitError) Error() string {
	return fmt.Sprintf("file asks for a %d-byte buffer, over the %d-byte limit for its size", e.size, e.limit)
}

// limitAllocator refuses any single allocation above limit bytes.
type limitAllocator struct {
	memory.Allocator
	limit int
}

// newLimitAllocator caps single allocations at 64 × the file size, and at
// least 256 MiB: real columns decompress to far less than 64× their stored
// size except for constant columns, which 256 MiB covers up to 32M rows.
func newLimitAllocator(mem memory.Allocator, fileSize int64) *limitAllocator {
	limit := int64(256 << 20)
	if l := 64 * fileSize; l > limit {
		limit = l
	}
	return &limitAllocator{Allocator: mem, limit: int(min(limit, int64(^uint(0)>>1)))}
}

func (a *limitAllocator) Allocate(size int) []byte {
	if size > a.limit || size < 0 {
		panic(allocLimitError{size, a.limit})
	}
	return a.Allocator.Allocate(size)
}

func (a *limitAllocator) Reallocate(size int, b []byte) []byte {
	if size > a.limit || size < 0 {
		panic(allocLimitError{size, a.limit})
	}
	return a.Allocator.Reallocate(size, b)
}

// Arrow flatbuffer type ids (Schema.fbs, union Type) that carry vectors or
// strings the reader allocates from.
const (
	fbTypeTimestamp = 10
	fbTypeUnion     = 14
	maxFieldDepth   = 32
)

// vector returns the start and length of vector field i of t, checking that
// n elements of elem bytes fit in the buffer.
func (t fbTable) vector(i, elem int) (start, n int, ok bool) {
	p, ok := t.field(i)
	if !ok {
		return 0, 0, false
	}
	if p == 0 {
		return 0, 0, true
	}
	v, ok := t.indirect(p)
	if !ok {
		return 0, 0, false
	}
	l, ok := t.u32(v)
	if !ok || int64(v)+4+int64(l)*int64(elem) > int64(len(t.buf)) {
		return 0, 0, false
	}
	return v + 4, int(l), true
}

// tablesOf returns the tables of a vector-of-tables field.
func (t fbTable) tablesOf(i int) ([]fbTable, bool) {
	start, n, ok := t.vector(i, 4)
	if !ok {
		return nil, false
	}
	out := make([]fbTable, n)
	for k := range n {
		p, ok := t.indirect(start + 4*k)
		if !ok {
			return nil, false
		}
		out[k] = fbTable{buf: t.buf, pos: p}
	}
	return out, true
}

// checkString checks that string field i, if present, lies in the buffer.
func (t fbTable) checkString(i int) bool {
	_, _, ok := t.vector(i, 1)
	return ok
}

func checkKeyValues(t fbTable, field int) bool {
	kvs, ok := t.tablesOf(field)
	if !ok {
		return false
	}
	for _, kv := range kvs {
		if !kv.checkString(0) || !kv.checkString(1) {
			return false
		}
	}
	return true
}

// checkSchema verifies every vector and string in an Arrow Schema table
// that arrow-go sizes an allocation from, and bounds the nesting depth.
func checkSchema(s fbTable) bool {
	fields, ok := s.tablesOf(1)
	if !ok || !checkKeyValues(s, 2) {
		return false
	}
	if _, _, ok := s.vector(3, 8); !ok {
		return false
	}
	for _, f := range fields {
		if !checkField(f, 0) {
			return false
		}
	}
	return true
}

func checkField(f fbTable, depth int) bool {
	if depth > maxFieldDepth || !f.checkString(0) || !checkKeyValues(f, 6) {
		return false
	}
	typeID, ok := f.byteField(2, 0)
	if !ok {
		return false
	}
	typ, present, ok := f.tableField(3)
	if !ok {
		return false
	}
	if present {
		switch typeID {
		case fbTypeTimestamp:
			if !typ.checkString(1) {
				return false
			}
		case fbTypeUnion:
			if _, _, ok := typ.vector(1, 4); !ok {
				return false
			}
		}
	}
	if _, _, ok := f.tableField(4); !ok {
		return false
	}
	children, ok := f.tablesOf(5)
	if !ok {
		return false
	}
	for _, c := range children {
		if !checkField(c, depth+1) {
			return false
		}
	}
	return true
}

// checkBatch verifies a RecordBatch table's node and buffer vectors, and
// that every buffer lies inside the message body.
func checkBatch(b fbTable, bodyLen int64) bool {
	if _, _, ok := b.vector(1, 16); !ok { // FieldNode structs
		return false
	}
	start, n, ok := b.vector(2, 16) // Buffer structs {offset, length int64}
	if !ok {
		return false
	}
	for k := range n {
		off := int64(le64(b.buf[start+16*k:]))
		l := int64(le64(b.buf[start+16*k+8:]))
		if off < 0 || l < 0 || off > bodyLen || l > bodyLen-off {
			return false
		}
	}
	_, _, ok = b.vector(4, 8) // variadic buffer counts
	return ok
}

// recycler is an allocator for one Load: buffers arrow-go frees go to a free
// list by power-of-two size class and are handed out again for the next
// record batch, which has the same shape. Without it every batch's buffers
// become garbage, and the Go heap grows to about twice the loaded columns
// before the collector runs. drain returns everything to the parent.
type recycler struct {
	parent memory.Allocator
	mu     sync.Mutex
	free   map[int][][]byte // by class; each slice has len == class
	pooled int              // bytes held in free
}

// recyclerMaxPooled bounds what the free list may hold.
const recyclerMaxPooled = 256 << 20

func newRecycler(parent memory.Allocator) *recycler {
	return &recycler{parent: parent, free: map[int][][]byte{}}
}

// sizeClass rounds size up to a power of two (at least 64).
func sizeClass(size int) int {
	if size <= 64 {
		return 64
	}
	return 1 << bits.Len(uint(size-1))
}

func (r *recycler) Allocate(size int) []byte {
	class := sizeClass(size)
	r.mu.Lock()
	if list := r.free[class]; len(list) > 0 {
		b := list[len(list)-1]
		r.free[class] = list[:len(list)-1]
		r.pooled -= class
		r.mu.Unlock()
		clear(b[:size]) // callers expect zeroed memory, as from make
		return b[:size]
	}
	r.mu.Unlock()
	return r.parent.Allocate(class)[:size]
}

func (r *recycler) Reallocate(size int, b []byte) []byte {
	if size <= cap(b) && sizeClass(size) == sizeClass(len(b)) {
		old := len(b)
		b = b[:size]
		if size > old {
			clear(b[old:])
		}
		return b
	}
	nb := r.Allocate(size)
	copy(nb, b)
	r.Free(b)
	return nb
}

func (r *recycler) Free(b []byte) {
	class := sizeClass(len(b))
	if cap(b) < class {
		return // not from Allocate: a nil or empty buffer
	}
	b = b[:class]
	r.mu.Lock()
	if r.pooled+class <= recyclerMaxPooled {
		r.free[class] = append(r.free[class], b)
		r.pooled += class
		r.mu.Unlock()
		return
	}
	r.mu.Unlock()
	r.parent.Free(b)
}

// drain hands every pooled buffer back to the parent allocator.
func (r *recycler) drain() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for class, list := range r.free {
		for _, b := range list {
			r.parent.Free(b)
		}
		delete(r.free, class)
	}
	r.pooled = 0
}

// checkParquetArrowSchema checks the Arrow schema a Parquet file may carry
// in its key-value metadata (key "ARROW:schema", a base64 IPC stream whose
// first message is the schema) before pqarrow decodes it: arrow-go sizes
// allocations from that schema's vector lengths as it does from an IPC
// file's.
func checkParquetArrowSchema(md *metadata.FileMetaData) error {
	v := md.KeyValueMetadata().FindValue("ARROW:schema")
	if v == nil {
		return nil
	}
	raw, err := base64.StdEncoding.DecodeString(*v)
	if err != nil {
		if raw, err = base64.RawStdEncoding.DecodeString(*v); err != nil {
			return fmt.Errorf("the embedded Arrow schema is not base64: %w", err)
		}
	}
	// The message: an optional continuation marker 0xFFFFFFFF, an int32
	// length, then that many bytes of Message flatbuffer.
	if len(raw) >= 4 && binary.LittleEndian.Uint32(raw) == 0xFFFFFFFF {
		raw = raw[4:]
	}
	if len(raw) < 4 {
		return errors.New("the embedded Arrow schema is empty")
	}
	n := int64(int32(binary.LittleEndian.Uint32(raw)))
	raw = raw[4:]
	if n <= 0 || n > int64(len(raw)) {
		return fmt.Errorf("the embedded Arrow schema declares %d bytes of %d", n, len(raw))
	}
	m, err := parseMessage(raw[:n])
	if err != nil || m.headerType != msgSchema {
		return errors.New("the embedded Arrow schema is malformed")
	}
	return nil
}
